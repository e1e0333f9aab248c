// Replacement inside a set, and what eviction means for the rest of the
// model: second-level hits after first-level eviction, listener calls when a
// translation leaves every TLB, capacity limits.
#include <gtest/gtest.h>

#include <string>

#include "mmu/set_replacement.h"
#include "tests/mmu/mmu_fixture.h"
#include "tests/mmu/recorders.h"

namespace x64sim::testing {
namespace {

using paging::kPteRw;
using paging::PageSize;

TEST(SetReplacementTest, LruEvictsLeastRecentlyUsed) {
  SetReplacement lru(Replacement::kLru, 2, 4);
  for (int w = 0; w < 4; ++w) lru.Touch(1, w);
  lru.Touch(1, 0);
  EXPECT_EQ(lru.Victim(1), 1);
  lru.Touch(1, 1);
  EXPECT_EQ(lru.Victim(1), 2);
}

TEST(SetReplacementTest, TreePlruFollowsTreeBits) {
  SetReplacement plru(Replacement::kTreePlru, 1, 4);
  for (int w = 0; w < 4; ++w) plru.Touch(0, w);
  EXPECT_EQ(plru.Victim(0), 0);
  plru.Touch(0, 0);
  EXPECT_EQ(plru.Victim(0), 2);  // root now points right; right pair last used 3
  plru.Touch(0, 2);
  EXPECT_EQ(plru.Victim(0), 1);
}

// Lookup remembers where it found recent pages; a remembered hit must make
// the same replacement update as a scan, and must not outlive a change.
class RememberedLookupTest : public ::testing::Test {
 protected:
  static MicroArch OneFullyAssociativeL1d() {
    MicroArch arch;
    arch.l1i = {{{"L1i", 4, 4, kHold4K, Replacement::kLru}}};
    arch.l1d = {{{"L1d", 4, 4, kHold4K, Replacement::kLru}}};
    arch.stlb = {{{"STLB", 16, 4, kHold4K, Replacement::kLru}}};
    return arch;
  }
  static TlbEntry Page(uint64_t vpn) {
    TlbEntry e;
    e.vpn = vpn;
    e.frame = vpn << 12;
    e.valid = true;
    return e;
  }
  void Fill(uint64_t vpn) { tlbs_.Fill(Page(vpn), vpn << 12, false, false, &changes_); }
  bool InL1d(uint64_t vpn) {
    const TlbHierarchy::Hit hit = tlbs_.Lookup(vpn << 12, 0, false);
    return hit.entry != nullptr && hit.source == TlbSource::kL1d;
  }

  TlbHierarchy tlbs_{OneFullyAssociativeL1d()};
  TlbChanges changes_;
};

TEST_F(RememberedLookupTest, RepeatedLookupsKeepLruOrder) {
  for (uint64_t vpn = 1; vpn <= 4; ++vpn) Fill(vpn);
  // Each page used once, then page 1 again: found from what Lookup
  // remembers, it must become the most recently used, leaving page 2 the
  // least.
  for (uint64_t vpn : {1, 2, 3, 4, 1}) ASSERT_TRUE(InL1d(vpn));
  Fill(5);
  EXPECT_EQ(tlbs_.Probe(2 << 12, 0), nullptr);
  EXPECT_TRUE(InL1d(1));
  EXPECT_TRUE(InL1d(5));
}

TEST_F(RememberedLookupTest, InvalidationForgetsRememberedPages) {
  Fill(7);
  ASSERT_TRUE(InL1d(7));
  ASSERT_TRUE(InL1d(7));
  tlbs_.InvalidateAddress(7 << 12, 0, true);
  EXPECT_EQ(tlbs_.Lookup(7 << 12, 0, false).entry, nullptr);
  Fill(8);
  ASSERT_TRUE(InL1d(8));
  tlbs_.InvalidatePcidNonGlobal(0);
  EXPECT_EQ(tlbs_.Lookup(8 << 12, 0, false).entry, nullptr);
}

TEST(SetReplacementTest, TreePlruFallsBackToLruForOddWays) {
  SetReplacement r(Replacement::kTreePlru, 1, 12);
  EXPECT_EQ(r.policy(), Replacement::kLru);
}

// Pages whose L1d-4K set (16 sets) and STLB set (128 sets) collide.
constexpr uint64_t kBase = 0x10000000;
constexpr uint64_t kL1dStride = 16 * 0x1000;
constexpr uint64_t kStlbStride = 128 * 0x1000;

TEST_F(MmuTest, FirstLevelEvictionLeavesSecondLevelHit) {
  RecordingObserver observer;
  RecordingListener listener;
  mmu_.set_observer(&observer);
  mmu_.set_listener(&listener);
  for (int i = 0; i < 5; ++i) tables_.Map(kBase + i * kL1dStride, 0x5000, PageSize::k4K, kPteRw);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Read(kBase + i * kL1dStride).ok);  // 5 > 4 ways
  ASSERT_TRUE(Read(kBase).ok);
  EXPECT_EQ(observer.records.back().tlb, TlbSource::kStlb);
  EXPECT_TRUE(listener.pages.empty());  // the STLB still held it
}

TEST_F(MmuTest, SecondLevelEvictionTellsListener) {
  RecordingListener listener;
  mmu_.set_listener(&listener);
  constexpr int kPages = 13;  // STLB-4K/2M is 12-way
  for (int i = 0; i < kPages; ++i) tables_.Map(kBase + i * kStlbStride, 0x5000, PageSize::k4K, kPteRw);
  for (int i = 0; i < kPages; ++i) ASSERT_TRUE(Read(kBase + i * kStlbStride).ok);
  ASSERT_FALSE(listener.pages.empty());
  EXPECT_EQ(listener.pages.front(), kBase);  // LRU victim: the first page
  EXPECT_EQ(mmu_.stats().walks, static_cast<uint64_t>(kPages));
  RecordingObserver observer;
  mmu_.set_observer(&observer);
  ASSERT_TRUE(Read(kBase).ok);
  EXPECT_EQ(observer.records.back().tlb, TlbSource::kWalk);
}

TEST_F(MmuTest, TlbArraysNeverHoldMoreThanTheirCapacity) {
  constexpr int kPages = 2048;
  for (int i = 0; i < kPages; ++i) tables_.Map(kBase + i * 0x1000ull, 0x5000, PageSize::k4K, kPteRw);
  for (int i = 0; i < kPages; ++i) ASSERT_TRUE(Read(kBase + i * 0x1000ull).ok);
  const TlbHierarchy& tlbs = mmu_.tlbs();
  for (int a = 0; a < tlbs.num_arrays(); ++a) {
    const TlbArray& array = tlbs.array(a);
    EXPECT_LE(tlbs.CountLive(a), array.sets() * array.ways()) << array.name();
  }
  // Sequential pages fill the 4K arrays completely.
  for (int a = 0; a < tlbs.num_arrays(); ++a) {
    const std::string name = tlbs.array(a).name();
    if (name == "L1d-4K") {
      EXPECT_EQ(tlbs.CountLive(a), 64);
    }
    if (name == "STLB-4K/2M") {
      EXPECT_EQ(tlbs.CountLive(a), 1536);
    }
  }
}

}  // namespace
}  // namespace x64sim::testing
