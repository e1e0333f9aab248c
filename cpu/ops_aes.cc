// AES-NI (AESENC, AESENCLAST, AESDEC, AESDECLAST, AESIMC, AESKEYGENASSIST)
// and PCLMULQDQ, written from their SDM vol. 2 pages and FIPS-197. The
// S-boxes are computed, not tabulated: the multiplicative inverse in
// GF(2^8) followed by FIPS-197's affine transformation (5.1.1).
#include <emmintrin.h>

#include <array>
#include <cstdint>

#include "cpu/binder.h"
#include "cpu/sse_access.h"
#include "cpu/sse_packed.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 4.2).
constexpr uint8_t Multiply(uint8_t a, uint8_t b) {
  uint8_t product = 0;
  for (; b; b >>= 1) {
    if (b & 1) product ^= a;
    a = static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
  }
  return product;
}

constexpr uint8_t RotateLeft(uint8_t x, int n) {
  return static_cast<uint8_t>((x << n) | (x >> (8 - n)));
}

struct SBoxes {
  std::array<uint8_t, 256> forward, inverse;
};

// x^254 by square-and-multiply: the inverse of x (x^255 = 1), and 0 for 0.
// (254 plain multiplications a byte would pass clang's constexpr step limit.)
constexpr uint8_t Inverse(uint8_t x) {
  uint8_t result = 1;
  uint8_t power = x;
  for (int e = 254; e != 0; e >>= 1) {
    if (e & 1) result = Multiply(result, power);
    power = Multiply(power, power);
  }
  return result;
}

constexpr SBoxes MakeSBoxes() {
  SBoxes s{};
  for (int x = 0; x < 256; ++x) {
    const uint8_t inverse = Inverse(static_cast<uint8_t>(x));
    const uint8_t b = inverse ^ RotateLeft(inverse, 1) ^ RotateLeft(inverse, 2) ^
                      RotateLeft(inverse, 3) ^ RotateLeft(inverse, 4) ^ 0x63;
    s.forward[x] = b;
    s.inverse[b] = static_cast<uint8_t>(x);
  }
  return s;
}

constexpr SBoxes kSBoxes = MakeSBoxes();
static_assert(kSBoxes.forward[0x00] == 0x63 && kSBoxes.forward[0x53] == 0xed);  // FIPS-197 5.1.1

// The state is 16 bytes, byte r + 4c at row r, column c (FIPS-197 3.4).
using State = Lanes<uint8_t>;

// ShiftRows (kInverse: InvShiftRows) and SubBytes (InvSubBytes) together:
// row r is rotated left (right) by r columns.
template <bool kInverse>
State ShiftAndSubstitute(const State& in) {
  State out;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) {
      const int from = r + 4 * ((kInverse ? c - r + 4 : c + r) % 4);
      out.v[r + 4 * c] = kInverse ? kSBoxes.inverse[in.v[from]] : kSBoxes.forward[in.v[from]];
    }
  }
  return out;
}

// MixColumns with the coefficients {02 03 01 01}, InvMixColumns with
// {0e 0b 0d 09}, rotated per row (FIPS-197 5.1.3, 5.3.3).
template <bool kInverse>
State MixColumns(const State& in) {
  constexpr uint8_t k[4] = {kInverse ? 0x0e : 0x02, kInverse ? 0x0b : 0x03, kInverse ? 0x0d : 0x01,
                            kInverse ? 0x09 : 0x01};
  State out;
  for (int c = 0; c < 4; ++c) {
    for (int r = 0; r < 4; ++r) {
      uint8_t x = 0;
      for (int i = 0; i < 4; ++i) x ^= Multiply(k[(i - r + 4) % 4], in.v[i + 4 * c]);
      out.v[r + 4 * c] = x;
    }
  }
  return out;
}

// AESENC/AESENCLAST/AESDEC/AESDECLAST: one round on the destination, the
// source the round key; the last rounds skip the column mixing.
template <bool kDecrypt, bool kLast>
__m128i Round(__m128i dst, __m128i key, uint8_t) {
  State s = ShiftAndSubstitute<kDecrypt>(State(dst));
  if constexpr (!kLast) s = MixColumns<kDecrypt>(s);
  return _mm_xor_si128(s.Pack(), key);
}

// AESIMC: InvMixColumns of the source (for the decryption key schedule).
__m128i InverseMixColumns(__m128i, __m128i src, uint8_t) {
  return MixColumns<true>(State(src)).Pack();
}

// AESKEYGENASSIST: SubWord of source dwords 1 and 3, each also rotated
// right by 8 bits and XORed with the imm8 round constant.
__m128i KeyGenAssist(__m128i, __m128i src, uint8_t rcon) {
  Lanes<uint32_t> s(src), r;
  auto sub_word = [](uint32_t w) {
    uint32_t out = 0;
    for (int i = 0; i < 4; ++i) out |= uint32_t{kSBoxes.forward[(w >> (8 * i)) & 0xff]} << (8 * i);
    return out;
  };
  for (int half = 0; half < 2; ++half) {
    const uint32_t w = sub_word(s.v[1 + 2 * half]);
    r.v[2 * half] = w;
    r.v[2 * half + 1] = ((w >> 8) | (w << 24)) ^ rcon;
  }
  return r.Pack();
}

// PCLMULQDQ: the carry-less product of destination quadword imm8[0] and
// source quadword imm8[4], 128 bits.
__m128i CarryLessMultiply(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<uint64_t> d(dst), s(src), r{};
  const uint64_t a = d.v[imm & 1], b = s.v[(imm >> 4) & 1];
  for (int i = 0; i < 64; ++i) {
    if ((b >> i) & 1) {
      r.v[0] ^= a << i;
      if (i) r.v[1] ^= a >> (64 - i);
    }
  }
  return r.Pack();
}

}  // namespace

void RegisterAesOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_AESENC, &BindPacked<&Round<false, false>>);
  t.Add(ZYDIS_MNEMONIC_AESENCLAST, &BindPacked<&Round<false, true>>);
  t.Add(ZYDIS_MNEMONIC_AESDEC, &BindPacked<&Round<true, false>>);
  t.Add(ZYDIS_MNEMONIC_AESDECLAST, &BindPacked<&Round<true, true>>);
  t.Add(ZYDIS_MNEMONIC_AESIMC, &BindPacked<&InverseMixColumns>);
  t.Add(ZYDIS_MNEMONIC_AESKEYGENASSIST, &BindPacked<&KeyGenAssist>);
  t.Add(ZYDIS_MNEMONIC_PCLMULQDQ, &BindPacked<&CarryLessMultiply>);
  // VEX.128 forms (cpu/vex.h); the 256-bit ones are VAES and VPCLMULQDQ, not AVX.
  t.Add(ZYDIS_MNEMONIC_VAESENC, &BindVexPacked<&Round<false, false>, VexWidths::k128>);
  t.Add(ZYDIS_MNEMONIC_VAESENCLAST, &BindVexPacked<&Round<false, true>, VexWidths::k128>);
  t.Add(ZYDIS_MNEMONIC_VAESDEC, &BindVexPacked<&Round<true, false>, VexWidths::k128>);
  t.Add(ZYDIS_MNEMONIC_VAESDECLAST, &BindVexPacked<&Round<true, true>, VexWidths::k128>);
  t.Add(ZYDIS_MNEMONIC_VAESIMC, &BindVexPacked<&InverseMixColumns, VexWidths::k128>);
  t.Add(ZYDIS_MNEMONIC_VAESKEYGENASSIST, &BindVexPacked<&KeyGenAssist, VexWidths::k128>);
  t.Add(ZYDIS_MNEMONIC_VPCLMULQDQ, &BindVexPacked<&CarryLessMultiply, VexWidths::k128>);
}

}  // namespace x64sim
