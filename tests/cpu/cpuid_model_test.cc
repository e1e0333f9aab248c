// --cpuid models (cpu/cpu_model.h): CPUID's values on each model, the
// instructions a Nehalem or a Haswell lacks raising #UD (counted by name),
// LZCNT and TZCNT running as BSR and BSF on Nehalem (SDM vol. 2A: without
// the feature the F3 prefix is ignored), and the CR4 bits and MSRs a model
// lacks faulting.
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/cpuid.h"
#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

const CpuModel& Nehalem() { return *FindCpuModel("nehalem"); }
const CpuModel& Skylake() { return *FindCpuModel("skylake"); }
const CpuModel& Haswell() { return *FindCpuModel("haswell"); }

struct Regs {
  uint32_t eax, ebx, ecx, edx;
  bool operator==(const Regs&) const = default;
};

Regs GuestCpuid(M& m, uint32_t leaf, uint32_t subleaf = 0) {
  m.state().gpr[kRax] = leaf;
  m.state().gpr[kRcx] = subleaf;
  EXPECT_EQ(m.Run({0x0f, 0xa2}).vector, -1);
  const uint64_t* g = m.state().gpr;
  return {static_cast<uint32_t>(g[kRax]), static_cast<uint32_t>(g[kRbx]),
          static_cast<uint32_t>(g[kRcx]), static_cast<uint32_t>(g[kRdx])};
}

TEST(CpuidModelTest, NamesAndDefault) {
  EXPECT_EQ(&DefaultCpuModel(), &Skylake());
  EXPECT_EQ(FindCpuModel("pentium"), nullptr);
  EXPECT_EQ(CpuModelNames(), "skylake, nehalem, haswell");
}

// The values x64sim reported before models existed: the default is unchanged.
TEST(CpuidModelTest, SkylakeLeavesAreTheDefaultMachine) {
  M m;
  EXPECT_EQ(GuestCpuid(m, 0).eax, 0xdu);
  EXPECT_EQ(GuestCpuid(m, 1), (Regs{0x000506e3, 0x00010800, 0x76da320b, 0x0789abfd}));
  EXPECT_EQ(GuestCpuid(m, 5), (Regs{64, 64, 3, 0x11142120}));
  EXPECT_EQ(GuestCpuid(m, 7), (Regs{0, 0x009c25a9, 0x00400000, 0}));
  EXPECT_EQ(GuestCpuid(m, 0xd, 1).eax, 0xfu);
  EXPECT_EQ(GuestCpuid(m, 0x80000001), (Regs{0, 0, 0x121, 0x2c100800}));
}

// Core i7 (Nehalem): family 6, model 1AH, stepping 5; SSE3, MONITOR, SSSE3,
// CMPXCHG16B, SSE4.1, SSE4.2, POPCNT; LAHF64, SYSCALL, NX, 1 GiB pages,
// RDTSCP, LM.
TEST(CpuidModelTest, NehalemLeaves) {
  M m;
  m.cpu().set_cpu_model(Nehalem());
  EXPECT_EQ(GuestCpuid(m, 0), (Regs{0xb, 0x756e6547, 0x6c65746e, 0x49656e69}));
  EXPECT_EQ(GuestCpuid(m, 1), (Regs{0x000106a5, 0x00010800, 0x00982209, 0x0789abfd}));
  EXPECT_EQ(GuestCpuid(m, 5), (Regs{64, 64, 3, 0x1120}));
  EXPECT_EQ(GuestCpuid(m, 7), (Regs{0, 0, 0, 0}));
  EXPECT_EQ(GuestCpuid(m, 0xd, 0), (Regs{0, 0, 0, 0})) << "no XSAVE";
  EXPECT_EQ(GuestCpuid(m, 0xd, 1), (Regs{0, 0, 0, 0}));
  EXPECT_EQ(GuestCpuid(m, 0xc), (Regs{0, 0, 0, 0})) << "above the maximum leaf";
  EXPECT_EQ(GuestCpuid(m, 0x80000001), (Regs{0, 0, 0x1, 0x2c100800}));
}

// 36 address bits; 1 GiB pages as upstream seL4 runs it (QEMU's
// -cpu Nehalem,+pdpe1gb), from the --uarch description like Skylake's.
TEST(CpuidModelTest, NehalemAddressBitsAndPages) {
  const MicroArch arch = LimitToModel(kSkylakeClient, Nehalem());
  EXPECT_TRUE(arch.has_1g_pages);
  EXPECT_EQ(arch.phys_addr_bits, 36);
  EXPECT_EQ(Cpuid(0x80000008, 0, Nehalem(), arch).eax, 0x3024u);
  MicroArch no_1g = kSkylakeClient;
  no_1g.has_1g_pages = false;
  EXPECT_EQ(Cpuid(0x80000001, 0, Nehalem(), LimitToModel(no_1g, Nehalem())).edx & (1u << 26), 0u);
  // Skylake takes MAXPHYADDR from the --uarch description.
  MicroArch wide = kSkylakeClient;
  wide.phys_addr_bits = 46;
  EXPECT_EQ(LimitToModel(wide, Skylake()).phys_addr_bits, 46);
  EXPECT_TRUE(LimitToModel(wide, Skylake()).has_1g_pages);
}

// Core i7-4770 (Haswell): the values of InstLatx64's dump
// GenuineIntel00306C3_Haswell_CPUID.txt less the bits for what x64sim does
// not model (leaf 1 ECX: DTES64, DS-CPL, VMX, SMX, EIST, TM2, SDBG, xTPR,
// PDCM, x2APIC, TSC-deadline; leaf 7 EBX: TSC_ADJUST, ERMS). OSXSAVE is
// clear until CR4.OSXSAVE is set; SYSCALL is reported in every mode.
TEST(CpuidModelTest, HaswellLeaves) {
  M m;
  m.cpu().set_cpu_model(Haswell());
  EXPECT_EQ(GuestCpuid(m, 0), (Regs{0xd, 0x756e6547, 0x6c65746e, 0x49656e69}));
  EXPECT_EQ(GuestCpuid(m, 1), (Regs{0x000306c3, 0x00010800, 0x76da320b, 0x0789abfd}));
  EXPECT_EQ(GuestCpuid(m, 5), (Regs{0x40, 0x40, 3, 0x00042120}));
  EXPECT_EQ(GuestCpuid(m, 7), (Regs{0, 0x000025a9, 0, 0}));
  // XSAVE: x87, SSE and AVX, 0x340 bytes for all three; XSAVEOPT only.
  const Regs xsave = GuestCpuid(m, 0xd, 0);
  EXPECT_EQ(xsave.eax, 7u);
  EXPECT_EQ(xsave.ebx, 0x240u) << "XCR0 = x87 only";
  EXPECT_EQ(xsave.ecx, 0x340u);
  EXPECT_EQ(GuestCpuid(m, 0xd, 1).eax, 1u);
  EXPECT_EQ(GuestCpuid(m, 0xd, 2), (Regs{0x100, 0x240, 0, 0}));
  EXPECT_EQ(GuestCpuid(m, 0x80000000).eax, 0x80000008u);
  EXPECT_EQ(GuestCpuid(m, 0x80000001), (Regs{0, 0, 0x21, 0x2c100800}));
  const MicroArch arch = LimitToModel(kSkylakeClient, Haswell());
  EXPECT_EQ(Cpuid(0x80000008, 0, Haswell(), arch).eax, 0x3027u);
  EXPECT_TRUE(arch.has_1g_pages);
}

struct Missing {
  const char* mnemonic;
  std::vector<uint8_t> code;
  bool runs_on_skylake_as_is;  // false: needs CR4/XCR0 set up there
};

// Every extension a Nehalem lacks that x64sim implements. RDI points at
// 64-byte aligned, writable data.
const Missing kMissingOnNehalem[] = {
    {"movbe", {0x0f, 0x38, 0xf0, 0x07}, true},                // movbe eax, [rdi]
    {"andn", {0xc4, 0xe2, 0x60, 0xf2, 0xc1}, true},           // andn eax, ebx, ecx
    {"shlx", {0xc4, 0xe2, 0x61, 0xf7, 0xc1}, true},           // shlx eax, ecx, ebx
    {"adcx", {0x66, 0x0f, 0x38, 0xf6, 0xc1}, true},           // adcx eax, ecx
    {"rdrand", {0x0f, 0xc7, 0xf0}, true},                     // rdrand eax
    {"rdseed", {0x0f, 0xc7, 0xf8}, true},                     // rdseed eax
    {"pclmulqdq", {0x66, 0x0f, 0x3a, 0x44, 0xc1, 0x00}, true},
    {"aesenc", {0x66, 0x0f, 0x38, 0xdc, 0xc1}, true},
    {"rdpid", {0xf3, 0x0f, 0xc7, 0xf8}, true},                // rdpid rax
    {"clflushopt", {0x66, 0x0f, 0xae, 0x3f}, true},           // clflushopt [rdi]
    {"invpcid", {0x66, 0x0f, 0x38, 0x82, 0x07}, false},       // invpcid rax, [rdi]
    {"vaddps", {0xc5, 0xf0, 0x58, 0xc2}, false},              // vaddps xmm0, xmm1, xmm2
    {"vfmadd132ps", {0xc4, 0xe2, 0x71, 0x98, 0xc2}, false},
    {"vcvtph2ps", {0xc4, 0xe2, 0x79, 0x13, 0xc1}, false},
    {"xgetbv", {0x0f, 0x01, 0xd0}, false},
    {"xsave", {0x0f, 0xae, 0x27}, false},                     // xsave [rdi]
    {"xsaveopt", {0x0f, 0xae, 0x37}, false},
    {"xsavec", {0x0f, 0xc7, 0x27}, false},
    {"rdfsbase", {0xf3, 0x48, 0x0f, 0xae, 0xc0}, false},
};

TEST(CpuidModelTest, NehalemRaisesUdForWhatItLacksAndCountsIt) {
  for (const Missing& c : kMissingOnNehalem) {
    M m;
    m.cpu().set_cpu_model(Nehalem());
    m.state().gpr[kRdi] = M::kData;
    m.state().gpr[kRax] = 0;
    EXPECT_EQ(m.Run(c.code).vector, kInvalidOpcode) << c.mnemonic;
    EXPECT_EQ(m.cpu().unimplemented_counts().count(c.mnemonic), 1u) << c.mnemonic;
  }
}

TEST(CpuidModelTest, SkylakeRunsThem) {
  for (const Missing& c : kMissingOnNehalem) {
    if (!c.runs_on_skylake_as_is) continue;
    M m;
    m.state().gpr[kRdi] = M::kData;
    EXPECT_EQ(m.Run(c.code).vector, -1) << c.mnemonic;
  }
}

TEST(CpuidModelTest, NehalemRunsWhatItHas) {
  M m;
  m.cpu().set_cpu_model(Nehalem());
  m.state().gpr[kRcx] = 0xf0f0;
  EXPECT_EQ(m.Run({0xf3, 0x0f, 0xb8, 0xc1}).vector, -1);  // popcnt eax, ecx
  EXPECT_EQ(m.state().gpr[kRax], 8u);
  EXPECT_EQ(m.Run({0xf2, 0x0f, 0x38, 0xf1, 0xc1}).vector, -1);  // crc32 eax, ecx
  EXPECT_EQ(m.Run({0x66, 0x0f, 0x38, 0x17, 0xc1}).vector, -1);  // ptest xmm0, xmm1
  EXPECT_EQ(m.Run({0x0f, 0x01, 0xf9}).vector, -1);              // rdtscp
  EXPECT_EQ(m.Run({0x9f}).vector, -1);                          // lahf
  EXPECT_EQ(m.Run({0x0f, 0x0d, 0x0f}).vector, -1);              // prefetchw [rdi]: a NOP there
  EXPECT_TRUE(m.cpu().unimplemented_counts().empty());
}

// Decoded blocks do not outlive a model change.
TEST(CpuidModelTest, ChangingTheModelRedecodes) {
  M m;
  m.state().gpr[kRdi] = M::kData;
  const std::vector<uint8_t> movbe = {0x0f, 0x38, 0xf0, 0x07};
  EXPECT_EQ(m.Run(movbe).vector, -1);
  m.cpu().set_cpu_model(Nehalem());
  EXPECT_EQ(m.Run(movbe).vector, kInvalidOpcode);
}

struct Scan {
  uint64_t source;
  uint64_t result;  // RAX starts as 0x5555
  bool zf;
  bool cf;
};

void RunScan(const CpuModel& model, const std::vector<uint8_t>& code, const Scan& s, bool check_cf) {
  M m;
  m.cpu().set_cpu_model(model);
  m.state().gpr[kRax] = 0x5555;
  m.state().gpr[kRcx] = s.source;
  ASSERT_EQ(m.Run(code).vector, -1);
  EXPECT_EQ(m.state().gpr[kRax], s.result) << model.name << " source " << s.source;
  EXPECT_EQ((m.state().rflags & kZF) != 0, s.zf) << model.name << " source " << s.source;
  if (check_cf) {
    EXPECT_EQ((m.state().rflags & kCF) != 0, s.cf) << model.name << " source " << s.source;
  }
}

// F3 REX.W 0F BD: LZCNT on Skylake (CF = source is 0, ZF = result is 0),
// BSR on Nehalem (ZF = source is 0, the destination then unchanged; CF
// undefined, not checked).
TEST(CpuidModelTest, LzcntIsBsrOnNehalem) {
  const std::vector<uint8_t> lzcnt = {0xf3, 0x48, 0x0f, 0xbd, 0xc1};  // lzcnt rax, rcx
  for (const Scan& s : {Scan{0x10, 59, false, false}, Scan{0, 64, false, true},
                        Scan{1ull << 63, 0, true, false}}) {
    RunScan(Skylake(), lzcnt, s, true);
  }
  for (const Scan& s : {Scan{0x10, 4, false, false}, Scan{0, 0x5555, true, false},
                        Scan{1ull << 63, 63, false, false}}) {
    RunScan(Nehalem(), lzcnt, s, false);
  }
}

TEST(CpuidModelTest, TzcntIsBsfOnNehalem) {
  const std::vector<uint8_t> tzcnt = {0xf3, 0x48, 0x0f, 0xbc, 0xc1};  // tzcnt rax, rcx
  for (const Scan& s : {Scan{0x10, 4, false, false}, Scan{0, 64, false, true},
                        Scan{1, 0, true, false}}) {
    RunScan(Skylake(), tzcnt, s, true);
  }
  for (const Scan& s : {Scan{0x10, 4, false, false}, Scan{0, 0x5555, true, false},
                        Scan{1, 0, false, false}}) {
    RunScan(Nehalem(), tzcnt, s, false);
  }
}

M::Outcome WriteCr4(M& m, uint64_t value) {
  m.state().gpr[kRax] = value;
  return m.Run({0x0f, 0x22, 0xe0});  // mov cr4, rax
}

TEST(CpuidModelTest, Cr4BitsNehalemLacksAreGp) {
  for (uint64_t bit : {kCr4OSXSAVE, kCr4FSGSBASE, kCr4SMEP, kCr4SMAP, kCr4PCIDE}) {
    M nehalem;
    nehalem.cpu().set_cpu_model(Nehalem());
    const uint64_t before = nehalem.state().cr4;
    M::Outcome o = WriteCr4(nehalem, before | bit);
    EXPECT_EQ(o.vector, kGeneralProtection) << bit;
    EXPECT_EQ(o.error_code, 0u);
    EXPECT_EQ(nehalem.state().cr4, before);
    M skylake;
    EXPECT_EQ(WriteCr4(skylake, skylake.state().cr4 | bit).vector, -1) << bit;
  }
  M nehalem;
  nehalem.cpu().set_cpu_model(Nehalem());
  EXPECT_EQ(WriteCr4(nehalem, nehalem.state().cr4 | kCr4PGE | kCr4OSXMMEXCPT).vector, -1);
}

TEST(CpuidModelTest, XssMsrIsGpOnNehalem) {
  const std::vector<uint8_t> rdmsr = {0x0f, 0x32}, wrmsr = {0x0f, 0x30};
  M nehalem;
  nehalem.cpu().set_cpu_model(Nehalem());
  nehalem.state().gpr[kRcx] = 0xda0;  // IA32_XSS
  EXPECT_EQ(nehalem.Run(rdmsr).vector, kGeneralProtection);
  nehalem.state().gpr[kRax] = nehalem.state().gpr[kRdx] = 0;
  EXPECT_EQ(nehalem.Run(wrmsr).vector, kGeneralProtection);
  nehalem.state().gpr[kRcx] = 0xc0000103;  // IA32_TSC_AUX: RDTSCP has it
  EXPECT_EQ(nehalem.Run(rdmsr).vector, -1);
  M skylake;
  skylake.state().gpr[kRcx] = 0xda0;
  EXPECT_EQ(skylake.Run(rdmsr).vector, -1);
}

// A Haswell with CR4.OSXSAVE set and XCR0 = x87 | SSE | AVX, as an OS
// leaves it, so that only the model decides what runs.
void SetUpHaswell(M& m) {
  m.cpu().set_cpu_model(Haswell());
  m.cpu().WriteCr4(m.state().cr4 | kCr4OSXSAVE | kCr4FSGSBASE);
  m.state().xcr0 = kXcr0X87 | kXcr0Sse | kXcr0Avx;
  m.state().gpr[kRdi] = M::kData;
  m.state().gpr[kRax] = 7;
  m.state().gpr[kRdx] = 0;
}

// What came after Haswell: ADX, RDSEED, CLFLUSHOPT (Broadwell, Skylake),
// XSAVEC and XSAVES (Skylake), RDPID (Ice Lake / Goldmont Plus).
TEST(CpuidModelTest, HaswellRaisesUdForWhatItLacksAndCountsIt) {
  const Missing kMissingOnHaswell[] = {
      {"adcx", {0x66, 0x0f, 0x38, 0xf6, 0xc1}, true},
      {"adox", {0xf3, 0x0f, 0x38, 0xf6, 0xc1}, true},
      {"rdseed", {0x0f, 0xc7, 0xf8}, true},
      {"clflushopt", {0x66, 0x0f, 0xae, 0x3f}, true},
      {"xsavec", {0x0f, 0xc7, 0x27}, false},               // xsavec [rdi]
      {"xsaves", {0x0f, 0xc7, 0x2f}, false},               // xsaves [rdi]
      {"rdpid", {0xf3, 0x0f, 0xc7, 0xf8}, true},
  };
  for (const Missing& c : kMissingOnHaswell) {
    M m;
    SetUpHaswell(m);
    EXPECT_EQ(m.Run(c.code).vector, kInvalidOpcode) << c.mnemonic;
    EXPECT_EQ(m.cpu().unimplemented_counts().count(c.mnemonic), 1u) << c.mnemonic;
    M skylake;  // the same set-up on the default model runs them
    skylake.cpu().WriteCr4(skylake.state().cr4 | kCr4OSXSAVE);
    skylake.state().xcr0 = kXcr0X87 | kXcr0Sse | kXcr0Avx;
    skylake.state().gpr[kRdi] = M::kData;
    skylake.state().gpr[kRax] = 7;
    skylake.state().gpr[kRdx] = 0;
    EXPECT_EQ(skylake.Run(c.code).vector, -1) << c.mnemonic;
  }
}

TEST(CpuidModelTest, HaswellRunsAvx2Bmi2FmaAndTheRest) {
  M m;
  SetUpHaswell(m);
  m.state().gpr[kRbx] = 4;
  m.state().gpr[kRcx] = 0x3;
  EXPECT_EQ(m.Run({0xc4, 0xe2, 0x61, 0xf7, 0xc1}).vector, -1);  // shlx eax, ecx, ebx
  EXPECT_EQ(m.state().gpr[kRax], 0x30u);
  for (const std::vector<uint8_t>& code : {
           std::vector<uint8_t>{0xc5, 0xf5, 0xfe, 0xc2},        // vpaddd ymm0, ymm1, ymm2 (AVX2)
           std::vector<uint8_t>{0xc4, 0xe2, 0x71, 0x98, 0xc2},  // vfmadd132ps xmm0, xmm1, xmm2
           std::vector<uint8_t>{0xc4, 0xe2, 0x79, 0x13, 0xc1},  // vcvtph2ps xmm0, xmm1 (F16C)
           std::vector<uint8_t>{0xc4, 0xe2, 0x60, 0xf2, 0xc1},  // andn eax, ebx, ecx (BMI1)
           std::vector<uint8_t>{0x0f, 0x38, 0xf0, 0x07},        // movbe eax, [rdi]
           std::vector<uint8_t>{0x0f, 0xc7, 0xf0},              // rdrand eax
           std::vector<uint8_t>{0xf3, 0x48, 0x0f, 0xae, 0xc0},  // rdfsbase rax
           std::vector<uint8_t>{0x0f, 0x01, 0xf9},              // rdtscp
       }) {
    m.state().gpr[kRdi] = M::kData;
    EXPECT_EQ(m.Run(code).vector, -1) << int{code[0]} << " " << int{code[1]} << " " << int{code[2]};
  }
  m.state().gpr[kRax] = 7;
  m.state().gpr[kRdx] = 0;
  m.state().gpr[kRdi] = M::kData;
  EXPECT_EQ(m.Run({0x0f, 0xae, 0x27}).vector, -1);  // xsave [rdi]
  EXPECT_EQ(m.Run({0x0f, 0xae, 0x37}).vector, -1);  // xsaveopt [rdi]
  EXPECT_TRUE(m.cpu().unimplemented_counts().empty());
  // LZCNT and TZCNT are themselves, not BSR and BSF.
  RunScan(Haswell(), {0xf3, 0x48, 0x0f, 0xbd, 0xc1}, {0, 64, false, true}, true);
  RunScan(Haswell(), {0xf3, 0x48, 0x0f, 0xbc, 0xc1}, {0, 64, false, true}, true);
}

// SMEP, PCID and FSGSBASE are there; SMAP and IA32_XSS are not.
TEST(CpuidModelTest, HaswellCr4BitsAndMsrs) {
  for (uint64_t bit : {kCr4OSXSAVE, kCr4FSGSBASE, kCr4SMEP, kCr4PCIDE}) {
    M m;
    m.cpu().set_cpu_model(Haswell());
    EXPECT_EQ(WriteCr4(m, m.state().cr4 | bit).vector, -1) << bit;
  }
  M m;
  m.cpu().set_cpu_model(Haswell());
  const uint64_t before = m.state().cr4;
  EXPECT_EQ(WriteCr4(m, before | kCr4SMAP).vector, kGeneralProtection);
  EXPECT_EQ(m.state().cr4, before);
  m.state().gpr[kRcx] = 0xda0;  // IA32_XSS
  EXPECT_EQ(m.Run({0x0f, 0x32}).vector, kGeneralProtection);
}

}  // namespace
}  // namespace x64sim::testing
