// SSSE3: PABSB/W/D, PALIGNR, PHADDW/D/SW, PHSUBW/D/SW, PMADDUBSW,
// PMULHRSW, PSHUFB, PSIGNB/W/D, each written lane by lane from its SDM
// vol. 2 page; the MMX forms run the same functions on 64-bit operands
// (cpu/mmx.h).
#include <emmintrin.h>

#include <cstdint>
#include <type_traits>

#include "cpu/binder.h"
#include "cpu/mmx.h"
#include "cpu/sse_access.h"
#include "cpu/sse_packed.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

// PABSB/W/D: the unsigned absolute value of each signed source lane
// (|-128| is 0x80).
template <typename S>
__m128i Abs(__m128i, __m128i src, uint8_t) {
  using U = std::make_unsigned_t<S>;
  Lanes<S> s(src);
  Lanes<U> r;
  for (int i = 0; i < r.kCount; ++i) {
    const U magnitude = static_cast<U>(s.v[i]);  // negated as unsigned: no overflow at the minimum
    r.v[i] = s.v[i] < 0 ? static_cast<U>(U{0} - magnitude) : magnitude;
  }
  return r.Pack();
}

// PALIGNR: the 32-byte destination:source, shifted right by imm8 bytes;
// the low 16 bytes (zero once the shift passes 31).
__m128i AlignRight(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<uint8_t> d(dst), s(src), r;
  for (int i = 0; i < 16; ++i) {
    const int from = i + imm;
    r.v[i] = from < 16 ? s.v[from] : from < 32 ? d.v[from - 16] : 0;
  }
  return r.Pack();
}

// PALIGNR mm: the 16-byte destination:source shifted the same way, as the
// low half of a 128-bit source below a zero destination.
__m128i AlignRightMmx(__m128i dst, __m128i src, uint8_t imm) {
  return AlignRight(_mm_setzero_si128(), _mm_unpacklo_epi64(src, dst), imm);
}

// PHADD/PHSUB: adjacent pairs combined, the destination's pairs in the low
// half of the result and the source's in the high half. kSaturate: PHADDSW,
// PHSUBSW.
template <typename S, bool kSubtract, bool kSaturate>
__m128i Horizontal(__m128i dst, __m128i src, uint8_t) {
  Lanes<S> d(dst), s(src), r;
  constexpr int kHalf = Lanes<S>::kCount / 2;
  for (int i = 0; i < Lanes<S>::kCount; ++i) {
    const Lanes<S>& from = i < kHalf ? d : s;
    const int k = 2 * (i % kHalf);
    const int64_t a = from.v[k], b = from.v[k + 1];
    const int64_t x = kSubtract ? a - b : a + b;
    r.v[i] = kSaturate ? SaturateSigned<S>(x) : static_cast<S>(x);
  }
  return r.Pack();
}

// PMADDUBSW: unsigned destination bytes times signed source bytes, each
// pair of products added with signed saturation to a word.
__m128i MultiplyAddUnsignedSigned(__m128i dst, __m128i src, uint8_t) {
  Lanes<uint8_t> d(dst);
  Lanes<int8_t> s(src);
  Lanes<int16_t> r;
  for (int i = 0; i < 8; ++i) {
    r.v[i] = SaturateSigned<int16_t>(d.v[2 * i] * s.v[2 * i] + d.v[2 * i + 1] * s.v[2 * i + 1]);
  }
  return r.Pack();
}

// PMULHRSW: the signed product, scaled by 2^-14, rounded by adding 1 and
// dropping one more bit: bits 16:1 of ((a * b) >> 14) + 1.
__m128i MultiplyHighRoundScale(__m128i dst, __m128i src, uint8_t) {
  Lanes<int16_t> d(dst), s(src), r;
  for (int i = 0; i < 8; ++i) {
    const int32_t t = ((d.v[i] * s.v[i]) >> 14) + 1;
    r.v[i] = static_cast<int16_t>(t >> 1);
  }
  return r.Pack();
}

// PSHUFB: byte i is destination byte src[i] & 15, or 0 if src[i] bit 7 is set.
__m128i ShuffleBytes(__m128i dst, __m128i src, uint8_t) {
  Lanes<uint8_t> d(dst), s(src), r;
  for (int i = 0; i < 16; ++i) r.v[i] = (s.v[i] & 0x80) ? 0 : d.v[s.v[i] & 15];
  return r.Pack();
}

// PSHUFB mm: the index is src[i] & 7.
__m128i ShuffleBytesMmx(__m128i dst, __m128i src, uint8_t imm) {
  return ShuffleBytes(dst, _mm_and_si128(src, _mm_set1_epi8(static_cast<char>(0x87))), imm);
}

// PSIGNB/W/D: each destination lane negated where the source lane is
// negative, zeroed where it is zero, kept where it is positive (wrapping:
// -(-128) is -128).
template <typename S>
__m128i Sign(__m128i dst, __m128i src, uint8_t) {
  using U = std::make_unsigned_t<S>;
  Lanes<S> d(dst), s(src), r;
  for (int i = 0; i < r.kCount; ++i) {
    const U x = static_cast<U>(d.v[i]);
    r.v[i] = static_cast<S>(s.v[i] < 0 ? static_cast<U>(0u - x) : s.v[i] == 0 ? 0 : x);
  }
  return r.Pack();
}

// Both forms of a mnemonic; the MMX one computes with kMmxOp.
template <LaneOp Op, MmxShape kShape = MmxShape::kLanes, LaneOp kMmxOp = Op>
bool BindSsse3(const ZydisInsn& z, DecodedInsn& out) {
  return BindXmmOrMmx<&BindPacked<Op>, &BindMmxPacked<kMmxOp, kShape>>(z, out);
}

constexpr MmxShape kPaired = MmxShape::kPaired;

}  // namespace

void RegisterSsse3Ops(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      {ZYDIS_MNEMONIC_PABSB, &BindSsse3<&Abs<int8_t>>},
      {ZYDIS_MNEMONIC_PABSW, &BindSsse3<&Abs<int16_t>>},
      {ZYDIS_MNEMONIC_PABSD, &BindSsse3<&Abs<int32_t>>},
      {ZYDIS_MNEMONIC_PALIGNR, &BindSsse3<&AlignRight, MmxShape::kLanes, &AlignRightMmx>},
      {ZYDIS_MNEMONIC_PHADDW, &BindSsse3<&Horizontal<int16_t, false, false>, kPaired>},
      {ZYDIS_MNEMONIC_PHADDD, &BindSsse3<&Horizontal<int32_t, false, false>, kPaired>},
      {ZYDIS_MNEMONIC_PHADDSW, &BindSsse3<&Horizontal<int16_t, false, true>, kPaired>},
      {ZYDIS_MNEMONIC_PHSUBW, &BindSsse3<&Horizontal<int16_t, true, false>, kPaired>},
      {ZYDIS_MNEMONIC_PHSUBD, &BindSsse3<&Horizontal<int32_t, true, false>, kPaired>},
      {ZYDIS_MNEMONIC_PHSUBSW, &BindSsse3<&Horizontal<int16_t, true, true>, kPaired>},
      {ZYDIS_MNEMONIC_PMADDUBSW, &BindSsse3<&MultiplyAddUnsignedSigned>},
      {ZYDIS_MNEMONIC_PMULHRSW, &BindSsse3<&MultiplyHighRoundScale>},
      {ZYDIS_MNEMONIC_PSHUFB, &BindSsse3<&ShuffleBytes, MmxShape::kLanes, &ShuffleBytesMmx>},
      {ZYDIS_MNEMONIC_PSIGNB, &BindSsse3<&Sign<int8_t>>},
      {ZYDIS_MNEMONIC_PSIGNW, &BindSsse3<&Sign<int16_t>>},
      {ZYDIS_MNEMONIC_PSIGND, &BindSsse3<&Sign<int32_t>>},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
  // VEX forms (cpu/vex.h): AVX's VEX.128, AVX2's VEX.256, lane by lane.
  t.Add(ZYDIS_MNEMONIC_VPABSB, &BindVexPacked<&Abs<int8_t>>);
  t.Add(ZYDIS_MNEMONIC_VPABSW, &BindVexPacked<&Abs<int16_t>>);
  t.Add(ZYDIS_MNEMONIC_VPABSD, &BindVexPacked<&Abs<int32_t>>);
  t.Add(ZYDIS_MNEMONIC_VPALIGNR, &BindVexPacked<&AlignRight>);
  t.Add(ZYDIS_MNEMONIC_VPHADDW, &BindVexPacked<&Horizontal<int16_t, false, false>>);
  t.Add(ZYDIS_MNEMONIC_VPHADDD, &BindVexPacked<&Horizontal<int32_t, false, false>>);
  t.Add(ZYDIS_MNEMONIC_VPHADDSW, &BindVexPacked<&Horizontal<int16_t, false, true>>);
  t.Add(ZYDIS_MNEMONIC_VPHSUBW, &BindVexPacked<&Horizontal<int16_t, true, false>>);
  t.Add(ZYDIS_MNEMONIC_VPHSUBD, &BindVexPacked<&Horizontal<int32_t, true, false>>);
  t.Add(ZYDIS_MNEMONIC_VPHSUBSW, &BindVexPacked<&Horizontal<int16_t, true, true>>);
  t.Add(ZYDIS_MNEMONIC_VPMADDUBSW, &BindVexPacked<&MultiplyAddUnsignedSigned>);
  t.Add(ZYDIS_MNEMONIC_VPMULHRSW, &BindVexPacked<&MultiplyHighRoundScale>);
  t.Add(ZYDIS_MNEMONIC_VPSHUFB, &BindVexPacked<&ShuffleBytes>);
  t.Add(ZYDIS_MNEMONIC_VPSIGNB, &BindVexPacked<&Sign<int8_t>>);
  t.Add(ZYDIS_MNEMONIC_VPSIGNW, &BindVexPacked<&Sign<int16_t>>);
  t.Add(ZYDIS_MNEMONIC_VPSIGND, &BindVexPacked<&Sign<int32_t>>);
}

}  // namespace x64sim
