// RCPPS/RCPSS/RSQRTPS/RSQRTSS and their VEX forms (SDM vol. 2B): the
// approximation against the exact value over every significand of several
// exponents (within the SDM's bound, and exactly the value rounded to 12
// significant bits, as cpu/reciprocal_approx.h promises), the special cases
// the SDM fixes, the host CPU inside the same bound, and the instructions
// in the core: which elements they write, the VEX upper-half zeroing, no
// MXCSR flag and no #XM even with every exception unmasked, #GP for a
// misaligned packed operand.
#include <xmmintrin.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "cpu/reciprocal_approx.h"
#include "gtest/gtest.h"
#include "tests/cpu/avx_differential.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

constexpr long double kSdmBound = 1.5L / 4096;  // |relative error| <= 1.5 * 2^-12

float F(uint32_t bits) { return std::bit_cast<float>(bits); }
uint32_t Bits(float f) { return std::bit_cast<uint32_t>(f); }

// `exact` rounded to nearest with 12 significant bits (no ties occur).
long double RoundTo12Bits(long double exact) {
  int e;
  const long double m = std::frexp(exact, &e);  // [0.5, 1)
  return std::ldexp(std::nearbyint(std::ldexp(m, 12)), e - 12);
}

void ExpectRoundedExact(uint32_t (*approx)(uint32_t), long double (*exact)(long double),
                        uint32_t exponent) {
  for (uint32_t fraction = 0; fraction < (1u << 23); ++fraction) {
    const uint32_t x = exponent << 23 | fraction;
    const long double want = exact(static_cast<long double>(F(x)));
    const uint32_t got = approx(x);
    ASSERT_EQ(static_cast<long double>(F(got)), RoundTo12Bits(want)) << std::hex << "x=" << x;
    ASSERT_LE(std::fabs(F(got) - want) / want, kSdmBound) << std::hex << "x=" << x;
    ASSERT_EQ(got & 0xfff, 0u) << "12 significant bits";
  }
}

long double Reciprocal(long double x) { return 1 / x; }
long double ReciprocalSqrt(long double x) { return 1 / std::sqrt(x); }

TEST(ReciprocalApproxTest, EverySignificandIsTheExactValueRoundedTo12Bits) {
  for (uint32_t exponent : {1u, 100u, 127u, 200u, 252u}) {
    ExpectRoundedExact(&ApproxReciprocal, &Reciprocal, exponent);
  }
  // Both parities of the exponent, and its ends.
  for (uint32_t exponent : {1u, 126u, 127u, 128u, 254u}) {
    ExpectRoundedExact(&ApproxReciprocalSqrt, &ReciprocalSqrt, exponent);
  }
}

TEST(ReciprocalApproxTest, SpecialCasesFollowTheSdm) {
  const uint32_t kPosInf = 0x7f80'0000, kNegInf = 0xff80'0000;
  // 0 and denormals (treated as 0) give an infinity of their sign.
  for (uint32_t x : {0x0000'0000u, 0x0000'0001u, 0x007f'ffffu}) {
    EXPECT_EQ(ApproxReciprocal(x), kPosInf);
    EXPECT_EQ(ApproxReciprocal(x | 0x8000'0000), kNegInf);
    EXPECT_EQ(ApproxReciprocalSqrt(x), kPosInf);
    EXPECT_EQ(ApproxReciprocalSqrt(x | 0x8000'0000), kNegInf);
  }
  EXPECT_EQ(ApproxReciprocal(kPosInf), 0u);
  EXPECT_EQ(ApproxReciprocal(kNegInf), 0x8000'0000u);
  EXPECT_EQ(ApproxReciprocalSqrt(kPosInf), 0u);
  // Negative numbers other than -0 give the floating-point indefinite.
  for (uint32_t x : {kNegInf, Bits(-1.0f), Bits(-1e-30f), 0x8080'0000u}) {
    EXPECT_EQ(ApproxReciprocalSqrt(x), 0xffc0'0000u) << std::hex << x;
  }
  // An SNaN comes back quiet, a QNaN as it is.
  for (auto f : {&ApproxReciprocal, &ApproxReciprocalSqrt}) {
    EXPECT_EQ(f(0x7f80'0001), 0x7fc0'0001u);
    EXPECT_EQ(f(0xffa0'0000), 0xffe0'0000u);
    EXPECT_EQ(f(0x7fc1'2345), 0x7fc1'2345u);
  }
  // Tiny reciprocals are flushed to 0 of the source's sign. The SDM:
  // sources up to 1.11111111110100000000000b * 2^125 give no tiny result,
  // sources from 1.00000000000110000000001b * 2^126 always do.
  const uint32_t never_tiny = (125u + 127) << 23 | 0b11111111110100000000000u;
  const uint32_t always_tiny = (126u + 127) << 23 | 0b00000000000110000000001u;
  EXPECT_GE(ApproxReciprocal(never_tiny), 0x0080'0000u);
  EXPECT_EQ(ApproxReciprocal(always_tiny), 0u);
  EXPECT_EQ(ApproxReciprocal(always_tiny | 0x8000'0000), 0x8000'0000u);
  EXPECT_EQ(ApproxReciprocal(0x7f7f'ffff), 0u) << "1/FLT_MAX";
  EXPECT_EQ(ApproxReciprocal(Bits(0x1p-126f)), Bits(0x1p126f)) << "exact for powers of two";
  EXPECT_EQ(ApproxReciprocalSqrt(Bits(0x1p-126f)), Bits(0x1p63f));
  EXPECT_EQ(ApproxReciprocalSqrt(Bits(4.0f)), Bits(0.5f));
}

// The host's approximation obeys the same bound and the same special cases
// (its bits are its vendor's own: AMD's and Intel's differ).
TEST(ReciprocalApproxTest, TheHostAgreesWithinTheBound) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 200'000; ++i) {
    uint32_t x = any(rng) & 0x7fff'ffff;
    const uint32_t exponent = x >> 23;
    if (exponent == 0 || exponent >= 253) continue;  // rcp's flush band differs by vendor
    const float host_rcp = _mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(F(x))));
    const float host_rsqrt = _mm_cvtss_f32(_mm_rsqrt_ss(_mm_set_ss(F(x))));
    const long double rcp = Reciprocal(F(x)), rsqrt = ReciprocalSqrt(F(x));
    ASSERT_LE(std::fabs(host_rcp - rcp) / rcp, kSdmBound) << std::hex << x;
    ASSERT_LE(std::fabs(host_rsqrt - rsqrt) / rsqrt, kSdmBound) << std::hex << x;
    ASSERT_LE(std::fabs(F(ApproxReciprocal(x)) - host_rcp) / rcp, 2 * kSdmBound);
    ASSERT_LE(std::fabs(F(ApproxReciprocalSqrt(x)) - host_rsqrt) / rsqrt, 2 * kSdmBound);
  }
  for (float x : {0.0f, -0.0f, INFINITY, -INFINITY, -2.0f}) {
    EXPECT_EQ(Bits(_mm_cvtss_f32(_mm_rsqrt_ss(_mm_set_ss(x)))), ApproxReciprocalSqrt(Bits(x))) << x;
    if (x != -2.0f) {
      EXPECT_EQ(Bits(_mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(x)))), ApproxReciprocal(Bits(x))) << x;
    }
  }
}

// ---- The instructions ---------------------------------------------------

void SetLane(CpuState& s, int reg, int lane, float v) {
  uint8_t* bytes = lane < 4 ? s.sse.xmm[reg] + 4 * lane : s.sse.ymm_hi[reg] + 4 * (lane - 4);
  std::memcpy(bytes, &v, 4);
}
uint32_t Lane(const CpuState& s, int reg, int lane) {
  uint32_t v;
  std::memcpy(&v, lane < 4 ? s.sse.xmm[reg] + 4 * lane : s.sse.ymm_hi[reg] + 4 * (lane - 4), 4);
  return v;
}

const float kSources[8] = {3.0f, 0.1f, -7.5f, 1e20f, 2.0f, 0.0f, 123.456f, 1e-3f};

// xmm1 (and ymm1) hold kSources; xmm0 and xmm2 hold distinct markers.
void Fill(LongModeMachine& m) {
  for (int lane = 0; lane < 8; ++lane) {
    SetLane(m.state(), 0, lane, 1000.0f + lane);
    SetLane(m.state(), 1, lane, kSources[lane]);
    SetLane(m.state(), 2, lane, 2000.0f + lane);
  }
  // Every exception unmasked: these instructions raise none.
  m.state().sse.mxcsr = 0x0000;
}

TEST(SseReciprocalTest, PackedFormsApproximateEveryElement) {
  LongModeMachine m;
  Fill(m);
  ASSERT_EQ(m.Run({0x0f, 0x53, 0xc1}).vector, -1);  // rcpps xmm0, xmm1
  for (int lane = 0; lane < 4; ++lane) {
    EXPECT_EQ(Lane(m.state(), 0, lane), ApproxReciprocal(Bits(kSources[lane]))) << lane;
  }
  EXPECT_EQ(Lane(m.state(), 0, 4), Bits(1004.0f)) << "SSE leaves the upper half";
  // rsqrtps xmm0, [rsi]: -7.5 gives the indefinite.
  m.memory().CopyIn(LongModeMachine::kData, kSources, 16);
  m.state().gpr[kRsi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run({0x0f, 0x52, 0x06}).vector, -1);
  for (int lane = 0; lane < 4; ++lane) {
    EXPECT_EQ(Lane(m.state(), 0, lane), ApproxReciprocalSqrt(Bits(kSources[lane]))) << lane;
  }
  EXPECT_EQ(Lane(m.state(), 0, 2), 0xffc0'0000u);
  EXPECT_EQ(m.state().sse.mxcsr, 0u) << "no flag, no #XM";
}

TEST(SseReciprocalTest, ScalarFormsKeepTheUpperElements) {
  LongModeMachine m;
  Fill(m);
  m.memory().CopyIn(LongModeMachine::kData + 4, &kSources[6], 4);  // m32 needs no alignment
  m.state().gpr[kRsi] = LongModeMachine::kData + 4;
  ASSERT_EQ(m.Run({0xf3, 0x0f, 0x53, 0x06}).vector, -1);  // rcpss xmm0, [rsi]
  EXPECT_EQ(Lane(m.state(), 0, 0), ApproxReciprocal(Bits(kSources[6])));
  for (int lane = 1; lane < 8; ++lane) EXPECT_EQ(Lane(m.state(), 0, lane), Bits(1000.0f + lane));
  ASSERT_EQ(m.Run({0xf3, 0x0f, 0x52, 0xc1}).vector, -1);  // rsqrtss xmm0, xmm1
  EXPECT_EQ(Lane(m.state(), 0, 0), ApproxReciprocalSqrt(Bits(kSources[0])));
  EXPECT_EQ(Lane(m.state(), 0, 1), Bits(1001.0f));
}

TEST(SseReciprocalTest, VexFormsWriteBothLanesOrZeroTheUpperHalf) {
  LongModeMachine m;
  EnableAvx(m);
  Fill(m);
  ASSERT_EQ(m.Run({0xc5, 0xfc, 0x53, 0xc1}).vector, -1);  // vrcpps ymm0, ymm1
  for (int lane = 0; lane < 8; ++lane) {
    EXPECT_EQ(Lane(m.state(), 0, lane), ApproxReciprocal(Bits(kSources[lane]))) << lane;
  }
  Fill(m);
  ASSERT_EQ(m.Run({0xc5, 0xf8, 0x52, 0xc1}).vector, -1);  // vrsqrtps xmm0, xmm1
  for (int lane = 0; lane < 4; ++lane) {
    EXPECT_EQ(Lane(m.state(), 0, lane), ApproxReciprocalSqrt(Bits(kSources[lane]))) << lane;
  }
  for (int lane = 4; lane < 8; ++lane) EXPECT_EQ(Lane(m.state(), 0, lane), 0u) << "zeroed";
  Fill(m);
  ASSERT_EQ(m.Run({0xc5, 0xea, 0x53, 0xc1}).vector, -1);  // vrcpss xmm0, xmm2, xmm1
  EXPECT_EQ(Lane(m.state(), 0, 0), ApproxReciprocal(Bits(kSources[0])));
  for (int lane = 1; lane < 4; ++lane) EXPECT_EQ(Lane(m.state(), 0, lane), Bits(2000.0f + lane));
  for (int lane = 4; lane < 8; ++lane) EXPECT_EQ(Lane(m.state(), 0, lane), 0u) << "zeroed";
  EXPECT_EQ(m.state().sse.mxcsr, 0u);
}

TEST(SseReciprocalTest, MisalignedPackedOperandRaisesGp) {
  LongModeMachine m;
  Fill(m);
  m.state().gpr[kRsi] = LongModeMachine::kData + 8;
  const LongModeMachine::Outcome out = m.Run({0x0f, 0x53, 0x06});  // rcpps xmm0, [rsi]
  EXPECT_EQ(out.vector, kGeneralProtection);
  EXPECT_EQ(Lane(m.state(), 0, 0), Bits(1000.0f)) << "nothing written";
  EnableAvx(m);
  EXPECT_EQ(m.Run({0xc5, 0xf8, 0x53, 0x06}).vector, -1) << "VEX: no alignment rule";
}

}  // namespace
}  // namespace x64sim::testing
