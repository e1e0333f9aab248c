// Replacement state of a set-associative array: true LRU (per-way stamps) or
// binary-tree pseudo-LRU (ways-1 bits per set).
#ifndef X64SIM_MMU_SET_REPLACEMENT_H_
#define X64SIM_MMU_SET_REPLACEMENT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "mmu/microarch.h"

namespace x64sim {

class SetReplacement {
 public:
  // Tree-PLRU needs a power-of-two `ways` (at most 64); the constructor
  // falls back to LRU otherwise.
  SetReplacement(Replacement policy, int sets, int ways);

  Replacement policy() const { return policy_; }

  // Records a use of `way` in `set`.
  void Touch(int set, int way) {
    if (policy_ == Replacement::kLru) {
      stamps_[static_cast<size_t>(set) * ways_ + way] = ++clock_;
      return;
    }
    uint64_t& bits = tree_[set];
    bits = (bits & ~path_mask_[way]) | path_bits_[way];
  }

  // The way to replace in `set` when every way holds a live entry.
  int Victim(int set) const;

  void Serialize(StateArchive& ar);

 private:
  Replacement policy_;
  int ways_;
  int levels_ = 0;                // tree depth for PLRU
  uint64_t clock_ = 0;            // LRU time
  std::vector<uint64_t> stamps_;  // LRU: last use per way
  std::vector<uint64_t> tree_;    // PLRU: node bits per set; bit n = node n, 1 = victim on the right
  // PLRU: a use of way w rewrites exactly the nodes on its path, so Touch is
  // bits = (bits & ~path_mask_[w]) | path_bits_[w].
  std::vector<uint64_t> path_mask_;
  std::vector<uint64_t> path_bits_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_SET_REPLACEMENT_H_
