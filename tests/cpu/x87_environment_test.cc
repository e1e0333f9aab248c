// FNSTENV/FLDENV and FNSAVE/FRSTOR in their 32-bit and 16-bit formats
// against the host CPU, and in x64sim alone what the host cannot show the
// same way: the last opcode and the instruction and data pointers, their
// place in the FXSAVE formats, bit-exact save/restore round trips, and #MF
// at the next waiting instruction after an unmasked exception.
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/protected32_machine.h"
#include "tests/cpu/x87_differential.h"

namespace x64sim::testing {
namespace {

constexpr int kRuns = 300;

std::vector<uint8_t> Prefixed(bool operand16, std::vector<uint8_t> bytes) {
  if (operand16) bytes.insert(bytes.begin(), 0x66);
  return bytes;
}

// An environment image (and registers for FRSTOR) with nothing pending.
void RandomImage(X87Values& values, bool operand16, X87Run* run) {
  const X87Run state = values.State('t');
  const int step = operand16 ? 2 : 4;
  const uint32_t fields[7] = {
      state.fcw, state.fsw, static_cast<uint32_t>(values.Bits(16)),
      static_cast<uint32_t>(values.Bits(32)), static_cast<uint32_t>(values.Bits(32)),
      static_cast<uint32_t>(values.Bits(32)), static_cast<uint32_t>(values.Bits(32))};
  for (int f = 0; f < 7; ++f) std::memcpy(run->mem + f * step, &fields[f], step);
  for (int i = 0; i < 8; ++i) values.F80(run->mem + 7 * step + 10 * i);
}

TEST(X87EnvironmentTest, StoresMatchTheHost) {
  for (bool operand16 : {false, true}) {
    // Pointer fields: bytes 12-27 (32-bit format) or 6-13 (16-bit format).
    const int from = operand16 ? 6 : 12, to = operand16 ? 14 : 28;
    X87Values values(99);
    X87Differential fnstenv(Prefixed(operand16, MemoryForm(0xd9, 6)));
    X87Differential fnsave(Prefixed(operand16, MemoryForm(0xdd, 6)));
    for (int run = 0; run < kRuns; ++run) {
      const X87Run r = values.State('t');
      const std::string what = std::string(operand16 ? "16" : "32") + "-bit, run " +
                               std::to_string(run);
      ASSERT_TRUE(fnstenv.Matches(r, 0, "fnstenv " + what, from, to));
      ASSERT_TRUE(fnsave.Matches(r, 0, "fnsave " + what, from, to));
    }
  }
}

TEST(X87EnvironmentTest, LoadsMatchTheHost) {
  for (bool operand16 : {false, true}) {
    X87Values values(7);
    X87Differential fldenv(Prefixed(operand16, MemoryForm(0xd9, 4)));
    X87Differential frstor(Prefixed(operand16, MemoryForm(0xdd, 4)));
    for (int run = 0; run < kRuns; ++run) {
      X87Run r = values.State('t');
      RandomImage(values, operand16, &r);
      const std::string what = std::string(operand16 ? "16" : "32") + "-bit, run " +
                               std::to_string(run);
      ASSERT_TRUE(fldenv.Matches(r, 0, "fldenv " + what));
      ASSERT_TRUE(frstor.Matches(r, 0, "frstor " + what));
    }
  }
}

constexpr uint64_t kArea = LongModeMachine::kData;

// fld qword [rsi+0x40]; fnstenv [rsi]: FOP DD 46, FIP the FLD's address,
// FDP its operand's offset.
TEST(X87EnvironmentTest, RecordsTheLastOpcodeAndPointers) {
  LongModeMachine m;
  m.state().gpr[kRsi] = kArea;
  ASSERT_EQ(m.Run({0xdd, 0x46, 0x40, 0xd9, 0x36}).vector, -1);
  uint32_t env[7];
  m.memory().CopyOut(kArea, env, sizeof(env));
  EXPECT_EQ(env[3], LongModeMachine::kCode) << "FIP";
  EXPECT_EQ(env[4], 0x546u << 16) << "FOP (DD & 7) << 8 | 46, FCS 0";
  EXPECT_EQ(env[5], kArea + 0x40) << "FDP";
  EXPECT_EQ(env[6], 0u) << "FDS";
  EXPECT_EQ(env[0] & 0x3f, 0x3fu);
  // FXSAVE64 keeps 64-bit pointers, FXSAVE 32-bit ones and zero selectors.
  m.state().sse.fip = 0x123456789aull;
  m.state().sse.fdp = 0xfedcba9876ull;
  ASSERT_EQ(m.Run({0x48, 0x0f, 0xae, 0x06, 0x0f, 0xae, 0x86, 0x00, 0x02, 0x00, 0x00}).vector, -1);
  uint64_t wide[3], narrow[3];
  m.memory().CopyOut(kArea, wide, sizeof(wide));
  m.memory().CopyOut(kArea + 0x200, narrow, sizeof(narrow));
  EXPECT_EQ(wide[1], 0x123456789aull);
  EXPECT_EQ(wide[2] & 0xffffffffffull, 0xfedcba9876ull);
  EXPECT_EQ(narrow[1], 0x3456789aull) << "FIP[31:0], FCS 0";
  EXPECT_EQ(narrow[2] & 0xffffffffffffull, 0xdcba9876ull) << "FDP[31:0], FDS 0";
}

// In 32-bit protected mode: fld qword [esi+0x40]; fnstenv [esi] (28
// bytes), then o16 fnstenv [esi+0x80] (14 bytes: 16-bit offsets, selectors 0).
TEST(X87EnvironmentTest, ProtectedModeFormats) {
  Protected32 p;
  p.m.state().gpr[kRsi] = kArea;
  p.SetCode({0xdd, 0x46, 0x40, 0xd9, 0x36, 0x66, 0xd9, 0xb6, 0x80, 0x00, 0x00, 0x00});
  ASSERT_EQ(p.Run(), -1);
  uint32_t env[7];
  p.m.memory().CopyOut(kArea, env, sizeof(env));
  EXPECT_EQ(env[3], LongModeMachine::kCode);
  EXPECT_EQ(env[4], 0x546u << 16);
  EXPECT_EQ(env[5], kArea + 0x40);
  uint16_t narrow[7];
  p.m.memory().CopyOut(kArea + 0x80, narrow, sizeof(narrow));
  EXPECT_EQ(narrow[0], 0x037f) << "FCW (all masked since the first FNSTENV)";
  EXPECT_EQ(narrow[2], 0x7fff) << "tags: ST(0) (physical 7) zero, the rest empty";
  EXPECT_EQ(narrow[3], LongModeMachine::kCode & 0xffff);
  EXPECT_EQ(narrow[4], 0) << "FCS";
  EXPECT_EQ(narrow[5], (kArea + 0x40) & 0xffff);
  EXPECT_EQ(narrow[6], 0) << "FDS";
}

// fnsave [rsi]; frstor [rsi] and fxsave64 [rsi]; fxrstor64 [rsi] give back
// every register, tag and word bit-exact.
TEST(X87EnvironmentTest, SaveRestoreRoundTrips) {
  X87Values values(5);
  for (int run = 0; run < 50; ++run) {
    LongModeMachine m;
    SseState& s = m.state().sse;
    X87Run r = values.State('t');
    s.fcw = r.fcw;
    s.fsw = r.fsw;
    s.ftw = r.ftw;
    std::memcpy(s.st, r.st, sizeof(s.st));
    s.fop = static_cast<uint16_t>(values.Bits(11));
    s.fip = values.Bits(32);
    s.fdp = values.Bits(32);
    const SseState before = s;
    m.state().gpr[kRsi] = kArea;
    ASSERT_EQ(m.Run({0xdd, 0x36, 0xdd, 0x26}).vector, -1);
    EXPECT_EQ(0, std::memcmp(&before, &s, sizeof(s))) << "fnsave/frstor, run " << run;
    ASSERT_EQ(m.Run({0x48, 0x0f, 0xae, 0x06, 0xdb, 0xe3, 0x48, 0x0f, 0xae, 0x0e}).vector, -1);
    EXPECT_EQ(0, std::memcmp(&before, &s, sizeof(s))) << "fxsave64/fninit/fxrstor64, run " << run;
  }
}

// fld1; fldz; fdivp (ZE unmasked): ES set, no fault; the next waiting x87
// instruction (fld1) raises #MF at its own address; FNSTENV, a no-wait
// instruction, does not.
TEST(X87EnvironmentTest, UnmaskedExceptionFaultsAtTheNextWaitingInstruction) {
  LongModeMachine m;
  m.state().sse.fcw = 0x037b;
  const std::vector<uint8_t> divide = {0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9};
  ASSERT_EQ(m.Run(divide).vector, -1);
  EXPECT_EQ(m.state().sse.fsw & 0x8085, 0x8084) << "ZE, ES and B; no IE";
  m.state().gpr[kRsi] = kArea;
  EXPECT_EQ(m.Run({0xd9, 0x36}).vector, -1) << "fnstenv does not wait";
  m.state().sse.fcw = 0x037b;
  m.state().sse.fsw |= 0x8080;
  const LongModeMachine::Outcome out = m.Run({0x90, 0xd9, 0xe8});
  EXPECT_EQ(out.vector, kFpuError);
  EXPECT_EQ(out.fault_rip, LongModeMachine::kCode + 1);
  // #NM comes before #MF.
  m.state().cr0 |= kCr0TS;
  EXPECT_EQ(m.Run({0xd9, 0xe8}).vector, kDeviceNotAvailable);
}

}  // namespace
}  // namespace x64sim::testing
