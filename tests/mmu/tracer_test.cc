// The MMU tracer: JSON and text forms, the address filter, faults-only mode,
// and the sample trace the explain-fault tests use.
#include "mmu/mmu_tracer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/mmu/fault_scenario.h"

namespace x64sim::testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TracerTest, TraceMatchesSampleFile) {
  const std::string trace = RunFaultScenario(MmuTraceConfig{});
  std::ifstream file("tests/mmu/testdata/fault_trace.jsonl");
  ASSERT_TRUE(file) << "missing tests/mmu/testdata/fault_trace.jsonl";
  std::stringstream expected;
  expected << file.rdbuf();
  if (trace != expected.str()) {
    // Leave the actual trace next to the test log for inspection or update.
    if (const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
      std::ofstream(std::string(dir) + "/fault_trace.jsonl") << trace;
    }
  }
  EXPECT_EQ(trace, expected.str());
}

TEST(TracerTest, JsonWalkLineHasLevelsReadAndErrorCode) {
  const std::vector<std::string> lines = Lines(RunFaultScenario(MmuTraceConfig{}));
  std::string fault;
  for (const std::string& l : lines) {
    if (l.find("\"ev\":\"translate\"") != std::string::npos &&
        l.find("\"linear\":\"0x70003c8\"") != std::string::npos) {
      fault = l;
    }
  }
  ASSERT_FALSE(fault.empty());
  EXPECT_NE(fault.find("\"ev\":\"translate\",\"instret\":101,\"rip\":\"0x401000\",\"cpl\":3"),
            std::string::npos);
  EXPECT_NE(fault.find("\"access\":\"write\""), std::string::npos);
  // The earlier walk of 0x400010 left PML4[0] and PDPT[0] in the PDPTE cache.
  EXPECT_NE(fault.find("\"psc\":\"PDPTE\""), std::string::npos);
  EXPECT_NE(fault.find("\"levels\":[{\"level\":\"PD\",\"index\":56,"), std::string::npos);
  EXPECT_NE(fault.find("\"result\":\"not-present\""), std::string::npos);
  EXPECT_NE(fault.find("\"error_code\":\"0x6\""), std::string::npos);
}

TEST(TracerTest, FaultsOnlyKeepsFailedTranslations) {
  MmuTraceConfig config;
  config.faults_only = true;
  const std::vector<std::string> lines = Lines(RunFaultScenario(config));
  ASSERT_EQ(lines.size(), 5u);
  for (const std::string& l : lines) {
    EXPECT_NE(l.find("\"error_code\""), std::string::npos) << l;
  }
}

TEST(TracerTest, AddressFilterSelectsPage) {
  MmuTraceConfig config;
  config.filter = *ParseAddressFilter("0x600000");
  const std::vector<std::string> lines = Lines(RunFaultScenario(config));
  ASSERT_FALSE(lines.empty());
  for (const std::string& l : lines) {
    const bool scope_wide = l.find("\"reason\":\"cr3\"") != std::string::npos;
    EXPECT_TRUE(scope_wide || l.find("\"linear\":\"0x60") != std::string::npos) << l;
  }
}

TEST(TracerTest, ParsesFilterWithMask) {
  absl::StatusOr<AddressFilter> f = ParseAddressFilter("7000000/ffffffffffe00000");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Matches(0x71fffff));
  EXPECT_FALSE(f->Matches(0x7200000));
  EXPECT_FALSE(ParseAddressFilter("zz").ok());
  EXPECT_FALSE(ParseAddressFilter("0x1000/").ok());
}

TEST(TracerTest, TextFormatIsOneLinePerEvent) {
  MmuTraceConfig config;
  config.format = MmuTraceConfig::Format::kText;
  const std::vector<std::string> lines = Lines(RunFaultScenario(config));
  std::string fault;
  for (const std::string& l : lines) {
    if (l.rfind("mmu ", 0) == 0 && l.find("0x70003c8") != std::string::npos) fault = l;
  }
  EXPECT_EQ(fault.rfind("mmu #101 rip=0x401000 cpl=3 write 0x70003c8 pcid=0 walk", 0), 0u) << fault;
  EXPECT_NE(fault.find("-> #PF ec=0x6 not-present"), std::string::npos) << fault;
}

}  // namespace
}  // namespace x64sim::testing
