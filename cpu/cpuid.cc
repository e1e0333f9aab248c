#include "cpu/cpuid.h"

#include <cstring>

namespace x64sim {
namespace {

constexpr uint32_t Bit(int n) { return 1u << n; }

// Leaf 1 EDX (SDM vol. 2 CPUID table 3-11).
constexpr uint32_t kLeaf1Edx = Bit(0) /*FPU*/ | Bit(3) /*PSE*/ | Bit(4) /*TSC*/ | Bit(5) /*MSR*/ |
                               Bit(6) /*PAE*/ | Bit(8) /*CX8*/ | Bit(9) /*APIC*/ | Bit(11) /*SEP*/ | Bit(13) /*PGE*/ |
                               Bit(15) /*CMOV*/ | Bit(16) /*PAT*/ | Bit(19) /*CLFSH*/ | Bit(23) /*MMX*/ |
                               Bit(24) /*FXSR*/ | Bit(25) /*SSE*/ | Bit(26) /*SSE2*/;
// Leaf 1 ECX (table 3-10). AVX, FMA and F16C are implemented whole, but
// for the approximations VRCPPS/VRSQRTPS/VRCPSS/VRSQRTSS (#UD: docs/cpu.md,
// "Known simplifications").
constexpr uint32_t kLeaf1Ecx = Bit(0) /*SSE3*/ | Bit(1) /*PCLMULQDQ*/ | Bit(3) /*MONITOR*/ | Bit(9) /*SSSE3*/ |
                               Bit(12) /*FMA*/ | Bit(13) /*CMPXCHG16B*/ | Bit(17) /*PCID*/ |
                               Bit(19) /*SSE4.1*/ | Bit(20) /*SSE4.2*/ | Bit(22) /*MOVBE*/ |
                               Bit(23) /*POPCNT*/ | Bit(25) /*AES*/ | Bit(26) /*XSAVE*/ |
                               Bit(28) /*AVX*/ | Bit(29) /*F16C*/ | Bit(30) /*RDRAND*/;
// Leaf 7.0 EBX.
constexpr uint32_t kLeaf7Ebx = Bit(0) /*FSGSBASE*/ | Bit(3) /*BMI1*/ | Bit(5) /*AVX2*/ |
                               Bit(7) /*SMEP*/ | Bit(8) /*BMI2*/ | Bit(10) /*INVPCID*/ | Bit(18) /*RDSEED*/ |
                               Bit(13) /*FCS and FDS deprecated*/ | Bit(19) /*ADX*/ |
                               Bit(20) /*SMAP*/ | Bit(23) /*CLFLUSHOPT*/;
// Leaf 7.0 ECX: RDPID, which a Skylake lacks (Ice Lake and Zen 2 have it);
// x64sim implements it, so it says so.
constexpr uint32_t kLeaf7Ecx = Bit(22) /*RDPID*/;
// Leaf 0x80000001.
constexpr uint32_t kExtEcx = Bit(0) /*LAHF/SAHF in 64-bit mode*/ | Bit(5) /*LZCNT (ABM)*/ |
                             Bit(8) /*PREFETCHW*/;
constexpr uint32_t kExtEdx = Bit(11) /*SYSCALL*/ | Bit(20) /*NX*/ | Bit(27) /*RDTSCP*/ |
                             Bit(29) /*LM*/;
constexpr uint32_t kExtEdxPage1GB = Bit(26);
constexpr uint32_t kLinearAddressBits = 48;

uint32_t Chars(const char* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);
  return v;
}

}  // namespace

CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf, const MicroArch& arch) {
  static const char kBrand[49] = "x64sim cycle-approximate x86-64 simulator       ";
  switch (leaf) {
    case 0: return {0xd, Chars("Genu"), Chars("ntel"), Chars("ineI")};
    // Family 6, model 0x5e (Skylake client), stepping 3; CLFLUSH line 8*8 bytes; one logical CPU.
    case 1: return {0x000506e3, (8u << 8) | (1u << 16), kLeaf1Ecx, kLeaf1Edx};
    // MONITOR/MWAIT (table 3-8, leaf 05H): 64-byte lines; MWAIT extensions
    // enumerated, interrupts as break events when masked; EDX Skylake
    // client's sub-C-state counts (the hints are accepted and ignored).
    case 5: return {64, 64, Bit(0) | Bit(1), 0x11142120};
    case 7: return subleaf == 0 ? CpuidResult{0, kLeaf7Ebx, kLeaf7Ecx, 0} : CpuidResult{0, 0, 0, 0};
    // Architectural performance monitoring (SDM vol. 3B 20.2): version 2, no
    // general-purpose counters, two 48-bit fixed counters (instructions
    // retired, unhalted core cycles).
    case 0xa: return {2u | (0u << 8) | (48u << 16) | (7u << 24), 0, 0, 2u | (48u << 5)};
    // XSAVE (SDM vol. 2A table 3-8, leaf 0DH): x87, SSE and AVX supported;
    // EBX here is the size for x87 and SSE, which CPUID replaces by the
    // size for what XCR0 enables (XsaveAreaSize). Sub-leaf 1: XSAVEOPT,
    // XSAVEC, XGETBV with ECX = 1 and XSAVES/XRSTORS; EBX (the compacted
    // size for XCR0 | IA32_XSS) is likewise filled in by CPUID; no
    // IA32_XSS bit is supported (ECX:EDX). Sub-leaves 2 and up: the
    // extended components' sizes, offsets and alignment.
    case 0xd:
      if (subleaf == 0) return {static_cast<uint32_t>(kXcr0Supported), kXsaveLegacyAndHeader,
                                XsaveAreaSize(kXcr0Supported), 0};
      if (subleaf == 1) return {Bit(0) | Bit(1) | Bit(2) | Bit(3), kXsaveLegacyAndHeader, 0, 0};
      for (const XsaveComponent& c : kXsaveExtended) {
        if (static_cast<uint32_t>(c.index) == subleaf) {
          return {c.bytes, c.standard_offset, c.align64 ? Bit(1) : 0u, 0};
        }
      }
      return {0, 0, 0, 0};
    case 0x80000000: return {0x80000008, 0, 0, 0};
    case 0x80000001: return {0, 0, kExtEcx, kExtEdx | (arch.has_1g_pages ? kExtEdxPage1GB : 0)};
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

}  // namespace x64sim
