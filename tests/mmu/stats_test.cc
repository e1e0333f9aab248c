// MMU statistics: the counters follow what the model did, and the report
// section prints them.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tests/mmu/mmu_fixture.h"

namespace x64sim::testing {
namespace {

using paging::kPteRw;
using paging::PageSize;

TEST_F(MmuTest, StatsCountHitsMissesWalksAndFaults) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  tables_.Map(0x401000, 0x6000, PageSize::k4K, kPteRw);
  tables_.Map(0x40000000, 0x600000, PageSize::k2M, kPteRw);
  ASSERT_TRUE(Read(0x400000).ok);      // walk, 4 levels
  ASSERT_TRUE(Read(0x400008).ok);      // L1d hit
  ASSERT_TRUE(Read(0x401000).ok);      // walk from the PDE cache, 1 level
  ASSERT_TRUE(Read(0x40000000).ok);    // PDPT[1]: walk from the PML4E cache, 2 levels (2M leaf)
  ASSERT_TRUE(Fetch(0x400000).ok);     // L1i miss, STLB hit
  ASSERT_FALSE(Write(0x402000).ok);    // PDE cache, PT[2] not present: 0x2
  mmu_.Invlpg(0x400000, ctx_);
  mmu_.OnCr3Write(ctx_);

  const MmuStats& s = mmu_.stats();
  EXPECT_EQ(s.translations, 6u);
  EXPECT_EQ(s.walks, 4u);
  EXPECT_EQ(s.walk_levels_read, 4u + 1u + 2u + 1u);
  EXPECT_EQ(s.psc_misses, 1u);
  EXPECT_EQ(s.psc_hits[0], 1u);  // PML4E
  EXPECT_EQ(s.psc_hits[1], 0u);  // PDPTE
  EXPECT_EQ(s.psc_hits[2], 2u);  // PDE
  EXPECT_EQ(s.l1d_misses[0], 2u);
  EXPECT_EQ(s.l1d_misses[1], 1u);
  EXPECT_EQ(s.l1d_misses[kSizeFault], 1u);
  EXPECT_EQ(s.l1i_misses[0], 1u);
  EXPECT_EQ(s.stlb_misses[0], 2u);
  EXPECT_EQ(s.page_faults, 1u);
  EXPECT_EQ(s.faults_by_code[0x2], 1u);
  EXPECT_EQ(s.invalidations[static_cast<int>(InvalidationKind::kInvlpg)], 1u);
  EXPECT_EQ(s.invalidations[static_cast<int>(InvalidationKind::kCr3)], 1u);
  EXPECT_EQ(s.invalidations[static_cast<int>(InvalidationKind::kPageFault)], 1u);

  std::ostringstream report;
  s.PrintReport(report);
  const std::string text = report.str();
  EXPECT_EQ(text.rfind("[mmu]\n", 0), 0u);
  EXPECT_NE(text.find("mmu.translations 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mmu.L1d-4K.hits.4K 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mmu.STLB-4K/2M.hits.4K 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mmu.walks 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mmu.page_faults.code_0x2 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mmu.invalidations.invlpg 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace x64sim::testing
