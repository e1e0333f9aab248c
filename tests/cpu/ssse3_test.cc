// SSSE3 (XMM forms) against the host: every form, register and memory
// source, random and edge operands; then what the host cannot show: #GP
// for a misaligned 16-byte operand and the #UD/#NM rules.
#include <cstdio>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {
namespace {

std::vector<SseForm> Ssse3Forms() {
  const struct {
    const char* name;
    uint8_t opcode;
  } k0f38[] = {
      {"pshufb", 0x00},    {"phaddw", 0x01}, {"phaddd", 0x02}, {"phaddsw", 0x03},
      {"pmaddubsw", 0x04}, {"phsubw", 0x05}, {"phsubd", 0x06}, {"phsubsw", 0x07},
      {"psignb", 0x08},    {"psignw", 0x09}, {"psignd", 0x0a}, {"pmulhrsw", 0x0b},
      {"pabsb", 0x1c},     {"pabsw", 0x1d},  {"pabsd", 0x1e},
  };
  std::vector<SseForm> forms;
  for (const auto& op : k0f38) {
    for (const SseForm& f : RegisterAndMemoryForms(op.name, {0x66, 0x0f, 0x38, op.opcode})) {
      forms.push_back(f);
    }
  }
  // PALIGNR: shifts inside the source, across into the destination, past
  // both (zero) and immediates above 32.
  for (int imm : {0, 1, 5, 15, 16, 17, 24, 31, 32, 33, 200, 255}) {
    for (const SseForm& f : RegisterAndMemoryForms("palignr", {0x66, 0x0f, 0x3a, 0x0f}, imm)) {
      forms.push_back(f);
    }
  }
  // Other registers: pshufb xmm3, xmm2 and pabsw xmm2, xmm0.
  forms.push_back({"pshufb xmm3,xmm2", {0x66, 0x0f, 0x38, 0x00, 0xda}});
  forms.push_back({"pabsw xmm2,xmm0", {0x66, 0x0f, 0x38, 0x1d, 0xd0}});
  return forms;
}

TEST(Ssse3DifferentialTest, EveryFormMatchesTheHost) {
  const std::vector<SseForm> forms = Ssse3Forms();
  const int runs = CompareIntegerForms(forms, 400);
  EXPECT_EQ(runs, 400 * static_cast<int>(forms.size()));
  std::printf("SSSE3 forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

const std::vector<uint8_t> kPshufbMem = {0x66, 0x0f, 0x38, 0x00, 0x06};  // pshufb xmm0, [rsi]
const std::vector<uint8_t> kPalignrMem = {0x66, 0x0f, 0x3a, 0x0f, 0x06, 0x04};

// SDM vol. 2A 2.4 (exception type 4): a 16-byte memory operand must be
// aligned, else #GP(0) with the destination unchanged.
TEST(Ssse3ChecksTest, MisalignedOperandRaisesGp) {
  for (const auto* code : {&kPshufbMem, &kPalignrMem}) {
    LongModeMachine m;
    m.state().gpr[kRsi] = LongModeMachine::kData + 4;
    std::memset(m.state().sse.xmm[0], 0x5a, 16);
    LongModeMachine::Outcome out = m.Run(*code);
    EXPECT_EQ(out.vector, kGeneralProtection);
    EXPECT_EQ(out.error_code, 0u);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(m.state().sse.xmm[0][i], 0x5a);
    m.state().gpr[kRsi] = LongModeMachine::kData;
    EXPECT_EQ(m.Run(*code).vector, -1);
  }
}

// CR0.TS is #NM; CR0.EM or CR4.OSFXSR=0 is #UD (SDM vol. 2A 2.4).
TEST(Ssse3ChecksTest, ControlRegistersGate) {
  ExpectLegacySseGate(kPshufbMem);
}

}  // namespace
}  // namespace x64sim::testing
