// Access rights of a translation and the permission rules applied to them
// (SDM vol. 3A 4.6), shared by the page walker and TLB hits.
#ifndef X64SIM_MMU_ACCESS_RIGHTS_H_
#define X64SIM_MMU_ACCESS_RIGHTS_H_

#include <cstdint>

#include "checkpoint/state_archive.h"
#include "mmu/paging_types.h"

namespace x64sim {

// Rights combined over every entry of a walk (SDM 4.6.1): R/W and U/S are
// ANDed, XD is ORed. This is what a TLB entry caches (SDM 4.10.2.2).
struct AccessRights {
  bool writable = true;
  bool user = true;
  bool no_execute = false;

  void Serialize(StateArchive& ar) { ar(writable, user, no_execute); }
};

// Which rule of SDM 4.6.1 refuses an access, if any.
enum class Denial : uint8_t {
  kNone,
  kSupervisorPage,   // user-mode access, U/S=0 somewhere in the walk
  kReadOnly,         // write, R/W=0 somewhere (user, or supervisor with CR0.WP=1)
  kExecuteDisabled,  // fetch, XD=1 somewhere with EFER.NXE=1
  kSmep,             // supervisor fetch from a user page with CR4.SMEP=1
  kSmap,             // supervisor data access to a user page, CR4.SMAP=1, RFLAGS.AC=0
};

const char* DenialName(Denial denial);

Denial CheckAccess(const AccessRights& rights, AccessKind kind, const PagingContext& ctx);

// Whether an access of `kind` made under `ctx` is permitted (SDM 4.6.1).
inline bool PermitsAccess(const AccessRights& rights, AccessKind kind, const PagingContext& ctx) {
  return CheckAccess(rights, kind, ctx) == Denial::kNone;
}

// The W/U/I bits of a #PF error code for an access (SDM 4.7); P and RSVD are
// the caller's.
uint32_t AccessErrorBits(AccessKind kind, const PagingContext& ctx);

// kAllow* bits for the fast path: every kind `rights` permits under `ctx`,
// with writes allowed only once the page is dirty.
uint8_t AllowedAccesses(const AccessRights& rights, bool dirty, const PagingContext& ctx);

}  // namespace x64sim

#endif  // X64SIM_MMU_ACCESS_RIGHTS_H_
