// Paging-structure caches: walks start lower, stale upper entries are used
// until invalidated, and the SDM's invalidation events drop them
// (SDM vol. 3A 4.10.3, 4.10.4).
#include <gtest/gtest.h>

#include "tests/mmu/mmu_fixture.h"
#include "tests/mmu/recorders.h"

namespace x64sim::testing {
namespace {

using paging::kPteRw;
using paging::Level;
using paging::PageSize;

constexpr uint64_t kPage = 0x400000;  // PD index 2, PT index 0

class PscTest : public MmuTest {
 protected:
  PscTest() { mmu_.set_observer(&observer_); }

  // Builds a second page table at `table` mapping kPage + i * 4K to
  // `frame_base` + i * 4K for i in 0..3, for a test to swap in.
  void BuildPageTable(uint64_t table, uint64_t frame_base) {
    for (int i = 0; i < 4; ++i) {
      tables_.Write(table + 8 * i, (frame_base + i * 0x1000) | paging::kPteP | kPteRw);
    }
  }
  // Points the PDE for kPage at `table`, without telling the MMU.
  void SwapPageTable(uint64_t table) {
    const uint64_t pde = tables_.EntryFor(kPage, Level::kPd);
    tables_.Write(pde, table | kTableFlags);
  }

  RecordingObserver observer_;
};

TEST_F(PscTest, PdeCacheLetsWalkReadOnlyThePte) {
  tables_.Map(kPage, 0x5000, PageSize::k4K, kPteRw);
  tables_.Map(kPage + 0x1000, 0x6000, PageSize::k4K, kPteRw);
  ASSERT_TRUE(Read(kPage).ok);
  ASSERT_TRUE(Read(kPage + 0x1000).ok);
  ASSERT_EQ(observer_.records.size(), 2u);
  EXPECT_EQ(observer_.records[0].psc, PscSource::kNone);
  EXPECT_EQ(observer_.records[0].num_steps, 4);
  EXPECT_EQ(observer_.records[1].psc, PscSource::kPde);
  ASSERT_EQ(observer_.records[1].num_steps, 1);
  EXPECT_EQ(observer_.records[1].steps[0].level, Level::kPt);
  EXPECT_EQ(observer_.records[1].steps[0].index, 1);
}

TEST_F(PscTest, PdpteCacheServesNeighbouringPageDirectoryEntry) {
  tables_.Map(kPage, 0x5000, PageSize::k4K, kPteRw);
  tables_.Map(0x600000, 0x6000, PageSize::k4K, kPteRw);  // same PDPTE, next PDE
  ASSERT_TRUE(Read(kPage).ok);
  ASSERT_TRUE(Read(0x600000).ok);
  EXPECT_EQ(observer_.records[1].psc, PscSource::kPdpte);
  EXPECT_EQ(observer_.records[1].num_steps, 2);
}

TEST_F(PscTest, StalePdeCacheEntryUsedUntilInvlpg) {
  tables_.Map(kPage, 0x5000, PageSize::k4K, kPteRw);
  const uint64_t old_table = tables_.EntryFor(kPage, Level::kPt) & ~0xfffull;
  BuildPageTable(old_table, 0x10000);
  BuildPageTable(0x200000, 0x20000);
  ASSERT_EQ(Read(kPage).phys, 0x10000u);
  SwapPageTable(0x200000);
  EXPECT_EQ(Read(kPage + 0x1000).phys, 0x11000u);  // walk started at the cached PDE
  mmu_.Invlpg(0x7654321000, ctx_);                  // any address: drops all PSC entries
  EXPECT_EQ(Read(kPage + 0x2000).phys, 0x22000u);
  EXPECT_EQ(Read(kPage + 0x1000).phys, 0x11000u);  // its TLB entry was not invalidated
}

TEST_F(PscTest, Cr3WriteDropsPdeCacheEntries) {
  tables_.Map(kPage, 0x5000, PageSize::k4K, kPteRw);
  const uint64_t old_table = tables_.EntryFor(kPage, Level::kPt) & ~0xfffull;
  BuildPageTable(old_table, 0x10000);
  BuildPageTable(0x200000, 0x20000);
  ASSERT_EQ(Read(kPage).phys, 0x10000u);
  SwapPageTable(0x200000);
  mmu_.OnCr3Write(ctx_);
  EXPECT_EQ(Read(kPage + 0x1000).phys, 0x21000u);
}

TEST_F(PscTest, PageFaultDropsPdeCacheEntryForItsAddress) {
  tables_.Map(kPage, 0x5000, PageSize::k4K, kPteRw);  // kPage + 0x3000 not present here
  BuildPageTable(0x200000, 0x20000);                  // but present here
  ASSERT_TRUE(Read(kPage).ok);
  SwapPageTable(0x200000);
  Translation t = Read(kPage + 0x3000);
  EXPECT_FALSE(t.ok);  // the cached PDE still points at the old table
  EXPECT_EQ(Read(kPage + 0x3000).phys, 0x23000u);
}

TEST_F(PscTest, InvpcidSingleContextDropsPscEntries) {
  tables_.Map(kPage, 0x5000, PageSize::k4K, kPteRw);
  const uint64_t old_table = tables_.EntryFor(kPage, Level::kPt) & ~0xfffull;
  BuildPageTable(old_table, 0x10000);
  BuildPageTable(0x200000, 0x20000);
  ASSERT_TRUE(Read(kPage).ok);
  SwapPageTable(0x200000);
  mmu_.Invpcid(1, 0, 0);
  EXPECT_EQ(Read(kPage + 0x1000).phys, 0x21000u);
}

TEST_F(PscTest, FaultingWalkCachesNothing) {
  tables_.Map(kPage, 0x5000, PageSize::k4K, 0);
  ASSERT_FALSE(Write(kPage).ok);
  EXPECT_EQ(mmu_.psc().CountLive(PscSource::kPde), 0);
  EXPECT_EQ(mmu_.tlbs().CountLive(0) + mmu_.tlbs().CountLive(3), 0);
}

}  // namespace
}  // namespace x64sim::testing
