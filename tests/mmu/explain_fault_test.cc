// explain-fault on the sample trace the tracer test keeps in step with the
// tracer (testdata/fault_trace.jsonl).
#include "mmu/explain_fault.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace x64sim {
namespace {

TEST(ExplainFaultTest, ExplainsEveryFaultInSampleTrace) {
  std::ifstream trace("tests/mmu/testdata/fault_trace.jsonl");
  ASSERT_TRUE(trace);
  std::ostringstream out;
  absl::StatusOr<int> faults = ExplainTrace(trace, out);
  ASSERT_TRUE(faults.ok()) << faults.status();
  EXPECT_EQ(*faults, 5);
  EXPECT_EQ(out.str(),
            "0x70003c8: PML4[0] → PDPT[0] (PDPTE cache) → PD[56] not present: no page table maps "
            "0x7000000–0x71fffff; error code 0x6 = user write to a not-present page "
            "(rip 0x401000, instret 101)\n"
            "0x400020: translation cached in L1d (no walk): 4K page found, but the page is "
            "read-only; error code 0x7 = user write to a present page (protection violation) "
            "(rip 0x401000, instret 102)\n"
            "0x400020: PML4[0] present → PDPT[0] present → PD[2] present → PT[0] present: 4K page "
            "found, but the page is read-only (R/W=0 in PT[0]); error code 0x7 = user write to a "
            "present page (protection violation) (rip 0x401000, instret 103)\n"
            "0x400000: PML4[0] present → PDPT[0] present → PD[2] present → PT[0] present: 4K page "
            "found, but SMEP forbids supervisor fetches from user pages; error code 0x11 = "
            "supervisor instruction fetch from a present page (protection violation) "
            "(rip 0xffffff8000100000, instret 104)\n"
            "0x600008: PML4[0] present → PDPT[0] present → PD[3] present → PT[0] present: PT[0] = "
            "0x10000201007 sets reserved bits 0x10000000000; error code 0xd = user read from a "
            "page whose paging-structure entry sets a reserved bit (rip 0x401000, instret 105)\n");
}

TEST(ExplainFaultTest, FullWalkNamesEveryLevel) {
  const std::string line =
      R"({"ev":"translate","instret":7,"rip":"0x1000","linear":"0xffffff8000201000","tlb":"walk",)"
      R"("psc":"none","levels":[{"level":"PML4","index":511,"entry":"0x2003"},)"
      R"({"level":"PDPT","index":0,"entry":"0x0"}],"result":"not-present","error_code":"0x0"})";
  std::istringstream in(line);
  std::ostringstream out;
  ASSERT_EQ(*ExplainTrace(in, out), 1);
  EXPECT_EQ(out.str(),
            "0xffffff8000201000: PML4[511] present → PDPT[0] not present: no page directory maps "
            "0xffffff8000000000–0xffffff803fffffff; error code 0x0 = supervisor read from a "
            "not-present page (rip 0x1000, instret 7)\n");
}

TEST(ExplainFaultTest, DescribesErrorCodeBits) {
  EXPECT_EQ(DescribeErrorCode(0x6), "user write to a not-present page");
  EXPECT_EQ(DescribeErrorCode(0x15), "user instruction fetch from a present page (protection violation)");
  EXPECT_EQ(DescribeErrorCode(0x9),
            "supervisor read from a page whose paging-structure entry sets a reserved bit");
}

TEST(ExplainFaultTest, RejectsMalformedLine) {
  std::istringstream in("{\"ev\":\"translate\"\n");
  std::ostringstream out;
  absl::StatusOr<int> r = ExplainTrace(in, out);
  EXPECT_FALSE(r.ok());
}

// Found by tests/fuzz:trace_fuzzer: numbers no C++ type holds made the JSON
// reader throw out_of_range, which nothing caught (an abort).
TEST(ExplainFaultTest, RejectsNumbersTooBigForAnyType) {
  for (const char* line : {"{\"ev\":\"translate\",\"instret\":1011110000000000000000004553364040568005e513}",
                           "98999999.99999e99999"}) {
    std::istringstream in(std::string("{\"ev\":\"fill\"}\n") + line + "\n");
    std::ostringstream out;
    absl::StatusOr<int> r = ExplainTrace(in, out);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace x64sim
