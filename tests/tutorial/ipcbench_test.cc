// The IPC benchmark root server runs to completion and reports every
// combination it promises, with replies that echoed the calls.
#include <map>
#include <regex>
#include <set>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/tutorial/guest_runner.h"

ABSL_FLAG(std::string, runner, "",
          "program taking --kernel= and --module=: x64sim or run_qemu.sh");
ABSL_FLAG(std::string, kernel, "", "the guest kernel image");
ABSL_FLAG(std::string, ipcbench, "", "the ipcbench root server");

namespace x64sim::testing {
namespace {

constexpr int kExitHalt = (0x10 << 1) | 1;

TEST(IpcBench, ReportsEveryCombination) {
  GuestRunner runner(absl::GetFlag(FLAGS_runner), absl::GetFlag(FLAGS_kernel));
  absl::StatusOr<BootResult> boot = runner.Boot(absl::GetFlag(FLAGS_ipcbench));
  ASSERT_TRUE(boot.ok()) << boot.status();
  EXPECT_EQ(boot->exit_code, kExitHalt) << boot->console;

  static const std::regex kResult(
      R"re(^ipcbench: space=(same|other) path=(fast|slow) words=([04]) rounds=(\d+) )re"
      R"re(cycles=(\d+) cycles_per_rt=\d+\.\d\d instructions=(\d+|-) instructions_per_rt=(\d+\.\d\d|-)$)re");
  std::set<std::string> combinations;
  bool done = false;
  for (absl::string_view view : absl::StrSplit(boot->console, '\n')) {
    std::string line(view);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("ipcbench: ", 0) != 0) continue;
    EXPECT_EQ(line.find("ERROR"), std::string::npos) << line;
    if (line == "ipcbench: done") done = true;
    std::smatch match;
    if (!std::regex_match(line, match, kResult)) continue;
    combinations.insert(std::string(match[1]) + "/" + std::string(match[2]) + "/" +
                        std::string(match[3]));
    uint64_t cycles = 0;
    ASSERT_TRUE(absl::SimpleAtoi(std::string(match[5]), &cycles));
    EXPECT_GT(cycles, 0u) << line;
  }
  EXPECT_TRUE(done) << boot->console;
  EXPECT_EQ(combinations.size(), 8u) << boot->console;
}

}  // namespace
}  // namespace x64sim::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  return RUN_ALL_TESTS();
}
