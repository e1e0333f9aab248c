// The MMU with its TLB model off (Mmu::set_tlb_model(false), --tlb-model=false):
// every translation walks all levels from CR3, nothing is cached or counted
// as a TLB hit or miss, and invalidations still tell the CPU's fast path
// what to drop.
#include <gtest/gtest.h>

#include "tests/mmu/mmu_fixture.h"
#include "tests/mmu/recorders.h"

namespace x64sim::testing {
namespace {

using paging::kPteRw;
using paging::PageSize;

constexpr uint64_t kPage = 0x400000;
constexpr uint64_t kLargePage = 0x40000000;  // 1 GiB: a 2 MiB page
constexpr uint64_t kFrameA = 0x5000;
constexpr uint64_t kFrameB = 0x9000;

class ModelOffTest : public MmuTest {
 protected:
  ModelOffTest() {
    mmu_.set_tlb_model(false);
    mmu_.set_listener(&listener_);
  }
  RecordingListener listener_;
};

TEST_F(ModelOffTest, EveryTranslationWalksEveryLevel) {
  tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Read(kPage + 8).phys, kFrameA + 8);
  const MmuStats& s = mmu_.stats();
  EXPECT_EQ(s.translations, 3u);
  EXPECT_EQ(s.walks, 3u);
  EXPECT_EQ(s.walk_levels_read, 12u);  // PML4E, PDPTE, PDE, PTE each time
  EXPECT_EQ(s.fills, 0u);
  EXPECT_EQ(s.psc_misses, 0u);
  EXPECT_EQ(s.l1d_misses[0] + s.stlb_misses[0], 0u);
  for (int a = 0; a < s.num_arrays; ++a) {
    EXPECT_EQ(s.array_hits[a][0] + s.array_hits[a][1] + s.array_hits[a][2], 0u);
  }
}

TEST_F(ModelOffTest, PageTableChangesAreSeenAtOnce) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  ASSERT_EQ(Read(kPage).phys, kFrameA);
  tables_.Write(pte, kFrameB | kPteRw | paging::kPteP);
  EXPECT_EQ(Read(kPage).phys, kFrameB);
  tables_.Write(pte, 0);
  Translation t = Read(kPage);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, 0u);
}

TEST_F(ModelOffTest, AccessedAndDirtyBitsAreStillWritten) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  Translation r = Read(kPage);
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(tables_.Read(pte) & paging::kPteA);
  EXPECT_FALSE(tables_.Read(pte) & paging::kPteD);
  EXPECT_FALSE(r.allow & kAllowWrite);  // a clean page: the first write must come back
  ASSERT_TRUE(Write(kPage).ok);
  EXPECT_TRUE(tables_.Read(pte) & paging::kPteD);
}

// INVLPG drops the 4 KiB page from the fast path, or everything once a
// large page has been handed out (the fast path holds it 4 KiB at a time
// and the page size is not known any more). A fault drops its 4 KiB page.
TEST_F(ModelOffTest, InvalidationsDropTheFastPath) {
  tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  ASSERT_TRUE(Read(kPage).ok);
  mmu_.Invlpg(kPage + 0x10, ctx_);
  ASSERT_EQ(listener_.pages.size(), 1u);
  EXPECT_EQ(listener_.pages[0], kPage);
  EXPECT_EQ(listener_.all, 0);

  tables_.Map(kLargePage, 0x200000, PageSize::k2M, kPteRw);
  ASSERT_TRUE(Read(kLargePage + 0x3000).ok);
  mmu_.Invlpg(kLargePage, ctx_);
  EXPECT_EQ(listener_.all, 1);
  mmu_.Invpcid(0, 0, kPage);  // no large page handed out since the full drop
  EXPECT_EQ(listener_.all, 1);
  ASSERT_EQ(listener_.pages.size(), 2u);
  EXPECT_EQ(listener_.pages[1], kPage);

  ASSERT_FALSE(Read(kPage + 0x1010).ok);  // not mapped
  ASSERT_EQ(listener_.pages.size(), 3u);
  EXPECT_EQ(listener_.pages[2], kPage + 0x1000);
}

}  // namespace
}  // namespace x64sim::testing
