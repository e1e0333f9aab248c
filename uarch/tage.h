// TAGE, the conditional-branch predictor of Seznec and Michaud ("A case for
// (partially) TAgged GEometric history length branch predictors", Journal
// of Instruction-Level Parallelism 8, 2006), in its basic form.
//
// A bimodal table of two-bit counters indexed by the branch address, and
// tagged tables indexed by the address hashed with ever longer slices of
// the global history (lengths in a geometric series). The longest table
// whose tag matches predicts; a misprediction claims an entry in a longer
// table. So a branch that needs no history is predicted from the bimodal
// table without training a counter for every history it is seen with
// (gshare's weakness when unpredictable branches fill the history), while
// one that follows a long pattern still finds it.
//
// Left out: the later versions' statistical corrector and loop predictor,
// and path history (only outcomes are in the history).
#ifndef X64SIM_UARCH_TAGE_H_
#define X64SIM_UARCH_TAGE_H_

#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "uarch/description.h"

namespace x64sim {

class Tage {
 public:
  // Tables as `c` gives them: c.pht_entries bimodal counters, c.tage_tables
  // tagged tables of c.tage_entries each, histories from c.tage_min_history
  // to c.history_bits (at most 64) outcomes.
  explicit Tage(const BranchPredictorConfig& c);

  // Predicts the branch at `rip` under `history` (the newest outcome in bit
  // 0), then learns `taken`. True if the prediction was wrong.
  bool Resolve(uint64_t rip, uint64_t history, bool taken);

  void Serialize(StateArchive& ar);

 private:
  struct Entry {
    uint16_t tag = 0;
    int8_t counter = 0;  // three-bit signed: taken when >= 0
    uint8_t useful = 0;  // two bits

    void Serialize(StateArchive& ar) {
      ar(tag, counter, useful);
      ar.Check(counter >= -4 && counter <= 3 && useful <= 3, "TAGE entry out of range");
    }
  };
  static constexpr int kMaxTables = 16;

  // Where each table's entry for a branch is (an index into entries_),
  // and the tag it must carry.
  struct Slots {
    uint64_t at[kMaxTables];
    uint16_t tag[kMaxTables];
  };
  void Allocate(int above, const Slots& slots, bool taken);
  void AgeUsefulBits();

  std::vector<uint8_t> bimodal_;
  uint64_t bimodal_mask_;
  int tables_;
  uint64_t history_mask_[kMaxTables];
  std::vector<Entry> entries_;  // the tagged tables, one after the other
  int index_bits_;
  uint64_t index_mask_;
  int index_shift_;  // a hash's top index_bits_ bits index a table
  int tag_shift_;    // the tag_bits_ bits below bit 48 make its tag
  uint64_t tag_mask_;
  // Whether a newly claimed (weak, not yet useful) entry should yield to
  // the next prediction: a four-bit counter, as the paper's USE_ALT_ON_NA.
  int use_alt_on_new_ = 8;
  uint64_t branches_ = 0;  // for the periodic ageing of the useful bits
};

}  // namespace x64sim

#endif  // X64SIM_UARCH_TAGE_H_
