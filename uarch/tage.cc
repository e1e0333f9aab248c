#include "uarch/tage.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace x64sim {
namespace {

// The useful bits of every entry are halved this often (in conditional
// branches), so entries that stopped helping can be claimed again; the
// paper resets them every 256K branches.
constexpr uint64_t kUsefulAgeingPeriod = 256 * 1024;

// Fibonacci hashing: the high bits of the product depend on every bit of
// the key.
constexpr uint64_t kIndexMultiplier = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kTagMultiplier = 0xC2B2AE3D27D4EB4Full;

void CountToward(int8_t& counter, bool taken, int min, int max) {
  if (taken && counter < max) ++counter;
  if (!taken && counter > min) --counter;
}

}  // namespace

Tage::Tage(const BranchPredictorConfig& c)
    : bimodal_(static_cast<size_t>(c.pht_entries), 1),  // weakly not taken
      bimodal_mask_(static_cast<uint64_t>(c.pht_entries) - 1),
      tables_(std::min(c.tage_tables, kMaxTables)),
      entries_(static_cast<size_t>(tables_) * static_cast<size_t>(c.tage_entries)),
      index_bits_(std::countr_zero(static_cast<unsigned>(c.tage_entries))),
      index_mask_(static_cast<uint64_t>(c.tage_entries) - 1),
      index_shift_(64 - std::max(index_bits_, 1)),  // one entry: the mask keeps nothing anyway
      tag_shift_(48 - c.tage_tag_bits),
      tag_mask_((1ull << c.tage_tag_bits) - 1) {
  const double shortest = c.tage_min_history;
  const double longest = std::min(c.history_bits, 64);
  for (int i = 0; i < tables_; ++i) {
    // L(i) = L(0) * (L(n-1) / L(0)) ^ (i / (n-1)), the paper's series.
    const double ratio = tables_ == 1 ? 1 : static_cast<double>(i) / (tables_ - 1);
    const int bits = static_cast<int>(std::lround(shortest * std::pow(longest / shortest, ratio)));
    history_mask_[i] = bits >= 64 ? ~0ull : (1ull << bits) - 1;
  }
}

bool Tage::Resolve(uint64_t rip, uint64_t history, bool taken) {
  // One multiplication hashes each table's slice of the history; its top
  // bits index the table and the bits below them make the tag, each mixed
  // with the branch address. The table number keeps two tables' hashes of
  // the same history apart.
  const uint64_t rip_index = rip ^ (rip >> index_bits_);
  const uint64_t rip_tag = rip * kTagMultiplier;
  Slots slots;
  uint32_t hits = 0;  // bit i: table i's tag matches
  auto look = [&](int i) {
    const uint64_t table = static_cast<uint64_t>(i);
    const uint64_t h = ((history & history_mask_[i]) ^ table) * kIndexMultiplier;
    slots.at[i] = table * (index_mask_ + 1) + ((rip_index ^ (h >> index_shift_)) & index_mask_);
    slots.tag[i] = static_cast<uint16_t>(((h ^ rip_tag) >> tag_shift_) & tag_mask_);
    hits |= static_cast<uint32_t>(entries_[slots.at[i]].tag == slots.tag[i]) << i;
  };
  if (tables_ == 4) {  // every shipped model: unrolled
    look(0);
    look(1);
    look(2);
    look(3);
  } else {
    for (int i = 0; i < tables_; ++i) look(i);
  }
  uint8_t& base = bimodal_[(rip ^ (rip >> 12)) & bimodal_mask_];
  const bool base_guess = base >= 2;
  if (hits == 0) {
    if (taken && base < 3) ++base;
    if (!taken && base > 0) --base;
    if (base_guess != taken) Allocate(-1, slots, taken);
    AgeUsefulBits();
    return base_guess != taken;
  }

  // The longest matching table provides; the next longest (or the bimodal
  // table) is the alternate.
  const int provider = std::bit_width(hits) - 1;
  const uint32_t others = hits & ~(1u << provider);
  Entry& e = entries_[slots.at[provider]];
  const bool provider_guess = e.counter >= 0;
  const bool alternate_guess =
      others != 0 ? entries_[slots.at[std::bit_width(others) - 1]].counter >= 0 : base_guess;
  const bool fresh = (e.counter == 0 || e.counter == -1) && e.useful == 0;
  const bool guess = fresh && use_alt_on_new_ >= 8 ? alternate_guess : provider_guess;
  if (fresh && provider_guess != alternate_guess) {
    use_alt_on_new_ = std::clamp(use_alt_on_new_ + (alternate_guess == taken ? 1 : -1), 0, 15);
  }
  if (provider_guess != alternate_guess) {
    if (provider_guess == taken && e.useful < 3) ++e.useful;
    if (provider_guess != taken && e.useful > 0) --e.useful;
  }
  CountToward(e.counter, taken, -4, 3);
  if (guess != taken) Allocate(provider, slots, taken);
  AgeUsefulBits();
  return guess != taken;
}

// After a misprediction, claims an entry no longer useful in the first
// table with a longer history than the provider's; if every one is still
// useful, makes each a little less so.
void Tage::Allocate(int above, const Slots& slots, bool taken) {
  for (int i = above + 1; i < tables_; ++i) {
    Entry& e = entries_[slots.at[i]];
    if (e.useful == 0) {
      e = {slots.tag[i], static_cast<int8_t>(taken ? 0 : -1), 0};
      return;
    }
  }
  for (int i = above + 1; i < tables_; ++i) {
    Entry& e = entries_[slots.at[i]];
    if (e.useful > 0) --e.useful;
  }
}

void Tage::AgeUsefulBits() {
  if (++branches_ % kUsefulAgeingPeriod != 0) return;
  for (Entry& e : entries_) e.useful >>= 1;
}

void Tage::Serialize(StateArchive& ar) {
  ar.FixedSize(bimodal_, "TAGE bimodal table");
  ar.FixedSize(entries_, "TAGE tagged tables");
  ar.Bounded(use_alt_on_new_, 15, "TAGE alternate-prediction counter");
  ar(branches_);
}

}  // namespace x64sim
