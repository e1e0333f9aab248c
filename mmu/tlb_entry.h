// One cached translation (SDM vol. 3A 4.10.2.2: page number, frame, combined
// rights, dirty flag, global flag, PCID).
#ifndef X64SIM_MMU_TLB_ENTRY_H_
#define X64SIM_MMU_TLB_ENTRY_H_

#include <cstdint>

#include "mmu/access_rights.h"
#include "mmu/paging_bits.h"
#include "mmu/pcid_generations.h"

namespace x64sim {

struct TlbEntry {
  uint64_t vpn = 0;      // linear address >> PageShift(size)
  uint64_t frame = 0;    // physical address of the first byte of the page
  uint32_t generation = 0;
  uint16_t pcid = 0;
  paging::PageSize size = paging::PageSize::k4K;
  bool valid = false;
  bool global = false;   // G=1 in the leaf and CR4.PGE=1 at fill (SDM 4.10.2.4)
  bool dirty = false;
  AccessRights rights;

  uint64_t linear_base() const { return vpn << paging::PageShift(size); }

  // Valid and not killed by a later invalidation of its PCID.
  bool Live(const PcidGenerations& gens) const {
    return valid && (global || generation == gens.current(pcid));
  }

  // A global translation serves every PCID (SDM 4.10.2.4).
  bool MatchesPcid(uint16_t current_pcid) const { return global || pcid == current_pcid; }

  void Serialize(StateArchive& ar) {
    ar(vpn, frame, generation, pcid, size, valid, global, dirty, rights);
    ar.Check(size == paging::PageSize::k4K || size == paging::PageSize::k2M ||
                 size == paging::PageSize::k1G,
             "TLB entry: bad page size");
  }
  bool Covers(uint64_t linear) const {
    return (linear >> paging::PageShift(size)) == vpn;
  }
};

}  // namespace x64sim

#endif  // X64SIM_MMU_TLB_ENTRY_H_
