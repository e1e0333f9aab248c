#include "mmu/paging_structure_cache.h"

namespace x64sim {

using paging::Level;

PagingStructureCache::PagingStructureCache(const PagingStructureCacheGeometry& geometry) {
  // Tag widths (SDM 4.10.3.1): PML4E bits 47:39, PDPTE 47:30, PDE 47:21.
  pml4e_.shift = paging::LevelShift(Level::kPml4);
  pdpte_.shift = paging::LevelShift(Level::kPdpt);
  pde_.shift = paging::LevelShift(Level::kPd);
  pml4e_.entries.resize(geometry.pml4e_entries);
  pdpte_.entries.resize(geometry.pdpte_entries);
  pde_.entries.resize(geometry.pde_entries);
}

PagingStructureCache::Entry* PagingStructureCache::Find(Cache& cache, uint64_t linear,
                                                        uint16_t pcid) {
  const uint64_t tag = Tag(linear, cache.shift);
  for (Entry& e : cache.entries) {
    if (e.tag == tag && e.pcid == pcid && Live(e)) return &e;
  }
  return nullptr;
}

PagingStructureCache::Cache& PagingStructureCache::CacheFor(Level level) {
  return level == Level::kPml4 ? pml4e_ : level == Level::kPdpt ? pdpte_ : pde_;
}

WalkStart PagingStructureCache::Lookup(uint64_t linear, uint16_t pcid, uint64_t pml4,
                                       PscSource* source) {
  struct Probe {
    Cache* cache;
    Level next;
    PscSource source;
  };
  const Probe probes[] = {{&pde_, Level::kPt, PscSource::kPde},
                          {&pdpte_, Level::kPd, PscSource::kPdpte},
                          {&pml4e_, Level::kPdpt, PscSource::kPml4e}};
  for (const Probe& p : probes) {
    if (Entry* e = Find(*p.cache, linear, pcid)) {
      e->last_use = ++clock_;
      *source = p.source;
      return {p.next, e->next_table, e->rights};
    }
  }
  *source = PscSource::kNone;
  return {Level::kPml4, pml4, AccessRights{}};
}

void PagingStructureCache::Fill(Level level, uint64_t linear, uint16_t pcid,
                                uint64_t next_table, const AccessRights& rights) {
  Cache& cache = CacheFor(level);
  if (cache.entries.empty()) return;
  Entry* slot = Find(cache, linear, pcid);
  if (!slot) {
    slot = &cache.entries[0];
    for (Entry& e : cache.entries) {
      if (!Live(e)) {
        slot = &e;
        break;
      }
      if (e.last_use < slot->last_use) slot = &e;
    }
  }
  *slot = {Tag(linear, cache.shift), next_table, ++clock_, gens_.current(pcid), pcid, true, rights};
}

void PagingStructureCache::InvalidateAddress(uint64_t linear, uint16_t pcid) {
  for (Cache* c : {&pml4e_, &pdpte_, &pde_}) {
    if (Entry* e = Find(*c, linear, pcid)) e->valid = false;
  }
}

void PagingStructureCache::InvalidatePcid(uint16_t pcid) {
  if (gens_.Bump(pcid)) return;
  for (Cache* c : {&pml4e_, &pdpte_, &pde_}) {
    for (Entry& e : c->entries) {
      if (e.pcid == pcid) e.valid = false;
    }
  }
}

void PagingStructureCache::InvalidateAll() {
  for (Cache* c : {&pml4e_, &pdpte_, &pde_}) {
    for (Entry& e : c->entries) e.valid = false;
  }
}

int PagingStructureCache::CountLive(PscSource which) const {
  const Cache& c = which == PscSource::kPml4e ? pml4e_ : which == PscSource::kPdpte ? pdpte_ : pde_;
  int n = 0;
  for (const Entry& e : c.entries) n += Live(e) ? 1 : 0;
  return n;
}

}  // namespace x64sim
