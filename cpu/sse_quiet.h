// Scalar operands on which an SSE operation can raise no SIMD floating-point
// exception but precision, told apart from the operands' exponents alone.
// Reading the host's MXCSR around an instruction (cpu/sse_float.h) costs
// several times the arithmetic; for these operands it is not needed.
//
// SDM vol. 1 4.9.1 and 11.5.2: invalid operation needs a NaN, an infinity
// or 0/0; denormal needs a denormal operand; divide-by-zero a zero divisor;
// overflow and underflow a result beyond the normal range. Finite normal
// operands whose exponents keep the exact result two binades inside that
// range raise none of these. A sum of zeros and normals below 2^(bias-1)
// cannot overflow, and a tiny sum is exact, which a masked underflow does
// not report (vol. 1 4.9.1.5).
#ifndef X64SIM_CPU_SSE_QUIET_H_
#define X64SIM_CPU_SSE_QUIET_H_

#include <emmintrin.h>

#include <cstdint>
#include <cstdlib>

namespace x64sim {

enum class Quiet { kSum, kProduct, kQuotient, kCompare };

// IEEE 754 binary32 and binary64: fraction bits and exponent bias.
template <typename T>
struct IeeeFormat;
template <>
struct IeeeFormat<float> {
  static constexpr int kFractionBits = 23, kBias = 127;
};
template <>
struct IeeeFormat<double> {
  static constexpr int kFractionBits = 52, kBias = 1023;
};

// The low element's biased exponent, and whether the element is ±0.
template <typename T>
int BiasedExponent(__m128i v) {
  const uint64_t bits = static_cast<uint64_t>(_mm_cvtsi128_si64(v));
  return static_cast<int>((bits >> IeeeFormat<T>::kFractionBits) & (2 * IeeeFormat<T>::kBias + 1));
}
template <typename T>
bool IsZero(__m128i v) {
  const uint64_t bits = static_cast<uint64_t>(_mm_cvtsi128_si64(v));
  constexpr int kWidth = sizeof(T) * 8;
  return (bits << (65 - kWidth)) == 0;  // every bit but the sign
}

// True when operation kOp on the low elements of a and b raises at most
// the precision exception in the default modes (round to nearest, no DAZ
// or FTZ) with underflow masked; a compare then raises nothing at all.
template <typename T, Quiet kOp>
bool OnlyPrecision(__m128i a, __m128i b) {
  constexpr int kBias = IeeeFormat<T>::kBias, kMaxNormal = 2 * kBias;
  const int ea = BiasedExponent<T>(a), eb = BiasedExponent<T>(b);
  // 1 <= e <= kMaxNormal, as one unsigned compare.
  const bool normal_a = static_cast<unsigned>(ea - 1) < kMaxNormal;
  const bool normal_b = static_cast<unsigned>(eb - 1) < kMaxNormal;
  switch (kOp) {
    case Quiet::kCompare:
      return (normal_a || IsZero<T>(a)) && (normal_b || IsZero<T>(b));
    case Quiet::kSum:
      return (normal_a || IsZero<T>(a)) && (normal_b || IsZero<T>(b)) && ea <= kMaxNormal - 2 &&
             eb <= kMaxNormal - 2;
    case Quiet::kProduct:  // the product's exponent is (ea - bias) + (eb - bias), plus 0 or 1
      return normal_a && normal_b && ea + eb >= kBias + 4 && ea + eb <= 3 * kBias - 4;
    case Quiet::kQuotient:  // (ea - eb), minus 0 or 1
      return normal_a && normal_b && std::abs(ea - eb) <= kBias - 4;
  }
  return false;
}

// The guest's MXCSR that lets such an operation run bare: the host's modes
// (round to nearest, no DAZ or FTZ), every exception masked, and precision
// already recorded, so raising it again changes nothing.
inline bool PrecisionAlreadyRecorded(uint32_t mxcsr) {
  constexpr uint32_t kFlags = 0x3f, kAllMaskedDefaultModes = 0x1f80, kPrecisionFlag = 0x20;
  return (mxcsr & ~kFlags) == kAllMaskedDefaultModes && (mxcsr & kPrecisionFlag);
}

}  // namespace x64sim

#endif  // X64SIM_CPU_SSE_QUIET_H_
