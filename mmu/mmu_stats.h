// Counters the MMU keeps (always on: plain increments on paths that already
// miss the CPU's fast path) and the stats-report section that prints them.
#ifndef X64SIM_MMU_MMU_STATS_H_
#define X64SIM_MMU_MMU_STATS_H_

#include <cstdint>
#include <ostream>

#include "checkpoint/state_archive.h"
#include "mmu/paging_bits.h"
#include "mmu/tlb_event.h"
#include "mmu/tlb_hierarchy.h"

namespace x64sim {

// Index of a page size in per-size counters; kSizeFault counts misses that
// ended in a fault (no page size).
inline constexpr int SizeIndex(paging::PageSize s) {
  return s == paging::PageSize::k4K ? 0 : s == paging::PageSize::k2M ? 1 : 2;
}
inline constexpr int kSizeFault = 3;

struct MmuStats {
  uint64_t translations = 0;  // Translate calls with paging on
  // Hits per TLB array, by the size of the entry hit.
  int num_arrays = 0;
  const char* array_names[kMaxTlbArrays] = {};
  uint64_t array_hits[kMaxTlbArrays][3] = {};
  // Misses per level, by the page size the translation turned out to have.
  uint64_t l1i_misses[4] = {};
  uint64_t l1d_misses[4] = {};
  uint64_t stlb_misses[4] = {};
  uint64_t walks = 0;
  uint64_t walk_levels_read = 0;
  uint64_t dirty_assists = 0;  // writes that hit a clean entry and re-walked
  uint64_t psc_hits[3] = {};   // PML4E, PDPTE, PDE
  uint64_t psc_misses = 0;
  uint64_t fills = 0;
  uint64_t evictions = 0;
  uint64_t invalidations[kNumInvalidationKinds] = {};
  uint64_t page_faults = 0;
  uint64_t faults_by_code[32] = {};  // error codes 0..0x1f
  uint64_t non_canonical = 0;
  uint64_t legacy_paging = 0;

  // Prints the "mmu" section of the stats report: one "name value" line per
  // non-zero counter, in a fixed order.
  void PrintReport(std::ostream& out) const;

  // The counters (the arrays' number and names come from the geometry).
  void Serialize(StateArchive& ar) {
    ar(translations, array_hits, l1i_misses, l1d_misses, stlb_misses, walks, walk_levels_read,
       dirty_assists, psc_hits, psc_misses, fills, evictions, invalidations, page_faults,
       faults_by_code, non_canonical, legacy_paging);
  }
};

}  // namespace x64sim

#endif  // X64SIM_MMU_MMU_STATS_H_
