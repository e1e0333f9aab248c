// The simulator and QEMU show the same console for every tutorial stage,
// byte for byte: same kernel, same root servers, and nothing in these runs
// depends on timing (no timer-driven preemption between the threads).
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/tutorial/guest_runner.h"
#include "tests/tutorial/qemu_skip.h"

ABSL_FLAG(std::string, simulator, "", "x64sim");
ABSL_FLAG(std::string, qemu, "", "run_qemu.sh");
ABSL_FLAG(std::string, kernel, "", "the guest kernel image");
ABSL_FLAG(std::string, stage_dir, "", "directory holding stage0..stage15");

namespace x64sim::testing {
namespace {

class CrossRunner : public ::testing::TestWithParam<int> {};

TEST_P(CrossRunner, SimulatorConsoleEqualsQemuConsole) {
  if (const std::string why = QemuSkipReason(absl::GetFlag(FLAGS_qemu)); !why.empty()) {
    GTEST_SKIP() << why;
  }
  std::string root_server =
      absl::StrCat(absl::GetFlag(FLAGS_stage_dir), "/stage", GetParam());
  GuestRunner simulator(absl::GetFlag(FLAGS_simulator), absl::GetFlag(FLAGS_kernel));
  GuestRunner qemu(absl::GetFlag(FLAGS_qemu), absl::GetFlag(FLAGS_kernel));
  absl::StatusOr<BootResult> in_simulator = simulator.Boot(root_server);
  absl::StatusOr<BootResult> in_qemu = qemu.Boot(root_server);
  ASSERT_TRUE(in_simulator.ok()) << in_simulator.status();
  ASSERT_TRUE(in_qemu.ok()) << in_qemu.status();
  EXPECT_EQ(in_simulator->console, in_qemu->console);
  EXPECT_EQ(in_simulator->exit_code, in_qemu->exit_code);
}

INSTANTIATE_TEST_SUITE_P(Dynamic2, CrossRunner, ::testing::Range(0, 16),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return absl::StrCat("Stage", info.param);
                         });

}  // namespace
}  // namespace x64sim::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  return RUN_ALL_TESTS();
}
