// Lazy invalidation by PCID. Cached entries remember the generation of their
// PCID when filled; bumping the generation kills every non-global entry of
// that PCID at once, so a CR3 write costs O(1) instead of a scan.
#ifndef X64SIM_MMU_PCID_GENERATIONS_H_
#define X64SIM_MMU_PCID_GENERATIONS_H_

#include <array>
#include <cstdint>

#include "checkpoint/state_archive.h"

namespace x64sim {

inline constexpr int kNumPcids = 4096;  // CR3[11:0] (SDM vol. 3A 4.10.1)

class PcidGenerations {
 public:
  PcidGenerations() { current_.fill(0); }

  uint32_t current(uint16_t pcid) const { return current_[pcid]; }

  // Returns false when the counter wrapped; the caller must then scan and
  // drop that PCID's entries itself, since old generations become current again.
  bool Bump(uint16_t pcid) { return ++current_[pcid] != 0; }

  void Serialize(StateArchive& ar) { ar(current_); }

 private:
  std::array<uint32_t, kNumPcids> current_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_PCID_GENERATIONS_H_
