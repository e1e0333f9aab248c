// The front end's guesses: a direction predictor (TAGE, uarch/tage.h;
// gshare — global history XOR address into two-bit counters; or bimodal),
// a tagless indirect
// target buffer indexed by address and the path of recent indirect targets
// (so repeating target patterns are learnt), and a return stack. Direct targets are taken as always
// known (decoded-uop caches and BTBs hold them; a first-time miss is not
// modelled).
#ifndef X64SIM_UARCH_BRANCH_PREDICTOR_H_
#define X64SIM_UARCH_BRANCH_PREDICTOR_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "checkpoint/state_archive.h"
#include "cpu/timing.h"
#include "uarch/description.h"
#include "uarch/tage.h"

namespace x64sim {

class BranchPredictor {
 public:
  explicit BranchPredictor(const BranchPredictorConfig& c);

  // Predicts the branch at `rip` of kind `kind`, then learns that it went to
  // `target` (taken or not for a conditional). True if it was mispredicted.
  bool Resolve(BranchKind kind, uint64_t rip, uint64_t fallthrough, uint64_t target);

  uint64_t predicted[8] = {};    // by BranchKind
  uint64_t mispredicted[8] = {};

  void Serialize(StateArchive& ar) {
    ar(predicted, mispredicted, history_, path_, ras_top_);
    ar.FixedSize(pht_, "pattern history table");
    ar.FixedSize(btb_, "branch target buffer");
    ar.FixedSize(ras_, "return stack");
    if (ar.loading()) ras_slot_ = ras_top_ % ras_.size();
    if (tage_) tage_->Serialize(ar);
  }

 private:
  bool Conditional(uint64_t rip, bool taken);
  // gshare or bimodal: two-bit counters.
  bool CounterMispredicts(uint64_t rip, bool taken);
  bool Indirect(uint64_t rip, uint64_t target);
  void PushReturn(uint64_t address) {
    ras_[ras_slot_] = address;
    ras_slot_ = ras_slot_ + 1 == ras_.size() ? 0 : ras_slot_ + 1;
    ++ras_top_;
  }
  uint64_t PopReturn() {
    --ras_top_;
    ras_slot_ = (ras_slot_ == 0 ? ras_.size() : ras_slot_) - 1;
    return ras_[ras_slot_];
  }

  DirectionPredictor kind_;
  uint64_t history_mask_;
  uint64_t pht_mask_;
  int pht_bits_;
  uint64_t btb_mask_;
  uint64_t history_ = 0;
  uint64_t path_ = 0;  // recent indirect targets, folded: indirect predictions follow patterns
  std::vector<uint8_t> pht_;  // gshare and bimodal
  std::optional<Tage> tage_;
  std::vector<uint64_t> btb_;
  std::vector<uint64_t> ras_;
  size_t ras_top_ = 0;   // pushes so far; the stack wraps, as hardware's does
  size_t ras_slot_ = 0;  // ras_top_ % ras_.size(), kept without dividing
};

}  // namespace x64sim

#endif  // X64SIM_UARCH_BRANCH_PREDICTOR_H_
