// CPUID run as an instruction, checked against the SDM's leaf layouts (vol. 2A,
// CPUID) and the identity docs/cpu.md claims (leaf 0xA: perfmon_test):
// GenuineIntel, family 6 model 0x5E stepping 3, advertising exactly the
// features x64sim implements. The expected values are written out here, not
// taken from cpu/cpuid.cc, so a wrong table there fails.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpuid.h"
#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

struct Regs {
  uint64_t eax, ebx, ecx, edx;  // the full registers: CPUID clears bits 63:32
};

Regs RunCpuid(uint32_t leaf, uint32_t subleaf = 0) {
  auto m = std::make_unique<LongModeMachine>();
  uint64_t* g = m->state().gpr;
  g[kRax] = 0xdead'beef'0000'0000ull | leaf;
  g[kRcx] = 0xdead'beef'0000'0000ull | subleaf;
  g[kRbx] = g[kRdx] = ~0ull;
  EXPECT_EQ(m->Run({0x0f, 0xa2}).vector, -1);  // cpuid
  return {g[kRax], g[kRbx], g[kRcx], g[kRdx]};
}

std::string Chars(const std::vector<uint64_t>& regs) {
  std::string s;
  for (uint64_t r : regs) {
    const uint32_t v = static_cast<uint32_t>(r);
    s.append(reinterpret_cast<const char*>(&v), 4);
  }
  return s;
}

// One feature flag: its name, where CPUID reports it, and whether x64sim
// implements (and so must advertise) it.
struct Feature {
  const char* name;
  uint32_t leaf;
  char reg;  // 'b', 'c' or 'd'
  int bit;
  bool advertised;
};

// SDM vol. 2A tables 3-10, 3-11 (leaf 1), table 3-8 (leaf 7.0, 0x80000001).
constexpr Feature kFeatures[] = {
    // Leaf 1 EDX.
    {"FPU", 1, 'd', 0, true},
    {"VME", 1, 'd', 1, false},
    {"DE (CR4.DE: I/O breakpoints, DR4/DR5 #UD)", 1, 'd', 2, true},
    {"PSE", 1, 'd', 3, true},
    {"TSC", 1, 'd', 4, true},
    {"MSR", 1, 'd', 5, true},
    {"PAE", 1, 'd', 6, true},
    {"MCE (CR4.MCE; no machine check is ever raised)", 1, 'd', 7, true},
    {"CX8", 1, 'd', 8, true},
    {"APIC", 1, 'd', 9, true},
    {"SEP (SYSENTER)", 1, 'd', 11, true},
    {"MTRR", 1, 'd', 12, false},
    {"PGE", 1, 'd', 13, true},
    {"MCA", 1, 'd', 14, false},
    {"CMOV", 1, 'd', 15, true},
    {"PAT", 1, 'd', 16, true},
    {"PSE-36", 1, 'd', 17, false},
    {"CLFSH", 1, 'd', 19, true},
    {"MMX", 1, 'd', 23, true},
    {"FXSR", 1, 'd', 24, true},
    {"SSE", 1, 'd', 25, true},
    {"SSE2", 1, 'd', 26, true},
    {"HTT", 1, 'd', 28, false},
    // Leaf 1 ECX.
    {"SSE3", 1, 'c', 0, true},
    {"PCLMULQDQ", 1, 'c', 1, true},
    {"MONITOR", 1, 'c', 3, true},
    {"VMX", 1, 'c', 5, false},
    {"SSSE3", 1, 'c', 9, true},
    {"FMA (FMA3)", 1, 'c', 12, true},
    {"CMPXCHG16B", 1, 'c', 13, true},
    {"PCID", 1, 'c', 17, true},
    {"SSE4.1", 1, 'c', 19, true},
    {"SSE4.2", 1, 'c', 20, true},
    {"x2APIC", 1, 'c', 21, false},
    {"MOVBE", 1, 'c', 22, true},
    {"POPCNT", 1, 'c', 23, true},
    {"TSC-Deadline", 1, 'c', 24, false},
    {"AESNI", 1, 'c', 25, true},
    {"XSAVE", 1, 'c', 26, true},
    {"OSXSAVE (CR4.OSXSAVE is clear here)", 1, 'c', 27, false},
    {"AVX", 1, 'c', 28, true},
    {"F16C", 1, 'c', 29, true},
    {"RDRAND", 1, 'c', 30, true},
    // Leaf 7 subleaf 0 EBX.
    {"FSGSBASE", 7, 'b', 0, true},
    {"BMI1", 7, 'b', 3, true},
    {"AVX2 (gathers included)", 7, 'b', 5, true},
    {"SMEP", 7, 'b', 7, true},
    {"BMI2", 7, 'b', 8, true},
    {"ERMS", 7, 'b', 9, false},
    {"INVPCID", 7, 'b', 10, true},
    {"RTM", 7, 'b', 11, false},
    {"FCS and FDS deprecated (stored as 0)", 7, 'b', 13, true},
    {"AVX512F", 7, 'b', 16, false},
    {"RDSEED", 7, 'b', 18, true},
    {"ADX", 7, 'b', 19, true},
    {"SMAP", 7, 'b', 20, true},
    {"CLFLUSHOPT", 7, 'b', 23, true},
    {"SHA", 7, 'b', 29, false},
    // Leaf 7 subleaf 0 ECX.
    {"UMIP", 7, 'c', 2, false},
    {"PKU", 7, 'c', 3, false},
    {"RDPID", 7, 'c', 22, true},
    // Leaf 0x80000001 ECX and EDX.
    {"LAHF/SAHF in 64-bit mode", 0x80000001, 'c', 0, true},
    {"LZCNT", 0x80000001, 'c', 5, true},
    {"PREFETCHW", 0x80000001, 'c', 8, true},
    {"SYSCALL/SYSRET", 0x80000001, 'd', 11, true},
    {"NX", 0x80000001, 'd', 20, true},
    {"1-GiB pages", 0x80000001, 'd', 26, true},
    {"RDTSCP", 0x80000001, 'd', 27, true},
    {"Intel 64 (LM)", 0x80000001, 'd', 29, true},
};

uint64_t Reg(const Regs& r, char reg) { return reg == 'b' ? r.ebx : reg == 'c' ? r.ecx : r.edx; }

TEST(CpuidTest, VendorAndHighestLeaves) {
  const Regs leaf0 = RunCpuid(0);
  EXPECT_EQ(leaf0.eax, 0xdu) << "highest basic leaf: 0xD, the XSAVE state";
  EXPECT_EQ(Chars({leaf0.ebx, leaf0.edx, leaf0.ecx}), "GenuineIntel");
  EXPECT_EQ(RunCpuid(0x80000000).eax, 0x80000008u) << "highest extended leaf";
}

// Leaf 1 EAX (SDM vol. 2A figure 3-6): stepping 3:0, model 7:4, family
// 11:8, type 13:12, extended model 19:16, extended family 27:20. For
// family 6 the model is extended model << 4 | model.
TEST(CpuidTest, FamilyModelStepping) {
  const uint64_t eax = RunCpuid(1).eax;
  EXPECT_EQ(eax & 0xf, 3u) << "stepping";
  EXPECT_EQ(eax >> 8 & 0xf, 6u) << "family";
  EXPECT_EQ(eax >> 12 & 0x3, 0u) << "type: original OEM processor";
  EXPECT_EQ(eax >> 20 & 0xff, 0u) << "extended family (used only with family 0xF)";
  EXPECT_EQ((eax >> 16 & 0xf) << 4 | (eax >> 4 & 0xf), 0x5eu) << "model: Skylake client";
  EXPECT_EQ(eax, 0x000506e3u) << "reserved bits clear";
}

// Leaf 1 EBX: brand index 7:0, CLFLUSH line size in 8-byte units 15:8,
// logical processors per package 23:16, initial APIC ID 31:24.
TEST(CpuidTest, Leaf1Ebx) {
  const uint64_t ebx = RunCpuid(1).ebx;
  EXPECT_EQ(ebx & 0xff, 0u) << "no brand index";
  EXPECT_EQ((ebx >> 8 & 0xff) * 8, 64u) << "CLFLUSH line size in bytes";
  EXPECT_EQ(ebx >> 16 & 0xff, 1u) << "one logical processor";
  EXPECT_EQ(ebx >> 24, 0u) << "initial APIC ID of the only CPU";
}

// Every feature x64sim implements is advertised; every one it lacks is not,
// and no bit outside this table is set in the feature registers.
TEST(CpuidTest, AdvertisesExactlyTheImplementedFeatures) {
  struct Register {
    uint32_t leaf;
    char reg;
  };
  for (const Register& where : {Register{1, 'c'}, Register{1, 'd'}, Register{7, 'b'}, Register{7, 'c'},
                                Register{0x80000001, 'c'}, Register{0x80000001, 'd'}}) {
    const uint64_t got = Reg(RunCpuid(where.leaf), where.reg);
    uint64_t advertised = 0;
    for (const Feature& f : kFeatures) {
      if (f.leaf != where.leaf || f.reg != where.reg) continue;
      EXPECT_EQ(got >> f.bit & 1, f.advertised ? 1u : 0u) << f.name;
      if (f.advertised) advertised |= 1ull << f.bit;
    }
    EXPECT_EQ(got, advertised) << "leaf " << std::hex << where.leaf << " e" << where.reg
                               << "x has bits no feature here names";
  }
}

TEST(CpuidTest, Leaf7) {
  const Regs sub0 = RunCpuid(7, 0);
  EXPECT_EQ(sub0.eax, 0u) << "subleaf 0 is the last";
  EXPECT_EQ(sub0.ecx, 1u << 22) << "RDPID only: no UMIP, PKU, ...";
  EXPECT_EQ(sub0.edx, 0u);
  const Regs sub1 = RunCpuid(7, 1);
  EXPECT_EQ(sub1.eax | sub1.ebx | sub1.ecx | sub1.edx, 0u);
}

TEST(CpuidTest, BrandString) {
  std::string brand;
  for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; ++leaf) {
    const Regs r = RunCpuid(leaf);
    brand += Chars({r.eax, r.ebx, r.ecx, r.edx});
  }
  ASSERT_EQ(brand.size(), 48u);
  EXPECT_EQ(brand.substr(0, brand.find_last_not_of(std::string(" \0", 2)) + 1),
            "x64sim cycle-approximate x86-64 simulator");
}

// Leaf 0x80000008 EAX: physical address bits 7:0, linear address bits 15:8.
TEST(CpuidTest, AddressSizes) {
  const Regs r = RunCpuid(0x80000008);
  EXPECT_EQ(r.eax & 0xff, 39u) << "physical address bits";
  EXPECT_EQ(r.eax >> 8 & 0xff, 48u) << "linear address bits";
  EXPECT_EQ(r.eax >> 16, 0u);
}

// CPUID reports the MMU's MAXPHYADDR and 1 GiB page support, whatever the
// description says, so the guest sizes its page tables by what the walker
// enforces.
TEST(CpuidTest, AddressSizeAndHugePagesFollowTheMmuDescription) {
  MicroArch arch = kSkylakeClient;
  arch.phys_addr_bits = 46;
  arch.has_1g_pages = false;
  EXPECT_EQ(Cpuid(0x80000008, 0, DefaultCpuModel(), arch).eax & 0xff, 46u);
  EXPECT_EQ(Cpuid(0x80000001, 0, DefaultCpuModel(), arch).edx >> 26 & 1, 0u) << "Page1GB";
  arch.has_1g_pages = true;
  EXPECT_EQ(Cpuid(0x80000001, 0, DefaultCpuModel(), arch).edx >> 26 & 1, 1u) << "Page1GB";
}

}  // namespace
}  // namespace x64sim::testing
