// TLB fills, evictions and invalidations, as reported to observers.
#ifndef X64SIM_MMU_TLB_EVENT_H_
#define X64SIM_MMU_TLB_EVENT_H_

#include <cstdint>

#include "mmu/paging_bits.h"

namespace x64sim {

// The architectural events that invalidate (SDM vol. 3A 4.10.4.1).
enum class InvalidationKind : uint8_t {
  kInvlpg,         // one page (with globals) + all PSC entries of the current PCID
  kCr3,            // MOV to CR3: non-global entries + PSC of the new PCID
  kCr3NoFlush,     // MOV to CR3 with CR4.PCIDE=1 and bit 63 set: nothing
  kInvpcidAddress, // INVPCID type 0
  kInvpcidContext, // INVPCID type 1
  kInvpcidAll,     // INVPCID type 2 (globals too)
  kInvpcidAllNonGlobal,  // INVPCID type 3
  kModeChange,     // CR0/CR4/EFER paging bits changed: everything
  kPageFault,      // a #PF drops what translated its address
};
inline constexpr int kNumInvalidationKinds = 9;

inline constexpr const char* InvalidationKindName(InvalidationKind k) {
  switch (k) {
    case InvalidationKind::kInvlpg: return "invlpg";
    case InvalidationKind::kCr3: return "cr3";
    case InvalidationKind::kCr3NoFlush: return "cr3-noflush";
    case InvalidationKind::kInvpcidAddress: return "invpcid-0";
    case InvalidationKind::kInvpcidContext: return "invpcid-1";
    case InvalidationKind::kInvpcidAll: return "invpcid-2";
    case InvalidationKind::kInvpcidAllNonGlobal: return "invpcid-3";
    case InvalidationKind::kModeChange: return "mode-change";
    case InvalidationKind::kPageFault: return "page-fault";
  }
  return "?";
}

struct TlbEvent {
  enum class Kind : uint8_t { kFill, kEvict, kInvalidate };
  Kind kind = Kind::kFill;
  const char* structure = "";  // TLB array name for fill/evict
  InvalidationKind reason = InvalidationKind::kInvlpg;  // for kInvalidate
  uint64_t linear = 0;   // page base (fill/evict) or the address invalidated
  paging::PageSize size = paging::PageSize::k4K;
  uint16_t pcid = 0;
  uint64_t phys = 0;     // frame (fill/evict)
  bool global = false;
  uint64_t instret = 0;  // of the MMU call that caused it
  uint64_t rip = 0;
};

inline constexpr const char* TlbEventKindName(TlbEvent::Kind k) {
  switch (k) {
    case TlbEvent::Kind::kFill: return "fill";
    case TlbEvent::Kind::kEvict: return "evict";
    case TlbEvent::Kind::kInvalidate: return "invalidate";
  }
  return "?";
}

}  // namespace x64sim

#endif  // X64SIM_MMU_TLB_EVENT_H_
