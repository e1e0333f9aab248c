// Shared setup for MMU tests: 32 MiB of RAM, page tables from 16 MiB up, and
// a long-mode paging context pointing at them.
#ifndef X64SIM_TESTS_MMU_MMU_FIXTURE_H_
#define X64SIM_TESTS_MMU_MMU_FIXTURE_H_

#include <gtest/gtest.h>

#include "mmu/mmu.h"
#include "mmu/paging_bits.h"
#include "tests/mmu/page_table_builder.h"

namespace x64sim::testing {

class MmuTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kRam = 32ull << 20;
  static constexpr uint64_t kTables = 16ull << 20;

  MmuTest() : memory_(kRam), tables_(memory_, kTables), mmu_(memory_) {
    ctx_.cr0 = kCr0PG | kCr0WP | 1;  // PG, WP, PE
    ctx_.cr3 = tables_.pml4();
    ctx_.cr4 = kCr4PAE;
    ctx_.efer = kEferLME | kEferLMA | kEferNXE;
  }

  PagingContext User() const {
    PagingContext c = ctx_;
    c.user = true;
    c.cpl = 3;
    return c;
  }

  Translation Read(uint64_t linear) { return mmu_.Translate(linear, AccessKind::kRead, ctx_); }
  Translation Write(uint64_t linear) { return mmu_.Translate(linear, AccessKind::kWrite, ctx_); }
  Translation Fetch(uint64_t linear) { return mmu_.Translate(linear, AccessKind::kExecute, ctx_); }

  PhysicalMemory memory_;
  PageTableBuilder tables_;
  Mmu mmu_;
  PagingContext ctx_;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_MMU_MMU_FIXTURE_H_
