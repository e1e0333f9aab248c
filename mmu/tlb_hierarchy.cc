#include "mmu/tlb_hierarchy.h"

namespace x64sim {

using paging::PageSize;

TlbHierarchy::TlbHierarchy(const MicroArch& arch) {
  arrays_.reserve(kMaxTlbArrays);
  AddLevel(arch.l1i, TlbSource::kL1i, &l1i_);
  AddLevel(arch.l1d, TlbSource::kL1d, &l1d_);
  AddLevel(arch.stlb, TlbSource::kStlb, &stlb_);
}

void TlbHierarchy::AddLevel(const TlbLevelGeometry& level, TlbSource source, Range* range) {
  range->begin = num_arrays();
  for (const TlbArrayGeometry& g : level.arrays) {
    if (g.entries <= 0 || g.ways <= 0) continue;
    arrays_.emplace_back(g);
    levels_.push_back(source);
  }
  range->end = num_arrays();
}

TlbHierarchy::Hit TlbHierarchy::Lookup(uint64_t linear, uint16_t pcid, bool instruction) {
  const Range first = instruction ? l1i_ : l1d_;
  for (int i = first.begin; i < first.end; ++i) {
    if (TlbEntry* e = arrays_[i].Find(linear, pcid, gens_, /*touch=*/true)) {
      return {e, levels_[i], i};
    }
  }
  for (int i = stlb_.begin; i < stlb_.end; ++i) {
    if (TlbEntry* e = arrays_[i].Find(linear, pcid, gens_, /*touch=*/true)) {
      return {e, TlbSource::kStlb, i};
    }
  }
  return {};
}

void TlbHierarchy::FillLevel(Range range, const TlbEntry& leaf, uint64_t linear,
                             TlbChanges* changes) {
  // The array holding the leaf's size, else the one holding the largest smaller size.
  int best = -1;
  PageSize best_size = PageSize::k4K;
  for (int i = range.begin; i < range.end; ++i) {
    for (PageSize size : {PageSize::k4K, PageSize::k2M, PageSize::k1G}) {
      if (!arrays_[i].Holds(size) || PageShift(size) > PageShift(leaf.size)) continue;
      if (best < 0 || PageShift(size) > PageShift(best_size)) {
        best = i;
        best_size = size;
      }
    }
  }
  if (best < 0) return;
  TlbEntry entry = leaf;
  if (best_size != leaf.size) {
    const uint64_t offset = linear & (paging::PageBytes(leaf.size) - 1) &
                            ~(paging::PageBytes(best_size) - 1);
    entry.frame = leaf.frame + offset;
    entry.size = best_size;
    entry.vpn = linear >> paging::PageShift(best_size);
  }
  entry.generation = gens_.current(entry.pcid);
  TlbEntry evicted;
  const bool evicts = arrays_[best].Insert(entry, gens_, &evicted);
  changes->items[changes->count++] = {TlbChange::Kind::kFill, best, entry};
  if (evicts) changes->items[changes->count++] = {TlbChange::Kind::kEvict, best, evicted};
}

void TlbHierarchy::Fill(const TlbEntry& leaf, uint64_t linear, bool instruction,
                        bool also_second_level, TlbChanges* changes) {
  changes->count = 0;
  FillLevel(instruction ? l1i_ : l1d_, leaf, linear, changes);
  if (also_second_level) FillLevel(stlb_, leaf, linear, changes);
}

bool TlbHierarchy::StillHeld(const TlbEntry& entry) {
  for (TlbArray& a : arrays_) {
    const TlbEntry* e = a.Find(entry.linear_base(), entry.pcid, gens_, /*touch=*/false);
    if (e && PageShift(e->size) >= PageShift(entry.size)) return true;
  }
  return false;
}

uint8_t TlbHierarchy::InvalidateAddress(uint64_t linear, uint16_t pcid, bool include_global) {
  uint8_t dropped = 0;
  for (TlbArray& a : arrays_) dropped |= a.InvalidateAddress(linear, pcid, include_global, gens_);
  return dropped;
}

void TlbHierarchy::InvalidatePcidNonGlobal(uint16_t pcid) {
  if (gens_.Bump(pcid)) return;
  // The generation wrapped: entries filled 2^32 flushes ago would revive.
  for (TlbArray& a : arrays_) a.InvalidateNonGlobal(pcid);
}

void TlbHierarchy::InvalidateAllNonGlobal() {
  for (TlbArray& a : arrays_) a.InvalidateNonGlobal(-1);
}

void TlbHierarchy::InvalidateAll() {
  for (TlbArray& a : arrays_) a.InvalidateAll();
}

}  // namespace x64sim
