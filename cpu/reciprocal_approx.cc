#include "cpu/reciprocal_approx.h"

namespace x64sim {
namespace {

constexpr uint32_t kSign = 0x8000'0000, kExponent = 0x7f80'0000, kFraction = 0x007f'ffff;
constexpr uint32_t kQuietBit = 0x0040'0000, kDefaultNan = 0xffc0'0000;
constexpr int kFractionBits = 23;
constexpr int kKeptFractionBits = 11;  // 12 significant bits

// A float of sign `sign` from a significand r in [2^11, 2^12] (r / 2^11 in
// [1, 2], 2 carrying into the exponent) and a biased exponent; zero when
// the exponent is below the normal range (the SDM's flush of tiny results).
uint32_t Pack(uint32_t sign, int biased_exponent, uint64_t r) {
  if (r == uint64_t{1} << (kKeptFractionBits + 1)) {
    r >>= 1;
    ++biased_exponent;
  }
  if (biased_exponent <= 0) return sign;
  const uint32_t fraction = static_cast<uint32_t>(r - (uint64_t{1} << kKeptFractionBits));
  return sign | static_cast<uint32_t>(biased_exponent) << kFractionBits |
         fraction << (kFractionBits - kKeptFractionBits);
}

// The largest a with a * a <= n.
uint64_t IntegerSqrt(uint64_t n) {
  uint64_t a = 0;
  for (int bit = 31; bit >= 0; --bit) {
    const uint64_t b = a | uint64_t{1} << bit;
    if (b * b <= n) a = b;
  }
  return a;
}

}  // namespace

uint32_t ApproxReciprocal(uint32_t x) {
  const uint32_t sign = x & kSign;
  const int exponent = static_cast<int>((x & kExponent) >> kFractionBits);
  const uint32_t fraction = x & kFraction;
  if (exponent == 0xff) return fraction != 0 ? x | kQuietBit : sign;  // NaN; 1/inf = 0
  if (exponent == 0) return sign | kExponent;  // zero or denormal: infinity
  // x = M * 2^(e - 150) with M = 2^23 + fraction, so 1/x = (2^24 / M) *
  // 2^(126 - e), 2^24 / M in (1, 2]; its 11 fraction bits, rounded to
  // nearest, are round(2^35 / M). There is no tie: M would have to divide
  // 2^36, so be 2^23, whose quotient is exact.
  const uint64_t m = (uint64_t{1} << kFractionBits) | fraction;
  const uint64_t r = ((uint64_t{1} << 36) / m + 1) / 2;
  return Pack(sign, 253 - exponent, r);
}

uint32_t ApproxReciprocalSqrt(uint32_t x) {
  const uint32_t sign = x & kSign;
  const int exponent = static_cast<int>((x & kExponent) >> kFractionBits);
  const uint32_t fraction = x & kFraction;
  if (exponent == 0xff && fraction != 0) return x | kQuietBit;
  if (exponent == 0) return sign | kExponent;  // zero or denormal: infinity
  if (sign != 0) return kDefaultNan;
  if (exponent == 0xff) return 0;  // 1/sqrt(+inf) = +0
  // x = t * 2^(2p) with t = T / 2^23 in [1, 4) (T the significand, doubled
  // when the unbiased exponent is odd) and p = floor((e - 127) / 2). Then
  // 1/sqrt(x) = (2 / sqrt(t)) * 2^(-p - 1), 2 / sqrt(t) in (1, 2]; its 11
  // fraction bits, rounded to nearest, are r = round(sqrt(2^47 / T)): the
  // largest a with a^2 * T <= 2^47, plus one if (a + 1/2)^2 * T < 2^47
  // (no tie: (2a + 1)^2 * T = 2^49 has no solution here).
  const int unbiased = exponent - 127;
  const int odd = unbiased & 1;
  const int p = (unbiased - odd) / 2;
  const uint64_t t = ((uint64_t{1} << kFractionBits) | fraction) << odd;
  const uint64_t a = IntegerSqrt((uint64_t{1} << 47) / t);
  const uint64_t r = (2 * a + 1) * (2 * a + 1) * t < (uint64_t{1} << 49) ? a + 1 : a;
  return Pack(0, 126 - p, r);
}

}  // namespace x64sim
