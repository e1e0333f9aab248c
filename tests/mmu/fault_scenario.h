// A fixed sequence of translations with one of each kind of #PF, traced as
// JSON. The tracer test compares it with testdata/fault_trace.jsonl and the
// explain-fault tests read that file, so the sample can never drift from
// what the tracer writes.
#ifndef X64SIM_TESTS_MMU_FAULT_SCENARIO_H_
#define X64SIM_TESTS_MMU_FAULT_SCENARIO_H_

#include <sstream>
#include <string>

#include "mmu/mmu.h"
#include "mmu/mmu_tracer.h"
#include "tests/mmu/page_table_builder.h"

namespace x64sim::testing {

inline std::string RunFaultScenario(const MmuTraceConfig& config) {
  PhysicalMemory memory(32ull << 20);
  PageTableBuilder tables(memory, 16ull << 20);
  Mmu mmu(memory);
  std::ostringstream trace;
  MmuTracer tracer(trace, config);
  mmu.set_observer(&tracer);

  PagingContext kernel;
  kernel.cr0 = kCr0PG | kCr0WP | 1;
  kernel.cr3 = tables.pml4();
  kernel.cr4 = kCr4PAE | kCr4SMEP;
  kernel.efer = kEferLME | kEferLMA | kEferNXE;
  kernel.rip = 0xffffff8000100000;
  PagingContext user = kernel;
  user.user = true;
  user.cpl = 3;
  user.rip = 0x401000;

  tables.Map(0x400000, 0x200000, paging::PageSize::k4K, paging::kPteUs);  // user, read-only
  const uint64_t pte = tables.Map(0x600000, 0x201000, paging::PageSize::k4K,
                                  paging::kPteRw | paging::kPteUs);
  tables.Write(pte, tables.Read(pte) | (1ull << 40));  // above MAXPHYADDR (39)

  user.instret = 100;
  mmu.Translate(0x400010, AccessKind::kRead, user);       // ok: walk, fills
  user.instret = 101;
  mmu.Translate(0x70003c8, AccessKind::kWrite, user);     // PD[56] not present
  user.instret = 102;
  mmu.Translate(0x400020, AccessKind::kWrite, user);      // read-only, from the TLB
  user.instret = 103;
  mmu.Translate(0x400020, AccessKind::kWrite, user);      // read-only, walked
  kernel.instret = 104;
  mmu.Translate(0x400000, AccessKind::kExecute, kernel);  // SMEP
  user.instret = 105;
  mmu.Translate(0x600008, AccessKind::kRead, user);       // reserved bit
  kernel.instret = 106;
  mmu.Invlpg(0x400000, kernel);
  return trace.str();
}

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_MMU_FAULT_SCENARIO_H_
