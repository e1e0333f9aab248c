#include "mmu/access_rights.h"

#include "mmu/paging_bits.h"

namespace x64sim {

bool PermitsAccess(const AccessRights& rights, AccessKind kind, const PagingContext& ctx) {
  const bool nxe = (ctx.efer & paging::kEferNxe) != 0;
  if (ctx.user) {
    // User-mode accesses need U/S=1 everywhere (SDM 4.6.1).
    if (!rights.user) return false;
    if (kind == AccessKind::kWrite) return rights.writable;           // SDM 4.6.1: user writes need R/W=1
    if (kind == AccessKind::kExecute) return !(nxe && rights.no_execute);  // SDM 4.6.1: XD with NXE
    return true;
  }
  if (kind == AccessKind::kExecute) {
    if (nxe && rights.no_execute) return false;                       // SDM 4.6.1: XD with NXE
    return !(rights.user && (ctx.cr4 & paging::kCr4Smep));            // SDM 4.6.1: SMEP
  }
  // SMAP: supervisor data access to a user page needs RFLAGS.AC=1 (SDM 4.6.1).
  if (rights.user && (ctx.cr4 & paging::kCr4Smap) && !ctx.rflags_ac) return false;
  if (kind == AccessKind::kWrite && !rights.writable) {
    return (ctx.cr0 & paging::kCr0Wp) == 0;                           // SDM 4.6.1: CR0.WP
  }
  return true;
}

uint32_t AccessErrorBits(AccessKind kind, const PagingContext& ctx) {
  uint32_t bits = 0;
  if (kind == AccessKind::kWrite) bits |= kPfWrite;
  if (ctx.user) bits |= kPfUser;
  // I/D is reported only when NXE or SMEP is on (SDM 4.7).
  if (kind == AccessKind::kExecute &&
      ((ctx.efer & paging::kEferNxe) || (ctx.cr4 & paging::kCr4Smep))) {
    bits |= kPfInstruction;
  }
  return bits;
}

uint8_t AllowedAccesses(const AccessRights& rights, bool dirty, const PagingContext& ctx) {
  uint8_t allow = 0;
  if (PermitsAccess(rights, AccessKind::kRead, ctx)) allow |= kAllowRead;
  if (dirty && PermitsAccess(rights, AccessKind::kWrite, ctx)) allow |= kAllowWrite;
  if (PermitsAccess(rights, AccessKind::kExecute, ctx)) allow |= kAllowExecute;
  return allow;
}

}  // namespace x64sim
