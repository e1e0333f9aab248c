#include "mmu/mmu.h"

#include "mmu/access_rights.h"
#include "mmu/paging_bits.h"

namespace x64sim {

Mmu::Mmu(PhysicalMemory& memory, const MicroArch& arch)
    : memory_(memory), arch_(arch), walker_(memory, arch.phys_addr_bits, arch.has_1g_pages) {}

Translation Mmu::Fail(WalkRecord& record, WalkStop stop, TranslateFailure failure,
                      uint32_t error_code) {
  record.stop = stop;
  record.error_code = error_code;
  if (observer_) observer_->OnTranslate(record);
  Translation t;
  t.failure = failure;
  t.error_code = error_code;
  return t;
}

Translation Mmu::Translate(uint64_t linear, AccessKind kind, const PagingContext& ctx) {
  if (!(ctx.cr0 & paging::kCr0Pg)) {  // SDM 4.1.1: paging off, linear = physical
    return Translation{.ok = true, .phys = linear,
                       .allow = kAllowRead | kAllowWrite | kAllowExecute};
  }
  WalkRecord record;
  record.linear = linear;
  record.kind = kind;
  record.user = ctx.user;
  record.cpl = ctx.cpl;
  record.rip = ctx.rip;
  record.instret = ctx.instret;
  const bool pcide = (ctx.cr4 & paging::kCr4Pcide) != 0;
  record.pcid = pcide ? static_cast<uint16_t>(ctx.cr3 & paging::kCr3PcidMask) : 0;  // SDM 4.10.1

  if (!(ctx.efer & (paging::kEferLme | paging::kEferLma))) {
    return Fail(record, WalkStop::kUnsupportedMode, TranslateFailure::kLegacyPaging, 0);
  }
  if (!paging::IsCanonical(linear)) {  // SDM 3.3.7.1: a #GP/#SS, not a #PF
    return Fail(record, WalkStop::kNonCanonical, TranslateFailure::kNonCanonical, 0);
  }

  record.tlb = TlbSource::kWalk;
  WalkStart start{paging::Level::kPml4, ctx.cr3 & walker_.address_mask(), AccessRights{}};
  WalkResult walk = walker_.Walk(linear, start, ctx, &record);
  const uint32_t access_bits = AccessErrorBits(kind, ctx);
  if (walk.stop == WalkStop::kNotPresent) {
    return Fail(record, walk.stop, TranslateFailure::kPageFault, access_bits);  // SDM 4.7: P=0
  }
  if (walk.stop == WalkStop::kReservedBit) {  // SDM 4.7: RSVD with P=1
    return Fail(record, walk.stop, TranslateFailure::kPageFault,
                access_bits | kPfPresent | kPfReserved);
  }
  const Leaf& leaf = walk.leaf;
  if (!PermitsAccess(leaf.rights, kind, ctx)) {
    return Fail(record, WalkStop::kPermission, TranslateFailure::kPageFault,
                access_bits | kPfPresent);
  }
  const bool write = kind == AccessKind::kWrite;
  walker_.CommitAccessedDirty(record, write);

  record.page_size = leaf.size;
  record.phys = leaf.page_base + (linear & (paging::PageBytes(leaf.size) - 1));
  if (observer_) observer_->OnTranslate(record);
  return Translation{.ok = true, .phys = record.phys,
                     .allow = AllowedAccesses(leaf.rights, leaf.dirty || write, ctx)};
}

void Mmu::OnCr3Write(const PagingContext&) {
  if (listener_) listener_->OnAllTranslationsDropped();
}

void Mmu::OnPagingModeChange() {
  if (listener_) listener_->OnAllTranslationsDropped();
}

void Mmu::Invlpg(uint64_t linear, const PagingContext&) {
  if (listener_) listener_->OnTranslationDropped(linear & ~(kPageSize - 1));
}

void Mmu::Invpcid(int, uint16_t, uint64_t) {
  if (listener_) listener_->OnAllTranslationsDropped();
}

}  // namespace x64sim
