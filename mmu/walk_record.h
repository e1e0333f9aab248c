// What one translation did, step by step. The MMU fills it; observers (the
// tracer, a timing model) read it. The MMU itself knows no cycles.
#ifndef X64SIM_MMU_WALK_RECORD_H_
#define X64SIM_MMU_WALK_RECORD_H_

#include <cstdint>

#include "mmu/access_rights.h"
#include "mmu/paging_bits.h"
#include "mmu/paging_types.h"

namespace x64sim {

// Which structure supplied the translation.
enum class TlbSource : uint8_t {
  kNone,   // paging off, or the translation failed before any lookup
  kL1i,    // first-level instruction TLB hit
  kL1d,    // first-level data TLB hit
  kStlb,   // second-level (unified) TLB hit
  kWalk,   // missed every TLB: the page tables were walked
};

// Where the walk began (SDM 4.10.3: a paging-structure cache lets it skip
// the upper levels).
enum class PscSource : uint8_t { kNone, kPml4e, kPdpte, kPde };

// Why the translation ended.
enum class WalkStop : uint8_t {
  kOk,
  kNotPresent,      // an entry had P=0
  kReservedBit,     // a present entry set a reserved bit
  kPermission,      // translation found, access not permitted
  kNonCanonical,    // bits 63:47 not a sign extension (a #GP/#SS for the CPU)
  kUnsupportedMode, // CR0.PG=1 without long mode: legacy paging is not modelled
};

// One paging-structure entry the walk read from memory. No default member
// initializers: a record is built on every translation and only the first
// num_steps of these are ever written or read, so zeroing them all would be
// wasted work on the hot path.
struct WalkStep {
  paging::Level level;
  uint16_t index;        // index into the table
  uint64_t entry_paddr;  // physical address of the entry
  uint64_t value;        // the entry as read (before any A/D update)
};

struct WalkRecord {
  // The access.
  uint64_t linear = 0;
  AccessKind kind = AccessKind::kRead;
  uint16_t pcid = 0;
  bool user = false;
  int cpl = 0;
  uint64_t rip = 0;
  uint64_t instret = 0;

  // What served it.
  TlbSource tlb = TlbSource::kNone;
  PscSource psc = PscSource::kNone;
  bool dirty_assist = false;  // a TLB hit without D=1 on a write, re-walked to set D

  // Entries read, top level first (none on a TLB hit); steps[num_steps..]
  // are uninitialised.
  int num_steps = 0;
  WalkStep steps[4];

  // The outcome.
  WalkStop stop = WalkStop::kOk;
  paging::PageSize page_size = paging::PageSize::k4K;
  uint64_t phys = 0;
  uint32_t error_code = 0;  // #PF error code when stop is a fault
  uint64_t reserved_bits = 0;  // kReservedBit: the reserved bits the last entry set
  Denial denial = Denial::kNone;  // kPermission: the rule that refused
  AccessRights rights;      // combined rights of the translation (when found)
};

inline constexpr const char* TlbSourceName(TlbSource s) {
  switch (s) {
    case TlbSource::kNone: return "none";
    case TlbSource::kL1i: return "L1i";
    case TlbSource::kL1d: return "L1d";
    case TlbSource::kStlb: return "STLB";
    case TlbSource::kWalk: return "walk";
  }
  return "?";
}

inline constexpr const char* PscSourceName(PscSource s) {
  switch (s) {
    case PscSource::kNone: return "none";
    case PscSource::kPml4e: return "PML4E";
    case PscSource::kPdpte: return "PDPTE";
    case PscSource::kPde: return "PDE";
  }
  return "?";
}

inline constexpr const char* WalkStopName(WalkStop s) {
  switch (s) {
    case WalkStop::kOk: return "ok";
    case WalkStop::kNotPresent: return "not-present";
    case WalkStop::kReservedBit: return "reserved-bit";
    case WalkStop::kPermission: return "permission";
    case WalkStop::kNonCanonical: return "non-canonical";
    case WalkStop::kUnsupportedMode: return "unsupported-mode";
  }
  return "?";
}

inline constexpr const char* AccessKindName(AccessKind k) {
  switch (k) {
    case AccessKind::kRead: return "read";
    case AccessKind::kWrite: return "write";
    case AccessKind::kExecute: return "exec";
  }
  return "?";
}

}  // namespace x64sim

#endif  // X64SIM_MMU_WALK_RECORD_H_
