// Paging-structure caches (SDM vol. 3A 4.10.3): PML4E, PDPTE and PDE caches,
// each fully associative with LRU replacement, PCID-tagged. An entry holds
// the physical address of the next table and the rights combined down to it,
// so a walk can start at a lower level.
#ifndef X64SIM_MMU_PAGING_STRUCTURE_CACHE_H_
#define X64SIM_MMU_PAGING_STRUCTURE_CACHE_H_

#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "mmu/access_rights.h"
#include "mmu/microarch.h"
#include "mmu/page_walker.h"
#include "mmu/paging_bits.h"
#include "mmu/pcid_generations.h"
#include "mmu/walk_record.h"

namespace x64sim {

class PagingStructureCache {
 public:
  explicit PagingStructureCache(const PagingStructureCacheGeometry& geometry);

  // The deepest cached entry for `linear` (PDE, then PDPTE, then PML4E), as a
  // walk start; `*source` says which cache served it (kNone: start at CR3).
  WalkStart Lookup(uint64_t linear, uint16_t pcid, uint64_t pml4, PscSource* source);

  // Caches the non-leaf entry at `level` (PML4, PDPT or PD) that the walk
  // for `linear` read: `next_table` is its address field, `rights` the rights
  // combined through it (SDM 4.10.3.1).
  void Fill(paging::Level level, uint64_t linear, uint16_t pcid, uint64_t next_table,
            const AccessRights& rights);

  // SDM 4.10.4.1: a #PF drops the entries that would be used for its address.
  void InvalidateAddress(uint64_t linear, uint16_t pcid);
  void InvalidatePcid(uint16_t pcid);
  void InvalidateAll();

  int CountLive(PscSource which) const;

  void Serialize(StateArchive& ar) {
    ar.FixedSize(pml4e_.entries, "PML4E cache");
    ar.FixedSize(pdpte_.entries, "PDPTE cache");
    ar.FixedSize(pde_.entries, "PDE cache");
    ar(clock_, gens_);
  }

 private:
  struct Entry {
    uint64_t tag = 0;  // linear bits 47:shift
    uint64_t next_table = 0;
    uint64_t last_use = 0;
    uint32_t generation = 0;
    uint16_t pcid = 0;
    bool valid = false;
    AccessRights rights;

    void Serialize(StateArchive& ar) { ar(tag, next_table, last_use, generation, pcid, valid, rights); }
  };
  struct Cache {
    int shift = 0;  // lowest linear bit of the tag
    std::vector<Entry> entries;
  };

  static uint64_t Tag(uint64_t linear, int shift) {
    return (linear & 0x0000ffffffffffffull) >> shift;
  }
  bool Live(const Entry& e) const { return e.valid && e.generation == gens_.current(e.pcid); }
  Entry* Find(Cache& cache, uint64_t linear, uint16_t pcid);
  Cache& CacheFor(paging::Level level);

  Cache pml4e_, pdpte_, pde_;
  uint64_t clock_ = 0;
  PcidGenerations gens_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_PAGING_STRUCTURE_CACHE_H_
