#include "mmu/tlb_array.h"

namespace x64sim {

using paging::PageSize;

namespace {

constexpr PageSize kSizes[] = {PageSize::k4K, PageSize::k2M, PageSize::k1G};

int SetsOf(const TlbArrayGeometry& g) { return g.ways > 0 && g.entries >= g.ways ? g.entries / g.ways : 1; }

}  // namespace

TlbArray::TlbArray(const TlbArrayGeometry& geometry)
    : geometry_(geometry),
      sets_(SetsOf(geometry)),
      set_mask_((sets_ & (sets_ - 1)) == 0 ? static_cast<uint64_t>(sets_ - 1) : 0),
      entries_(static_cast<size_t>(SetsOf(geometry)) * geometry.ways),
      keys_(entries_.size(), kNoKey),
      replacement_(geometry.replacement, SetsOf(geometry), geometry.ways) {
  for (PageSize size : kSizes) {
    if (Holds(size)) held_[num_held_++] = size;
  }
}

void TlbArray::Store(size_t slot, const TlbEntry& entry) {
  entries_[slot] = entry;
  keys_[slot] = entry.valid ? Key(entry.vpn, entry.size) : kNoKey;
}

void TlbArray::Kill(size_t slot) {
  entries_[slot].valid = false;
  keys_[slot] = kNoKey;
}

bool TlbArray::Insert(const TlbEntry& entry, const PcidGenerations& gens, TlbEntry* evicted) {
  const int set = SetIndex(entry.vpn);
  const uint64_t key = Key(entry.vpn, entry.size);
  const uint64_t* keys = &keys_[Slot(set, 0)];
  int free_way = -1;
  for (int w = 0; w < geometry_.ways; ++w) {
    if (keys[w] == kNoKey) {
      if (free_way < 0) free_way = w;
      continue;
    }
    const TlbEntry& e = entries_[Slot(set, w)];
    if (!e.Live(gens)) {
      if (free_way < 0) free_way = w;
      continue;
    }
    if (keys[w] == key && (e.pcid == entry.pcid || e.global || entry.global)) {
      Store(Slot(set, w), entry);  // refresh of the same translation (e.g. after a dirty-bit walk)
      replacement_.Touch(set, w);
      return false;
    }
  }
  const int way = free_way >= 0 ? free_way : replacement_.Victim(set);
  const bool evicts = free_way < 0;
  if (evicts) *evicted = entries_[Slot(set, way)];
  Store(Slot(set, way), entry);
  replacement_.Touch(set, way);
  return evicts;
}

uint8_t TlbArray::InvalidateAddress(uint64_t linear, uint16_t pcid, bool include_global,
                                    const PcidGenerations& gens) {
  uint8_t dropped = 0;
  for (int h = 0; h < num_held_; ++h) {
    const PageSize size = held_[h];
    const uint64_t vpn = linear >> paging::PageShift(size);
    const uint64_t key = Key(vpn, size);
    const int set = SetIndex(vpn);
    for (int w = 0; w < geometry_.ways; ++w) {
      const size_t slot = Slot(set, w);
      const TlbEntry& e = entries_[slot];
      if (keys_[slot] != key || !e.Live(gens)) continue;
      const bool match = e.global ? include_global : e.pcid == pcid;
      if (!match) continue;
      Kill(slot);
      dropped |= HoldBit(size);
    }
  }
  return dropped;
}

void TlbArray::InvalidateNonGlobal(int pcid) {
  for (size_t slot = 0; slot < entries_.size(); ++slot) {
    const TlbEntry& e = entries_[slot];
    if (!e.global && (pcid < 0 || e.pcid == pcid)) Kill(slot);
  }
}

void TlbArray::InvalidateAll() {
  for (size_t slot = 0; slot < entries_.size(); ++slot) Kill(slot);
}

int TlbArray::CountLive(const PcidGenerations& gens) const {
  int n = 0;
  for (const TlbEntry& e : entries_) n += e.Live(gens) ? 1 : 0;
  return n;
}

void TlbArray::Serialize(StateArchive& ar) {
  ar.FixedSize(entries_, geometry_.name);
  ar(replacement_);
  if (ar.loading()) {
    for (size_t slot = 0; slot < entries_.size(); ++slot) Store(slot, entries_[slot]);
  }
}

}  // namespace x64sim
