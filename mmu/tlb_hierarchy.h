// The TLBs of one core: first-level instruction and data TLBs and a unified
// second level, each made of TlbArrays, plus the PCID generations that make
// per-PCID flushes O(1).
#ifndef X64SIM_MMU_TLB_HIERARCHY_H_
#define X64SIM_MMU_TLB_HIERARCHY_H_

#include <array>
#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "mmu/microarch.h"
#include "mmu/pcid_generations.h"
#include "mmu/tlb_array.h"
#include "mmu/tlb_entry.h"
#include "mmu/walk_record.h"

namespace x64sim {

inline constexpr int kMaxTlbArrays = 3 * kMaxArraysPerLevel;

// A fill or eviction caused by one placement, for stats, tracing and the
// translation listener.
struct TlbChange {
  enum class Kind : uint8_t { kFill, kEvict };
  Kind kind = Kind::kFill;
  int array = 0;  // index into TlbHierarchy::array()
  TlbEntry entry;
};

// At most one fill and one eviction per level.
struct TlbChanges {
  int count = 0;
  TlbChange items[4];
};

class TlbHierarchy {
 public:
  explicit TlbHierarchy(const MicroArch& arch);

  struct Hit {
    TlbEntry* entry = nullptr;  // null on a miss in every level
    TlbSource source = TlbSource::kWalk;
    int array = -1;
  };
  // Looks `linear` up in the first level for the access type, then in the
  // second level. Does not fill the first level on a second-level hit.
  Hit Lookup(uint64_t linear, uint16_t pcid, bool instruction) {
    const uint64_t key = ((linear >> 12) << 1) | (instruction ? 1 : 0);
    Recent& r = recent_[(key ^ (key >> 6)) % kRecent];
    if (r.key == key && r.epoch == epoch_ && r.pcid == pcid) {
      arrays_[r.array].TouchWay(r.set, r.way);
      return {arrays_[r.array].At(r.set, r.way), levels_[r.array], r.array};
    }
    const Hit hit = Scan(linear, pcid, instruction);
    if (hit.entry != nullptr) {
      r = {key, epoch_, pcid, hit.array, 0, 0};
      arrays_[hit.array].Locate(hit.entry, &r.set, &r.way);
    }
    return hit;
  }

  // The live entry of any array translating `linear` for `pcid`, or null;
  // changes no replacement state.
  const TlbEntry* Probe(uint64_t linear, uint16_t pcid) const {
    for (const TlbArray& a : arrays_) {
      if (const TlbEntry* e = a.Peek(linear, pcid, gens_)) return e;
    }
    return nullptr;
  }

  // Caches `leaf` (an entry of the leaf's own size, valid) for the page
  // containing `linear` in the first level for the access type and, when
  // `also_second_level`, in the second level. Arrays that do not hold the
  // leaf's size get the largest smaller size they hold (SDM 4.10.2.3 allows
  // caching a large page as smaller ones).
  // The placements are reported in `*changes` (reset first; the caller
  // keeps one around so that nothing is built per call).
  void Fill(const TlbEntry& leaf, uint64_t linear, bool instruction, bool also_second_level,
            TlbChanges* changes);

  // True if some array still holds a live translation for all of
  // [entry.linear_base(), +size) under the entry's PCID.
  bool StillHeld(const TlbEntry& entry);

  // Invalidation primitives (the MMU maps architectural events onto them).
  uint8_t InvalidateAddress(uint64_t linear, uint16_t pcid, bool include_global);
  void InvalidatePcidNonGlobal(uint16_t pcid);
  void InvalidateAllNonGlobal();
  void InvalidateAll();

  int num_arrays() const { return static_cast<int>(arrays_.size()); }
  const TlbArray& array(int i) const { return arrays_[i]; }
  int CountLive(int i) const { return arrays_[i].CountLive(gens_); }

  void Serialize(StateArchive& ar) {
    for (TlbArray& a : arrays_) ar(a);
    ar(gens_);
    Changed();
  }

 private:
  struct Range {
    int begin = 0;
    int end = 0;
  };
  // Where a level puts a translation of a given page size: the array
  // holding that size, else the one holding the largest smaller size
  // (array < 0: the level caches no such translation).
  struct FillTarget {
    int array = -1;
    paging::PageSize size = paging::PageSize::k4K;
  };
  using FillTargets = FillTarget[3];  // by SizeIndex of the leaf

  void AddLevel(const TlbLevelGeometry& level, TlbSource source, Range* range,
                FillTargets& targets);
  // Puts `leaf` into its target array of one level, recording changes.
  void FillLevel(const FillTargets& targets, const TlbEntry& leaf, uint64_t linear,
                 TlbChanges* changes);
  // Lookup's scan of the arrays.
  Hit Scan(uint64_t linear, uint16_t pcid, bool instruction);
  // Any entry placed or dropped, or a PCID's generation moved: what Lookup
  // remembers is stale.
  void Changed() { ++epoch_; }

  // Where Lookup found recently used pages (direct-mapped by 4K page and
  // access type). A repeat with nothing changed since returns the entry
  // the scan would find and makes the same replacement update, without
  // scanning: a fully associative 64-entry array costs a compare a way.
  struct Recent {
    uint64_t key = ~0ull;  // 4K page number << 1 | instruction
    uint64_t epoch = 0;
    uint16_t pcid = 0;
    int array = 0;
    int set = 0;
    int way = 0;
  };
  static constexpr int kRecent = 32;
  std::array<Recent, kRecent> recent_{};
  uint64_t epoch_ = 1;

  std::vector<TlbArray> arrays_;
  std::vector<TlbSource> levels_;
  Range l1i_, l1d_, stlb_;
  FillTargets l1i_targets_, l1d_targets_, stlb_targets_;
  PcidGenerations gens_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_TLB_HIERARCHY_H_
