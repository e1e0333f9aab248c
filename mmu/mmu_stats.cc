#include "mmu/mmu_stats.h"

namespace x64sim {
namespace {

constexpr const char* kSizeNames[4] = {"4K", "2M", "1G", "fault"};

void Line(std::ostream& out, const char* a, const char* b, const char* c, uint64_t v) {
  if (v == 0) return;
  out << "mmu." << a << b << c << " " << v << "\n";
}

void PerSize(std::ostream& out, const char* prefix, const uint64_t* counts, int n) {
  for (int s = 0; s < n; ++s) Line(out, prefix, ".", kSizeNames[s], counts[s]);
}

}  // namespace

void MmuStats::PrintReport(std::ostream& out) const {
  out << "[mmu]\n";
  Line(out, "translations", "", "", translations);
  for (int a = 0; a < num_arrays; ++a) {
    for (int s = 0; s < 3; ++s) {
      Line(out, array_names[a], ".hits.", kSizeNames[s], array_hits[a][s]);
    }
  }
  PerSize(out, "l1i.misses", l1i_misses, 4);
  PerSize(out, "l1d.misses", l1d_misses, 4);
  PerSize(out, "stlb.misses", stlb_misses, 4);
  Line(out, "walks", "", "", walks);
  Line(out, "walk_levels_read", "", "", walk_levels_read);
  Line(out, "dirty_assists", "", "", dirty_assists);
  Line(out, "psc.pml4e.hits", "", "", psc_hits[0]);
  Line(out, "psc.pdpte.hits", "", "", psc_hits[1]);
  Line(out, "psc.pde.hits", "", "", psc_hits[2]);
  Line(out, "psc.misses", "", "", psc_misses);
  Line(out, "tlb.fills", "", "", fills);
  Line(out, "tlb.evictions", "", "", evictions);
  for (int k = 0; k < kNumInvalidationKinds; ++k) {
    Line(out, "invalidations.", InvalidationKindName(static_cast<InvalidationKind>(k)), "",
         invalidations[k]);
  }
  Line(out, "page_faults", "", "", page_faults);
  for (int code = 0; code < 32; ++code) {
    if (faults_by_code[code] == 0) continue;
    out << "mmu.page_faults.code_0x" << std::hex << code << std::dec << " "
        << faults_by_code[code] << "\n";
  }
  Line(out, "non_canonical", "", "", non_canonical);
  Line(out, "legacy_paging", "", "", legacy_paging);
}

}  // namespace x64sim
