#include "uarch/branch_predictor.h"

#include <bit>

namespace x64sim {

BranchPredictor::BranchPredictor(const BranchPredictorConfig& c)
    : kind_(c.kind),
      history_mask_(c.history_bits >= 64 ? ~0ull : (1ull << c.history_bits) - 1),
      pht_mask_(static_cast<uint64_t>(c.pht_entries) - 1),
      pht_bits_(std::countr_zero(static_cast<unsigned>(c.pht_entries))),
      btb_mask_(static_cast<uint64_t>(c.btb_entries) - 1),
      pht_(c.kind == DirectionPredictor::kTage ? 0 : static_cast<size_t>(c.pht_entries),
           1),  // weakly not taken
      btb_(static_cast<size_t>(c.btb_entries), 0),
      ras_(static_cast<size_t>(c.ras_entries), 0) {
  if (c.kind == DirectionPredictor::kTage) tage_.emplace(c);
}

bool BranchPredictor::Conditional(uint64_t rip, bool taken) {
  const bool miss = tage_ ? tage_->Resolve(rip, history_, taken) : CounterMispredicts(rip, taken);
  history_ = ((history_ << 1) | (taken ? 1 : 0)) & history_mask_;
  return miss;
}

bool BranchPredictor::CounterMispredicts(uint64_t rip, bool taken) {
  uint64_t index = rip ^ (rip >> 12);
  // A history longer than the index is folded into it (a one-entry table
  // has no index bits to fold into).
  if (kind_ == DirectionPredictor::kGshare && pht_bits_ > 0) {
    for (uint64_t h = history_ << 2; h != 0; h >>= pht_bits_) index ^= h;
  }
  uint8_t& counter = pht_[index & pht_mask_];
  const bool guess = counter >= 2;
  if (taken && counter < 3) ++counter;
  if (!taken && counter > 0) --counter;
  return guess != taken;
}

bool BranchPredictor::Indirect(uint64_t rip, uint64_t target) {
  uint64_t& slot = btb_[(rip ^ (rip >> 10) ^ path_) & btb_mask_];
  const bool miss = slot != target;
  slot = target;
  path_ = ((path_ << 3) ^ (target >> 2) ^ (target >> 12)) & history_mask_;
  return miss;
}

bool BranchPredictor::Resolve(BranchKind kind, uint64_t rip, uint64_t fallthrough,
                              uint64_t target) {
  bool miss = false;
  switch (kind) {
    case BranchKind::kConditional:
      miss = Conditional(rip, target != fallthrough);
      break;
    case BranchKind::kDirectCall:
      PushReturn(fallthrough);
      break;
    case BranchKind::kIndirectCall:
      miss = Indirect(rip, target);
      PushReturn(fallthrough);
      break;
    case BranchKind::kIndirectJump:
      miss = Indirect(rip, target);
      break;
    case BranchKind::kReturn:
      if (ras_top_ == 0) {
        miss = Indirect(rip, target);  // an empty stack falls back on the target buffer
      } else {
        miss = PopReturn() != target;
      }
      break;
    case BranchKind::kDirectJump:
    case BranchKind::kNone:
    case BranchKind::kOther:
      break;
  }
  ++predicted[static_cast<int>(kind)];
  if (miss) ++mispredicted[static_cast<int>(kind)];
  return miss;
}

}  // namespace x64sim
