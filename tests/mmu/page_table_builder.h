// Builds 4-level page tables in a PhysicalMemory for tests: tables come from
// a bump allocator, and each Map call fills in whatever levels are missing.
#ifndef X64SIM_TESTS_MMU_PAGE_TABLE_BUILDER_H_
#define X64SIM_TESTS_MMU_PAGE_TABLE_BUILDER_H_

#include <cstdint>

#include "mmu/paging_bits.h"
#include "mmu/physical_memory.h"

namespace x64sim::testing {

// Flags for intermediate entries: present, writable, user, so the leaf's
// flags decide unless a test overrides a level.
inline constexpr uint64_t kTableFlags = paging::kPteP | paging::kPteRw | paging::kPteUs;

class PageTableBuilder {
 public:
  // Tables are allocated from `table_base` upward.
  PageTableBuilder(PhysicalMemory& memory, uint64_t table_base)
      : memory_(memory), next_table_(table_base) {
    pml4_ = AllocTable();
  }

  uint64_t pml4() const { return pml4_; }

  // Maps `linear` to `phys` with a page of `size`; `flags` are the leaf's
  // (P is added). Returns the physical address of the leaf entry.
  uint64_t Map(uint64_t linear, uint64_t phys, paging::PageSize size, uint64_t flags) {
    const paging::Level leaf_level = size == paging::PageSize::k4K   ? paging::Level::kPt
                                     : size == paging::PageSize::k2M ? paging::Level::kPd
                                                                     : paging::Level::kPdpt;
    uint64_t table = pml4_;
    for (int l = 4; l > static_cast<int>(leaf_level); --l) {
      const uint64_t entry_paddr = EntryAddress(table, linear, static_cast<paging::Level>(l));
      uint64_t entry = Read(entry_paddr);
      if (!(entry & paging::kPteP)) {
        entry = AllocTable() | kTableFlags;
        Write(entry_paddr, entry);
      }
      table = entry & 0x000ffffffffff000ull;
    }
    uint64_t leaf = phys | flags | paging::kPteP;
    if (size != paging::PageSize::k4K) leaf |= paging::kPtePs;
    const uint64_t leaf_paddr = EntryAddress(table, linear, leaf_level);
    Write(leaf_paddr, leaf);
    return leaf_paddr;
  }

  // Physical address of the entry at `level` that translates `linear`, or 0
  // when an upper level is not present.
  uint64_t EntryFor(uint64_t linear, paging::Level level) const {
    uint64_t table = pml4_;
    for (int l = 4; l > static_cast<int>(level); --l) {
      const uint64_t entry = Read(EntryAddress(table, linear, static_cast<paging::Level>(l)));
      if (!(entry & paging::kPteP)) return 0;
      table = entry & 0x000ffffffffff000ull;
    }
    return EntryAddress(table, linear, level);
  }

  uint64_t Read(uint64_t paddr) const {
    uint64_t v = 0;
    memory_.CopyOut(paddr, &v, sizeof v);
    return v;
  }
  void Write(uint64_t paddr, uint64_t value) { memory_.CopyIn(paddr, &value, sizeof value); }

 private:
  static uint64_t EntryAddress(uint64_t table, uint64_t linear, paging::Level level) {
    return table + paging::TableIndex(linear, level) * 8;
  }
  uint64_t AllocTable() {
    const uint64_t t = next_table_;
    next_table_ += kPageSize;
    const uint8_t zeros[kPageSize] = {};
    memory_.CopyIn(t, zeros, sizeof zeros);
    return t;
  }

  PhysicalMemory& memory_;
  uint64_t next_table_;
  uint64_t pml4_;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_MMU_PAGE_TABLE_BUILDER_H_
