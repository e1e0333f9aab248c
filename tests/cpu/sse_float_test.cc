// SSE/SSE2/SSE3/SSE4.1 floating-point arithmetic and compares: every form against
// the host under each rounding mode with DAZ/FTZ off and on (results, EFLAGS
// and MXCSR flags), with exceptions masked and unmasked (#XM), and the
// checks the host cannot show: #UD instead of #XM without CR4.OSXMMEXCPT,
// #GP for misaligned packed memory operands, and the #UD/#NM rules.
#include <xmmintrin.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {
namespace {

struct Case {
  std::string text;
  std::vector<uint8_t> bytes;
};

// xmm0 op= xmm1, or xmm0 op= [rsi] (rsi 16-byte aligned); COMIS/UCOMIS
// set EFLAGS, which are compared too. The CMPxx forms follow (AllCases).
const Case kArithCases[] = {
    {"addss xmm0,xmm1", {0xf3, 0x0f, 0x58, 0xc1}},
    {"addss xmm0,[rsi]", {0xf3, 0x0f, 0x58, 0x06}},
    {"addsd xmm0,xmm1", {0xf2, 0x0f, 0x58, 0xc1}},
    {"addsd xmm0,[rsi]", {0xf2, 0x0f, 0x58, 0x06}},
    {"addps xmm0,xmm1", {0x0f, 0x58, 0xc1}},
    {"addps xmm0,[rsi]", {0x0f, 0x58, 0x06}},
    {"addpd xmm0,xmm1", {0x66, 0x0f, 0x58, 0xc1}},
    {"addpd xmm0,[rsi]", {0x66, 0x0f, 0x58, 0x06}},
    {"mulss xmm0,xmm1", {0xf3, 0x0f, 0x59, 0xc1}},
    {"mulss xmm0,[rsi]", {0xf3, 0x0f, 0x59, 0x06}},
    {"mulsd xmm0,xmm1", {0xf2, 0x0f, 0x59, 0xc1}},
    {"mulsd xmm0,[rsi]", {0xf2, 0x0f, 0x59, 0x06}},
    {"mulps xmm0,xmm1", {0x0f, 0x59, 0xc1}},
    {"mulps xmm0,[rsi]", {0x0f, 0x59, 0x06}},
    {"mulpd xmm0,xmm1", {0x66, 0x0f, 0x59, 0xc1}},
    {"mulpd xmm0,[rsi]", {0x66, 0x0f, 0x59, 0x06}},
    {"subss xmm0,xmm1", {0xf3, 0x0f, 0x5c, 0xc1}},
    {"subss xmm0,[rsi]", {0xf3, 0x0f, 0x5c, 0x06}},
    {"subsd xmm0,xmm1", {0xf2, 0x0f, 0x5c, 0xc1}},
    {"subsd xmm0,[rsi]", {0xf2, 0x0f, 0x5c, 0x06}},
    {"subps xmm0,xmm1", {0x0f, 0x5c, 0xc1}},
    {"subps xmm0,[rsi]", {0x0f, 0x5c, 0x06}},
    {"subpd xmm0,xmm1", {0x66, 0x0f, 0x5c, 0xc1}},
    {"subpd xmm0,[rsi]", {0x66, 0x0f, 0x5c, 0x06}},
    {"minss xmm0,xmm1", {0xf3, 0x0f, 0x5d, 0xc1}},
    {"minss xmm0,[rsi]", {0xf3, 0x0f, 0x5d, 0x06}},
    {"minsd xmm0,xmm1", {0xf2, 0x0f, 0x5d, 0xc1}},
    {"minsd xmm0,[rsi]", {0xf2, 0x0f, 0x5d, 0x06}},
    {"minps xmm0,xmm1", {0x0f, 0x5d, 0xc1}},
    {"minps xmm0,[rsi]", {0x0f, 0x5d, 0x06}},
    {"minpd xmm0,xmm1", {0x66, 0x0f, 0x5d, 0xc1}},
    {"minpd xmm0,[rsi]", {0x66, 0x0f, 0x5d, 0x06}},
    {"divss xmm0,xmm1", {0xf3, 0x0f, 0x5e, 0xc1}},
    {"divss xmm0,[rsi]", {0xf3, 0x0f, 0x5e, 0x06}},
    {"divsd xmm0,xmm1", {0xf2, 0x0f, 0x5e, 0xc1}},
    {"divsd xmm0,[rsi]", {0xf2, 0x0f, 0x5e, 0x06}},
    {"divps xmm0,xmm1", {0x0f, 0x5e, 0xc1}},
    {"divps xmm0,[rsi]", {0x0f, 0x5e, 0x06}},
    {"divpd xmm0,xmm1", {0x66, 0x0f, 0x5e, 0xc1}},
    {"divpd xmm0,[rsi]", {0x66, 0x0f, 0x5e, 0x06}},
    {"maxss xmm0,xmm1", {0xf3, 0x0f, 0x5f, 0xc1}},
    {"maxss xmm0,[rsi]", {0xf3, 0x0f, 0x5f, 0x06}},
    {"maxsd xmm0,xmm1", {0xf2, 0x0f, 0x5f, 0xc1}},
    {"maxsd xmm0,[rsi]", {0xf2, 0x0f, 0x5f, 0x06}},
    {"maxps xmm0,xmm1", {0x0f, 0x5f, 0xc1}},
    {"maxps xmm0,[rsi]", {0x0f, 0x5f, 0x06}},
    {"maxpd xmm0,xmm1", {0x66, 0x0f, 0x5f, 0xc1}},
    {"maxpd xmm0,[rsi]", {0x66, 0x0f, 0x5f, 0x06}},
    {"sqrtss xmm0,xmm1", {0xf3, 0x0f, 0x51, 0xc1}},
    {"sqrtss xmm0,[rsi]", {0xf3, 0x0f, 0x51, 0x06}},
    {"sqrtsd xmm0,xmm1", {0xf2, 0x0f, 0x51, 0xc1}},
    {"sqrtsd xmm0,[rsi]", {0xf2, 0x0f, 0x51, 0x06}},
    {"sqrtps xmm0,xmm1", {0x0f, 0x51, 0xc1}},
    {"sqrtps xmm0,[rsi]", {0x0f, 0x51, 0x06}},
    {"sqrtpd xmm0,xmm1", {0x66, 0x0f, 0x51, 0xc1}},
    {"sqrtpd xmm0,[rsi]", {0x66, 0x0f, 0x51, 0x06}},
    {"addsubps xmm0,xmm1", {0xf2, 0x0f, 0xd0, 0xc1}},
    {"addsubps xmm0,[rsi]", {0xf2, 0x0f, 0xd0, 0x06}},
    {"addsubpd xmm0,xmm1", {0x66, 0x0f, 0xd0, 0xc1}},
    {"addsubpd xmm0,[rsi]", {0x66, 0x0f, 0xd0, 0x06}},
    {"haddps xmm0,xmm1", {0xf2, 0x0f, 0x7c, 0xc1}},
    {"haddps xmm0,[rsi]", {0xf2, 0x0f, 0x7c, 0x06}},
    {"haddpd xmm0,xmm1", {0x66, 0x0f, 0x7c, 0xc1}},
    {"haddpd xmm0,[rsi]", {0x66, 0x0f, 0x7c, 0x06}},
    {"hsubps xmm0,xmm1", {0xf2, 0x0f, 0x7d, 0xc1}},
    {"hsubps xmm0,[rsi]", {0xf2, 0x0f, 0x7d, 0x06}},
    {"hsubpd xmm0,xmm1", {0x66, 0x0f, 0x7d, 0xc1}},
    {"hsubpd xmm0,[rsi]", {0x66, 0x0f, 0x7d, 0x06}},
    {"comiss xmm0,xmm1", {0x0f, 0x2f, 0xc1}},
    {"comiss xmm0,[rsi]", {0x0f, 0x2f, 0x06}},
    {"comisd xmm0,xmm1", {0x66, 0x0f, 0x2f, 0xc1}},
    {"comisd xmm0,[rsi]", {0x66, 0x0f, 0x2f, 0x06}},
    {"ucomiss xmm0,xmm1", {0x0f, 0x2e, 0xc1}},
    {"ucomiss xmm0,[rsi]", {0x0f, 0x2e, 0x06}},
    {"ucomisd xmm0,xmm1", {0x66, 0x0f, 0x2e, 0xc1}},
    {"ucomisd xmm0,[rsi]", {0x66, 0x0f, 0x2e, 0x06}},
};

// CMPSS/SD/PS/PD with every predicate, register and memory, and with
// imm8 bits 7:3 set (reserved; the legacy forms use imm8[2:0]).
std::vector<Case> AllCases() {
  std::vector<Case> cases(std::begin(kArithCases), std::end(kArithCases));
  const struct {
    const char* name;
    std::vector<uint8_t> opcode;
  } kCompares[] = {{"cmpss", {0xf3, 0x0f, 0xc2}},
                   {"cmpsd", {0xf2, 0x0f, 0xc2}},
                   {"cmpps", {0x0f, 0xc2}},
                   {"cmppd", {0x66, 0x0f, 0xc2}}};
  for (const auto& c : kCompares) {
    for (int imm : {0, 1, 2, 3, 4, 5, 6, 7, 0xf9}) {
      for (bool mem : {false, true}) {
        std::vector<uint8_t> bytes = c.opcode;
        bytes.push_back(mem ? 0x06 : 0xc1);
        bytes.push_back(static_cast<uint8_t>(imm));
        cases.push_back({std::string(c.name) + (mem ? " xmm0,[rsi]," : " xmm0,xmm1,") +
                             std::to_string(imm),
                         bytes});
      }
    }
  }
  // SSE4.1: ROUNDPS/PD/SS/SD with every imm8[3:0] and reserved bits set,
  // DPPS/DPPD with lane selections and broadcasts.
  const struct {
    const char* name;
    uint8_t opcode;
    std::vector<int> imms;
  } kWithImm[] = {
      {"roundps", 0x08, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xf3}},
      {"roundpd", 0x09, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xf3}},
      {"roundss", 0x0a, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xf3}},
      {"roundsd", 0x0b, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xf3}},
      {"dpps", 0x40, {0xff, 0xf1, 0x31, 0x7f, 0x12, 0x00, 0xa5, 0x5a, 0xc6}},
      {"dppd", 0x41, {0x33, 0x31, 0x12, 0x23, 0xff, 0x00, 0x3c}},
  };
  for (const auto& c : kWithImm) {
    for (int imm : c.imms) {
      for (bool mem : {false, true}) {
        cases.push_back({std::string(c.name) + (mem ? " xmm0,[rsi]," : " xmm0,xmm1,") +
                             std::to_string(imm),
                         {0x66, 0x0f, 0x3a, c.opcode, static_cast<uint8_t>(mem ? 0x06 : 0xc1),
                          static_cast<uint8_t>(imm)}});
      }
    }
  }
  return cases;
}

// Every form, each of the 16 modes, `rounds` operand sets. With `unmask`,
// each exception mask bit is cleared with probability 1/2, so the host's
// #XM (SIGFPE) and its MXCSR at the fault are compared too.
void CompareEveryForm(bool unmask, int rounds) {
  int forms = 0, runs = 0;
  for (const Case& c : AllCases()) {
    SseDifferential d(c.bytes);
    std::mt19937_64 rng(forms + 1 + (unmask ? 1000 : 0));
    for (int mode = 0; mode < 16; ++mode) {
      for (int round = 0; round < rounds; ++round) {
        SseRun run;
        run.mxcsr = MaskedMxcsr(mode);
        if (unmask) run.mxcsr &= ~(static_cast<uint32_t>(rng() & 0x3f) << 7);
        // Flags the guest has recorded already (precision among them lets
        // the scalar forms skip MXCSR, cpu/sse_quiet.h). Not with unmasked
        // exceptions: a fault on a flag already set hides which one it was.
        if (!unmask && (rng() & 1)) run.mxcsr |= rng() & 0x3f;
        // DPPS/DPPD are several operations, each with its own exceptions;
        // the harness's PE correction for Zen 4 (sse_differential.cc) is
        // for one operation, so their unmasked OE/UE cases are the directed
        // tests in sse41_test.
        if (c.text.rfind("dpp", 0) == 0) run.mxcsr |= 0xc00;
        for (auto& reg : run.regs.xmm) FillFloatValue(rng, reg);
        for (int i = 0; i < SseRun::kMemBytes; i += 16) FillFloatValue(rng, run.mem + i);
        if (rng() % 4 == 0) {  // equal operands, for the compares' EQ/LE/NLT and ZF
          std::memcpy(run.regs.xmm[1], run.regs.xmm[0], 16);
          std::memcpy(run.mem, run.regs.xmm[0], 16);
        }
        run.regs.rflags = 0x2 | (rng() & 0x8d5);  // arithmetic flags
        if (!d.Matches(run, c.text + " mode " + std::to_string(mode) + " round " +
                                std::to_string(round))) {
          return;
        }
        ++runs;
      }
    }
    ++forms;
  }
  std::printf("SSE floating-point forms compared with the host%s: %d (%d runs)\n",
              unmask ? " with unmasked exceptions" : "", forms, runs);
}

TEST(SseFloatDifferentialTest, EveryFormMatchesTheHostInEveryMode) { CompareEveryForm(false, 40); }

TEST(SseFloatDifferentialTest, UnmaskedExceptionsMatchTheHost) { CompareEveryForm(true, 40); }

// The scalar forms that skip MXCSR for "quiet" operands (cpu/sse_quiet.h),
// with exponents around the bounds of that screen: the products, quotients
// and sums of operands just inside and just outside it overflow, underflow
// or stay exact exactly as on the host, with precision recorded or not and
// with every exception masked or unmasked.
template <typename T>
void FillNearBound(std::mt19937_64& rng, int exponent, uint8_t* v) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr int kFraction = sizeof(T) == 4 ? 23 : 52;
  for (size_t i = 0; i < 16 / sizeof(T); ++i) {
    const int e = std::clamp(exponent + static_cast<int>(rng() % 7) - 3, 0, sizeof(T) == 4 ? 0xff : 0x7ff);
    Bits x = static_cast<Bits>(rng()) & ((Bits{1} << kFraction) - 1);
    if (rng() % 4 == 0) x = (rng() & 1) ? (Bits{1} << kFraction) - 1 : 0;  // extreme fractions
    x |= static_cast<Bits>(e) << kFraction;
    if (rng() & 1) x |= Bits{1} << (sizeof(T) * 8 - 1);
    std::memcpy(v + i * sizeof(T), &x, sizeof(T));
  }
}

template <typename T>
void CompareNearQuietBounds(const char* suffix) {
  constexpr int kBias = sizeof(T) == 4 ? 127 : 1023;
  int runs = 0;
  for (const char* op : {"add", "sub", "mul", "div", "comi", "ucomi"}) {
    const std::string name = std::string(op) + suffix;
    for (const Case& c : kArithCases) {
      if (c.text.rfind(name + " ", 0) != 0) continue;
      SseDifferential d(c.bytes);
      std::mt19937_64 rng(runs + 7);
      // Exponent pairs at the screen's edges: products near bias + 4 and
      // 3 * bias - 4, quotients near a difference of bias - 4, sums near the
      // top, and zeros and denormals.
      const std::pair<int, int> kPairs[] = {
          {(kBias + 4) / 2, (kBias + 4) / 2}, {(3 * kBias - 4) / 2, (3 * kBias - 4) / 2},
          {kBias - 4 + 2, 2}, {2, kBias - 4 + 2}, {2 * kBias - 2, 2 * kBias - 2},
          {2 * kBias - 1, kBias}, {1, 1}, {0, kBias}, {kBias, kBias}};
      for (const auto& [ea, eb] : kPairs) {
        for (int round = 0; round < 200; ++round) {
          SseRun run;
          // Precision recorded (the bare path) or not, or some exceptions
          // unmasked (without flags standing, which would hide the fault's).
          run.mxcsr = 0x1f80;
          switch (rng() % 4) {
            case 0:
              run.mxcsr &= ~(static_cast<uint32_t>(rng() & 0x3f) << 7);
              break;
            case 1:
              break;
            default:
              run.mxcsr |= 0x20;
          }
          FillNearBound<T>(rng, ea, run.regs.xmm[0]);
          FillNearBound<T>(rng, eb, run.regs.xmm[1]);
          std::memcpy(run.mem, run.regs.xmm[1], 16);
          if (!d.Matches(run, c.text + " exponents " + std::to_string(ea) + "," + std::to_string(eb))) {
            return;
          }
          ++runs;
        }
      }
    }
  }
  EXPECT_GT(runs, 0);
  std::printf("scalar %s operands near the quiet bounds compared with the host: %d runs\n", suffix, runs);
}

TEST(SseFloatDifferentialTest, ScalarDoublesNearTheQuietBoundsMatchTheHost) {
  CompareNearQuietBounds<double>("sd");
}

TEST(SseFloatDifferentialTest, ScalarSinglesNearTheQuietBoundsMatchTheHost) {
  CompareNearQuietBounds<float>("ss");
}

// ---- Architectural checks ---------------------------------------------------

const std::vector<uint8_t> kDivsdReg = {0xf2, 0x0f, 0x5e, 0xc1};  // divsd xmm0, xmm1
const std::vector<uint8_t> kAddpsReg = {0x0f, 0x58, 0xc1};        // addps xmm0, xmm1
const std::vector<uint8_t> kAddpdMem = {0x66, 0x0f, 0x58, 0x06};  // addpd xmm0, [rsi]
const std::vector<uint8_t> kAddsdMem = {0xf2, 0x0f, 0x58, 0x06};  // addsd xmm0, [rsi]
const std::vector<uint8_t> kHaddpdMem = {0x66, 0x0f, 0x7c, 0x06};  // haddpd xmm0, [rsi]

void SetDoubles(CpuState& s, int r, double lo, double hi) {
  std::memcpy(s.sse.xmm[r], &lo, 8);
  std::memcpy(s.sse.xmm[r] + 8, &hi, 8);
}

double LowDouble(const CpuState& s, int r) {
  double d;
  std::memcpy(&d, s.sse.xmm[r], 8);
  return d;
}

// 1/0 with ZE unmasked: #XM when CR4.OSXMMEXCPT=1, else #UD; ZE is set
// either way and xmm0 keeps its value (SDM vol. 3 "SIMD floating-point
// exception", vol. 1 11.5.2.2).
TEST(SseFloatChecksTest, UnmaskedExceptionRaisesXmOrUd) {
  for (bool osxmmexcpt : {true, false}) {
    LongModeMachine m;
    if (!osxmmexcpt) m.state().cr4 &= ~kCr4OSXMMEXCPT;
    m.state().sse.mxcsr = 0x1f80 & ~0x200u;  // ZM clear
    SetDoubles(m.state(), 0, 1.0, 2.0);
    SetDoubles(m.state(), 1, 0.0, 0.0);
    LongModeMachine::Outcome out = m.Run(kDivsdReg);
    EXPECT_EQ(out.vector, osxmmexcpt ? kSimdError : kInvalidOpcode);
    EXPECT_EQ(out.fault_rip, LongModeMachine::kCode);
    EXPECT_EQ(LowDouble(m.state(), 0), 1.0);
    EXPECT_EQ(m.state().sse.mxcsr, 0x1d84u);  // ZE
  }
}

// Masked, the same division gives +inf and sets only ZE.
TEST(SseFloatChecksTest, MaskedExceptionSetsStickyFlag) {
  LongModeMachine m;
  SetDoubles(m.state(), 0, 1.0, 2.0);
  SetDoubles(m.state(), 1, 0.0, 0.0);
  EXPECT_EQ(m.Run(kDivsdReg).vector, -1);
  EXPECT_EQ(LowDouble(m.state(), 0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(m.state().sse.mxcsr, 0x1f84u);
}

// The host's MXCSR keeps flags between instructions when the guest has set
// them already (cpu/sse_float.h): a guest that clears its flags, or flags
// the simulator's own arithmetic left on the host, must not show up in the
// guest's MXCSR after an exact instruction.
TEST(SseFloatChecksTest, FlagsStandingOnTheHostAreNotTheGuests) {
  const std::vector<uint8_t> kLdmxcsr = {0x0f, 0xae, 0x16};  // ldmxcsr [rsi]
  LongModeMachine m;
  const uint32_t cleared = 0x1f80;
  m.Put64(LongModeMachine::kData, cleared);
  m.state().gpr[kRsi] = LongModeMachine::kData;
  // 1/3 is inexact (PE); then the guest clears its flags; then 1/2 is exact.
  SetDoubles(m.state(), 0, 1.0, 0.0);
  SetDoubles(m.state(), 1, 3.0, 0.0);
  SetDoubles(m.state(), 2, 2.0, 0.0);
  std::vector<uint8_t> code = kDivsdReg;
  code.insert(code.end(), kLdmxcsr.begin(), kLdmxcsr.end());
  code.insert(code.end(), {0x0f, 0x28, 0xd8, 0xf2, 0x0f, 0x5e, 0xda});  // movaps xmm3, xmm0; divsd xmm3, xmm2
  EXPECT_EQ(m.Run(code).vector, -1);
  EXPECT_EQ(m.state().sse.mxcsr, 0x1f80u);
  // A flag the host raised by itself (here, set directly) is not the guest's.
  SetDoubles(m.state(), 0, 1.0, 0.0);
  _mm_setcsr(_mm_getcsr() | 0x3f);
  EXPECT_EQ(m.Run({0xf2, 0x0f, 0x5e, 0xc2}).vector, -1);  // divsd xmm0, xmm2: exact
  _mm_setcsr(_mm_getcsr() & ~0x3fu);
  EXPECT_EQ(m.state().sse.mxcsr, 0x1f80u);
  EXPECT_EQ(LowDouble(m.state(), 0), 0.5);
}

// A pre-computation exception (IE) unmasked in one lane hides the
// post-computation flags (PE) another lane raised: only IE is recorded.
TEST(SseFloatChecksTest, UnmaskedPreComputationExceptionSuppressesPostFlags) {
  LongModeMachine m;
  m.state().sse.mxcsr = 0x1f80 & ~0x80u;  // IM clear
  uint32_t a[4] = {0x7f800000, 0x3f800000, 0, 0};  // inf, 1
  uint32_t b[4] = {0xff800000, 0x33800001, 0, 0};  // -inf, tiny
  std::memcpy(m.state().sse.xmm[0], a, 16);
  std::memcpy(m.state().sse.xmm[1], b, 16);
  EXPECT_EQ(m.Run(kAddpsReg).vector, kSimdError);
  EXPECT_EQ(m.state().sse.mxcsr, 0x1f01u);
  EXPECT_EQ(0, std::memcmp(m.state().sse.xmm[0], a, 16));
}

// Unmasked precision exception (a post-computation one): the fault leaves
// the destination unchanged and sets PE.
TEST(SseFloatChecksTest, UnmaskedPrecisionFaultsWithoutWriting) {
  LongModeMachine m;
  m.state().sse.mxcsr = 0x1f80 & ~0x1000u;  // PM clear
  SetDoubles(m.state(), 0, 1.0, 0.0);
  SetDoubles(m.state(), 1, 3.0, 0.0);
  EXPECT_EQ(m.Run(kDivsdReg).vector, kSimdError);
  EXPECT_EQ(LowDouble(m.state(), 0), 1.0);
  EXPECT_EQ(m.state().sse.mxcsr, 0x0fa0u);
}

// SDM vol. 2A 2.4 (exception type 2): packed forms need a 16-byte-aligned
// operand, scalar forms take any address.
TEST(SseFloatChecksTest, MisalignedPackedOperandRaisesGp) {
  LongModeMachine m;
  m.state().gpr[kRsi] = LongModeMachine::kData + 8;
  SetDoubles(m.state(), 0, 1.0, 2.0);
  for (const auto* code : {&kAddpdMem, &kHaddpdMem}) {
    LongModeMachine::Outcome out = m.Run(*code);
    EXPECT_EQ(out.vector, kGeneralProtection);
    EXPECT_EQ(out.error_code, 0u);
    EXPECT_EQ(LowDouble(m.state(), 0), 1.0);
  }
  double one = 1.0;
  m.memory().CopyIn(LongModeMachine::kData + 8, &one, 8);
  EXPECT_EQ(m.Run(kAddsdMem).vector, -1);
  EXPECT_EQ(LowDouble(m.state(), 0), 2.0);
}

const std::vector<uint8_t> kComissReg = {0x0f, 0x2f, 0xc1};         // comiss xmm0, xmm1
const std::vector<uint8_t> kUcomissReg = {0x0f, 0x2e, 0xc1};        // ucomiss xmm0, xmm1
const std::vector<uint8_t> kCmpltpsReg = {0x0f, 0xc2, 0xc1, 0x01};  // cmpltps xmm0, xmm1

// The #UD/#NM gating of the other SSE instructions applies (SDM vol. 2A
// 2.4: CR0.EM or CR4.OSFXSR=0 is #UD, then CR0.TS is #NM).
TEST(SseFloatChecksTest, ControlRegistersGate) {
  for (const auto* code : {&kAddpsReg, &kCmpltpsReg, &kComissReg}) {
    LongModeMachine m;
    m.state().cr0 |= kCr0TS;
    EXPECT_EQ(m.Run(*code).vector, kDeviceNotAvailable);
    m.state().cr0 |= kCr0EM;
    EXPECT_EQ(m.Run(*code).vector, kInvalidOpcode);
    m.state().cr0 &= ~(kCr0EM | kCr0TS);
    m.state().cr4 &= ~kCr4OSFXSR;
    EXPECT_EQ(m.Run(*code).vector, kInvalidOpcode);
  }
}

void SetFloats(CpuState& s, int r, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  uint32_t v[4] = {a, b, c, d};
  std::memcpy(s.sse.xmm[r], v, 16);
}

constexpr uint32_t kQnan = 0x7fc00000, kSnan = 0x7fa00000, kOne = 0x3f800000;
constexpr uint64_t kZfPfCf = kZF | kPF | kCF;

// COMISS signals IE on a QNaN, UCOMISS only on an SNaN (SDM vol. 2A COMISS,
// UCOMISS). Unmasked, the fault leaves EFLAGS as they were and sets IE.
TEST(SseFloatChecksTest, ComissFaultsOnQnanUcomissDoesNot) {
  LongModeMachine m;
  CpuState& s = m.state();
  s.sse.mxcsr = 0x1f80 & ~0x80u;  // IM clear
  SetFloats(s, 0, kOne, 0, 0, 0);
  SetFloats(s, 1, kQnan, 0, 0, 0);
  s.rflags = 0x2 | kOF | kSF;
  EXPECT_EQ(m.Run(kComissReg).vector, kSimdError);
  EXPECT_EQ(s.rflags & kArithFlags, kOF | kSF);
  EXPECT_EQ(s.sse.mxcsr, 0x1f01u);

  s.sse.mxcsr = 0x1f80 & ~0x80u;
  EXPECT_EQ(m.Run(kUcomissReg).vector, -1);
  EXPECT_EQ(s.rflags & kArithFlags, kZfPfCf);  // unordered; OF and SF cleared
  EXPECT_EQ(s.sse.mxcsr, 0x1f00u);

  SetFloats(s, 1, kSnan, 0, 0, 0);
  s.rflags = 0x2;
  EXPECT_EQ(m.Run(kUcomissReg).vector, kSimdError);
  EXPECT_EQ(s.rflags & kArithFlags, 0u);
  EXPECT_EQ(s.sse.mxcsr, 0x1f01u);
}

// CMPLTPS is a signalling predicate: a QNaN in any lane raises IE; unmasked,
// no lane of the destination is written. Masked, that lane compares false.
TEST(SseFloatChecksTest, SignallingComparePredicateOnQnan) {
  LongModeMachine m;
  CpuState& s = m.state();
  s.sse.mxcsr = 0x1f80 & ~0x80u;
  SetFloats(s, 0, kOne, 0, kOne, 0x40400000);            // 1, 0, 1, 3
  SetFloats(s, 1, 0x40000000, kQnan, 0x40000000, kOne);  // 2, NaN, 2, 1
  uint8_t before[16];
  std::memcpy(before, s.sse.xmm[0], 16);
  EXPECT_EQ(m.Run(kCmpltpsReg).vector, kSimdError);
  EXPECT_EQ(0, std::memcmp(s.sse.xmm[0], before, 16));
  EXPECT_EQ(s.sse.mxcsr, 0x1f01u);

  s.sse.mxcsr = 0x1f80;
  EXPECT_EQ(m.Run(kCmpltpsReg).vector, -1);
  uint32_t lanes[4];
  std::memcpy(lanes, s.sse.xmm[0], 16);
  EXPECT_EQ(lanes[0], 0xffffffffu);  // 1 < 2
  EXPECT_EQ(lanes[1], 0u);           // 0 < NaN is false
  EXPECT_EQ(lanes[2], 0xffffffffu);
  EXPECT_EQ(lanes[3], 0u);           // 3 < 1
  EXPECT_EQ(s.sse.mxcsr, 0x1f81u);
}

}  // namespace
}  // namespace x64sim::testing
