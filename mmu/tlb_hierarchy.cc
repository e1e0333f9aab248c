#include "mmu/tlb_hierarchy.h"

namespace x64sim {

using paging::PageSize;

TlbHierarchy::TlbHierarchy(const MicroArch& arch) {
  arrays_.reserve(kMaxTlbArrays);
  AddLevel(arch.l1i, TlbSource::kL1i, &l1i_, l1i_targets_);
  AddLevel(arch.l1d, TlbSource::kL1d, &l1d_, l1d_targets_);
  AddLevel(arch.stlb, TlbSource::kStlb, &stlb_, stlb_targets_);
}

void TlbHierarchy::AddLevel(const TlbLevelGeometry& level, TlbSource source, Range* range,
                            FillTargets& targets) {
  range->begin = num_arrays();
  for (const TlbArrayGeometry& g : level.arrays) {
    if (g.entries <= 0 || g.ways <= 0) continue;
    arrays_.emplace_back(g);
    levels_.push_back(source);
  }
  range->end = num_arrays();
  constexpr PageSize kSizes[] = {PageSize::k4K, PageSize::k2M, PageSize::k1G};
  for (int leaf = 0; leaf < 3; ++leaf) {
    FillTarget& target = targets[leaf];
    for (int i = range->begin; i < range->end; ++i) {
      for (int s = 0; s <= leaf; ++s) {
        if (!arrays_[i].Holds(kSizes[s])) continue;
        if (target.array < 0 || PageShift(kSizes[s]) > PageShift(target.size)) {
          target = {i, kSizes[s]};
        }
      }
    }
  }
}

TlbHierarchy::Hit TlbHierarchy::Scan(uint64_t linear, uint16_t pcid, bool instruction) {
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

void TlbHierarchy::FillLevel(const FillTargets& targets, const TlbEntry& leaf, uint64_t linear,
                             TlbChanges* changes) {
  const int leaf_index = leaf.size == PageSize::k4K ? 0 : leaf.size == PageSize::k2M ? 1 : 2;
  const FillTarget& target = targets[leaf_index];
  if (target.array < 0) return;
  TlbEntry entry = leaf;
  if (target.size != leaf.size) {
    const uint64_t offset = linear & (paging::PageBytes(leaf.size) - 1) &
                            ~(paging::PageBytes(target.size) - 1);
    entry.frame = leaf.frame + offset;
    entry.size = target.size;
    entry.vpn = linear >> paging::PageShift(target.size);
  }
  entry.generation = gens_.current(entry.pcid);
  Changed();
  TlbChange* fill = &changes->items[changes->count++];
  fill->kind = TlbChange::Kind::kFill;
  fill->array = target.array;
  fill->entry = entry;
  TlbChange* evict = &changes->items[changes->count];
  if (arrays_[target.array].Insert(entry, gens_, &evict->entry)) {
    evict->kind = TlbChange::Kind::kEvict;
    evict->array = target.array;
    ++changes->count;
  }
}

void TlbHierarchy::Fill(const TlbEntry& leaf, uint64_t linear, bool instruction,
                        bool also_second_level, TlbChanges* changes) {
  changes->count = 0;
  FillLevel(instruction ? l1i_targets_ : l1d_targets_, leaf, linear, changes);
  if (also_second_level) FillLevel(stlb_targets_, leaf, linear, changes);
}

bool TlbHierarchy::StillHeld(const TlbEntry& entry) {
  for (TlbArray& a : arrays_) {
    const TlbEntry* e = a.Find(entry.linear_base(), entry.pcid, gens_, /*touch=*/false);
    if (e && PageShift(e->size) >= PageShift(entry.size)) return true;
  }
  return false;
}

uint8_t TlbHierarchy::InvalidateAddress(uint64_t linear, uint16_t pcid, bool include_global) {
  Changed();
  uint8_t dropped = 0;
  for (TlbArray& a : arrays_) dropped |= a.InvalidateAddress(linear, pcid, include_global, gens_);
  return dropped;
}

void TlbHierarchy::InvalidatePcidNonGlobal(uint16_t pcid) {
  Changed();
  if (gens_.Bump(pcid)) return;
  // The generation wrapped: entries filled 2^32 flushes ago would revive.
  for (TlbArray& a : arrays_) a.InvalidateNonGlobal(pcid);
}

void TlbHierarchy::InvalidateAllNonGlobal() {
  Changed();
  for (TlbArray& a : arrays_) a.InvalidateNonGlobal(-1);
}

void TlbHierarchy::InvalidateAll() {
  Changed();
  for (TlbArray& a : arrays_) a.InvalidateAll();
}

}  // namespace x64sim
