#include "uarch/cache_model.h"

#include <bit>

namespace x64sim {

CacheLevel::CacheLevel(const CacheGeometry& g)
    : ways_(g.ways),
      set_mask_(static_cast<uint64_t>(g.size_bytes / (g.line_bytes * g.ways)) - 1),
      sets_are_pow2_(((set_mask_ + 1) & set_mask_) == 0),
      tags_(static_cast<size_t>(g.size_bytes / g.line_bytes)),
      stamps_(tags_.size()),
      last_way_(static_cast<size_t>(set_mask_ + 1)) {}

bool CacheLevel::FindOrFill(uint64_t line) {
  const uint64_t set = Set(line);
  uint64_t* tags = &tags_[set * ways_];
  uint64_t* stamps = &stamps_[set * ways_];
  ++clock_;
  uint8_t& last = last_way_[set];
  for (int w = 0; w < ways_; ++w) {
    if (tags[w] == line + 1) {
      stamps[w] = clock_;
      last = static_cast<uint8_t>(w);
      ++hits;
      return true;
    }
  }
  // A miss: the least recently used way makes room.
  int victim = 0;
  for (int w = 1; w < ways_; ++w) {
    if (stamps[w] < stamps[victim]) victim = w;
  }
  tags[victim] = line + 1;
  stamps[victim] = clock_;
  last = static_cast<uint8_t>(victim);
  ++misses;
  return false;
}

CacheHierarchy::CacheHierarchy(const UarchDescription& d)
    : l1i_(d.l1i), l1d_(d.l1d), l2_(d.l2), l3_(d.l3),
      line_shift_(std::countr_zero(static_cast<unsigned>(d.l1d.line_bytes))),
      l1i_latency_(d.l1i.latency), l1d_latency_(d.l1d.latency), l2_latency_(d.l2.latency),
      l3_latency_(d.l3.latency), dram_latency_(d.dram_latency) {}

int CacheHierarchy::Lookup(CacheLevel& first, uint64_t line) {
  if (first.Access(line)) return &first == &l1i_ ? l1i_latency_ : l1d_latency_;
  if (l2_.Access(line)) return l2_latency_;
  if (l3_.Access(line)) return l3_latency_;
  ++dram_accesses_;
  return dram_latency_;
}

}  // namespace x64sim
