// Values that cross the CPU/MMU boundary.
#ifndef X64SIM_MMU_PAGING_TYPES_H_
#define X64SIM_MMU_PAGING_TYPES_H_

#include <cstdint>

namespace x64sim {

enum class AccessKind : uint8_t { kRead = 0, kWrite = 1, kExecute = 2 };

// The control state a translation depends on, captured by the CPU on the
// slow path (the fast path never builds one).
struct PagingContext {
  uint64_t cr0 = 0;
  uint64_t cr3 = 0;
  uint64_t cr4 = 0;
  uint64_t efer = 0;
  bool user = false;       // access made with CPL 3 (not an implicit supervisor access)
  bool rflags_ac = false;  // RFLAGS.AC, for SMAP
  uint64_t rip = 0;        // for tracing only
  int cpl = 0;             // for tracing only
  uint64_t instret = 0;    // instructions retired so far, for tracing only
};

// #PF error code bits (SDM vol. 3A 4.7).
inline constexpr uint32_t kPfPresent = 1u << 0;
inline constexpr uint32_t kPfWrite = 1u << 1;
inline constexpr uint32_t kPfUser = 1u << 2;
inline constexpr uint32_t kPfReserved = 1u << 3;
inline constexpr uint32_t kPfInstruction = 1u << 4;
inline constexpr uint32_t kPfProtectionKey = 1u << 5;

// What the fast path may do with a translated 4 KiB page for the privilege
// the translation was made at, without another walk.
inline constexpr uint8_t kAllowRead = 1u << 0;
inline constexpr uint8_t kAllowWrite = 1u << 1;  // only once the dirty bit is set
inline constexpr uint8_t kAllowExecute = 1u << 2;

// Why a translation failed.
enum class TranslateFailure : uint8_t {
  kNone,            // ok
  kPageFault,       // deliver #PF with error_code, CR2 = linear
  kNonCanonical,    // bits 63:47 are not a sign extension: #GP (or #SS) is the CPU's
  kLegacyPaging,    // CR0.PG=1 without EFER.LME: 32-bit/PAE paging is not modelled
};

struct Translation {
  bool ok = false;
  TranslateFailure failure = TranslateFailure::kNone;
  uint64_t phys = 0;         // physical address of the byte asked for (when ok)
  uint8_t allow = 0;         // kAllow* for the enclosing 4 KiB page (when ok)
  bool global = false;       // survives CR3 writes (G=1 and CR4.PGE=1, SDM 4.10.2.4)
  uint32_t error_code = 0;   // #PF error code (when !ok); CR2 is the linear address
};

}  // namespace x64sim

#endif  // X64SIM_MMU_PAGING_TYPES_H_
