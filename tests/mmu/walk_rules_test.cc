// Architectural rules of the 4-level walk (SDM vol. 3A ch. 4), one per test,
// against hand-built page tables. Each test uses fresh translations, so the
// TLB never hides the rule being checked.
#include <gtest/gtest.h>

#include "tests/mmu/mmu_fixture.h"

namespace x64sim::testing {
namespace {

using paging::kPteA;
using paging::kPteD;
using paging::kPteRw;
using paging::kPteUs;
using paging::kPteXd;
using paging::PageSize;

TEST_F(MmuTest, PagingOffIsIdentity) {
  ctx_.cr0 &= ~kCr0PG;
  Translation t = Write(0x123456789);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.phys, 0x123456789u);
  EXPECT_EQ(t.allow, kAllowRead | kAllowWrite | kAllowExecute);
}

TEST_F(MmuTest, Translates4KPage) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  Translation t = Read(0x400123);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.phys, 0x5123u);
}

TEST_F(MmuTest, Translates2MPage) {
  tables_.Map(0x40000000, 0x600000, PageSize::k2M, kPteRw);
  Translation t = Read(0x40012345);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.phys, 0x612345u);
}

TEST_F(MmuTest, Translates1GPage) {
  tables_.Map(0x8000000000, 0x40000000, PageSize::k1G, kPteRw);
  Translation t = Read(0x8012345678);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.phys, 0x52345678u);
}

TEST_F(MmuTest, HigherHalfAddressUsesUpperPml4Slot) {
  tables_.Map(0xffffff8000001000, 0x7000, PageSize::k4K, kPteRw);
  Translation t = Read(0xffffff8000001008);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.phys, 0x7008u);
}

TEST_F(MmuTest, NotPresentGivesErrorCodeWithoutP) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw | kPteUs);
  Translation t = mmu_.Translate(0x401000, AccessKind::kWrite, User());
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.failure, TranslateFailure::kPageFault);
  EXPECT_EQ(t.error_code, kPfWrite | kPfUser);  // 0x6
}

TEST_F(MmuTest, UserAccessToSupervisorPageFaults) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  Translation t = mmu_.Translate(0x400000, AccessKind::kRead, User());
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfUser);
}

TEST_F(MmuTest, UserBitMustBeSetAtEveryLevel) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw | kPteUs);
  const uint64_t pde = tables_.EntryFor(0x400000, paging::Level::kPd);
  tables_.Write(pde, tables_.Read(pde) & ~kPteUs);
  Translation t = mmu_.Translate(0x400000, AccessKind::kRead, User());
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfUser);
}

TEST_F(MmuTest, UserWriteToReadOnlyPageFaults) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteUs);
  Translation t = mmu_.Translate(0x400000, AccessKind::kWrite, User());
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfWrite | kPfUser);  // 0x7
}

TEST_F(MmuTest, SupervisorWriteToReadOnlyPageFaultsWithWp) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, 0);
  Translation t = Write(0x400000);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfWrite);
}

TEST_F(MmuTest, SupervisorWriteToReadOnlyPageAllowedWithoutWp) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, 0);
  ctx_.cr0 &= ~kCr0WP;
  Translation t = Write(0x400000);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.phys, 0x5000u);
}

TEST_F(MmuTest, ExecuteDisabledPageFaultsOnFetchWithNxe) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteXd);
  Translation t = Fetch(0x400000);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfInstruction);
  EXPECT_TRUE(Read(0x400000).ok);
}

TEST_F(MmuTest, XdBitIsReservedWithoutNxe) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteXd);
  ctx_.efer &= ~kEferNXE;
  Translation t = Read(0x400000);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfReserved);
}

TEST_F(MmuTest, InstructionBitOnlyWithNxeOrSmep) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  ctx_.efer &= ~kEferNXE;
  Translation t = Fetch(0x401000);  // not present
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, 0u);
  ctx_.cr4 |= kCr4SMEP;
  t = Fetch(0x401000);
  EXPECT_EQ(t.error_code, kPfInstruction);
}

TEST_F(MmuTest, SmepBlocksSupervisorFetchFromUserPage) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteUs);
  EXPECT_TRUE(Fetch(0x400000).ok);
  mmu_.OnPagingModeChange();
  ctx_.cr4 |= kCr4SMEP;
  Translation t = Fetch(0x400000);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfInstruction);
}

TEST_F(MmuTest, SmapBlocksSupervisorDataAccessToUserPageUnlessAc) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteUs | kPteRw);
  ctx_.cr4 |= kCr4SMAP;
  Translation t = Write(0x400000);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfWrite);
  ctx_.rflags_ac = true;
  EXPECT_TRUE(Write(0x400000).ok);
}

TEST_F(MmuTest, SmapDoesNotAffectUserAccesses) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteUs | kPteRw);
  ctx_.cr4 |= kCr4SMAP;
  EXPECT_TRUE(mmu_.Translate(0x400000, AccessKind::kWrite, User()).ok);
}

TEST_F(MmuTest, ReservedPhysicalAddressBitFaultsWithRsvdAndP) {
  const uint64_t pte = tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  tables_.Write(pte, tables_.Read(pte) | (1ull << 45));  // above MAXPHYADDR 39
  Translation t = mmu_.Translate(0x400000, AccessKind::kWrite, User());
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_code, kPfPresent | kPfWrite | kPfUser | kPfReserved);  // 0xf
}

TEST_F(MmuTest, PsBitInPml4eIsReserved) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  const uint64_t pml4e = tables_.EntryFor(0x400000, paging::Level::kPml4);
  tables_.Write(pml4e, tables_.Read(pml4e) | paging::kPtePs);
  Translation t = Read(0x400000);
  EXPECT_EQ(t.error_code, kPfPresent | kPfReserved);
}

TEST_F(MmuTest, LowBitsOf2MPageAddressAreReserved) {
  const uint64_t pde = tables_.Map(0x40000000, 0x600000, PageSize::k2M, kPteRw);
  tables_.Write(pde, tables_.Read(pde) | (1ull << 13));
  Translation t = Read(0x40000000);
  EXPECT_EQ(t.error_code, kPfPresent | kPfReserved);
}

TEST_F(MmuTest, LowBitsOf1GPageAddressAreReserved) {
  const uint64_t pdpte = tables_.Map(0x8000000000, 0x40000000, PageSize::k1G, kPteRw);
  tables_.Write(pdpte, tables_.Read(pdpte) | (1ull << 21));
  Translation t = Read(0x8000000000);
  EXPECT_EQ(t.error_code, kPfPresent | kPfReserved);
}

TEST_F(MmuTest, OneGigPagesAreReservedWhenUnsupported) {
  MicroArch arch = kSkylakeClient;
  arch.has_1g_pages = false;
  Mmu mmu(memory_, arch);
  tables_.Map(0x8000000000, 0x40000000, PageSize::k1G, kPteRw);
  Translation t = mmu.Translate(0x8000000000, AccessKind::kRead, ctx_);
  EXPECT_EQ(t.error_code, kPfPresent | kPfReserved);
}

TEST_F(MmuTest, AccessedBitsSetOnEveryLevelAndDirtyOnWrite) {
  const uint64_t pte = tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  ASSERT_TRUE(Read(0x400000).ok);
  for (int l = 4; l >= 1; --l) {
    const uint64_t e = tables_.Read(tables_.EntryFor(0x400000, static_cast<paging::Level>(l)));
    EXPECT_TRUE(e & kPteA) << "level " << l;
  }
  EXPECT_FALSE(tables_.Read(pte) & kPteD);
  ASSERT_TRUE(Write(0x400000).ok);
  EXPECT_TRUE(tables_.Read(pte) & kPteD);
}

TEST_F(MmuTest, DirtyBitSetInLargePageLeaf) {
  const uint64_t pde = tables_.Map(0x40000000, 0x600000, PageSize::k2M, kPteRw);
  ASSERT_TRUE(Write(0x40001000).ok);
  EXPECT_TRUE(tables_.Read(pde) & kPteD);
  EXPECT_TRUE(tables_.Read(pde) & kPteA);
}

TEST_F(MmuTest, FaultLeavesAccessedBitsUntouched) {
  const uint64_t pte = tables_.Map(0x400000, 0x5000, PageSize::k4K, 0);
  ASSERT_FALSE(Write(0x400000).ok);
  EXPECT_FALSE(tables_.Read(pte) & kPteA);
  EXPECT_FALSE(tables_.Read(tables_.EntryFor(0x400000, paging::Level::kPml4)) & kPteA);
}

TEST_F(MmuTest, WriteAllowedOnFastPathOnlyOnceDirty) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw);
  Translation t = Read(0x400000);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.allow, kAllowRead | kAllowExecute);
  t = Write(0x400000);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.allow, kAllowRead | kAllowWrite | kAllowExecute);
}

TEST_F(MmuTest, AllowBitsFollowPrivilege) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteRw | kPteD | kPteXd);
  Translation t = Read(0x400000);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.allow, kAllowRead | kAllowWrite);
  tables_.Map(0x800000, 0x6000, PageSize::k4K, kPteUs);
  t = mmu_.Translate(0x800000, AccessKind::kRead, User());
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.allow, kAllowRead | kAllowExecute);
}

TEST_F(MmuTest, SupervisorMayWriteReadOnlyDirtyPageOnFastPathWithoutWp) {
  tables_.Map(0x400000, 0x5000, PageSize::k4K, kPteD);
  ctx_.cr0 &= ~kCr0WP;
  Translation t = Read(0x400000);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.allow, kAllowRead | kAllowWrite | kAllowExecute);
  EXPECT_EQ(mmu_.Translate(0x400000, AccessKind::kRead, User()).ok, false);
}

TEST_F(MmuTest, LegacyPagingIsReportedUnsupported) {
  ctx_.efer = 0;
  Translation t = Read(0x1000);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.failure, TranslateFailure::kLegacyPaging);
}

TEST_F(MmuTest, NonCanonicalAddressIsNotAPageFault) {
  Translation t = Read(0x0000800000000000);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.failure, TranslateFailure::kNonCanonical);
  EXPECT_EQ(t.error_code, 0u);
}

}  // namespace
}  // namespace x64sim::testing
