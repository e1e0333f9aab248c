// MMX against the host: every MMX form and every MMX form of SSE, SSE2 and
// SSSE3, register and memory operands, random and edge values, with the
// whole x87 state around them (tests/cpu/mmx_differential.h); the
// aliasing with the x87 registers seen through FLD, FNSTENV, FNSAVE/FRSTOR
// and FXSAVE; a sample in 32-bit protected mode; then what the host cannot
// show: the #UD/#NM/#MF rules. MASKMOVDQU, which shares MASKMOVQ's store,
// is here too.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/mmx_differential.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {
namespace {

struct MmxForm {
  std::string text;
  std::vector<uint8_t> bytes;
  uint8_t options = MmxDifferential::kNone;
  int skip_from = 0, skip_to = 0;  // memory bytes not compared
};

using Bytes = std::vector<uint8_t>;

Bytes Append(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// "name mm0,mm1" and "name mm0,[m]" for an opcode taking mm, mm/m64.
void AddRegisterAndMemory(std::vector<MmxForm>& forms, const std::string& name, const Bytes& opcode,
                          int imm = -1) {
  const Bytes tail = imm < 0 ? Bytes{} : Bytes{static_cast<uint8_t>(imm)};
  const std::string suffix = imm < 0 ? "" : "," + std::to_string(imm);
  forms.push_back({name + " mm0,mm1" + suffix, Append(WithRegisters(opcode, 0, 1), tail)});
  forms.push_back({name + " mm0,[m]" + suffix, Append(WithMemory(opcode), tail)});
}

std::vector<MmxForm> PackedForms() {
  const struct {
    const char* name;
    uint8_t opcode;
  } k0f[] = {
      // MMX.
      {"punpcklbw", 0x60}, {"punpcklwd", 0x61}, {"punpckldq", 0x62}, {"packsswb", 0x63},
      {"pcmpgtb", 0x64},   {"pcmpgtw", 0x65},   {"pcmpgtd", 0x66},   {"packuswb", 0x67},
      {"punpckhbw", 0x68}, {"punpckhwd", 0x69}, {"punpckhdq", 0x6a}, {"packssdw", 0x6b},
      {"pcmpeqb", 0x74},   {"pcmpeqw", 0x75},   {"pcmpeqd", 0x76},   {"psrlw", 0xd1},
      {"psrld", 0xd2},     {"psrlq", 0xd3},     {"pmullw", 0xd5},    {"psubusb", 0xd8},
      {"psubusw", 0xd9},   {"pand", 0xdb},      {"paddusb", 0xdc},   {"paddusw", 0xdd},
      {"pandn", 0xdf},     {"psraw", 0xe1},     {"psrad", 0xe2},     {"pmulhw", 0xe5},
      {"psubsb", 0xe8},    {"psubsw", 0xe9},    {"por", 0xeb},       {"paddsb", 0xec},
      {"paddsw", 0xed},    {"pxor", 0xef},      {"psllw", 0xf1},     {"pslld", 0xf2},
      {"psllq", 0xf3},     {"pmaddwd", 0xf5},   {"psubb", 0xf8},     {"psubw", 0xf9},
      {"psubd", 0xfa},     {"paddb", 0xfc},     {"paddw", 0xfd},     {"paddd", 0xfe},
      // SSE.
      {"pavgb", 0xe0},     {"pavgw", 0xe3},     {"pmulhuw", 0xe4},   {"pminub", 0xda},
      {"pmaxub", 0xde},    {"pminsw", 0xea},    {"pmaxsw", 0xee},    {"psadbw", 0xf6},
      // SSE2.
      {"paddq", 0xd4},     {"psubq", 0xfb},     {"pmuludq", 0xf4},
  };
  const struct {
    const char* name;
    uint8_t opcode;
  } k0f38[] = {
      {"pshufb", 0x00},    {"phaddw", 0x01}, {"phaddd", 0x02}, {"phaddsw", 0x03},
      {"pmaddubsw", 0x04}, {"phsubw", 0x05}, {"phsubd", 0x06}, {"phsubsw", 0x07},
      {"psignb", 0x08},    {"psignw", 0x09}, {"psignd", 0x0a}, {"pmulhrsw", 0x0b},
      {"pabsb", 0x1c},     {"pabsw", 0x1d},  {"pabsd", 0x1e},
  };
  std::vector<MmxForm> forms;
  for (const auto& op : k0f) AddRegisterAndMemory(forms, op.name, {0x0f, op.opcode});
  for (const auto& op : k0f38) AddRegisterAndMemory(forms, op.name, {0x0f, 0x38, op.opcode});
  for (int imm : {0, 1, 4, 7, 8, 9, 15, 16, 200, 255}) {
    AddRegisterAndMemory(forms, "palignr", {0x0f, 0x3a, 0x0f}, imm);
  }
  for (int imm : {0x00, 0x1b, 0xe4, 0x4e, 0xff}) {
    AddRegisterAndMemory(forms, "pshufw", {0x0f, 0x70}, imm);
  }
  // Shifts by an immediate: 0F 71 (words), 72 (dwords), 73 (quadwords), /2 /4 /6.
  const struct {
    const char* name;
    uint8_t opcode, reg;
  } kShifts[] = {{"psrlw", 0x71, 2}, {"psraw", 0x71, 4}, {"psllw", 0x71, 6}, {"psrld", 0x72, 2},
                 {"psrad", 0x72, 4}, {"pslld", 0x72, 6}, {"psrlq", 0x73, 2}, {"psllq", 0x73, 6}};
  for (const auto& op : kShifts) {
    for (int imm : {0, 1, 7, 15, 16, 31, 32, 63, 64, 200}) {
      const Bytes code = WithRegisters({0x0f, op.opcode}, op.reg, 3);
      forms.push_back({std::string(op.name) + " mm3," + std::to_string(imm),
                       Append(code, {static_cast<uint8_t>(imm)})});
    }
  }
  // Other registers, and a register with itself.
  forms.push_back({"paddsw mm7,mm2", WithRegisters({0x0f, 0xed}, 7, 2)});
  forms.push_back({"packuswb mm4,mm4", WithRegisters({0x0f, 0x67}, 4, 4)});
  forms.push_back({"phaddw mm6,mm5", WithRegisters({0x0f, 0x38, 0x01}, 6, 5)});
  forms.push_back({"punpckhbw mm2,mm7", WithRegisters({0x0f, 0x68}, 2, 7)});
  return forms;
}

std::vector<MmxForm> MoveForms() {
  const Bytes rex_w = {0x48};
  std::vector<MmxForm> forms = {
      {"movd mm0,eax", WithRegisters({0x0f, 0x6e}, 0, 0)},
      {"movd mm0,[m]", WithMemory({0x0f, 0x6e})},
      {"movq mm0,rax", WithRegisters({0x48, 0x0f, 0x6e}, 0, 0)},
      {"movq mm0,[m] (REX.W 6E)", WithMemory({0x48, 0x0f, 0x6e})},
      {"movd ecx,mm1", WithRegisters({0x0f, 0x7e}, 1, 1)},
      {"movd [m],mm1", WithMemory({0x0f, 0x7e}, 1)},
      {"movq rdx,mm1", WithRegisters({0x48, 0x0f, 0x7e}, 1, 2)},
      {"movq [m],mm1 (REX.W 7E)", WithMemory({0x48, 0x0f, 0x7e}, 1)},
      {"movq mm0,mm1", WithRegisters({0x0f, 0x6f}, 0, 1)},
      {"movq mm0,[m]", WithMemory({0x0f, 0x6f})},
      {"movq mm0,mm1 (7F)", WithRegisters({0x0f, 0x7f}, 1, 0)},
      {"movq [m],mm1", WithMemory({0x0f, 0x7f}, 1)},
      {"movntq [m],mm1", WithMemory({0x0f, 0xe7}, 1)},
      {"maskmovq mm1,mm2", WithRegisters({0x0f, 0xf7}, 1, 2)},
      {"emms", {0x0f, 0x77}},
      {"pmovmskb eax,mm1", WithRegisters({0x0f, 0xd7}, 0, 1)},
      {"pmovmskb rcx,mm5", WithRegisters({0x48, 0x0f, 0xd7}, 1, 5)},
      {"movq2dq xmm0,mm1", WithRegisters({0xf3, 0x0f, 0xd6}, 0, 1)},
      {"movdq2q mm0,xmm1", WithRegisters({0xf2, 0x0f, 0xd6}, 0, 1)},
  };
  for (int imm : {0, 1, 2, 3, 6, 255}) {
    const uint8_t i = static_cast<uint8_t>(imm);
    const std::string s = "," + std::to_string(imm);
    forms.push_back({"pextrw eax,mm1" + s, Append(WithRegisters({0x0f, 0xc5}, 0, 1), {i})});
    forms.push_back({"pinsrw mm0,ecx" + s, Append(WithRegisters({0x0f, 0xc4}, 0, 1), {i})});
    forms.push_back({"pinsrw mm0,[m]" + s, Append(WithMemory({0x0f, 0xc4}), {i})});
  }
  return forms;
}

std::vector<MmxForm> ConversionForms() {
  return {
      {"cvtpi2ps xmm0,mm1", WithRegisters({0x0f, 0x2a}, 0, 1)},
      {"cvtpi2ps xmm0,[m]", WithMemory({0x0f, 0x2a}), MmxDifferential::kSdmSwitch},
      {"cvtpi2pd xmm0,mm1", WithRegisters({0x66, 0x0f, 0x2a}, 0, 1)},
      {"cvtpi2pd xmm0,[m]", WithMemory({0x66, 0x0f, 0x2a})},
      {"cvtps2pi mm0,xmm1", WithRegisters({0x0f, 0x2d}, 0, 1)},
      {"cvtps2pi mm0,[m]", WithMemory({0x0f, 0x2d})},
      {"cvttps2pi mm0,xmm1", WithRegisters({0x0f, 0x2c}, 0, 1)},
      {"cvttps2pi mm0,[m]", WithMemory({0x0f, 0x2c})},
      {"cvtpd2pi mm0,xmm1", WithRegisters({0x66, 0x0f, 0x2d}, 0, 1)},
      {"cvtpd2pi mm0,[m]", WithMemory({0x66, 0x0f, 0x2d})},
      {"cvttpd2pi mm0,xmm1", WithRegisters({0x66, 0x0f, 0x2c}, 0, 1)},
      {"cvttpd2pi mm0,[m]", WithMemory({0x66, 0x0f, 0x2c})},
  };
}

// Each form `rounds` times from random states; returns the runs compared.
int Compare(const std::vector<MmxForm>& forms, int rounds, uint8_t extra_options = 0) {
  int runs = 0;
  for (size_t f = 0; f < forms.size(); ++f) {
    MmxDifferential d(forms[f].bytes, forms[f].options | extra_options);
    MmxValues values(f + 1);
    for (int round = 0; round < rounds; ++round) {
      const std::string what = forms[f].text + " round " + std::to_string(round);
      if (!d.Matches(values.State(), what, forms[f].skip_from, forms[f].skip_to)) return runs;
      ++runs;
    }
  }
  return runs;
}

void ExpectAllMatch(const char* what, const std::vector<MmxForm>& forms, int rounds,
                    uint8_t extra_options = 0) {
  const int runs = Compare(forms, rounds, extra_options);
  EXPECT_EQ(runs, rounds * static_cast<int>(forms.size()));
  std::printf("%s compared with the host: %zu forms (%d runs)\n", what, forms.size(), runs);
}

TEST(MmxDifferentialTest, PackedFormsMatchTheHost) {
  ExpectAllMatch("MMX packed operations", PackedForms(), 300);
}

TEST(MmxDifferentialTest, MovesMatchTheHost) {
  ExpectAllMatch("MMX moves and element access", MoveForms(), 300);
}

TEST(MmxDifferentialTest, ConversionsMatchTheHost) {
  ExpectAllMatch("MMX conversions", ConversionForms(), 400);
}

// MASKMOVDQU, the SSE2 relative of MASKMOVQ (sharing its byte-selective
// store), in both modes; then the legacy-SSE gate.
TEST(MmxDifferentialTest, MaskmovdquMatchesTheHost) {
  const std::vector<MmxForm> forms = {
      {"maskmovdqu xmm1,xmm2", WithRegisters({0x66, 0x0f, 0xf7}, 1, 2)},
      {"maskmovdqu xmm3,xmm0", WithRegisters({0x66, 0x0f, 0xf7}, 3, 0)},
  };
  ExpectAllMatch("MASKMOVDQU", forms, 500);
  ExpectAllMatch("MASKMOVDQU in 32-bit protected mode", forms, 100, MmxDifferential::kProtected32);
  ExpectLegacySseGate({0x66, 0x0f, 0xf7, 0xca});
}

// The aliasing seen by x87 instructions: an MMX write shows in the x87
// register with exponent bits all ones (FLD ST(i), FSTP m80); FNSTENV
// after an MMX instruction shows TOP 0 and the tags the register contents
// give, after EMMS all empty; MMX state survives FNSAVE/FRSTOR (and,
// around every run, FXSAVE/FXRSTOR). The environment's instruction and
// data pointers (bytes 12-27), which MMX code leaves alone, are not
// compared: the host also writes ones in the reserved half of FDS.
TEST(MmxDifferentialTest, X87SeesTheMmxRegisters) {
  const Bytes fstp_m80 = {0xdb, 0xbe, 0x10, 0x02, 0, 0};  // fstp tword [rsi+0x210]
  const Bytes fnstenv = {0xd9, 0xb6, 0x20, 0x02, 0, 0};   // fnstenv [rsi+0x220]
  const Bytes fnsave = {0xdd, 0xb6, 0x10, 0x02, 0, 0};    // fnsave [rsi+0x210]
  const Bytes frstor = {0xdd, 0xa6, 0x10, 0x02, 0, 0};    // frstor [rsi+0x210]
  const std::vector<MmxForm> forms = {
      {"movq mm1,[m]; ffree st7; fld st1; fstp [m+16]",
       Append(Append(WithMemory({0x0f, 0x6f}, 1), {0xdd, 0xc7, 0xd9, 0xc1}), fstp_m80)},
      {"paddb mm0,mm1; fnstenv [m+32]", Append(WithRegisters({0x0f, 0xfc}, 0, 1), fnstenv),
       MmxDifferential::kNone, 32 + 12, 32 + 28},
      {"pxor mm3,mm3; fnstenv [m+32]", Append(WithRegisters({0x0f, 0xef}, 3, 3), fnstenv),
       MmxDifferential::kNone, 32 + 12, 32 + 28},
      {"emms; fnstenv [m+32]", Append({0x0f, 0x77}, fnstenv), MmxDifferential::kNone, 32 + 12,
       32 + 28},
      {"movq mm2,[m]; fnsave [m+16]; frstor [m+16]",
       Append(Append(WithMemory({0x0f, 0x6f}, 2), fnsave), frstor), MmxDifferential::kNone,
       16 + 12, 16 + 28},
  };
  ExpectAllMatch("x87 views of MMX state", forms, 300);
}

// The same code in 32-bit protected mode (the host runs it in 64-bit mode,
// where these encodings mean the same).
TEST(MmxDifferentialTest, ProtectedModeSampleMatchesTheHost) {
  const std::vector<MmxForm> forms = {
      {"paddusb mm0,[m]", WithMemory({0x0f, 0xdc})},
      {"packsswb mm0,mm1", WithRegisters({0x0f, 0x63}, 0, 1)},
      {"punpckhwd mm0,[m]", WithMemory({0x0f, 0x69})},
      {"pshufb mm0,[m]", WithMemory({0x0f, 0x38, 0x00})},
      {"palignr mm0,mm1,3", Append(WithRegisters({0x0f, 0x3a, 0x0f}, 0, 1), {3})},
      {"psllq mm3,33", Append(WithRegisters({0x0f, 0x73}, 6, 3), {33})},
      {"movd mm0,eax", WithRegisters({0x0f, 0x6e}, 0, 0)},
      {"movd eax,mm1", WithRegisters({0x0f, 0x7e}, 1, 0)},
      {"pextrw eax,mm1,2", Append(WithRegisters({0x0f, 0xc5}, 0, 1), {2})},
      {"maskmovq mm1,mm2", WithRegisters({0x0f, 0xf7}, 1, 2)},
      {"cvtpi2ps xmm0,mm1", WithRegisters({0x0f, 0x2a}, 0, 1)},
      {"cvtpd2pi mm0,[m]", WithMemory({0x66, 0x0f, 0x2d})},
      {"movq2dq xmm0,mm1", WithRegisters({0xf3, 0x0f, 0xd6}, 0, 1)},
      {"emms", {0x0f, 0x77}},
  };
  ExpectAllMatch("MMX in 32-bit protected mode", forms, 200, MmxDifferential::kProtected32);
}

// ---- The gates (SDM vol. 3B 22.25.3) -------------------------------------

const Bytes kPaddb = {0x0f, 0xfc, 0xc1};                 // paddb mm0, mm1
const Bytes kPaddbMem = {0x0f, 0xfc, 0x06};              // paddb mm0, [rsi]
const Bytes kMovq2dq = {0xf3, 0x0f, 0xd6, 0xc1};         // movq2dq xmm0, mm1
const Bytes kCvtpi2ps = {0x0f, 0x2a, 0xc1};              // cvtpi2ps xmm0, mm1
const Bytes kCvtpi2pdMem = {0x66, 0x0f, 0x2a, 0x06};     // cvtpi2pd xmm0, [rsi]
const Bytes kEmms = {0x0f, 0x77};

// TOP 5, a few tags, MM0 and its exponent bits, and (if `pending`) an
// unmasked invalid-operation exception pending.
void SetX87State(LongModeMachine& m, bool pending) {
  SseState& s = m.state().sse;
  s.fcw = pending ? 0x037e : 0x037f;
  s.fsw = static_cast<uint16_t>((5 << 11) | (pending ? 0x8081 : 0));
  s.ftw = 0x21;
  for (int r = 0; r < 8; ++r) std::memset(s.st[r], 0x10 + r, 10);
  m.state().gpr[kRsi] = LongModeMachine::kData;
}

// The fault leaves every register as it was.
void ExpectFault(LongModeMachine& m, const Bytes& code, int vector, const std::string& what) {
  const SseState before = m.state().sse;
  EXPECT_EQ(m.Run(code).vector, vector) << what;
  const SseState& s = m.state().sse;
  EXPECT_EQ(s.fsw, before.fsw) << what;
  EXPECT_EQ(s.ftw, before.ftw) << what;
  EXPECT_EQ(0, std::memcmp(s.st, before.st, sizeof(s.st))) << what;
  EXPECT_EQ(0, std::memcmp(s.xmm, before.xmm, sizeof(s.xmm))) << what;
}

TEST(MmxChecksTest, MmxInstructionsNeedOnlyCr0) {
  for (const Bytes* code : {&kPaddb, &kPaddbMem, &kEmms}) {
    LongModeMachine m;
    SetX87State(m, false);
    m.state().cr0 |= kCr0EM | kCr0TS;
    ExpectFault(m, *code, kInvalidOpcode, "EM and TS");  // EM first
    m.state().cr0 &= ~kCr0EM;
    ExpectFault(m, *code, kDeviceNotAvailable, "TS");
    m.state().cr0 &= ~kCr0TS;
    SetX87State(m, true);
    ExpectFault(m, *code, kFpuError, "pending x87 exception");
    // CR4.OSFXSR does not apply to MMX-register-only forms (tables 22-7, 22-8).
    SetX87State(m, false);
    m.state().cr4 &= ~kCr4OSFXSR;
    EXPECT_EQ(m.Run(*code).vector, -1);
    EXPECT_EQ((m.state().sse.fsw >> 11) & 7, 0);
    EXPECT_EQ(m.state().sse.ftw, code == &kEmms ? 0x00 : 0xff);
  }
}

TEST(MmxChecksTest, FormsWithXmmRegistersFollowTheSseRulesToo) {
  for (const Bytes* code : {&kMovq2dq, &kCvtpi2ps}) {
    LongModeMachine m;
    SetX87State(m, false);
    m.state().cr4 &= ~kCr4OSFXSR;
    ExpectFault(m, *code, kInvalidOpcode, "OSFXSR clear");
    m.state().cr4 |= kCr4OSFXSR;
    m.state().cr0 |= kCr0EM;
    ExpectFault(m, *code, kInvalidOpcode, "EM");
    m.state().cr0 ^= kCr0EM | kCr0TS;
    ExpectFault(m, *code, kDeviceNotAvailable, "TS");
    m.state().cr0 &= ~kCr0TS;
    SetX87State(m, true);
    ExpectFault(m, *code, kFpuError, "pending x87 exception");
  }
}

// SDM vol. 2A CVTPI2PD: with a memory source it is no MMX instruction: no
// #MF, TOP and tags stay.
TEST(MmxChecksTest, Cvtpi2pdFromMemoryLeavesTheX87UnitAlone) {
  LongModeMachine m;
  SetX87State(m, true);
  EXPECT_EQ(m.Run(kCvtpi2pdMem).vector, -1);
  EXPECT_EQ(m.state().sse.fsw, (5 << 11) | 0x8081);
  EXPECT_EQ(m.state().sse.ftw, 0x21);
  m.state().cr0 |= kCr0TS;
  EXPECT_EQ(m.Run(kCvtpi2pdMem).vector, kDeviceNotAvailable);
}

// A page fault on the memory operand leaves the x87 unit as it was: the
// switch to MMX use happens only when the instruction completes.
TEST(MmxChecksTest, PageFaultLeavesTheX87UnitAlone) {
  LongModeMachine m;
  SetX87State(m, false);
  m.SetPteFlags(LongModeMachine::kData, 0);
  ExpectFault(m, kPaddbMem, kPageFault, "not present");
}

// An unmasked invalid operation (a NaN) in CVTPS2PI is #XM with MM0 and
// the x87 unit unchanged: the switch to MMX use comes with the result.
TEST(MmxChecksTest, UnmaskedConversionExceptionLeavesTheMmxState) {
  LongModeMachine m;
  SetX87State(m, false);
  m.state().sse.mxcsr = 0x1f00;  // IM clear
  const uint32_t nan = 0x7fc00000;
  std::memcpy(m.state().sse.xmm[1] + 4, &nan, 4);
  ExpectFault(m, {0x0f, 0x2d, 0xc1}, kSimdError, "cvtps2pi mm0, xmm1");
  EXPECT_EQ(m.state().sse.mxcsr, 0x1f01u);
}

// XSAVE and XRSTOR carry MMX state with the x87 component.
TEST(MmxChecksTest, XsaveKeepsTheMmxRegisters) {
  LongModeMachine m;
  SetX87State(m, false);
  m.cpu().WriteCr4(m.state().cr4 | kCr4OSXSAVE);
  m.state().xcr0 = 3;
  const uint64_t value = 0x8899aabbccddeeffull;
  m.memory().CopyIn(LongModeMachine::kData, &value, 8);
  const Bytes code = {
      0x0f, 0x6f, 0x1e,              // movq mm3, [rsi]
      0xb8, 0x03, 0, 0, 0, 0x31, 0xd2,  // mov eax, 3; xor edx, edx
      0x0f, 0xae, 0x66, 0x40,        // xsave [rsi+0x40]
      0xdb, 0xe3,                    // fninit
      0x0f, 0xae, 0x6e, 0x40,        // xrstor [rsi+0x40]
  };
  EXPECT_EQ(m.Run(code).vector, -1);
  const SseState& s = m.state().sse;
  uint64_t mm3;
  std::memcpy(&mm3, s.st[3], 8);
  EXPECT_EQ(mm3, value);
  EXPECT_EQ(s.st[3][8], 0xff);
  EXPECT_EQ(s.st[3][9], 0xff);
  EXPECT_EQ(s.ftw, 0xff);
  EXPECT_EQ((s.fsw >> 11) & 7, 0);
}

}  // namespace
}  // namespace x64sim::testing
