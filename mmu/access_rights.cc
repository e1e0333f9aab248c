#include "mmu/access_rights.h"

#include "mmu/paging_bits.h"

namespace x64sim {

const char* DenialName(Denial denial) {
  switch (denial) {
    case Denial::kNone: return "none";
    case Denial::kSupervisorPage: return "supervisor-page";
    case Denial::kReadOnly: return "read-only";
    case Denial::kExecuteDisabled: return "execute-disabled";
    case Denial::kSmep: return "smep";
    case Denial::kSmap: return "smap";
  }
  return "?";
}

Denial CheckAccess(const AccessRights& rights, AccessKind kind, const PagingContext& ctx) {
  const bool nxe = (ctx.efer & kEferNXE) != 0;
  if (ctx.user) {
    if (!rights.user) return Denial::kSupervisorPage;  // SDM 4.6.1: user accesses need U/S=1
    if (kind == AccessKind::kWrite && !rights.writable) return Denial::kReadOnly;  // SDM 4.6.1
    if (kind == AccessKind::kExecute && nxe && rights.no_execute) {
      return Denial::kExecuteDisabled;                 // SDM 4.6.1: XD with NXE
    }
    return Denial::kNone;
  }
  if (kind == AccessKind::kExecute) {
    if (nxe && rights.no_execute) return Denial::kExecuteDisabled;  // SDM 4.6.1: XD with NXE
    if (rights.user && (ctx.cr4 & kCr4SMEP)) return Denial::kSmep;  // SDM 4.6.1: SMEP
    return Denial::kNone;
  }
  // SMAP: supervisor data access to a user page needs RFLAGS.AC=1 (SDM 4.6.1).
  if (rights.user && (ctx.cr4 & kCr4SMAP) && !ctx.rflags_ac) return Denial::kSmap;
  if (kind == AccessKind::kWrite && !rights.writable && (ctx.cr0 & kCr0WP)) {
    return Denial::kReadOnly;                          // SDM 4.6.1: CR0.WP
  }
  return Denial::kNone;
}

uint32_t AccessErrorBits(AccessKind kind, const PagingContext& ctx) {
  uint32_t bits = 0;
  if (kind == AccessKind::kWrite) bits |= kPfWrite;
  if (ctx.user) bits |= kPfUser;
  // I/D is reported only when NXE or SMEP is on (SDM 4.7).
  if (kind == AccessKind::kExecute &&
      ((ctx.efer & kEferNXE) || (ctx.cr4 & kCr4SMEP))) {
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
