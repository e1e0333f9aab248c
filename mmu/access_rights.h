// Access rights of a translation and the permission rules applied to them
// (SDM vol. 3A 4.6), shared by the page walker and TLB hits.
#ifndef X64SIM_MMU_ACCESS_RIGHTS_H_
#define X64SIM_MMU_ACCESS_RIGHTS_H_

#include <cstdint>

#include "mmu/paging_types.h"

namespace x64sim {

// Rights combined over every entry of a walk (SDM 4.6.1): R/W and U/S are
// ANDed, XD is ORed. This is what a TLB entry caches (SDM 4.10.2.2).
struct AccessRights {
  bool writable = true;
  bool user = true;
  bool no_execute = false;
};

// Whether an access of `kind` made under `ctx` is permitted (SDM 4.6.1).
bool PermitsAccess(const AccessRights& rights, AccessKind kind, const PagingContext& ctx);

// The W/U/I bits of a #PF error code for an access (SDM 4.7); P and RSVD are
// the caller's.
uint32_t AccessErrorBits(AccessKind kind, const PagingContext& ctx);

// kAllow* bits for the fast path: every kind `rights` permits under `ctx`,
// with writes allowed only once the page is dirty.
uint8_t AllowedAccesses(const AccessRights& rights, bool dirty, const PagingContext& ctx);

}  // namespace x64sim

#endif  // X64SIM_MMU_ACCESS_RIGHTS_H_
