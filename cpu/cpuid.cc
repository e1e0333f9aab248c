#include "cpu/cpuid.h"

#include <cstring>

namespace x64sim {
namespace {

using enum Feature;

constexpr uint32_t Bit(int n) { return 1u << n; }

// Where CPUID reports each optional feature (SDM vol. 2A, CPUID, tables 3-8
// to 3-11).
enum class Reg : uint8_t { kEax, kEbx, kEcx, kEdx };
struct FeatureBit {
  Feature feature;
  uint32_t leaf;
  uint32_t subleaf;
  Reg reg;
  int bit;
};
constexpr FeatureBit kFeatureBits[] = {
    {kSse3, 1, 0, Reg::kEcx, 0},         {kPclmulqdq, 1, 0, Reg::kEcx, 1},
    {kMonitor, 1, 0, Reg::kEcx, 3},      {kSsse3, 1, 0, Reg::kEcx, 9},
    {kFma, 1, 0, Reg::kEcx, 12},         {kCmpxchg16b, 1, 0, Reg::kEcx, 13},
    {kPcid, 1, 0, Reg::kEcx, 17},        {kSse41, 1, 0, Reg::kEcx, 19},
    {kSse42, 1, 0, Reg::kEcx, 20},       {kMovbe, 1, 0, Reg::kEcx, 22},
    {kPopcnt, 1, 0, Reg::kEcx, 23},      {kAes, 1, 0, Reg::kEcx, 25},
    {kXsave, 1, 0, Reg::kEcx, 26},       {kAvx, 1, 0, Reg::kEcx, 28},
    {kF16c, 1, 0, Reg::kEcx, 29},        {kRdrand, 1, 0, Reg::kEcx, 30},
    {kFsgsbase, 7, 0, Reg::kEbx, 0},     {kBmi1, 7, 0, Reg::kEbx, 3},
    {kAvx2, 7, 0, Reg::kEbx, 5},         {kSmep, 7, 0, Reg::kEbx, 7},
    {kBmi2, 7, 0, Reg::kEbx, 8},         {kInvpcid, 7, 0, Reg::kEbx, 10},
    {kFcsFdsDeprecated, 7, 0, Reg::kEbx, 13}, {kMpx, 7, 0, Reg::kEbx, 14},
    {kRdseed, 7, 0, Reg::kEbx, 18},      {kAdx, 7, 0, Reg::kEbx, 19},
    {kSmap, 7, 0, Reg::kEbx, 20},        {kClflushopt, 7, 0, Reg::kEbx, 23},
    {kRdpid, 7, 0, Reg::kEcx, 22},
    {kXsaveopt, 0xd, 1, Reg::kEax, 0},   {kXsavec, 0xd, 1, Reg::kEax, 1},
    {kXgetbvEcx1, 0xd, 1, Reg::kEax, 2}, {kXsaves, 0xd, 1, Reg::kEax, 3},
    {kLahf64, 0x80000001, 0, Reg::kEcx, 0}, {kLzcnt, 0x80000001, 0, Reg::kEcx, 5},
    {kPrefetchw, 0x80000001, 0, Reg::kEcx, 8},
    {kPage1G, 0x80000001, 0, Reg::kEdx, 26}, {kRdtscp, 0x80000001, 0, Reg::kEdx, 27},
};

// The model's feature bits in (leaf, subleaf) added to `r`. Only the leaves
// with sub-leaves read ECX (SDM vol. 2A CPUID: 04H, 07H, 0BH, 0DH here).
CpuidResult WithFeatures(CpuidResult r, uint32_t leaf, uint32_t subleaf, const CpuModel& model) {
  if (leaf != 4 && leaf != 7 && leaf != 0xb && leaf != 0xd) subleaf = 0;
  for (const FeatureBit& f : kFeatureBits) {
    if (f.leaf != leaf || f.subleaf != subleaf || !model.Has(f.feature)) continue;
    uint32_t* regs[] = {&r.eax, &r.ebx, &r.ecx, &r.edx};
    *regs[static_cast<int>(f.reg)] |= Bit(f.bit);
  }
  return r;
}

// Leaf 1 EDX, the same on every model (SDM vol. 2A table 3-11).
constexpr uint32_t kLeaf1Edx = Bit(0) /*FPU*/ | Bit(2) /*DE*/ | Bit(3) /*PSE*/ | Bit(4) /*TSC*/ | Bit(5) /*MSR*/ |
                               Bit(6) /*PAE*/ | Bit(7) /*MCE*/ | Bit(8) /*CX8*/ | Bit(9) /*APIC*/ | Bit(11) /*SEP*/ |
                               Bit(13) /*PGE*/ | Bit(15) /*CMOV*/ | Bit(16) /*PAT*/ | Bit(19) /*CLFSH*/ |
                               Bit(23) /*MMX*/ | Bit(24) /*FXSR*/ | Bit(25) /*SSE*/ | Bit(26) /*SSE2*/;
constexpr uint32_t kExtEdx = Bit(11) /*SYSCALL*/ | Bit(20) /*NX*/ | Bit(29) /*LM*/;
constexpr uint32_t kLinearAddressBits = 48;

uint32_t Chars(const char* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);
  return v;
}

CpuidResult Base(uint32_t leaf, uint32_t subleaf, const CpuModel& model, const MicroArch& arch) {
  static const char kBrand[49] = "x64sim cycle-approximate x86-64 simulator       ";
  switch (leaf) {
    case 0: return {model.max_leaf, Chars("Genu"), Chars("ntel"), Chars("ineI")};
    // CLFLUSH line 8*8 bytes; one logical CPU.
    case 1: return {model.signature, (8u << 8) | (1u << 16), 0, kLeaf1Edx};
    // MONITOR/MWAIT (table 3-8, leaf 05H): 64-byte lines; MWAIT extensions
    // enumerated, interrupts as break events when masked; EDX the model's
    // sub-C-state counts (the hints are accepted and ignored).
    case 5:
      return model.Has(kMonitor) ? CpuidResult{64, 64, Bit(0) | Bit(1), model.mwait_states}
                                 : CpuidResult{0, 0, 0, 0};
    // Architectural performance monitoring (SDM vol. 3B 20.2): version 2, no
    // general-purpose counters, two 48-bit fixed counters (instructions
    // retired, unhalted core cycles): what x64sim implements, on every model.
    case 0xa: return {2u | (0u << 8) | (48u << 16) | (7u << 24), 0, 0, 2u | (48u << 5)};
    // XSAVE (SDM vol. 2A table 3-8, leaf 0DH): x87, SSE and AVX supported;
    // EBX here is the size for x87 and SSE, which CPUID replaces by the
    // size for what XCR0 enables (XsaveAreaSize). Sub-leaf 1: the model's
    // XSAVE extensions; EBX (the compacted size for XCR0 | IA32_XSS) is
    // likewise filled in by CPUID; no IA32_XSS bit is supported (ECX:EDX).
    // Sub-leaves 2 and up: the extended components' sizes, offsets and
    // alignment.
    case 0xd:
      if (!model.Has(kXsave)) return {0, 0, 0, 0};
      if (subleaf == 0) return {static_cast<uint32_t>(kXcr0Supported), kXsaveLegacyAndHeader,
                                XsaveAreaSize(kXcr0Supported), 0};
      if (subleaf == 1) return {0, kXsaveLegacyAndHeader, 0, 0};
      for (const XsaveComponent& c : kXsaveExtended) {
        if (static_cast<uint32_t>(c.index) == subleaf) {
          return {c.bytes, c.standard_offset, c.align64 ? Bit(1) : 0u, 0};
        }
      }
      return {0, 0, 0, 0};
    case 0x80000000: return {0x80000008, 0, 0, 0};
    case 0x80000001: return {0, 0, 0, kExtEdx};
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const char* p = kBrand + 16 * (leaf - 0x80000002);
      return {Chars(p), Chars(p + 4), Chars(p + 8), Chars(p + 12)};
    }
    case 0x80000008:
      return {(kLinearAddressBits << 8) | static_cast<uint32_t>(arch.phys_addr_bits), 0, 0, 0};
    default: return {0, 0, 0, 0};
  }
}

}  // namespace

CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf, const CpuModel& model, const MicroArch& arch) {
  if (leaf < 0x80000000 && leaf > model.max_leaf) return {0, 0, 0, 0};
  CpuidResult r = WithFeatures(Base(leaf, subleaf, model, arch), leaf, subleaf, model);
  // 1 GiB pages are the paging hardware's: the MMU's description decides.
  if (leaf == 0x80000001 && !arch.has_1g_pages) r.edx &= ~Bit(26);
  return r;
}

}  // namespace x64sim
