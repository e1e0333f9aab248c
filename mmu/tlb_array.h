// One set-associative array of translations, e.g. "L1d-4K" or "STLB-4K/2M".
// An array holding several page sizes indexes each size with its own page
// number, so a lookup probes one set per size held.
#ifndef X64SIM_MMU_TLB_ARRAY_H_
#define X64SIM_MMU_TLB_ARRAY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmu/microarch.h"
#include "mmu/pcid_generations.h"
#include "mmu/set_replacement.h"
#include "mmu/tlb_entry.h"

namespace x64sim {

inline constexpr uint8_t HoldBit(paging::PageSize size) {
  return size == paging::PageSize::k4K ? kHold4K : size == paging::PageSize::k2M ? kHold2M : kHold1G;
}

class TlbArray {
 public:
  explicit TlbArray(const TlbArrayGeometry& geometry);

  const char* name() const { return geometry_.name; }
  bool Holds(paging::PageSize size) const { return geometry_.page_sizes & HoldBit(size); }
  int sets() const { return sets_; }
  int ways() const { return geometry_.ways; }

  // The live entry translating `linear` for `pcid`, or null. `touch` updates
  // the replacement state (a real use, not a probe). Inline: every
  // translation the CPU's soft TLB misses starts here.
  TlbEntry* Find(uint64_t linear, uint16_t pcid, const PcidGenerations& gens, bool touch) {
    for (int h = 0; h < num_held_; ++h) {
      const paging::PageSize size = held_[h];
      const uint64_t vpn = linear >> paging::PageShift(size);
      const uint64_t key = Key(vpn, size);
      const int set = SetIndex(vpn);
      const uint64_t* keys = &keys_[Slot(set, 0)];
      for (int w = 0; w < geometry_.ways; ++w) {
        if (keys[w] != key) continue;
        TlbEntry* e = &entries_[Slot(set, w)];
        if (e->Live(gens) && e->MatchesPcid(pcid)) {
          if (touch) replacement_.Touch(set, w);
          return e;
        }
      }
    }
    return nullptr;
  }

  // Where an entry Find returned lives, and the entry and replacement
  // update at a known place: for lookups that remember where they found a
  // page.
  void Locate(const TlbEntry* e, int* set, int* way) const {
    const size_t slot = static_cast<size_t>(e - entries_.data());
    *set = static_cast<int>(slot / static_cast<size_t>(geometry_.ways));
    *way = static_cast<int>(slot % static_cast<size_t>(geometry_.ways));
  }
  TlbEntry* At(int set, int way) { return &entries_[Slot(set, way)]; }
  void TouchWay(int set, int way) { replacement_.Touch(set, way); }

  // Find without touching anything: for checks that must not disturb it.
  const TlbEntry* Peek(uint64_t linear, uint16_t pcid, const PcidGenerations& gens) const {
    return const_cast<TlbArray*>(this)->Find(linear, pcid, gens, /*touch=*/false);
  }

  // Places `entry` (whose size this array holds): over a live entry for the
  // same page if there is one, else into a free way, else over the victim.
  // Returns true and sets `*evicted` when a live entry for another page was
  // replaced.
  bool Insert(const TlbEntry& entry, const PcidGenerations& gens, TlbEntry* evicted);

  // Drops the entries that translate `linear`: non-global ones of `pcid`,
  // and global ones too when `include_global`. Returns the HoldBit()s of the
  // page sizes dropped.
  uint8_t InvalidateAddress(uint64_t linear, uint16_t pcid, bool include_global,
                            const PcidGenerations& gens);

  // Drops every non-global entry (of `pcid`, or of every PCID when pcid < 0).
  void InvalidateNonGlobal(int pcid);
  void InvalidateAll();

  int CountLive(const PcidGenerations& gens) const;

  void Serialize(StateArchive& ar);

 private:
  // A mask when the set count is a power of two (every default array), to
  // keep a 64-bit division off the lookup path.
  int SetIndex(uint64_t vpn) const {
    return static_cast<int>(set_mask_ ? vpn & set_mask_ : vpn % sets_);
  }
  size_t Slot(int set, int way) const { return static_cast<size_t>(set) * geometry_.ways + way; }
  // Lookups scan a compact key per way (page number and size) before
  // touching the entry, so a 12-way set costs two cache lines, not eight.
  static uint64_t Key(uint64_t vpn, paging::PageSize size) {
    return (vpn << 2) | (static_cast<uint64_t>(size) & 3);
  }
  static constexpr uint64_t kNoKey = ~0ull;
  void Store(size_t slot, const TlbEntry& entry);
  void Kill(size_t slot);

  TlbArrayGeometry geometry_;
  int sets_;
  uint64_t set_mask_;  // sets_ - 1 for a power of two > 1, else 0
  paging::PageSize held_[3];  // the sizes this array holds, smallest first
  int num_held_ = 0;
  std::vector<TlbEntry> entries_;
  std::vector<uint64_t> keys_;  // Key() of each valid entry, kNoKey otherwise
  SetReplacement replacement_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_TLB_ARRAY_H_
