// Reads the 4-level paging structures for one linear address (SDM vol. 3A
// 4.5). It only reads; the MMU commits accessed/dirty bits once the access is
// known to succeed, so a fault leaves memory untouched.
#ifndef X64SIM_MMU_PAGE_WALKER_H_
#define X64SIM_MMU_PAGE_WALKER_H_

#include <cstdint>

#include "mmu/access_rights.h"
#include "mmu/paging_bits.h"
#include "mmu/paging_types.h"
#include "mmu/physical_memory.h"
#include "mmu/walk_record.h"

namespace x64sim {

// Where a walk begins: the PML4 from CR3, or lower when a paging-structure
// cache supplied the upper entries (with the rights they combine to).
struct WalkStart {
  paging::Level level = paging::Level::kPml4;
  uint64_t table = 0;  // physical address of the table at `level`
  AccessRights rights;
};

// The leaf a successful walk found.
struct Leaf {
  uint64_t page_base = 0;  // physical address of the first byte of the page
  paging::PageSize size = paging::PageSize::k4K;
  AccessRights rights;
  bool dirty = false;
  bool global = false;     // G=1 in the leaf (whether it counts depends on CR4.PGE)
};

struct WalkResult {
  WalkStop stop = WalkStop::kOk;  // kOk, kNotPresent or kReservedBit
  Leaf leaf;                      // valid when stop == kOk
};

class PageWalker {
 public:
  PageWalker(PhysicalMemory& memory, int phys_addr_bits, bool has_1g_pages)
      : memory_(memory),
        address_mask_(paging::AddressMask(phys_addr_bits)),
        has_1g_pages_(has_1g_pages) {}

  // Walks from `start` to the leaf mapping `linear`, appending every entry
  // read to `record->steps`.
  WalkResult Walk(uint64_t linear, const WalkStart& start, const PagingContext& ctx,
                  WalkRecord* record) const;

  // Sets A in every entry `record` read and, for a write, D in the leaf
  // (SDM 4.8). Entries already holding the bits are not rewritten.
  void CommitAccessedDirty(const WalkRecord& record, bool write) const;

  uint64_t address_mask() const { return address_mask_; }

 private:
  // The bits of `entry` (present) at `level` that the SDM reserves.
  uint64_t ReservedBits(uint64_t entry, paging::Level level, const PagingContext& ctx) const;

  PhysicalMemory& memory_;
  uint64_t address_mask_;
  bool has_1g_pages_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_PAGE_WALKER_H_
