// SSE/SSE2 conversions: every form against the host under each rounding
// mode with DAZ/FTZ off and on (results, general registers and MXCSR flags),
// with operands at the edges of each format and of the integer ranges; then
// what the host cannot show: unmasked exceptions leaving the destination
// unchanged, alignment, and the #UD/#NM rules.
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/protected32_machine.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {
namespace {

struct Case {
  std::string text;
  std::vector<uint8_t> bytes;
};

const Case kCases[] = {
    {"cvtss2sd xmm0,xmm1", {0xf3, 0x0f, 0x5a, 0xc1}},
    {"cvtss2sd xmm0,[rsi]", {0xf3, 0x0f, 0x5a, 0x06}},
    {"cvtsd2ss xmm0,xmm1", {0xf2, 0x0f, 0x5a, 0xc1}},
    {"cvtsd2ss xmm0,[rsi]", {0xf2, 0x0f, 0x5a, 0x06}},
    {"cvtps2pd xmm0,xmm1", {0x0f, 0x5a, 0xc1}},
    {"cvtps2pd xmm0,[rsi]", {0x0f, 0x5a, 0x06}},
    {"cvtpd2ps xmm0,xmm1", {0x66, 0x0f, 0x5a, 0xc1}},
    {"cvtpd2ps xmm0,[rsi]", {0x66, 0x0f, 0x5a, 0x06}},
    {"cvtdq2ps xmm0,xmm1", {0x0f, 0x5b, 0xc1}},
    {"cvtdq2ps xmm0,[rsi]", {0x0f, 0x5b, 0x06}},
    {"cvtps2dq xmm0,xmm1", {0x66, 0x0f, 0x5b, 0xc1}},
    {"cvtps2dq xmm0,[rsi]", {0x66, 0x0f, 0x5b, 0x06}},
    {"cvttps2dq xmm0,xmm1", {0xf3, 0x0f, 0x5b, 0xc1}},
    {"cvttps2dq xmm0,[rsi]", {0xf3, 0x0f, 0x5b, 0x06}},
    {"cvtdq2pd xmm0,xmm1", {0xf3, 0x0f, 0xe6, 0xc1}},
    {"cvtdq2pd xmm0,[rsi]", {0xf3, 0x0f, 0xe6, 0x06}},
    {"cvtpd2dq xmm0,xmm1", {0xf2, 0x0f, 0xe6, 0xc1}},
    {"cvtpd2dq xmm0,[rsi]", {0xf2, 0x0f, 0xe6, 0x06}},
    {"cvttpd2dq xmm0,xmm1", {0x66, 0x0f, 0xe6, 0xc1}},
    {"cvttpd2dq xmm0,[rsi]", {0x66, 0x0f, 0xe6, 0x06}},
    {"cvtsi2ss xmm0,eax", {0xf3, 0x0f, 0x2a, 0xc0}},
    {"cvtsi2ss xmm0,rax", {0xf3, 0x48, 0x0f, 0x2a, 0xc0}},
    {"cvtsi2ss xmm0,dword [rsi]", {0xf3, 0x0f, 0x2a, 0x06}},
    {"cvtsi2ss xmm0,qword [rsi]", {0xf3, 0x48, 0x0f, 0x2a, 0x06}},
    {"cvtsi2sd xmm0,eax", {0xf2, 0x0f, 0x2a, 0xc0}},
    {"cvtsi2sd xmm1,rdx", {0xf2, 0x48, 0x0f, 0x2a, 0xca}},
    {"cvtsi2sd xmm0,dword [rsi]", {0xf2, 0x0f, 0x2a, 0x06}},
    {"cvtsi2sd xmm0,qword [rsi]", {0xf2, 0x48, 0x0f, 0x2a, 0x06}},
    {"cvtss2si eax,xmm1", {0xf3, 0x0f, 0x2d, 0xc1}},
    {"cvtss2si rax,xmm1", {0xf3, 0x48, 0x0f, 0x2d, 0xc1}},
    {"cvtss2si eax,[rsi]", {0xf3, 0x0f, 0x2d, 0x06}},
    {"cvtss2si rax,[rsi]", {0xf3, 0x48, 0x0f, 0x2d, 0x06}},
    {"cvttss2si ecx,xmm1", {0xf3, 0x0f, 0x2c, 0xc9}},
    {"cvttss2si rax,xmm1", {0xf3, 0x48, 0x0f, 0x2c, 0xc1}},
    {"cvttss2si eax,[rsi]", {0xf3, 0x0f, 0x2c, 0x06}},
    {"cvttss2si rax,[rsi]", {0xf3, 0x48, 0x0f, 0x2c, 0x06}},
    {"cvtsd2si eax,xmm1", {0xf2, 0x0f, 0x2d, 0xc1}},
    {"cvtsd2si rdx,xmm1", {0xf2, 0x48, 0x0f, 0x2d, 0xd1}},
    {"cvtsd2si eax,[rsi]", {0xf2, 0x0f, 0x2d, 0x06}},
    {"cvtsd2si rax,[rsi]", {0xf2, 0x48, 0x0f, 0x2d, 0x06}},
    {"cvttsd2si eax,xmm1", {0xf2, 0x0f, 0x2c, 0xc1}},
    {"cvttsd2si rax,xmm1", {0xf2, 0x48, 0x0f, 0x2c, 0xc1}},
    {"cvttsd2si eax,[rsi]", {0xf2, 0x0f, 0x2c, 0x06}},
    {"cvttsd2si rax,[rsi]", {0xf2, 0x48, 0x0f, 0x2c, 0x06}},
};

// Singles: ±0, ±0.5, 1.5, 2.5 (round-to-even ties), ±2^31 and the largest
// single below 2^31, ±2^63 and the largest below, ±inf, QNaN, SNaN, a
// denormal, the largest finite.
const uint32_t kFloatEdges[] = {
    0x00000000, 0x80000000, 0x3f000000, 0xbf000000, 0x3fc00000, 0x40200000,
    0x4f000000, 0xcf000000, 0x4effffff, 0x5f000000, 0xdf000000, 0x5effffff,
    0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 0x00000001, 0x7f7fffff,
};
// Doubles: the same, plus 2^31-1, 2^31-0.5, -2^31-1, -2^31-0.5 (exact and
// tie cases at the 32-bit limits), the largest double (single overflow),
// 2^-150 (single underflow), a single-denormal value, 2^24+1 (inexact
// single).
const uint64_t kDoubleEdges[] = {
    0x0000000000000000, 0x8000000000000000, 0x3fe0000000000000, 0xbfe0000000000000,
    0x3ff8000000000000, 0x4004000000000000, 0x41e0000000000000, 0xc1e0000000000000,
    0x41dfffffffc00000, 0x41dfffffffe00000, 0xc1e0000000200000, 0xc1e0000000100000,
    0x43e0000000000000, 0xc3e0000000000000, 0x43dfffffffffffff, 0x7ff0000000000000,
    0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000000, 0x0000000000000001,
    0x7fefffffffffffff, 0x3690000000000000, 0x380fffffffffffff, 0x4170000010000000,
};
// Integers (as 64-bit values; their low halves are the 32-bit edges too).
const uint64_t kIntEdges[] = {
    0, 1, ~0ull, 0x7fffffff, 0x80000000, 0xffffffff80000000, 0x1000001,
    0x7fffffffffffffff, 0x8000000000000000, 0x20000000000001, 0xffffffffff000001,
};

template <typename T, size_t N>
T Pick(std::mt19937_64& rng, const T (&edges)[N]) {
  return edges[rng() % N];
}

// A 16-byte value: single or double edges, integer edges in 32- or 64-bit
// lanes, random bits, or random singles/doubles of magnitude up to ~2^66
// (around every integer limit).
void FillValue(std::mt19937_64& rng, uint8_t* v) {
  switch (rng() % 6) {
    case 0:
      for (int i = 0; i < 4; ++i) {
        uint32_t x = Pick(rng, kFloatEdges);
        std::memcpy(v + 4 * i, &x, 4);
      }
      break;
    case 1:
      for (int i = 0; i < 2; ++i) {
        uint64_t x = Pick(rng, kDoubleEdges);
        std::memcpy(v + 8 * i, &x, 8);
      }
      break;
    case 2:
      for (int i = 0; i < 4; ++i) {
        uint64_t x = Pick(rng, kIntEdges);
        if (rng() & 1) x >>= 32;
        std::memcpy(v + 4 * i, &x, 4);
      }
      break;
    case 3:
      for (int i = 0; i < 2; ++i) {
        uint64_t x = Pick(rng, kIntEdges);
        std::memcpy(v + 8 * i, &x, 8);
      }
      break;
    case 4:
      for (int i = 0; i < 16; ++i) v[i] = static_cast<uint8_t>(rng());
      break;
    default:
      for (int i = 0; i < 2; ++i) {
        uint64_t x = (rng() & 0x800fffffffffffffull) | ((0x3fdull + rng() % 68) << 52);
        if (rng() & 1) x = (x & 0xffffffff807fffffull) | ((0x7dull + rng() % 68) << 23);
        std::memcpy(v + 8 * i, &x, 8);
      }
  }
}

uint64_t FillInteger(std::mt19937_64& rng) {
  switch (rng() % 3) {
    case 0: return Pick(rng, kIntEdges);
    case 1: return rng();
    default: return rng() >> (rng() % 64);
  }
}

// Every form, each of the 16 modes, `rounds` operand sets. With `unmask`,
// each exception mask bit is cleared with probability 1/2, so the host's
// #XM (SIGFPE) and its MXCSR at the fault are compared too.
void CompareEveryForm(bool unmask, int rounds) {
  int forms = 0, runs = 0;
  for (const Case& c : kCases) {
    SseDifferential d(c.bytes);
    std::mt19937_64 rng(forms + 1 + (unmask ? 1000 : 0));
    for (int mode = 0; mode < 16; ++mode) {
      for (int round = 0; round < rounds; ++round) {
        SseRun run;
        run.mxcsr = MaskedMxcsr(mode);
        if (unmask) run.mxcsr &= ~(static_cast<uint32_t>(rng() & 0x3f) << 7);
        for (auto& reg : run.regs.xmm) FillValue(rng, reg);
        for (int i = 0; i < SseRun::kMemBytes; i += 16) FillValue(rng, run.mem + i);
        if (rng() % 2) std::memcpy(run.mem, run.regs.xmm[rng() % 4], 16);
        run.regs.rax = FillInteger(rng);
        run.regs.rcx = FillInteger(rng);
        run.regs.rdx = FillInteger(rng);
        run.regs.rflags = 0x2 | (rng() & 0x8d5);
        if (!d.Matches(run, c.text + " mode " + std::to_string(mode) + " round " +
                                std::to_string(round))) {
          return;
        }
        ++runs;
      }
    }
    ++forms;
  }
  std::printf("SSE conversion forms compared with the host%s: %d (%d runs)\n",
              unmask ? " with unmasked exceptions" : "", forms, runs);
}

TEST(SseConvertDifferentialTest, EveryFormMatchesTheHostInEveryMode) { CompareEveryForm(false, 40); }

TEST(SseConvertDifferentialTest, UnmaskedExceptionsMatchTheHost) { CompareEveryForm(true, 40); }

// ---- Architectural checks ---------------------------------------------------

const std::vector<uint8_t> kCvttsd2siRax = {0xf2, 0x48, 0x0f, 0x2c, 0xc1};  // cvttsd2si rax, xmm1
const std::vector<uint8_t> kCvtsi2ssEax = {0xf3, 0x0f, 0x2a, 0xc0};         // cvtsi2ss xmm0, eax
const std::vector<uint8_t> kCvtpd2psMem = {0x66, 0x0f, 0x5a, 0x06};         // cvtpd2ps xmm0, [rsi]
const std::vector<uint8_t> kCvtps2pdMem = {0x0f, 0x5a, 0x06};               // cvtps2pd xmm0, [rsi]

void SetQwords(CpuState& s, int r, uint64_t lo, uint64_t hi) {
  std::memcpy(s.sse.xmm[r], &lo, 8);
  std::memcpy(s.sse.xmm[r] + 8, &hi, 8);
}

// A NaN has no integer value: masked, the integer indefinite; unmasked,
// #XM (or #UD without CR4.OSXMMEXCPT) with RAX unchanged (SDM vol. 2A
// CVTTSD2SI, vol. 1 4.8.3.7 and 11.5.2.1).
TEST(SseConvertChecksTest, NanToIntegerGivesIndefiniteOrFaults) {
  for (bool osxmmexcpt : {true, false}) {
    LongModeMachine m;
    CpuState& s = m.state();
    if (!osxmmexcpt) s.cr4 &= ~kCr4OSXMMEXCPT;
    SetQwords(s, 1, 0x7ff8000000000000, 0);
    s.gpr[kRax] = 0x1234;
    s.sse.mxcsr = 0x1f80 & ~0x80u;  // IM clear
    EXPECT_EQ(m.Run(kCvttsd2siRax).vector, osxmmexcpt ? kSimdError : kInvalidOpcode);
    EXPECT_EQ(s.gpr[kRax], 0x1234u);
    EXPECT_EQ(s.sse.mxcsr, 0x1f01u);
  }
  LongModeMachine m;
  SetQwords(m.state(), 1, 0x7ff8000000000000, 0);
  EXPECT_EQ(m.Run(kCvttsd2siRax).vector, -1);
  EXPECT_EQ(m.state().gpr[kRax], 0x8000000000000000u);
  EXPECT_EQ(m.state().sse.mxcsr, 0x1f81u);
}

// 2^24 + 1 is not a single: PE, which unmasked faults before XMM0 changes.
TEST(SseConvertChecksTest, UnmaskedPrecisionLeavesDestination) {
  LongModeMachine m;
  CpuState& s = m.state();
  SetQwords(s, 0, 0x1111111122222222, 0x3333333344444444);
  s.gpr[kRax] = 0x1000001;
  s.sse.mxcsr = 0x1f80 & ~0x1000u;  // PM clear
  EXPECT_EQ(m.Run(kCvtsi2ssEax).vector, kSimdError);
  uint64_t lo;
  std::memcpy(&lo, s.sse.xmm[0], 8);
  EXPECT_EQ(lo, 0x1111111122222222u);
  EXPECT_EQ(s.sse.mxcsr, 0x0fa0u);
}

// CVTPD2PS reads 16 aligned bytes (#GP(0) otherwise); CVTPS2PD reads 8 and
// takes any address (SDM vol. 2A 2.4, exception types 2 and 3).
TEST(SseConvertChecksTest, AlignmentOnlyForFullWidthSources) {
  LongModeMachine m;
  m.state().gpr[kRsi] = LongModeMachine::kData + 8;
  LongModeMachine::Outcome out = m.Run(kCvtpd2psMem);
  EXPECT_EQ(out.vector, kGeneralProtection);
  EXPECT_EQ(out.error_code, 0u);
  float two[2] = {1.5f, -2.0f};
  m.memory().CopyIn(LongModeMachine::kData + 8, two, 8);
  EXPECT_EQ(m.Run(kCvtps2pdMem).vector, -1);
  double d[2];
  std::memcpy(d, m.state().sse.xmm[0], 16);
  EXPECT_EQ(d[0], 1.5);
  EXPECT_EQ(d[1], -2.0);
}

// REX.R/REX.B reach XMM8-15 and R8-R15 (the host runner cannot use them);
// a 32-bit destination zero-extends, a scalar keeps the upper lanes.
TEST(SseConvertChecksTest, HighRegisters) {
  LongModeMachine m;
  CpuState& s = m.state();
  double d[2] = {-3.75, 0.0};
  std::memcpy(s.sse.xmm[12], d, 16);
  s.gpr[kR11] = ~0ull;
  s.gpr[kR9] = 0xffffffff00000007;
  SetQwords(s, 10, 0x5555555555555555, 0x6666666666666666);
  const std::vector<uint8_t> code = {
      0xf2, 0x4d, 0x0f, 0x2d, 0xdc,  // cvtsd2si r11, xmm12
      0xf2, 0x45, 0x0f, 0x2c, 0xf4,  // cvttsd2si r14d, xmm12
      0xf3, 0x45, 0x0f, 0x2a, 0xd1,  // cvtsi2ss xmm10, r9d
      0x45, 0x0f, 0x5a, 0xfc,        // cvtps2pd xmm15, xmm12
  };
  s.gpr[kR14] = ~0ull;
  ASSERT_EQ(m.Run(code).vector, -1);
  EXPECT_EQ(s.gpr[kR11], static_cast<uint64_t>(-4));  // round to nearest
  EXPECT_EQ(s.gpr[kR14], 0xfffffffdu);                // truncated -3, zero-extended
  uint32_t lanes[4];
  std::memcpy(lanes, s.sse.xmm[10], 16);
  EXPECT_EQ(lanes[0], 0x40e00000u);  // 7.0f
  EXPECT_EQ(lanes[1], 0x55555555u);
  EXPECT_EQ(lanes[3], 0x66666666u);
  float f[2];
  std::memcpy(f, s.sse.xmm[12], 8);
  double wide[2];
  std::memcpy(wide, s.sse.xmm[15], 16);
  EXPECT_EQ(wide[0], static_cast<double>(f[0]));
  EXPECT_EQ(wide[1], static_cast<double>(f[1]));
}

// The same handlers in 32-bit protected mode: 32-bit addressing, 32-bit
// general registers (there is no REX.W), and a compare of the results.
TEST(SseConvertChecksTest, ProtectedMode) {
  Protected32 sim;
  CpuState& s = sim.m.state();
  const int32_t minus_seven = -7;
  sim.m.memory().CopyIn(LongModeMachine::kData, &minus_seven, 4);
  s.gpr[kRbx] = LongModeMachine::kData;
  s.gpr[kRcx] = 3;
  s.rflags = 0x2 | kZF | kCF | kSF;
  sim.SetCode({
      0xf2, 0x0f, 0x2a, 0x03,  // cvtsi2sd xmm0, dword [ebx]
      0xf2, 0x0f, 0x2c, 0xc0,  // cvttsd2si eax, xmm0
      0xf3, 0x0f, 0x2a, 0xc9,  // cvtsi2ss xmm1, ecx
      0xf3, 0x0f, 0x5a, 0xd1,  // cvtss2sd xmm2, xmm1
      0x66, 0x0f, 0x2f, 0xd0,  // comisd xmm2, xmm0
  });
  ASSERT_EQ(sim.Run(), -1);
  double d;
  std::memcpy(&d, s.sse.xmm[0], 8);
  EXPECT_EQ(d, -7.0);
  EXPECT_EQ(static_cast<uint32_t>(s.gpr[kRax]), 0xfffffff9u);
  std::memcpy(&d, s.sse.xmm[2], 8);
  EXPECT_EQ(d, 3.0);
  EXPECT_EQ(s.rflags & kArithFlags, 0u);  // 3 > -7: ZF PF CF clear, and OF SF AF
}

// SDM vol. 2A 2.4: CR0.EM or CR4.OSFXSR=0 is #UD, then CR0.TS is #NM, for
// the integer-operand forms too.
TEST(SseConvertChecksTest, ControlRegistersGate) {
  for (const auto* code : {&kCvttsd2siRax, &kCvtsi2ssEax, &kCvtps2pdMem}) {
    ExpectLegacySseGate(*code);
  }
}

}  // namespace
}  // namespace x64sim::testing
