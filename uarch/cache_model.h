// A set-associative cache level with true LRU, indexed by physical address,
// and the three-level hierarchy in front of DRAM that the timing model
// prices every data access, instruction fetch and page-walk reference with.
// Write-allocate; dirty write-backs are not priced (docs/timing.md, limits).
#ifndef X64SIM_UARCH_CACHE_MODEL_H_
#define X64SIM_UARCH_CACHE_MODEL_H_

#include <cstdint>

#include "checkpoint/state_archive.h"
#include "uarch/zeroed_table.h"
#include "uarch/description.h"

namespace x64sim {

class CacheLevel {
 public:
  explicit CacheLevel(const CacheGeometry& g);

  // Looks the line up and makes it most recently used, filling it on a
  // miss. True on a hit.
  bool Access(uint64_t line) { return HitsLastWay(line) || FindOrFill(line); }

  uint64_t hits = 0;
  uint64_t misses = 0;

  void Serialize(StateArchive& ar) {
    ar(hits, misses, clock_);
    tags_.Serialize(ar, "cache tags");
    stamps_.Serialize(ar, "cache stamps");
  }

 private:
  // Access in two steps. The first, inline: true (and the line made most
  // recently used) when the line is in the way its set used last, as it
  // mostly is. The second: the other ways, else a fill.
  bool HitsLastWay(uint64_t line) {
    const uint64_t set = Set(line);
    const uint8_t last = last_way_[set];
    const size_t slot = static_cast<size_t>(set * ways_ + last);
    if (tags_[slot] != line + 1) return false;
    stamps_[slot] = ++clock_;
    ++hits;
    return true;
  }
  bool FindOrFill(uint64_t line);
  // Sets that are not a power of two (some L3 slices) fold by modulo.
  uint64_t Set(uint64_t line) const {
    return sets_are_pow2_ ? line & set_mask_ : line % (set_mask_ + 1);
  }

  int ways_;
  uint64_t set_mask_;
  bool sets_are_pow2_;
  uint64_t clock_ = 0;
  ZeroedTable<uint64_t> tags_;    // line number + 1; 0 = empty
  ZeroedTable<uint64_t> stamps_;  // last use, for LRU
  // Per set, the way that hit or filled last: tried before the scan. Only a
  // hint (checked against the tag), so it is neither saved nor restored.
  ZeroedTable<uint8_t> last_way_;
};

class CacheHierarchy {
 public:
  explicit CacheHierarchy(const UarchDescription& d);

  // Load-to-use cycles of one access to physical address `phys`.
  int Data(uint64_t phys) {
    const uint64_t line = phys >> line_shift_;
    if (line == last_data_line_) {
      ++l1d_.hits;
      return l1d_latency_;
    }
    last_data_line_ = line;
    return Lookup(l1d_, line);
  }
  // Extra front-end cycles to fetch the line holding `phys` (0 on a hit).
  int Fetch(uint64_t phys) {
    const uint64_t line = phys >> line_shift_;
    if (line == last_fetch_line_) {
      ++l1i_.hits;
      return 0;
    }
    last_fetch_line_ = line;
    return Lookup(l1i_, line) - l1i_latency_;
  }
  int line_bytes() const { return 1 << line_shift_; }

  const CacheLevel& l1i() const { return l1i_; }
  const CacheLevel& l1d() const { return l1d_; }
  const CacheLevel& l2() const { return l2_; }
  const CacheLevel& l3() const { return l3_; }
  uint64_t dram_accesses() const { return dram_accesses_; }

  void Serialize(StateArchive& ar) {
    ar(l1i_, l1d_, l2_, l3_, last_data_line_, last_fetch_line_, dram_accesses_);
  }

 private:
  int Lookup(CacheLevel& first, uint64_t line);

  CacheLevel l1i_, l1d_, l2_, l3_;
  int line_shift_;
  int l1i_latency_, l1d_latency_, l2_latency_, l3_latency_, dram_latency_;
  uint64_t last_data_line_ = ~0ull;
  uint64_t last_fetch_line_ = ~0ull;
  uint64_t dram_accesses_ = 0;
};

}  // namespace x64sim

#endif  // X64SIM_UARCH_CACHE_MODEL_H_
