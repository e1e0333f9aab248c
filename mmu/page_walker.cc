#include "mmu/page_walker.h"

namespace x64sim {

using paging::Level;
using paging::PageSize;

uint64_t PageWalker::ReservedBits(uint64_t entry, Level level, const PagingContext& ctx) const {
  // Bits 51:MAXPHYADDR of every present entry are reserved (SDM 4.5.4, Tables 4-15..4-20).
  constexpr uint64_t kAddressField = 0x000ffffffffff000ull;
  uint64_t reserved = kAddressField & ~address_mask_;
  // XD is reserved unless EFER.NXE=1 (SDM 4.5.4).
  if (!(ctx.efer & kEferNXE)) reserved |= paging::kPteXd;
  const bool ps = (entry & paging::kPtePs) != 0;
  switch (level) {
    case Level::kPml4:
      reserved |= paging::kPtePs;  // PS is reserved in a PML4E (Table 4-15)
      break;
    case Level::kPdpt:
      if (ps && !has_1g_pages_) reserved |= paging::kPtePs;  // no 1-GByte pages (Table 4-16)
      if (ps && has_1g_pages_) reserved |= 0x3fffe000ull;    // bits 29:13 of a 1-GByte PDPTE
      break;
    case Level::kPd:
      if (ps) reserved |= 0x1fe000ull;  // bits 20:13 of a 2-MByte PDE (Table 4-18)
      break;
    case Level::kPt:
      break;
  }
  return entry & reserved;
}

WalkResult PageWalker::Walk(uint64_t linear, const WalkStart& start, const PagingContext& ctx,
                            WalkRecord* record) const {
  WalkResult result;
  AccessRights rights = start.rights;
  uint64_t table = start.table;
  for (int l = static_cast<int>(start.level); l >= 1; --l) {
    const Level level = static_cast<Level>(l);
    const uint64_t index = paging::TableIndex(linear, level);
    const uint64_t entry_paddr = table + index * 8;
    const uint64_t entry = memory_.Read(entry_paddr, 8);
    record->steps[record->num_steps++] = {level, static_cast<uint16_t>(index), entry_paddr, entry};

    if (!(entry & paging::kPteP)) {  // SDM 4.5.4: P=0 ends the walk with a #PF
      result.stop = WalkStop::kNotPresent;
      return result;
    }
    if (const uint64_t reserved = ReservedBits(entry, level, ctx)) {
      record->reserved_bits = reserved;
      result.stop = WalkStop::kReservedBit;
      return result;
    }
    // Combined rights (SDM 4.6.1): R/W and U/S ANDed, XD ORed over the walk.
    rights.writable = rights.writable && (entry & paging::kPteRw);
    rights.user = rights.user && (entry & paging::kPteUs);
    rights.no_execute = rights.no_execute || (entry & paging::kPteXd);

    const bool leaf = level == Level::kPt ||
                      ((level == Level::kPdpt || level == Level::kPd) && (entry & paging::kPtePs));
    if (leaf) {
      const PageSize size = level == Level::kPt    ? PageSize::k4K
                            : level == Level::kPd ? PageSize::k2M
                                                  : PageSize::k1G;
      result.leaf.size = size;
      result.leaf.page_base = entry & address_mask_ & ~(paging::PageBytes(size) - 1);
      result.leaf.rights = rights;
      result.leaf.dirty = (entry & paging::kPteD) != 0;
      result.leaf.global = (entry & paging::kPteG) != 0;
      return result;
    }
    table = entry & address_mask_;
  }
  // Unreachable: level 1 is always a leaf.
  result.stop = WalkStop::kNotPresent;
  return result;
}

void PageWalker::CommitAccessedDirty(const WalkRecord& record, bool write) const {
  for (int i = 0; i < record.num_steps; ++i) {
    const WalkStep& step = record.steps[i];
    uint64_t updated = step.value | paging::kPteA;       // SDM 4.8: A in every entry used
    if (write && i == record.num_steps - 1) updated |= paging::kPteD;  // SDM 4.8: D in the leaf
    if (updated != step.value) memory_.Write(step.entry_paddr, 8, updated);
  }
}

}  // namespace x64sim
