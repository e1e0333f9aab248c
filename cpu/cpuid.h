// The machine's CPUID identity: GenuineIntel, family 6, advertising exactly
// what x64sim implements (docs/cpu.md lists it).
#ifndef X64SIM_CPU_CPUID_H_
#define X64SIM_CPU_CPUID_H_

#include <cstdint>

#include "mmu/microarch.h"

namespace x64sim {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

// `arch` is the MMU's description: MAXPHYADDR and 1 GiB pages come from it,
// so what CPUID reports is what the page walker enforces.
CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf, const MicroArch& arch);

}  // namespace x64sim

#endif  // X64SIM_CPU_CPUID_H_
