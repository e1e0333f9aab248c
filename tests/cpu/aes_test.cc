// AES-NI and PCLMULQDQ against the host: every form, register and memory
// operands, random and edge operands (sse_differential.h), a FIPS-197
// known answer, and the alignment and #UD/#NM rules.
#include <cstdio>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {
namespace {

std::vector<SseForm> AesForms() {
  std::vector<SseForm> forms;
  auto add = [&forms](const std::vector<SseForm>& more) {
    forms.insert(forms.end(), more.begin(), more.end());
  };
  add(RegisterAndMemoryForms("aesimc", {0x66, 0x0f, 0x38, 0xdb}));
  add(RegisterAndMemoryForms("aesenc", {0x66, 0x0f, 0x38, 0xdc}));
  add(RegisterAndMemoryForms("aesenclast", {0x66, 0x0f, 0x38, 0xdd}));
  add(RegisterAndMemoryForms("aesdec", {0x66, 0x0f, 0x38, 0xde}));
  add(RegisterAndMemoryForms("aesdeclast", {0x66, 0x0f, 0x38, 0xdf}));
  for (int imm : {0x00, 0x01, 0x1b, 0x36, 0x80, 0xff}) {
    add(RegisterAndMemoryForms("aeskeygenassist", {0x66, 0x0f, 0x3a, 0xdf}, imm));
  }
  for (int imm : {0x00, 0x01, 0x10, 0x11, 0xee, 0xff}) {
    add(RegisterAndMemoryForms("pclmulqdq", {0x66, 0x0f, 0x3a, 0x44}, imm));
  }
  forms.push_back({"aesenc xmm2,xmm3", {0x66, 0x0f, 0x38, 0xdc, 0xd3}});
  return forms;
}

TEST(AesDifferentialTest, EveryFormMatchesTheHost) {
  const std::vector<SseForm> forms = AesForms();
  const int runs = CompareIntegerForms(forms, 1000);
  EXPECT_EQ(runs, 1000 * static_cast<int>(forms.size()));
  std::printf("AES-NI and PCLMULQDQ forms compared with the host: %zu (%d runs)\n", forms.size(),
              runs);
}

// FIPS-197 appendix C.1 (AES-128): the plaintext XORed with the first round
// key, nine AESENC and one AESENCLAST with the expanded keys give the
// ciphertext. The round keys are the standard's (appendix A.1 key schedule
// of 000102..0f), computed here with AESKEYGENASSIST as software does.
TEST(AesChecksTest, Fips197Aes128) {
  LongModeMachine m;
  CpuState& s = m.state();
  const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const uint8_t plain[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                             0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  const uint8_t cipher[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                              0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
  std::memcpy(s.sse.xmm[0], plain, 16);
  std::memcpy(s.sse.xmm[1], key, 16);
  // xmm0 ^= xmm1 (pxor); then per round: xmm2 = keygenassist(xmm1, rcon);
  // xmm2 = broadcast dword 3 (pshufd 0xff); xmm1 ^= xmm1 << 4, << 8, << 12
  // bytes (pslldq + pxor, with xmm3); xmm1 ^= xmm2; aesenc(last) xmm0, xmm1.
  std::vector<uint8_t> code = {0x66, 0x0f, 0xef, 0xc1};
  const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
  for (int round = 0; round < 10; ++round) {
    const std::vector<uint8_t> step = {
        0x66, 0x0f,        0x3a, 0xdf,
        0xd1, rcon[round],  // aeskeygenassist xmm2, xmm1, rcon
        0x66, 0x0f,        0x70, 0xd2,
        0xff,                           // pshufd xmm2, xmm2, 0xff
        0x66, 0x0f,        0x6f, 0xd9,  // movdqa xmm3, xmm1
        0x66, 0x0f,        0x73, 0xfb,
        0x04,                           // pslldq xmm3, 4
        0x66, 0x0f,        0xef, 0xcb,  // pxor xmm1, xmm3
        0x66, 0x0f,        0x73, 0xfb,
        0x04,                           // pslldq xmm3, 4
        0x66, 0x0f,        0xef, 0xcb,  // pxor xmm1, xmm3
        0x66, 0x0f,        0x73, 0xfb,
        0x04,                           // pslldq xmm3, 4
        0x66, 0x0f,        0xef, 0xcb,  // pxor xmm1, xmm3
        0x66, 0x0f,        0xef, 0xca,  // pxor xmm1, xmm2
        0x66, 0x0f,        0x38, static_cast<uint8_t>(round == 9 ? 0xdd : 0xdc),
        0xc1,  // aesenc(last) xmm0, xmm1
    };
    code.insert(code.end(), step.begin(), step.end());
  }
  EXPECT_EQ(m.Run(code).vector, -1);
  EXPECT_EQ(0, std::memcmp(s.sse.xmm[0], cipher, 16));
}

const std::vector<uint8_t> kAesencMem = {0x66, 0x0f, 0x38, 0xdc, 0x06};  // aesenc xmm0, [rsi]
const std::vector<uint8_t> kPclmulMem = {0x66, 0x0f, 0x3a,
                                         0x44, 0x06, 0x11};  // pclmulqdq xmm0, [rsi], 0x11

// 16-byte memory operands must be aligned (SDM vol. 2A 2.4, exception type
// 4); CR0.TS is #NM, CR0.EM or CR4.OSFXSR=0 #UD.
TEST(AesChecksTest, AlignmentAndControlRegisters) {
  for (const auto* code : {&kAesencMem, &kPclmulMem}) {
    LongModeMachine m;
    m.state().gpr[kRsi] = LongModeMachine::kData + 8;
    std::memset(m.state().sse.xmm[0], 0x5a, 16);
    EXPECT_EQ(m.Run(*code).vector, kGeneralProtection);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(m.state().sse.xmm[0][i], 0x5a);
    ExpectLegacySseGate(*code);
  }
}

}  // namespace
}  // namespace x64sim::testing
