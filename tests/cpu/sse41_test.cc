// SSE4.1 against the host: every integer form and the float forms that
// only move bits (BLENDPS/PD, BLENDVPS/PD, INSERTPS, EXTRACTPS), register
// and memory operands, random and edge operands, EFLAGS for PTEST. ROUND*
// and DPP* run in sse_float_test under every MXCSR mode. Then what the host
// cannot show: #GP for misaligned 16-byte operands (and none for the
// narrower PMOVSX/PMOVZX reads), the #UD/#NM rules.
#include <cstdio>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {
namespace {

void Append(std::vector<SseForm>& to, const std::vector<SseForm>& forms) {
  to.insert(to.end(), forms.begin(), forms.end());
}

std::vector<SseForm> Sse41Forms() {
  const struct {
    const char* name;
    uint8_t opcode;
  } k0f38[] = {
      {"pblendvb", 0x10},   {"blendvps", 0x14}, {"blendvpd", 0x15}, {"ptest", 0x17},
      {"pmovsxbw", 0x20},   {"pmovsxbd", 0x21}, {"pmovsxbq", 0x22}, {"pmovsxwd", 0x23},
      {"pmovsxwq", 0x24},   {"pmovsxdq", 0x25}, {"pmuldq", 0x28},   {"pcmpeqq", 0x29},
      {"packusdw", 0x2b},   {"pmovzxbw", 0x30}, {"pmovzxbd", 0x31}, {"pmovzxbq", 0x32},
      {"pmovzxwd", 0x33},   {"pmovzxwq", 0x34}, {"pmovzxdq", 0x35}, {"pminsb", 0x38},
      {"pminsd", 0x39},     {"pminuw", 0x3a},   {"pminud", 0x3b},   {"pmaxsb", 0x3c},
      {"pmaxsd", 0x3d},     {"pmaxuw", 0x3e},   {"pmaxud", 0x3f},   {"pmulld", 0x40},
      {"phminposuw", 0x41},
  };
  std::vector<SseForm> forms;
  for (const auto& op : k0f38)
    Append(forms, RegisterAndMemoryForms(op.name, {0x66, 0x0f, 0x38, op.opcode}));
  forms.push_back({"movntdqa xmm0,[rsi]", {0x66, 0x0f, 0x38, 0x2a, 0x06}});
  const struct {
    const char* name;
    uint8_t opcode;
    std::vector<int> imms;
  } k0f3a[] = {
      {"blendps", 0x0c, {0, 1, 6, 9, 15, 0xf5}},
      {"blendpd", 0x0d, {0, 1, 2, 3, 0xfe}},
      {"pblendw", 0x0e, {0, 0xff, 0xa5, 0x3c, 0x81}},
      {"insertps", 0x21, {0x00, 0x4e, 0x91, 0xf0, 0x38, 0xcf, 0x6a, 0x1f}},
      {"mpsadbw", 0x42, {0, 1, 2, 3, 4, 5, 6, 7, 0xf8, 0xfd}},
  };
  for (const auto& op : k0f3a) {
    for (int imm : op.imms)
      Append(forms, RegisterAndMemoryForms(op.name, {0x66, 0x0f, 0x3a, op.opcode}, imm));
  }
  // Element moves: "pextrX eax/[rsi], xmm1, imm" and "pinsrX xmm0, eax/[rsi], imm";
  // immediates past the element count use their low bits.
  const struct {
    const char* name;
    std::vector<uint8_t> opcode;
    bool insert;
    std::vector<int> imms;
  } kElements[] = {
      {"pextrb", {0x66, 0x0f, 0x3a, 0x14}, false, {0, 7, 15, 0x13}},
      {"pextrb (REX.W)", {0x66, 0x48, 0x0f, 0x3a, 0x14}, false, {9}},
      {"pextrw", {0x66, 0x0f, 0x3a, 0x15}, false, {0, 5, 7, 0x0b}},
      {"pextrd", {0x66, 0x0f, 0x3a, 0x16}, false, {0, 1, 3, 6}},
      {"pextrq", {0x66, 0x48, 0x0f, 0x3a, 0x16}, false, {0, 1, 3}},
      {"extractps", {0x66, 0x0f, 0x3a, 0x17}, false, {0, 2, 3, 0xfd}},
      {"pinsrb", {0x66, 0x0f, 0x3a, 0x20}, true, {0, 8, 15, 0x21}},
      {"pinsrd", {0x66, 0x0f, 0x3a, 0x22}, true, {0, 2, 3, 5}},
      {"pinsrq", {0x66, 0x48, 0x0f, 0x3a, 0x22}, true, {0, 1, 2}},
  };
  for (const auto& op : kElements) {
    for (int imm : op.imms) {
      for (bool mem : {false, true}) {
        SseForm f{op.name, op.opcode};
        f.text += std::string(op.insert ? (mem ? " xmm0,[rsi]," : " xmm0,eax,")
                                        : (mem ? " [rsi],xmm1," : " eax,xmm1,")) +
                  std::to_string(imm);
        f.bytes.push_back(mem ? (op.insert ? 0x06 : 0x0e) : (op.insert ? 0xc0 : 0xc8));
        f.bytes.push_back(static_cast<uint8_t>(imm));
        forms.push_back(f);
      }
    }
  }
  forms.push_back({"pmaxsd xmm3,xmm2", {0x66, 0x0f, 0x38, 0x3d, 0xda}});
  forms.push_back({"pblendvb xmm2,xmm3", {0x66, 0x0f, 0x38, 0x10, 0xd3}});
  return forms;
}

TEST(Sse41DifferentialTest, EveryFormMatchesTheHost) {
  const std::vector<SseForm> forms = Sse41Forms();
  const int runs = CompareIntegerForms(forms, 400);
  EXPECT_EQ(runs, 400 * static_cast<int>(forms.size()));
  std::printf("SSE4.1 forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

const std::vector<uint8_t> kPtestMem = {0x66, 0x0f, 0x38, 0x17, 0x06};     // ptest xmm0, [rsi]
const std::vector<uint8_t> kMovntdqa = {0x66, 0x0f, 0x38, 0x2a, 0x06};     // movntdqa xmm0, [rsi]
const std::vector<uint8_t> kPminsbMem = {0x66, 0x0f, 0x38, 0x38, 0x06};    // pminsb xmm0, [rsi]
const std::vector<uint8_t> kPmovzxbwMem = {0x66, 0x0f, 0x38, 0x30, 0x06};  // pmovzxbw xmm0, [rsi]
const std::vector<uint8_t> kInsertpsMem = {0x66, 0x0f, 0x3a, 0x21, 0x06, 0x10};

// SDM vol. 2A 2.4 (exception types 4, 5): 16-byte operands must be aligned,
// else #GP(0) with the destination and EFLAGS unchanged; PMOVSX/PMOVZX and
// INSERTPS read 2 to 8 bytes at any address.
TEST(Sse41ChecksTest, AlignmentOfMemoryOperands) {
  for (const auto* code : {&kPtestMem, &kMovntdqa, &kPminsbMem}) {
    LongModeMachine m;
    m.state().gpr[kRsi] = LongModeMachine::kData + 8;
    std::memset(m.state().sse.xmm[0], 0x5a, 16);
    m.state().rflags = 0x2 | kSF;
    LongModeMachine::Outcome out = m.Run(*code);
    EXPECT_EQ(out.vector, kGeneralProtection);
    EXPECT_EQ(out.error_code, 0u);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(m.state().sse.xmm[0][i], 0x5a);
    EXPECT_EQ(m.state().rflags & kArithFlags, kSF);
  }
  for (const auto* code : {&kPmovzxbwMem, &kInsertpsMem}) {
    LongModeMachine m;
    m.state().gpr[kRsi] = LongModeMachine::kData + 3;
    const uint8_t bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    m.memory().CopyIn(LongModeMachine::kData + 3, bytes, 8);
    EXPECT_EQ(m.Run(*code).vector, -1);
    // pmovzxbw: word 1 is byte 2 of memory; insertps ..., 0x10: dword 1 is
    // the four bytes read.
    EXPECT_EQ(m.state().sse.xmm[0][code == &kPmovzxbwMem ? 2 : 5], 2);
  }
}

// DPPS's steps raise their exceptions in order (SDM vol. 2A DPPS): 2^-70
// squared is an exact tiny product. With underflow unmasked, the multiply
// faults with UE alone and the destination unchanged; masked, the product
// (a denormal, FTZ off) goes on to the adds, which flag it as a denormal
// input (DE) and no UE (exact).
TEST(Sse41ChecksTest, DotProductExceptionsInOrder) {
  const std::vector<uint8_t> dpps = {0x66, 0x0f, 0x3a, 0x40, 0xc1, 0x11};  // dpps xmm0, xmm1, 0x11
  const uint32_t a[4] = {0x1c800000, 0x3f800000, 0x3f800000, 0x3f800000};  // 2^-70, 1, 1, 1
  for (bool unmasked : {true, false}) {
    LongModeMachine m;
    CpuState& s = m.state();
    s.sse.mxcsr = unmasked ? 0x1780 : 0x1f80;
    std::memcpy(s.sse.xmm[0], a, 16);
    std::memcpy(s.sse.xmm[1], a, 16);
    EXPECT_EQ(m.Run(dpps).vector, unmasked ? kSimdError : -1);
    uint32_t r[4];
    std::memcpy(r, s.sse.xmm[0], 16);
    if (unmasked) {
      EXPECT_EQ(0, std::memcmp(r, a, 16));
      EXPECT_EQ(s.sse.mxcsr, 0x1790u);
    } else {
      EXPECT_EQ(r[0], 0x00000200u);  // 2^-140
      EXPECT_EQ(r[1], 0u);
      EXPECT_EQ(s.sse.mxcsr, 0x1f82u);
    }
  }
}

// CR0.TS is #NM; CR0.EM or CR4.OSFXSR=0 is #UD (SDM vol. 2A 2.4).
TEST(Sse41ChecksTest, ControlRegistersGate) {
  for (const auto* code : {&kPtestMem, &kPmovzxbwMem}) {
    ExpectLegacySseGate(*code);
  }
}

}  // namespace
}  // namespace x64sim::testing
