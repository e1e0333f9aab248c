// The machine's CPUID identity: GenuineIntel, family 6, advertising exactly
// what x64sim implements (docs/cpu.md lists it).
#ifndef X64SIM_CPU_CPUID_H_
#define X64SIM_CPU_CPUID_H_

#include <cstdint>

#include "cpu/control_bits.h"
#include "mmu/microarch.h"

namespace x64sim {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

// `arch` is the MMU's description: MAXPHYADDR and 1 GiB pages come from it,
// so what CPUID reports is what the page walker enforces.
CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf, const MicroArch& arch);

// The XSAVE area's standard format (SDM vol. 1 13.4): the legacy region and
// header, then the AVX component (bits 255:128 of YMM0-15).
inline constexpr uint32_t kXsaveLegacyAndHeader = 576;
inline constexpr uint32_t kXsaveAvxBytes = 256;

// CPUID.(EAX=0DH,ECX=0):EBX, the area size the components enabled in XCR0 need.
inline uint32_t XsaveAreaSize(uint64_t xcr0) {
  return kXsaveLegacyAndHeader + ((xcr0 & kXcr0Avx) ? kXsaveAvxBytes : 0);
}

}  // namespace x64sim

#endif  // X64SIM_CPU_CPUID_H_
