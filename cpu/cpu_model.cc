#include "cpu/cpu_model.h"

#include <algorithm>
#include <string>

#include "cpu/control_bits.h"

namespace x64sim {
namespace {

using enum Feature;

// Skylake client (family 6, model 5EH, stepping 3) as x64sim implements it:
// no MPX, and RDPID, which a Skylake lacks but x64sim has.
constexpr CpuModel kSkylake = {
    .name = "skylake",
    .max_leaf = 0xd,
    .signature = 0x000506e3,
    .mwait_states = 0x11142120,
    .max_phys_addr_bits = 52,  // no limit: the --uarch description's MAXPHYADDR
    .features = {kSse3, kPclmulqdq, kMonitor, kSsse3, kFma, kCmpxchg16b, kPcid, kSse41, kSse42,
                 kMovbe, kPopcnt, kAes, kXsave, kAvx, kF16c, kRdrand, kFsgsbase, kBmi1, kAvx2,
                 kSmep, kBmi2, kInvpcid, kRdseed, kAdx, kSmap, kClflushopt, kFcsFdsDeprecated,
                 kRdpid, kXsaveopt, kXsavec, kXgetbvEcx1, kXsaves, kLahf64, kLzcnt, kPrefetchw,
                 kRdtscp, kPage1G},
};

// Core i7 (Nehalem, family 6, model 1AH, stepping 5: the D0 parts). SSE up
// to SSE4.2 and POPCNT; PCID, XSAVE and everything later are absent. 36
// physical address bits (the client parts; Xeon 5500 has 40). 1 GiB pages,
// which the part lacks, are kept: upstream seL4's simulation runs QEMU with
// -cpu Nehalem,+pdpe1gb and its x86-64 kernel refuses to boot without them.
// PREFETCHW (0F 0D /1) runs as a NOP there without being enumerated, as
// x64sim's PREFETCHW does.
constexpr CpuModel kNehalem = {
    .name = "nehalem",
    .max_leaf = 0xb,
    .signature = 0x000106a5,
    .mwait_states = 0x00001120,
    .max_phys_addr_bits = 36,
    .features = {kSse3, kMonitor, kSsse3, kCmpxchg16b, kSse41, kSse42, kPopcnt, kLahf64, kRdtscp,
                 kPage1G},
};

// Core i7-4770 (Haswell client, family 6, model 3CH, stepping 3), from
// InstLatx64's dump GenuineIntel/GenuineIntel00306C3_Haswell_CPUID.txt:
// AVX2, FMA, BMI1/2, MOVBE, F16C, RDRAND, LZCNT, INVPCID, FSGSBASE, SMEP,
// PCID and XSAVEOPT; no ADX, RDSEED, SMAP, CLFLUSHOPT, XSAVEC, XSAVES or
// RDPID (Broadwell and later). 39 physical address bits. PREFETCHW is not
// enumerated (80000001H ECX = 21H) though 0F 0D /1 runs as a NOP.
constexpr CpuModel kHaswell = {
    .name = "haswell",
    .max_leaf = 0xd,
    .signature = 0x000306c3,
    .mwait_states = 0x00042120,
    .max_phys_addr_bits = 39,
    .features = {kSse3, kPclmulqdq, kMonitor, kSsse3, kFma, kCmpxchg16b, kPcid, kSse41, kSse42,
                 kMovbe, kPopcnt, kAes, kXsave, kAvx, kF16c, kRdrand, kFsgsbase, kBmi1, kAvx2,
                 kSmep, kBmi2, kInvpcid, kFcsFdsDeprecated, kXsaveopt, kLahf64, kLzcnt, kRdtscp,
                 kPage1G},
};

constexpr const CpuModel* kModels[] = {&kSkylake, &kNehalem, &kHaswell};

}  // namespace

const CpuModel* FindCpuModel(std::string_view name) {
  for (const CpuModel* m : kModels) {
    if (name == m->name) return m;
  }
  return nullptr;
}

std::string CpuModelNames() {
  std::string names;
  for (const CpuModel* m : kModels) names += std::string(names.empty() ? "" : ", ") + m->name;
  return names;
}

const CpuModel& DefaultCpuModel() { return kSkylake; }

MicroArch LimitToModel(MicroArch arch, const CpuModel& model) {
  arch.phys_addr_bits = std::min(arch.phys_addr_bits, model.max_phys_addr_bits);
  arch.has_1g_pages = arch.has_1g_pages && model.Has(kPage1G);
  return arch;
}

uint64_t SupportedCr4(const CpuModel& model) {
  // No VME or PVI: virtual-8086 mode runs without its extensions, and
  // CPUID reports none (cpu/vm86.h).
  uint64_t bits = kCr4TSD | kCr4DE | kCr4PSE | kCr4PAE | kCr4MCE | kCr4PGE | kCr4PCE |
                  kCr4OSFXSR | kCr4OSXMMEXCPT;
  if (model.Has(kFsgsbase)) bits |= kCr4FSGSBASE;
  if (model.Has(kPcid)) bits |= kCr4PCIDE;
  if (model.Has(kXsave)) bits |= kCr4OSXSAVE;
  if (model.Has(kSmep)) bits |= kCr4SMEP;
  if (model.Has(kSmap)) bits |= kCr4SMAP;
  return bits;
}

}  // namespace x64sim
