// The simulator's MMU trace explains each fault the tutorial shows
// (docs/tutorial.md, "Do it yourself" step 4): the walk stops at the level
// the stage has not mapped yet, with the error code the kernel reports, at
// the PC the kernel reports.
#include <cstdio>
#include <ostream>
#include <regex>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/tutorial/guest_runner.h"

ABSL_FLAG(std::string, simulator, "", "x64sim");
ABSL_FLAG(std::string, explain_fault, "", "explain-fault");
ABSL_FLAG(std::string, kernel, "", "the guest kernel image");
ABSL_FLAG(std::string, stage_dir, "", "directory holding stage0..stage15");

namespace x64sim::testing {
namespace {

struct TraceCase {
  int stage;
  // What explain-fault must say about the one faulting translation.
  std::string explanation;
  // The PC the kernel's fault report gives, as printed.
  std::string report_pc_pattern;
};

void PrintTo(const TraceCase& c, std::ostream* os) { *os << "stage " << c.stage; }

// Before TASK 4 no page table covers 0x7000000; after it the page table is
// there but the page is not; at stage 9 thread_2 fetches from address 0.
const TraceCase kCases[] = {
    {0,
     R"(0x70003c8: PML4\[0\] → PDPT\[0\].* → PD\[56\] not present: no page table maps 0x7000000–0x71fffff; error code 0x6 = user write to a not-present page \(rip (0x[0-9a-f]+), instret \d+\))",
     "vm fault on data at address 0x70003c8 with status 0x6"},
    {3,
     R"(0x70003c8: PML4\[0\] → PDPT\[0\].* → PD\[56\] not present: no page table maps 0x7000000–0x71fffff; error code 0x6 = user write to a not-present page \(rip (0x[0-9a-f]+), instret \d+\))",
     "vm fault on data at address 0x70003c8 with status 0x6"},
    {4,
     R"(0x70003c8: PML4\[0\] → PDPT\[0\].* → PD\[56\] present → PT\[0\] not present: no page maps 0x7000000–0x7000fff; error code 0x6 = user write to a not-present page \(rip (0x[0-9a-f]+), instret \d+\))",
     "vm fault on data at address 0x70003c8 with status 0x6"},
    {9,
     R"(0x0: PML4\[0\] → PDPT\[0\].* → PD\[0\] not present: no page table maps 0x0–0x1fffff; error code 0x4 = user read from a not-present page \(rip (0x0), instret \d+\))",
     "vm fault on data at address (nil) with status 0x4"},
};

std::string ReadCommandOutput(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  pclose(pipe);
  return output;
}

class FaultTrace : public ::testing::TestWithParam<TraceCase> {};

TEST_P(FaultTrace, ExplainFaultAgreesWithTheKernelReport) {
  const TraceCase& c = GetParam();
  std::string trace =
      absl::StrCat(::testing::TempDir(), "/stage", c.stage, "_faults.jsonl");
  GuestRunner simulator(absl::GetFlag(FLAGS_simulator), absl::GetFlag(FLAGS_kernel));
  absl::StatusOr<BootResult> boot = simulator.Boot(
      absl::StrCat(absl::GetFlag(FLAGS_stage_dir), "/stage", c.stage),
      absl::StrCat("--trace-mmu=", trace, " --trace-mmu-faults-only"));
  ASSERT_TRUE(boot.ok()) << boot.status();
  ASSERT_NE(boot->console.find(c.report_pc_pattern), std::string::npos) << boot->console;

  std::string explanation =
      ReadCommandOutput(absl::StrCat(absl::GetFlag(FLAGS_explain_fault), " ", trace));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(explanation, match, std::regex(c.explanation)))
      << explanation;
  // The trace's rip is the restart PC in the kernel's report.
  std::smatch reported;
  ASSERT_TRUE(std::regex_search(boot->console, reported,
                                std::regex(R"re(" at address (\(nil\)|0x[0-9a-f]+))re")));
  std::string pc = reported[1] == "(nil)" ? "0x0" : std::string(reported[1]);
  EXPECT_EQ(match[1], pc);
}

INSTANTIATE_TEST_SUITE_P(Dynamic2, FaultTrace, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<TraceCase>& info) {
                           return absl::StrCat("Stage", info.param.stage);
                         });

}  // namespace
}  // namespace x64sim::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  return RUN_ALL_TESTS();
}
