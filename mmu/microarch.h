// The paging hardware's geometry: which TLBs exist, how big, how associative,
// how they replace, and the paging-structure caches. The MMU is built from
// one of these; the default is a Skylake-like client core.
#ifndef X64SIM_MMU_MICROARCH_H_
#define X64SIM_MMU_MICROARCH_H_

#include <cstdint>

namespace x64sim {

enum class Replacement : uint8_t {
  kLru,       // true least-recently-used within a set
  kTreePlru,  // binary-tree pseudo-LRU; needs a power-of-two way count
};

// Page sizes an array holds, as a bit set.
inline constexpr uint8_t kHold4K = 1u << 0;
inline constexpr uint8_t kHold2M = 1u << 1;
inline constexpr uint8_t kHold1G = 1u << 2;

// One set-associative array of translations. entries == ways makes it fully
// associative; entries == 0 means the array does not exist.
struct TlbArrayGeometry {
  const char* name = "";
  int entries = 0;
  int ways = 1;
  uint8_t page_sizes = kHold4K;
  Replacement replacement = Replacement::kLru;
};

inline constexpr int kMaxArraysPerLevel = 3;

// A TLB level: up to three arrays, one per page-size group.
struct TlbLevelGeometry {
  TlbArrayGeometry arrays[kMaxArraysPerLevel];
};

struct PagingStructureCacheGeometry {
  int pml4e_entries = 0;
  int pdpte_entries = 0;
  int pde_entries = 0;
};

struct MicroArch {
  const char* name = "";
  int phys_addr_bits = 39;   // MAXPHYADDR (CPUID.80000008H:EAX[7:0])
  bool has_1g_pages = true;  // CPUID.80000001H:EDX.Page1GB[26]
  TlbLevelGeometry l1i;
  TlbLevelGeometry l1d;
  TlbLevelGeometry stlb;
  PagingStructureCacheGeometry psc;
};

// Skylake client: the MMU's default, for code that builds an Mmu without a
// microarchitecture description. It must equal uarch/skylake.uarch's TLB
// lines (tests/uarch:loader_test checks). TLBs: Intel 64 and IA-32 Architectures Optimization
// Reference Manual (248966-045), Table 2-15 "TLB Parameters of the Skylake
// Microarchitecture". Replacement is not documented; L1 arrays with
// power-of-two ways use tree-PLRU, the 12-way STLB uses LRU. Intel documents
// neither the presence nor the size of the paging-structure caches (SDM vol.
// 3A 4.10.3.1 allows any); PML4E 2, PDPTE 4, PDE 32 fully associative entries
// are this model's assumption, not a measurement.
inline constexpr MicroArch kSkylakeClient = {
    .name = "skylake-client",
    .phys_addr_bits = 39,
    .has_1g_pages = true,
    .l1i = {{{"L1i-4K", 128, 8, kHold4K, Replacement::kTreePlru},
             {"L1i-2M", 8, 8, kHold2M, Replacement::kTreePlru}}},
    .l1d = {{{"L1d-4K", 64, 4, kHold4K, Replacement::kTreePlru},
             {"L1d-2M", 32, 4, kHold2M, Replacement::kTreePlru},
             {"L1d-1G", 4, 4, kHold1G, Replacement::kTreePlru}}},
    .stlb = {{{"STLB-4K/2M", 1536, 12, kHold4K | kHold2M, Replacement::kLru},
              {"STLB-1G", 16, 4, kHold1G, Replacement::kTreePlru}}},
    .psc = {.pml4e_entries = 2, .pdpte_entries = 4, .pde_entries = 32},
};

}  // namespace x64sim

#endif  // X64SIM_MMU_MICROARCH_H_
