// The CPU models --cpuid chooses from. One table per model lists the
// features it has; CPUID's values (cpu/cpuid.cc), which instructions decode
// (cpu/isa_gate.cc) and which CR4 bits and MSRs exist are all derived from
// it, so what CPUID says is what the machine does.
#ifndef X64SIM_CPU_CPU_MODEL_H_
#define X64SIM_CPU_CPU_MODEL_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "mmu/microarch.h"

namespace x64sim {

// Optional architectural features, each one CPUID bit (cpu/cpuid.cc places
// them). The base every model has (x87, SSE, SSE2, long mode, ...) is not listed.
enum class Feature : uint8_t {
  kSse3, kPclmulqdq, kMonitor, kSsse3, kFma, kCmpxchg16b, kPcid, kSse41, kSse42, kMovbe,
  kPopcnt, kAes, kXsave, kAvx, kF16c, kRdrand,                       // leaf 1 ECX
  kFsgsbase, kBmi1, kAvx2, kSmep, kBmi2, kInvpcid, kRdseed, kAdx, kSmap,
  kClflushopt, kFcsFdsDeprecated,                                    // leaf 7 EBX
  kRdpid,                                                            // leaf 7 ECX
  kXsaveopt, kXsavec, kXgetbvEcx1, kXsaves,                          // leaf 0DH.1 EAX
  kLahf64, kLzcnt, kPrefetchw,                                       // leaf 80000001H ECX
  kRdtscp, kPage1G,                                                  // leaf 80000001H EDX
  kMpx,                                                              // leaf 7 EBX
};

class FeatureSet {
 public:
  constexpr FeatureSet(std::initializer_list<Feature> features) {
    for (Feature f : features) bits_ |= Mask(f);
  }
  constexpr bool Has(Feature f) const { return bits_ & Mask(f); }

 private:
  static constexpr uint64_t Mask(Feature f) { return uint64_t{1} << static_cast<int>(f); }
  uint64_t bits_ = 0;
};

struct CpuModel {
  const char* name;
  uint32_t max_leaf;      // CPUID.0:EAX
  uint32_t signature;     // CPUID.1:EAX: stepping, model, family
  uint32_t mwait_states;  // CPUID.5:EDX: C-sub-states per C-state
  int max_phys_addr_bits;  // the widest MAXPHYADDR the part has (52: any)
  FeatureSet features;

  bool Has(Feature f) const { return features.Has(f); }
};

// The model of that name ("skylake", "nehalem", "haswell"), or null.
const CpuModel* FindCpuModel(std::string_view name);
// The names FindCpuModel knows, for messages: "skylake, nehalem, haswell".
std::string CpuModelNames();
const CpuModel& DefaultCpuModel();

// The paging geometry as this model sees it: a --uarch description cannot
// give a CPU 1 GiB pages or address bits it does not have.
MicroArch LimitToModel(MicroArch arch, const CpuModel& model);

// The CR4 bits MOV to CR4 accepts on this model (SDM vol. 3A 2.5: setting a
// reserved bit is #GP).
uint64_t SupportedCr4(const CpuModel& model);

}  // namespace x64sim

#endif  // X64SIM_CPU_CPU_MODEL_H_
