#include "mmu/mmu.h"

#include "mmu/access_rights.h"
#include "mmu/paging_bits.h"

namespace x64sim {

using paging::PageBytes;
using paging::PageSize;

namespace {

uint16_t CurrentPcid(const PagingContext& ctx) {
  // With CR4.PCIDE=0 the current PCID is always 000H (SDM 4.10.1).
  return (ctx.cr4 & kCr4PCIDE) ? static_cast<uint16_t>(ctx.cr3 & kCr3PcidMask) : 0;
}

}  // namespace

Mmu::Mmu(PhysicalMemory& memory, const MicroArch& arch)
    : arch_(arch),
      walker_(memory, arch.phys_addr_bits, arch.has_1g_pages),
      tlbs_(arch),
      psc_(arch.psc) {
  stats_.num_arrays = tlbs_.num_arrays();
  for (int i = 0; i < tlbs_.num_arrays(); ++i) stats_.array_names[i] = tlbs_.array(i).name();
}

Translation Mmu::Fail(WalkRecord& record, WalkStop stop, TranslateFailure failure,
                      uint32_t error_code) {
  record.stop = stop;
  record.error_code = error_code;
  if (failure == TranslateFailure::kPageFault) {
    ++stats_.page_faults;
    ++stats_.faults_by_code[error_code & 0x1f];
  }
  if (observer_) observer_->OnTranslate(record);
  Translation t;
  t.failure = failure;
  t.error_code = error_code;
  return t;
}

Translation Mmu::FailAndDrop(WalkRecord& record, WalkStop stop, uint32_t error_code) {
  Translation t = Fail(record, stop, TranslateFailure::kPageFault, error_code);
  DropForFault(record.linear, record.pcid);
  return t;
}

Translation Mmu::Translate(uint64_t linear, AccessKind kind, const PagingContext& ctx) {
  if (!(ctx.cr0 & kCr0PG)) {  // SDM 4.1.1: paging off, linear = physical
    return Translation{.ok = true, .phys = linear,
                       .allow = kAllowRead | kAllowWrite | kAllowExecute};
  }
  ++stats_.translations;
  last_instret_ = ctx.instret;
  last_rip_ = ctx.rip;
  WalkRecord record;
  record.linear = linear;
  record.kind = kind;
  record.pcid = CurrentPcid(ctx);
  record.user = ctx.user;
  record.cpl = ctx.cpl;
  record.rip = ctx.rip;
  record.instret = ctx.instret;

  // Long mode is the only paging mode modelled (SDM 4.1.1: 4-level paging needs EFER.LME).
  if (!(ctx.efer & (kEferLME | kEferLMA))) {
    ++stats_.legacy_paging;
    return Fail(record, WalkStop::kUnsupportedMode, TranslateFailure::kLegacyPaging, 0);
  }
  if (!paging::IsCanonical(linear)) {  // SDM 3.3.7.1: a #GP/#SS, not a #PF
    ++stats_.non_canonical;
    return Fail(record, WalkStop::kNonCanonical, TranslateFailure::kNonCanonical, 0);
  }
  return TranslatePaged(record, ctx);
}

Mmu::TouchResult Mmu::Touch(uint64_t linear, bool instruction, uint16_t pcid) {
  if (!tlb_model_) return {};
  const TlbHierarchy::Hit hit = tlbs_.Lookup(linear, pcid, instruction);
  if (!hit.entry) return {};
  const int size_index = SizeIndex(hit.entry->size);
  ++stats_.array_hits[hit.array][size_index];
  if (hit.source == TlbSource::kStlb) {
    (instruction ? stats_.l1i_misses : stats_.l1d_misses)[size_index]++;
    const TlbEntry entry = *hit.entry;  // the fill may move what hit.entry points at
    tlbs_.Fill(entry, linear, instruction, /*also_second_level=*/false, &changes_);
    ApplyChanges(changes_);
    // The first level holds it now: a repeat is a first-level hit.
    const TlbHierarchy::Hit again = tlbs_.Lookup(linear, pcid, instruction);
    if (again.entry == nullptr) return {TlbSource::kStlb, -1, size_index};
    return {TlbSource::kStlb, again.array, SizeIndex(again.entry->size)};
  }
  return {hit.source, hit.array, size_index};
}

Translation Mmu::TranslatePaged(WalkRecord& record, const PagingContext& ctx) {
  const uint64_t linear = record.linear;
  const bool instruction = record.kind == AccessKind::kExecute;
  if (!tlb_model_) return Walk(record, ctx);
  const TlbHierarchy::Hit hit = tlbs_.Lookup(linear, record.pcid, instruction);
  if (!hit.entry) return Walk(record, ctx);

  const TlbEntry entry = *hit.entry;
  ++stats_.array_hits[hit.array][SizeIndex(entry.size)];
  if (hit.source == TlbSource::kStlb) {
    (instruction ? stats_.l1i_misses : stats_.l1d_misses)[SizeIndex(entry.size)]++;
  }
  record.tlb = hit.source;
  record.page_size = entry.size;
  // Rights come from the cached entry, not memory (SDM 4.10.2.2, 4.10.4.3):
  // a stale entry can fault spuriously; the fault then drops it.
  record.rights = entry.rights;
  record.denial = CheckAccess(entry.rights, record.kind, ctx);
  if (record.denial != Denial::kNone) {
    return FailAndDrop(record, WalkStop::kPermission,
                       kPfPresent | AccessErrorBits(record.kind, ctx));
  }
  // A write through a clean entry walks again to set D (SDM 4.8).
  if (record.kind == AccessKind::kWrite && !entry.dirty) {
    record.dirty_assist = true;
    ++stats_.dirty_assists;
    return Walk(record, ctx);
  }
  record.phys = entry.frame + (linear & (PageBytes(entry.size) - 1));
  if (observer_) observer_->OnTranslate(record);
  if (hit.source == TlbSource::kStlb) {
    tlbs_.Fill(entry, linear, instruction, /*also_second_level=*/false, &changes_);
    ApplyChanges(changes_);
  }
  return Translation{.ok = true, .phys = record.phys,
                     .allow = AllowedAccesses(entry.rights, entry.dirty, ctx),
                     .global = entry.global};
}

Translation Mmu::Walk(WalkRecord& record, const PagingContext& ctx) {
  const uint64_t linear = record.linear;
  const uint16_t pcid = record.pcid;
  const bool instruction = record.kind == AccessKind::kExecute;
  const bool write = record.kind == AccessKind::kWrite;
  const bool counts_miss = tlb_model_ && !record.dirty_assist;
  auto count_miss = [&](int size_index) {
    if (!counts_miss) return;
    (instruction ? stats_.l1i_misses : stats_.l1d_misses)[size_index]++;
    stats_.stlb_misses[size_index]++;
  };

  ++stats_.walks;
  record.tlb = TlbSource::kWalk;
  const uint64_t root = ctx.cr3 & walker_.address_mask();
  const WalkStart start = tlb_model_ ? psc_.Lookup(linear, pcid, root, &record.psc)
                                     : WalkStart{paging::Level::kPml4, root, AccessRights{}};
  if (tlb_model_) {
    if (record.psc == PscSource::kNone) {
      ++stats_.psc_misses;
    } else {
      ++stats_.psc_hits[static_cast<int>(record.psc) - 1];
    }
  }
  const WalkResult walk = walker_.Walk(linear, start, ctx, &record);
  stats_.walk_levels_read += record.num_steps;

  const uint32_t access_bits = AccessErrorBits(record.kind, ctx);
  if (walk.stop != WalkStop::kOk) {
    count_miss(kSizeFault);
    // SDM 4.7: P=0 for a not-present entry; RSVD comes with P=1.
    const uint32_t code = walk.stop == WalkStop::kReservedBit
                              ? access_bits | kPfPresent | kPfReserved
                              : access_bits;
    return FailAndDrop(record, walk.stop, code);
  }
  const Leaf& leaf = walk.leaf;
  record.page_size = leaf.size;
  record.rights = leaf.rights;
  record.denial = CheckAccess(leaf.rights, record.kind, ctx);
  if (record.denial != Denial::kNone) {
    count_miss(kSizeFault);
    return FailAndDrop(record, WalkStop::kPermission, access_bits | kPfPresent);
  }
  walker_.CommitAccessedDirty(record, write);
  record.phys = leaf.page_base + (linear & (PageBytes(leaf.size) - 1));
  const auto allow = AllowedAccesses(leaf.rights, leaf.dirty || write, ctx);
  const bool global = leaf.global && (ctx.cr4 & kCr4PGE);  // SDM 4.10.2.4
  if (!tlb_model_) {
    if (leaf.size != PageSize::k4K) large_leaf_handed_out_ = true;
    if (observer_) observer_->OnTranslate(record);
    return Translation{.ok = true, .phys = record.phys, .allow = allow, .global = global};
  }

  // Cache every non-leaf entry read, with the rights combined through it
  // (SDM 4.10.3.1; their A bits are set by now, as the SDM requires).
  AccessRights rights = start.rights;
  for (int i = 0; i + 1 < record.num_steps; ++i) {
    const WalkStep& step = record.steps[i];
    rights.writable = rights.writable && (step.value & paging::kPteRw);
    rights.user = rights.user && (step.value & paging::kPteUs);
    rights.no_execute = rights.no_execute || (step.value & paging::kPteXd);
    psc_.Fill(step.level, linear, pcid, step.value & walker_.address_mask(), rights);
  }

  TlbEntry entry;
  entry.vpn = linear >> paging::PageShift(leaf.size);
  entry.frame = leaf.page_base;
  entry.pcid = pcid;
  entry.size = leaf.size;
  entry.valid = true;
  entry.global = global;
  entry.dirty = leaf.dirty || write;
  entry.rights = leaf.rights;
  count_miss(SizeIndex(leaf.size));
  if (observer_) observer_->OnTranslate(record);
  tlbs_.Fill(entry, linear, instruction, /*also_second_level=*/true, &changes_);
  ApplyChanges(changes_);
  return Translation{.ok = true, .phys = record.phys, .allow = allow, .global = global};
}

Translation Mmu::Peek(uint64_t linear, AccessKind kind, const PagingContext& ctx) const {
  if (!(ctx.cr0 & kCr0PG)) {
    return Translation{.ok = true, .phys = linear,
                       .allow = kAllowRead | kAllowWrite | kAllowExecute};
  }
  Translation t;
  if (!(ctx.efer & (kEferLME | kEferLMA))) {
    t.failure = TranslateFailure::kLegacyPaging;
    return t;
  }
  if (!paging::IsCanonical(linear)) {
    t.failure = TranslateFailure::kNonCanonical;
    return t;
  }
  WalkRecord record;
  const WalkStart start{paging::Level::kPml4, ctx.cr3 & walker_.address_mask(), AccessRights{}};
  const WalkResult walk = walker_.Walk(linear, start, ctx, &record);
  const uint32_t access_bits = AccessErrorBits(kind, ctx);
  t.failure = TranslateFailure::kPageFault;
  if (walk.stop == WalkStop::kNotPresent) {
    t.error_code = access_bits;
    return t;
  }
  if (walk.stop == WalkStop::kReservedBit) {
    t.error_code = access_bits | kPfPresent | kPfReserved;
    return t;
  }
  if (!PermitsAccess(walk.leaf.rights, kind, ctx)) {
    t.error_code = access_bits | kPfPresent;
    return t;
  }
  const uint64_t offset = linear & (PageBytes(walk.leaf.size) - 1);
  return Translation{.ok = true, .phys = walk.leaf.page_base + offset,
                     .allow = AllowedAccesses(walk.leaf.rights, walk.leaf.dirty, ctx)};
}

void Mmu::DropForFault(uint64_t linear, uint16_t pcid) {
  ++stats_.invalidations[static_cast<int>(InvalidationKind::kPageFault)];
  const uint8_t dropped = tlbs_.InvalidateAddress(linear, pcid, /*include_global=*/true);
  psc_.InvalidateAddress(linear, pcid);
  // Without the model the fast path may hold the page whatever its size.
  NotifyDropped(linear, tlb_model_ ? dropped : kHold4K);
  ReportInvalidation(InvalidationKind::kPageFault, linear, pcid);
}

void Mmu::ApplyChanges(const TlbChanges& changes) {
  for (int i = 0; i < changes.count; ++i) {
    const TlbChange& c = changes.items[i];
    const bool evict = c.kind == TlbChange::Kind::kEvict;
    ++(evict ? stats_.evictions : stats_.fills);
    if (observer_) {
      TlbEvent ev;
      ev.kind = evict ? TlbEvent::Kind::kEvict : TlbEvent::Kind::kFill;
      ev.structure = tlbs_.array(c.array).name();
      ev.linear = c.entry.linear_base();
      ev.size = c.entry.size;
      ev.pcid = c.entry.pcid;
      ev.phys = c.entry.frame;
      ev.global = c.entry.global;
      ev.instret = last_instret_;
      ev.rip = last_rip_;
      observer_->OnTlbEvent(ev);
    }
    if (evict && listener_ && !tlbs_.StillHeld(c.entry)) {
      NotifyDropped(c.entry.linear_base(), HoldBit(c.entry.size));
    }
  }
}

void Mmu::NotifyDropped(uint64_t linear, uint8_t size_bits) {
  if (!listener_ || size_bits == 0) return;
  if (size_bits & kHold4K) listener_->OnTranslationDropped(linear & ~(kPageSize - 1));
  for (PageSize size : {PageSize::k2M, PageSize::k1G}) {
    if (size_bits & HoldBit(size)) {
      listener_->OnTranslationRangeDropped(linear & ~(PageBytes(size) - 1), PageBytes(size));
    }
  }
}

void Mmu::NotifyDroppedPage(uint64_t linear, uint8_t size_bits) {
  if (tlb_model_) {
    NotifyDropped(linear, size_bits);
  } else if (large_leaf_handed_out_) {
    // The page may be a 2 MiB or 1 GiB one, held in the fast path 4 KiB at a time.
    NotifyAllDropped();
  } else {
    NotifyDropped(linear, kHold4K);
  }
}

void Mmu::NotifyAllDropped() {
  large_leaf_handed_out_ = false;
  if (listener_) listener_->OnAllTranslationsDropped();
}

void Mmu::ReportInvalidation(InvalidationKind kind, uint64_t linear, uint16_t pcid) {
  if (!observer_) return;
  TlbEvent ev;
  ev.kind = TlbEvent::Kind::kInvalidate;
  ev.structure = "all";
  ev.reason = kind;
  ev.linear = linear;
  ev.pcid = pcid;
  ev.instret = last_instret_;
  ev.rip = last_rip_;
  observer_->OnTlbEvent(ev);
}

void Mmu::OnCr3Write(const PagingContext& new_ctx) {
  last_instret_ = new_ctx.instret;
  last_rip_ = new_ctx.rip;
  const uint16_t pcid = CurrentPcid(new_ctx);
  InvalidationKind kind = InvalidationKind::kCr3;
  if ((new_ctx.cr4 & kCr4PCIDE) && (new_ctx.cr3 & kCr3NoFlush)) {
    kind = InvalidationKind::kCr3NoFlush;  // SDM 4.10.4.1: bit 63 set, nothing invalidated
  } else {
    // SDM 4.10.4.1: non-global TLB entries and all PSC entries of the new PCID.
    tlbs_.InvalidatePcidNonGlobal(pcid);
    psc_.InvalidatePcid(pcid);
  }
  ++stats_.invalidations[static_cast<int>(kind)];
  ReportInvalidation(kind, new_ctx.cr3, pcid);
  // The CPU's fast path is not PCID-tagged: every CR3 write drops its
  // non-global translations (global ones serve every address space).
  if (listener_) listener_->OnAddressSpaceChanged();
}

void Mmu::OnPagingModeChange() {
  // SDM 4.10.4.1 names the CR0/CR4 changes that flush everything; the model
  // flushes on every paging-relevant change, which the SDM permits (4.10.4.3).
  tlbs_.InvalidateAll();
  psc_.InvalidateAll();
  ++stats_.invalidations[static_cast<int>(InvalidationKind::kModeChange)];
  ReportInvalidation(InvalidationKind::kModeChange, 0, 0);
  NotifyAllDropped();
}

void Mmu::Invlpg(uint64_t linear, const PagingContext& ctx) {
  last_instret_ = ctx.instret;
  last_rip_ = ctx.rip;
  const uint16_t pcid = CurrentPcid(ctx);
  // SDM 4.10.4.1: the page's entries for the current PCID, global ones too,
  // and every PSC entry of the current PCID whatever its address.
  const uint8_t dropped = tlbs_.InvalidateAddress(linear, pcid, /*include_global=*/true);
  psc_.InvalidatePcid(pcid);
  ++stats_.invalidations[static_cast<int>(InvalidationKind::kInvlpg)];
  ReportInvalidation(InvalidationKind::kInvlpg, linear, pcid);
  NotifyDroppedPage(linear, dropped);
}

void Mmu::Invpcid(int type, uint16_t pcid, uint64_t linear) {
  pcid &= kCr3PcidMask;
  InvalidationKind kind;
  switch (type) {
    case 0: {  // individual address, non-global, plus the PCID's PSC entries
      kind = InvalidationKind::kInvpcidAddress;
      const uint8_t dropped = tlbs_.InvalidateAddress(linear, pcid, /*include_global=*/false);
      psc_.InvalidatePcid(pcid);
      NotifyDroppedPage(linear, dropped);
      break;
    }
    case 1:  // single context, non-global
      kind = InvalidationKind::kInvpcidContext;
      tlbs_.InvalidatePcidNonGlobal(pcid);
      psc_.InvalidatePcid(pcid);
      break;
    case 2:  // all contexts, globals too
      kind = InvalidationKind::kInvpcidAll;
      tlbs_.InvalidateAll();
      psc_.InvalidateAll();
      break;
    case 3:  // all contexts, non-global
      kind = InvalidationKind::kInvpcidAllNonGlobal;
      tlbs_.InvalidateAllNonGlobal();
      psc_.InvalidateAll();
      break;
    default:
      return;  // other types are a #GP, raised by the CPU
  }
  ++stats_.invalidations[static_cast<int>(kind)];
  ReportInvalidation(kind, linear, pcid);
  if (type != 0) NotifyAllDropped();
}

}  // namespace x64sim
