// The machine's CPUID identity: GenuineIntel, family 6, the --cpuid model's
// signature and features (cpu/cpu_model.h; docs/cpu.md lists them).
#ifndef X64SIM_CPU_CPUID_H_
#define X64SIM_CPU_CPUID_H_

#include <cstdint>

#include "cpu/control_bits.h"
#include "cpu/cpu_model.h"
#include "mmu/microarch.h"

namespace x64sim {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

// `arch` is the MMU's description (LimitToModel applied): MAXPHYADDR and
// 1 GiB pages come from it, so what CPUID reports is what the page walker
// enforces.
CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf, const CpuModel& model, const MicroArch& arch);

// The XSAVE area's standard format (SDM vol. 1 13.4): the legacy region and
// header, then the AVX component (bits 255:128 of YMM0-15).
inline constexpr uint32_t kXsaveLegacyAndHeader = 576;
inline constexpr uint32_t kXsaveAvxBytes = 256;

// CPUID.(EAX=0DH,ECX=0):EBX, the area size the components enabled in XCR0 need.
inline uint32_t XsaveAreaSize(uint64_t xcr0) {
  return kXsaveLegacyAndHeader + ((xcr0 & kXcr0Avx) ? kXsaveAvxBytes : 0);
}

// The state components of the extended region, in component order, as
// CPUID.(EAX=0DH,ECX=i) reports them: size (EAX), offset in the standard
// format (EBX) and whether the compacted format aligns the component to 64
// bytes (ECX[1]). All are user state (ECX[0] = 0): IA32_XSS supports no
// supervisor component.
struct XsaveComponent {
  int index;
  uint32_t bytes;
  uint32_t standard_offset;
  bool align64;
};
inline constexpr XsaveComponent kXsaveExtended[] = {{2, kXsaveAvxBytes, kXsaveLegacyAndHeader, false}};

// The compacted format (SDM vol. 1 13.4.3): the components XCOMP_BV names
// follow the header in component order, each 64-byte aligned if its
// align64 says so. The offset of component `index` (which `xcomp_bv` must
// name), and the size of the whole area.
inline uint32_t CompactedOffset(uint64_t xcomp_bv, int index) {
  uint32_t offset = kXsaveLegacyAndHeader;
  for (const XsaveComponent& c : kXsaveExtended) {
    if (!(xcomp_bv >> c.index & 1)) continue;
    if (c.align64) offset = (offset + 63) & ~63u;
    if (c.index == index) break;
    offset += c.bytes;
  }
  return offset;
}

inline uint32_t CompactedSize(uint64_t xcomp_bv) {
  uint32_t end = kXsaveLegacyAndHeader;
  for (const XsaveComponent& c : kXsaveExtended) {
    if (xcomp_bv >> c.index & 1) end = CompactedOffset(xcomp_bv, c.index) + c.bytes;
  }
  return end;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_CPUID_H_
