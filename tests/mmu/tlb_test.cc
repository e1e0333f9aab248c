// The TLB as a cache of translations: stale entries, global pages, PCIDs,
// invalidation instructions, dirty-bit re-walks (SDM vol. 3A 4.10).
#include <gtest/gtest.h>

#include <string>

#include "tests/mmu/mmu_fixture.h"
#include "tests/mmu/recorders.h"

namespace x64sim::testing {
namespace {

using paging::kPteD;
using paging::kPteG;
using paging::kPteRw;
using paging::kPteUs;
using paging::PageSize;

constexpr uint64_t kPage = 0x400000;
constexpr uint64_t kFrameA = 0x5000;
constexpr uint64_t kFrameB = 0x9000;

// Rewrites the frame of a leaf entry in memory without telling the MMU.
void Retarget(PageTableBuilder& tables, uint64_t leaf_paddr, uint64_t frame) {
  const uint64_t old = tables.Read(leaf_paddr);
  tables.Write(leaf_paddr, (old & ~0x000ffffffffff000ull) | frame);
}

TEST_F(MmuTest, StaleTranslationIsUsedUntilInvlpg) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  ASSERT_EQ(Read(kPage + 8).phys, kFrameA + 8);
  Retarget(tables_, pte, kFrameB);
  EXPECT_EQ(Read(kPage + 8).phys, kFrameA + 8);  // still cached
  mmu_.Invlpg(kPage, ctx_);
  EXPECT_EQ(Read(kPage + 8).phys, kFrameB + 8);
}

TEST_F(MmuTest, StaleTranslationSurvivesClearingPresent) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  ASSERT_TRUE(Read(kPage).ok);
  tables_.Write(pte, 0);
  EXPECT_TRUE(Read(kPage).ok);
  mmu_.Invlpg(kPage, ctx_);
  Translation t = Read(kPage);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, 0u);
}

TEST_F(MmuTest, Cr3WriteFlushesNonGlobalTranslations) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteG);
  ASSERT_EQ(Read(kPage).phys, kFrameA);  // CR4.PGE=0: G is ignored
  Retarget(tables_, pte, kFrameB);
  mmu_.OnCr3Write(ctx_);
  EXPECT_EQ(Read(kPage).phys, kFrameB);
}

TEST_F(MmuTest, GlobalPagesSurviveCr3Writes) {
  ctx_.cr4 |= kCr4PGE;
  const uint64_t global = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteG);
  const uint64_t local = tables_.Map(kPage + 0x1000, kFrameA + 0x1000, PageSize::k4K, kPteRw);
  ASSERT_TRUE(Read(kPage).ok);
  ASSERT_TRUE(Read(kPage + 0x1000).ok);
  Retarget(tables_, global, kFrameB);
  Retarget(tables_, local, kFrameB + 0x1000);
  mmu_.OnCr3Write(ctx_);
  EXPECT_EQ(Read(kPage).phys, kFrameA);                    // global: kept
  EXPECT_EQ(Read(kPage + 0x1000).phys, kFrameB + 0x1000);  // non-global: flushed
}

TEST_F(MmuTest, ModeChangeFlushesGlobalPages) {
  ctx_.cr4 |= kCr4PGE;
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteG);
  ASSERT_TRUE(Read(kPage).ok);
  Retarget(tables_, pte, kFrameB);
  mmu_.OnPagingModeChange();
  EXPECT_EQ(Read(kPage).phys, kFrameB);
}

TEST_F(MmuTest, InvlpgDropsGlobalPage) {
  ctx_.cr4 |= kCr4PGE;
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteG);
  ASSERT_TRUE(Read(kPage).ok);
  Retarget(tables_, pte, kFrameB);
  mmu_.Invlpg(kPage, ctx_);
  EXPECT_EQ(Read(kPage).phys, kFrameB);
}

TEST_F(MmuTest, InvlpgOfTwoMegPageDropsWholePage) {
  const uint64_t pde = tables_.Map(0x40000000, 0x600000, PageSize::k2M, kPteRw);
  ASSERT_EQ(Read(0x40000010).phys, 0x600010u);
  ASSERT_EQ(Read(0x401ff000).phys, 0x7ff000u);
  Retarget(tables_, pde, 0xa00000);
  EXPECT_EQ(Read(0x40100000).phys, 0x700000u);  // stale, from the cached 2M entry
  mmu_.Invlpg(0x401ff000, ctx_);                 // any address inside the page
  EXPECT_EQ(Read(0x40000010).phys, 0xa00010u);
  EXPECT_EQ(Read(0x40100000).phys, 0xb00000u);
}

TEST_F(MmuTest, InvlpgOfOtherPageKeepsStaleEntry) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  ASSERT_TRUE(Read(kPage).ok);
  Retarget(tables_, pte, kFrameB);
  mmu_.Invlpg(kPage + 0x1000, ctx_);
  EXPECT_EQ(Read(kPage).phys, kFrameA);
}

class PcidTest : public MmuTest {
 protected:
  PcidTest() : second_(memory_, kTables + (4ull << 20)) {
    ctx_.cr4 |= kCr4PCIDE;
  }
  PagingContext WithCr3(uint64_t pml4, uint16_t pcid, bool no_flush) const {
    PagingContext c = ctx_;
    c.cr3 = pml4 | pcid | (no_flush ? kCr3NoFlush : 0);
    return c;
  }
  // Switches address space the way the CPU does: OnCr3Write with the value
  // written, then translations with bit 63 dropped from CR3.
  void SwitchTo(uint64_t pml4, uint16_t pcid, bool no_flush) {
    mmu_.OnCr3Write(WithCr3(pml4, pcid, no_flush));
    ctx_.cr3 = pml4 | pcid;
  }
  PageTableBuilder second_;
};

TEST_F(PcidTest, TranslationsAreIsolatedByPcid) {
  tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  second_.Map(kPage, kFrameB, PageSize::k4K, kPteRw);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_EQ(Read(kPage).phys, kFrameA);
  SwitchTo(second_.pml4(), 2, false);
  EXPECT_EQ(Read(kPage).phys, kFrameB);  // PCID 1's entry is not used
}

TEST_F(PcidTest, NoFlushCr3WriteKeepsEntriesOfReturningPcid) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  second_.Map(kPage, kFrameB, PageSize::k4K, kPteRw);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_EQ(Read(kPage).phys, kFrameA);
  SwitchTo(second_.pml4(), 2, true);
  ASSERT_EQ(Read(kPage).phys, kFrameB);
  Retarget(tables_, pte, kFrameB + 0x1000);
  SwitchTo(tables_.pml4(), 1, true);
  EXPECT_EQ(Read(kPage).phys, kFrameA);  // PCID 1's entry survived both switches
}

TEST_F(PcidTest, FlushingCr3WriteDropsOnlyThatPcid) {
  const uint64_t pte1 = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  const uint64_t pte2 = second_.Map(kPage, kFrameB, PageSize::k4K, kPteRw);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_EQ(Read(kPage).phys, kFrameA);
  SwitchTo(second_.pml4(), 2, false);
  ASSERT_EQ(Read(kPage).phys, kFrameB);
  Retarget(tables_, pte1, 0x11000);
  Retarget(second_, pte2, 0x12000);
  SwitchTo(second_.pml4(), 2, false);  // flushes PCID 2 only
  EXPECT_EQ(Read(kPage).phys, 0x12000u);
  SwitchTo(tables_.pml4(), 1, true);
  EXPECT_EQ(Read(kPage).phys, kFrameA);
}

TEST_F(PcidTest, InvpcidIndividualAddressDropsOnlyThatPcidAndPage) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  const uint64_t next = tables_.Map(kPage + 0x1000, kFrameA + 0x1000, PageSize::k4K, kPteRw);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_TRUE(Read(kPage).ok);
  ASSERT_TRUE(Read(kPage + 0x1000).ok);
  Retarget(tables_, pte, kFrameB);
  Retarget(tables_, next, kFrameB + 0x1000);
  mmu_.Invpcid(0, 2, kPage);  // other PCID: no effect
  EXPECT_EQ(Read(kPage).phys, kFrameA);
  mmu_.Invpcid(0, 1, kPage);
  EXPECT_EQ(Read(kPage).phys, kFrameB);
  EXPECT_EQ(Read(kPage + 0x1000).phys, kFrameA + 0x1000);
}

TEST_F(PcidTest, InvpcidIndividualAddressKeepsGlobalPage) {
  ctx_.cr4 |= kCr4PGE;
  const uint64_t global = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteG);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_TRUE(Read(kPage).ok);
  Retarget(tables_, global, kFrameB);
  mmu_.Invpcid(0, 1, kPage);  // SDM: type 0 invalidates non-global translations
  EXPECT_EQ(Read(kPage).phys, kFrameA);
}

TEST_F(PcidTest, InvpcidSingleContextKeepsGlobals) {
  ctx_.cr4 |= kCr4PGE;
  const uint64_t global = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteG);
  const uint64_t local = tables_.Map(kPage + 0x1000, kFrameA + 0x1000, PageSize::k4K, kPteRw);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_TRUE(Read(kPage).ok);
  ASSERT_TRUE(Read(kPage + 0x1000).ok);
  Retarget(tables_, global, kFrameB);
  Retarget(tables_, local, kFrameB + 0x1000);
  mmu_.Invpcid(1, 1, 0);
  EXPECT_EQ(Read(kPage).phys, kFrameA);
  EXPECT_EQ(Read(kPage + 0x1000).phys, kFrameB + 0x1000);
}

TEST_F(PcidTest, InvpcidAllContextsIncludingGlobals) {
  ctx_.cr4 |= kCr4PGE;
  const uint64_t global = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteG);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_TRUE(Read(kPage).ok);
  Retarget(tables_, global, kFrameB);
  mmu_.Invpcid(3, 0, 0);  // all contexts, not globals
  EXPECT_EQ(Read(kPage).phys, kFrameA);
  mmu_.Invpcid(2, 0, 0);  // all contexts and globals
  EXPECT_EQ(Read(kPage).phys, kFrameB);
}

TEST_F(PcidTest, InvpcidAllNonGlobalDropsEveryPcid) {
  const uint64_t pte1 = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  const uint64_t pte2 = second_.Map(kPage, kFrameB, PageSize::k4K, kPteRw);
  SwitchTo(tables_.pml4(), 1, false);
  ASSERT_TRUE(Read(kPage).ok);
  SwitchTo(second_.pml4(), 2, true);
  ASSERT_TRUE(Read(kPage).ok);
  Retarget(tables_, pte1, 0x11000);
  Retarget(second_, pte2, 0x12000);
  mmu_.Invpcid(3, 0, 0);
  EXPECT_EQ(Read(kPage).phys, 0x12000u);
  SwitchTo(tables_.pml4(), 1, true);
  EXPECT_EQ(Read(kPage).phys, 0x11000u);
}

TEST_F(MmuTest, StaleReadOnlyEntryFaultsOnceThenWalks) {
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, 0);
  ASSERT_TRUE(Read(kPage).ok);
  tables_.Write(pte, tables_.Read(pte) | kPteRw);  // upgrade without invalidation
  Translation t = Write(kPage);
  EXPECT_FALSE(t.ok);  // SDM 4.10.4.3: a spurious #PF from the cached rights
  EXPECT_EQ(t.error_code, kPfPresent | kPfWrite);
  EXPECT_TRUE(Write(kPage).ok);  // the #PF dropped the entry (SDM 4.10.4.1)
}

TEST_F(MmuTest, WriteThroughCleanEntryWalksToSetDirty) {
  RecordingObserver observer;
  mmu_.set_observer(&observer);
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  ASSERT_TRUE(Read(kPage).ok);
  ASSERT_FALSE(tables_.Read(pte) & kPteD);
  Translation t = Write(kPage);
  ASSERT_TRUE(t.ok);
  EXPECT_TRUE(tables_.Read(pte) & kPteD);
  EXPECT_TRUE(t.allow & kAllowWrite);
  ASSERT_EQ(observer.records.size(), 2u);
  EXPECT_TRUE(observer.records[1].dirty_assist);
  EXPECT_EQ(observer.records[1].tlb, TlbSource::kWalk);
  // Now dirty in the TLB: the next write is a plain hit.
  ASSERT_TRUE(Write(kPage).ok);
  EXPECT_EQ(observer.records[2].tlb, TlbSource::kL1d);
  EXPECT_FALSE(observer.records[2].dirty_assist);
}

TEST_F(MmuTest, SecondLevelHitRefillsFirstLevel) {
  RecordingObserver observer;
  mmu_.set_observer(&observer);
  tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw | kPteUs);
  ASSERT_TRUE(Read(kPage).ok);    // walk: fills L1d and STLB
  ASSERT_TRUE(Fetch(kPage).ok);   // L1i misses, STLB hits
  ASSERT_TRUE(Fetch(kPage).ok);   // now in L1i
  ASSERT_EQ(observer.records.size(), 3u);
  EXPECT_EQ(observer.records[0].tlb, TlbSource::kWalk);
  EXPECT_EQ(observer.records[1].tlb, TlbSource::kStlb);
  EXPECT_EQ(observer.records[2].tlb, TlbSource::kL1i);
}

TEST_F(MmuTest, OneGigPageIsSplinteredInInstructionTlb) {
  RecordingObserver observer;
  mmu_.set_observer(&observer);
  tables_.Map(0x8000000000, 0x40000000, PageSize::k1G, kPteRw);
  ASSERT_EQ(Fetch(0x8000300000).phys, 0x40300000u);
  int l1i_fills = 0;
  for (const TlbEvent& e : observer.events) {
    if (e.kind != TlbEvent::Kind::kFill || std::string(e.structure) != "L1i-2M") continue;
    ++l1i_fills;
    EXPECT_EQ(e.size, PageSize::k2M);
    EXPECT_EQ(e.linear, 0x8000200000u);
    EXPECT_EQ(e.phys, 0x40200000u);
  }
  EXPECT_EQ(l1i_fills, 1);
}

TEST_F(MmuTest, ListenerToldAboutInvalidations) {
  RecordingListener listener;
  mmu_.set_listener(&listener);
  tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  tables_.Map(0x40000000, 0x600000, PageSize::k2M, kPteRw);
  ASSERT_TRUE(Read(kPage + 0x10).ok);
  ASSERT_TRUE(Read(0x40001000).ok);
  mmu_.Invlpg(kPage + 0x10, ctx_);
  ASSERT_EQ(listener.pages.size(), 1u);
  EXPECT_EQ(listener.pages[0], kPage);
  mmu_.Invlpg(0x40001000, ctx_);
  ASSERT_EQ(listener.ranges.size(), 1u);
  EXPECT_EQ(listener.ranges[0].base, 0x40000000u);
  EXPECT_EQ(listener.ranges[0].bytes, 2ull << 20);
  mmu_.OnCr3Write(ctx_);
  EXPECT_EQ(listener.address_space_changes, 1);
  EXPECT_EQ(listener.all, 0);  // global translations survive a CR3 write
}

TEST_F(MmuTest, PeekReadsMemoryAndLeavesModelUntouched) {
  RecordingObserver observer;
  mmu_.set_observer(&observer);
  const uint64_t pte = tables_.Map(kPage, kFrameA, PageSize::k4K, kPteRw);
  Translation t = mmu_.Peek(kPage + 4, AccessKind::kWrite, ctx_);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.phys, kFrameA + 4);
  EXPECT_EQ(tables_.Read(pte) & (paging::kPteA | kPteD), 0u);  // no A/D written
  EXPECT_EQ(mmu_.stats().translations, 0u);
  EXPECT_TRUE(observer.records.empty());
  ASSERT_TRUE(Read(kPage).ok);  // now cached
  Retarget(tables_, pte, kFrameB);
  EXPECT_EQ(mmu_.Peek(kPage, AccessKind::kRead, ctx_).phys, kFrameB);  // memory, not the TLB
  EXPECT_EQ(Read(kPage).phys, kFrameA);                                // the stale entry
  EXPECT_EQ(mmu_.Peek(kPage + 0x1000, AccessKind::kRead, ctx_).error_code, 0u);
}

}  // namespace
}  // namespace x64sim::testing
