#include "mmu/set_replacement.h"

namespace x64sim {
namespace {

bool IsPowerOfTwo(int n) { return n > 0 && (n & (n - 1)) == 0; }

}  // namespace

SetReplacement::SetReplacement(Replacement policy, int sets, int ways)
    : policy_(policy), ways_(ways) {
  if (policy_ == Replacement::kTreePlru && (!IsPowerOfTwo(ways) || ways > 64)) {
    policy_ = Replacement::kLru;
  }
  if (policy_ == Replacement::kLru) {
    stamps_.assign(static_cast<size_t>(sets) * ways, 0);
  } else {
    while ((1 << levels_) < ways) ++levels_;
    tree_.assign(sets, 0);
    // Walk from the root toward each way, pointing every node on the path away from it.
    path_mask_.assign(ways, 0);
    path_bits_.assign(ways, 0);
    for (int way = 0; way < ways; ++way) {
      int node = 1;
      for (int depth = 0; depth < levels_; ++depth) {
        const int dir = (way >> (levels_ - 1 - depth)) & 1;
        path_mask_[way] |= 1ull << node;
        if (!dir) path_bits_[way] |= 1ull << node;
        node = 2 * node + dir;
      }
    }
  }
}

int SetReplacement::Victim(int set) const {
  if (policy_ == Replacement::kLru) {
    const uint64_t* s = &stamps_[static_cast<size_t>(set) * ways_];
    int oldest = 0;
    for (int w = 1; w < ways_; ++w) {
      if (s[w] < s[oldest]) oldest = w;
    }
    return oldest;
  }
  const uint64_t bits = tree_[set];
  int node = 1;
  for (int depth = 0; depth < levels_; ++depth) node = 2 * node + ((bits >> node) & 1);
  return node - ways_;
}

void SetReplacement::Serialize(StateArchive& ar) {
  ar(clock_);
  ar.FixedSize(stamps_, "LRU stamps");
  ar.FixedSize(tree_, "PLRU trees");
}

}  // namespace x64sim
