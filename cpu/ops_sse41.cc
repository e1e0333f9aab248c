// SSE4.1. Written lane by lane from their SDM vol. 2 pages: PMINSB/SD/UW/UD,
// PMAXSB/SD/UW/UD, PMULLD, PMULDQ, PCMPEQQ, PACKUSDW, PMOVSX*/PMOVZX*,
// PBLENDW, PBLENDVB, PTEST, PHMINPOSUW, MPSADBW, MOVNTDQA, and the float
// instructions that only move bits (BLENDPS/PD, BLENDVPS/PD, INSERTPS; no
// SIMD floating-point exceptions). ROUNDPS/PD/SS/SD and DPPS/DPPD run on
// the host under the guest's MXCSR (sse_float.h). PEXTRB/D/Q, PEXTRW m16,
// EXTRACTPS and PINSRB/D/Q are ops_sse.cc's element moves. With their VEX
// forms (VINSERTPS, VDPPS/VDPPD among them).
#include <emmintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <type_traits>
#include <utility>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/sse_float.h"
#include "cpu/sse_packed.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

template <typename T>
__m128i Min(__m128i dst, __m128i src, uint8_t) {
  Lanes<T> d(dst), s(src), r;
  for (int i = 0; i < r.kCount; ++i) r.v[i] = std::min(d.v[i], s.v[i]);
  return r.Pack();
}

template <typename T>
__m128i Max(__m128i dst, __m128i src, uint8_t) {
  Lanes<T> d(dst), s(src), r;
  for (int i = 0; i < r.kCount; ++i) r.v[i] = std::max(d.v[i], s.v[i]);
  return r.Pack();
}

// PMULLD: the low 32 bits of each signed product.
__m128i MultiplyLowD(__m128i dst, __m128i src, uint8_t) {
  Lanes<uint32_t> d(dst), s(src), r;
  for (int i = 0; i < 4; ++i) r.v[i] = d.v[i] * s.v[i];
  return r.Pack();
}

// PMULDQ: signed 64-bit products of dwords 0 and 2.
__m128i MultiplyDQ(__m128i dst, __m128i src, uint8_t) {
  Lanes<int32_t> d(dst), s(src);
  Lanes<int64_t> r;
  for (int i = 0; i < 2; ++i) r.v[i] = int64_t{d.v[2 * i]} * s.v[2 * i];
  return r.Pack();
}

__m128i CompareEqualQ(__m128i dst, __m128i src, uint8_t) {
  Lanes<uint64_t> d(dst), s(src), r;
  for (int i = 0; i < 2; ++i) r.v[i] = d.v[i] == s.v[i] ? ~0ull : 0;
  return r.Pack();
}

// PACKUSDW: signed dwords to unsigned words with saturation, the
// destination's in the low half.
__m128i PackUnsignedDW(__m128i dst, __m128i src, uint8_t) {
  Lanes<int32_t> d(dst), s(src);
  Lanes<uint16_t> r;
  for (int i = 0; i < 8; ++i) {
    const int32_t x = i < 4 ? d.v[i] : s.v[i - 4];
    r.v[i] = static_cast<uint16_t>(std::clamp(x, 0, 0xffff));
  }
  return r.Pack();
}

// PMOVSX/PMOVZX: the low lanes of the source, From, widened to To.
template <typename From, typename To>
__m128i Extend(__m128i, __m128i src, uint8_t) {
  Lanes<From> s(src);
  Lanes<To> r;
  for (int i = 0; i < r.kCount; ++i) r.v[i] = static_cast<To>(s.v[i]);
  return r.Pack();
}

// PBLENDW: word i from the source where imm8 bit i is set.
__m128i BlendWords(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<uint16_t> d(dst), s(src), r;
  for (int i = 0; i < 8; ++i) r.v[i] = (imm >> i) & 1 ? s.v[i] : d.v[i];
  return r.Pack();
}

// PHMINPOSUW: the smallest unsigned word into word 0, the index of its
// first occurrence into bits 18:16, everything else zero.
__m128i HorizontalMinPosition(__m128i, __m128i src, uint8_t) {
  Lanes<uint16_t> s(src), r{};
  int at = 0;
  for (int i = 1; i < 8; ++i) {
    if (s.v[i] < s.v[at]) at = i;
  }
  r.v[0] = s.v[at];
  r.v[1] = static_cast<uint16_t>(at);
  return r.Pack();
}

// MPSADBW: eight sums of absolute differences between the 4-byte source
// block at dword imm8[1:0] and the destination's bytes starting at
// 4 * imm8[2] + i.
__m128i MultipleSumAbsDiff(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<uint8_t> d(dst), s(src);
  Lanes<uint16_t> r;
  const int dst_at = 4 * ((imm >> 2) & 1), src_at = 4 * (imm & 3);
  for (int i = 0; i < 8; ++i) {
    int sum = 0;
    for (int k = 0; k < 4; ++k) sum += std::abs(d.v[dst_at + i + k] - s.v[src_at + k]);
    r.v[i] = static_cast<uint16_t>(sum);
  }
  return r.Pack();
}

__m128i Source(__m128i, __m128i src, uint8_t) { return src; }

// MOVNTDQA xmm, m128: an aligned load (the non-temporal hint changes
// nothing here); there is no register form.
bool BindMovntdqa(const ZydisInsn& z, DecodedInsn& out) {
  return z.insn.operand_count_visible == 2 && IsMem(z.ops[1]) && BindPacked<&Source>(z, out);
}

// PTEST: ZF = (dst AND src) is zero, CF = (NOT dst AND src) is zero; AF
// OF PF SF cleared. No register is written.
template <Src kSrc>
Flow Test(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  Lanes<uint64_t> d(LoadXmm(cpu, in.reg)), s(src);
  const bool zf = ((d.v[0] & s.v[0]) | (d.v[1] & s.v[1])) == 0;
  const bool cf = ((~d.v[0] & s.v[0]) | (~d.v[1] & s.v[1])) == 0;
  cpu.state.rflags = (cpu.state.rflags & ~kArithFlags) | (zf ? kZF : 0) | (cf ? kCF : 0);
  return cpu.Next(in);
}

bool BindTest(const ZydisInsn& z, DecodedInsn& out) {
  Src kind;
  if (z.insn.operand_count_visible != 2 || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<128>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.handler = kind == Src::kReg ? &Test<Src::kReg> : &Test<Src::kM128>;
  return true;
}

// PBLENDVB, BLENDVPS, BLENDVPD: lane i from the source where the sign bit
// of lane i of XMM0 is set.
template <typename Lane, Src kSrc>
Flow BlendVariable(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  using S = std::make_signed_t<Lane>;
  Lanes<Lane> d(LoadXmm(cpu, in.reg)), s(src), r;
  Lanes<S> mask(LoadXmm(cpu, 0));
  for (int i = 0; i < r.kCount; ++i) r.v[i] = mask.v[i] < 0 ? s.v[i] : d.v[i];
  StoreXmm(cpu, in.reg, r.Pack());
  return cpu.Next(in);
}

// "xmm, xmm/m128" (XMM0 is a hidden operand).
template <typename Lane>
bool BindBlendVariable(const ZydisInsn& z, DecodedInsn& out) {
  Src kind;
  if (z.insn.operand_count_visible != 2 || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<128>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.handler =
      kind == Src::kReg ? &BlendVariable<Lane, Src::kReg> : &BlendVariable<Lane, Src::kM128>;
  return true;
}

// BLENDPS/BLENDPD: lane i from the source where imm8 bit i is set.
template <typename Lane>
__m128i Blend(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<Lane> d(dst), s(src), r;
  for (int i = 0; i < r.kCount; ++i) r.v[i] = (imm >> i) & 1 ? s.v[i] : d.v[i];
  return r.Pack();
}

// INSERTPS: a single from the source (element imm8[7:6] of a register; the
// m32 operand itself) into element imm8[5:4]; then the elements whose
// imm8[3:0] bit is set are zeroed.
template <Src kSrc>
__m128i InsertSingle(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<uint32_t> d(dst), s(src);
  d.v[(imm >> 4) & 3] = s.v[kSrc == Src::kReg ? imm >> 6 : 0];
  for (int i = 0; i < 4; ++i) {
    if ((imm >> i) & 1) d.v[i] = 0;
  }
  return d.Pack();
}

// VPMOVSX/ZX: the upper lane widens the source's elements after those the
// lower lane took.
template <typename From, typename To>
bool BindVexExtend(const ZydisInsn& z, DecodedInsn& out) {
  return BindVexPacked<&Extend<From, To>, VexWidths::kBoth, 16 / sizeof(To) * sizeof(From)>(z, out);
}

bool BindInsertps(const ZydisInsn& z, DecodedInsn& out) {
  Src kind;
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2]) || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<32>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.imm = z.ops[2].imm.value.u;
  out.handler = kind == Src::kReg ? &Packed<&InsertSingle<Src::kReg>, Src::kReg>
                                  : &Packed<&InsertSingle<Src::kM32>, Src::kM32>;
  return true;
}

// ROUNDPS/PD/SS/SD use imm8[3:0] (rounding control, MXCSR.RC instead,
// precision exception suppressed); bits 7:4 are reserved (SDM vol. 2B
// ROUNDPS).
X64SIM_HOST_OP_IMM(RoundPS, "roundps")
X64SIM_HOST_OP_IMM(RoundPD, "roundpd")
X64SIM_HOST_OP_IMM(RoundSS, "roundss")
X64SIM_HOST_OP_IMM(RoundSD, "roundsd")

X64SIM_HOST_OP(MulPS, "mulps")
X64SIM_HOST_OP(MulPD, "mulpd")
X64SIM_HOST_OP(HAddPS, "haddps")
X64SIM_HOST_OP(HAddPD, "haddpd")
X64SIM_HOST_OP(AddSS, "addss")

// DPPS/DPPD (SDM vol. 2A) on each of kLanes 128-bit lanes: the products
// of the lanes imm8[7:4] selects (the others are +0.0 and raise nothing),
// summed pairwise, the sum into the lanes imm8[3:0] selects (+0.0
// elsewhere); DPPD uses imm8[5:4] and [1:0]. "Exceptions are determined
// separately for each add and multiply operation, in the order of their
// execution": each step runs on the host under the guest's MXCSR, on all
// lanes still going, and records their flags (only pre-computation ones if
// one of those is unmasked); a lane stops at a step that raised an
// unmasked exception in it. False if any stopped (the caller faults). The
// host agrees: with underflow unmasked, a tiny product faults before the
// adds could flag it as a denormal input; VDPPS's other lane goes on.
template <typename Lane, int kLanes>
bool DotProductLanes(uint32_t& mxcsr, const __m128i* a, const __m128i* b, uint8_t imm,
                     __m128i* result) {
  bool going[kLanes];
  auto step = [&](HostOp op, const __m128i* x, const __m128i* y, __m128i* r) {
    uint32_t lane_flags[kLanes] = {}, flags = 0;
    for (int l = 0; l < kLanes; ++l) {
      if (going[l]) lane_flags[l] = UnderGuestMxcsr(mxcsr, [&] { r[l] = op(x[l], y[l]); });
      flags |= lane_flags[l];
    }
    const uint32_t unmasked_mask = ~(mxcsr >> kMxcsrMaskShift) & kMxcsrFlags;
    for (int l = 0; l < kLanes; ++l) going[l] &= !(lane_flags[l] & unmasked_mask);
    RecordFlags(mxcsr, flags);
  };
  constexpr bool kSingle = sizeof(Lane) == 4;
  constexpr int kCount = Lanes<Lane>::kCount;
  __m128i x[kLanes], y[kLanes], products[kLanes], pairs[kLanes], high[kLanes], total[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    going[l] = true;
    Lanes<Lane> d(a[l]), s(b[l]);
    for (int i = 0; i < kCount; ++i) {
      if (!((imm >> (4 + i)) & 1)) d.v[i] = s.v[i] = 0;
    }
    x[l] = d.Pack();
    y[l] = s.Pack();
  }
  step(kSingle ? &MulPS : &MulPD, x, y, products);
  // HADDPS gives p0+p1 and p2+p3 (then ADDSS adds them); HADDPD p0+p1.
  step(kSingle ? &HAddPS : &HAddPD, products, products, pairs);
  for (int l = 0; l < kLanes; ++l) {
    total[l] = pairs[l];
    high[l] = _mm_srli_si128(pairs[l], 4);
  }
  if constexpr (kSingle) step(&AddSS, pairs, high, total);
  bool completed = true;
  for (int l = 0; l < kLanes; ++l) {
    completed &= going[l];
    Lanes<Lane> t(total[l]), r;
    for (int i = 0; i < kCount; ++i) r.v[i] = (imm >> i) & 1 ? t.v[0] : 0;
    result[l] = r.Pack();
  }
  return completed;
}

// An unmasked exception leaves the destination unchanged.
template <typename Lane, Src kSrc>
Flow DotProduct(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src, dst = LoadXmm(cpu, in.reg), r;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  if (!DotProductLanes<Lane, 1>(cpu.state.sse.mxcsr, &dst, &src, static_cast<uint8_t>(in.imm),
                                &r)) {
    SimdFault(cpu);
    return Flow::kFault;
  }
  StoreXmm(cpu, in.reg, r);
  return cpu.Next(in);
}

// VDPPS/VDPPD: DPPS/DPPD on the lanes of the two sources.
template <typename Lane>
struct VexDotProduct {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src1, src2, r;
      if (!ReadVexSources<kMem, kNds>(cpu, in, &src1, &src2)) return Flow::kFault;
      if (!DotProductLanes<Lane, kLanes>(cpu.state.sse.mxcsr, src1.lane, src2.lane,
                                         static_cast<uint8_t>(in.imm), r.lane)) {
        SimdFault(cpu);
        return Flow::kFault;
      }
      StoreVex<kLanes>(cpu, in.reg, r);
      return cpu.Next(in);
    }
  };
};

// VDPPD has no VEX.256 form.
template <typename Lane>
bool BindVexDotProduct(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!WidthAllowed(z, sizeof(Lane) == 4 ? VexWidths::kBoth : VexWidths::k128) ||
      !BindVexOperands(z, out, &nds, &mem) || !nds) {
    return false;
  }
  out.handler = PickVex<VexDotProduct<Lane>::template H>(VexLanes(z), mem, nds);
  return true;
}

// VINSERTPS xmm1, xmm2, xmm3/m32, imm8: INSERTPS into a copy of xmm2.
bool BindVinsertps(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible == 4 && IsMem(z.ops[2])) {
    return BindVexPacked<&InsertSingle<Src::kM32>, VexWidths::k128>(z, out);
  }
  return BindVexPacked<&InsertSingle<Src::kReg>, VexWidths::k128>(z, out);
}

template <template <int> class Op, int kMemBits>
bool BindRound(const ZydisInsn& z, DecodedInsn& out) {
  Src kind;
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2]) || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<kMemBits>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.handler = ImmHandlers<Op, kMemBits>(
      kind, std::make_integer_sequence<int, 16>())[z.ops[2].imm.value.u & 15];
  return true;
}

template <typename Lane>
bool BindDotProduct(const ZydisInsn& z, DecodedInsn& out) {
  Src kind;
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2]) || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<128>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.imm = z.ops[2].imm.value.u;
  out.handler = kind == Src::kReg ? &DotProduct<Lane, Src::kReg> : &DotProduct<Lane, Src::kM128>;
  return true;
}

}  // namespace

void RegisterSse41Ops(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      {ZYDIS_MNEMONIC_PMINSB, &BindPacked<&Min<int8_t>>},
      {ZYDIS_MNEMONIC_PMINSD, &BindPacked<&Min<int32_t>>},
      {ZYDIS_MNEMONIC_PMINUW, &BindPacked<&Min<uint16_t>>},
      {ZYDIS_MNEMONIC_PMINUD, &BindPacked<&Min<uint32_t>>},
      {ZYDIS_MNEMONIC_PMAXSB, &BindPacked<&Max<int8_t>>},
      {ZYDIS_MNEMONIC_PMAXSD, &BindPacked<&Max<int32_t>>},
      {ZYDIS_MNEMONIC_PMAXUW, &BindPacked<&Max<uint16_t>>},
      {ZYDIS_MNEMONIC_PMAXUD, &BindPacked<&Max<uint32_t>>},
      {ZYDIS_MNEMONIC_PMULLD, &BindPacked<&MultiplyLowD>},
      {ZYDIS_MNEMONIC_PMULDQ, &BindPacked<&MultiplyDQ>},
      {ZYDIS_MNEMONIC_PCMPEQQ, &BindPacked<&CompareEqualQ>},
      {ZYDIS_MNEMONIC_PACKUSDW, &BindPacked<&PackUnsignedDW>},
      // The memory forms read only what they widen, with no alignment rule.
      {ZYDIS_MNEMONIC_PMOVSXBW, &BindPacked<&Extend<int8_t, int16_t>, 64>},
      {ZYDIS_MNEMONIC_PMOVSXBD, &BindPacked<&Extend<int8_t, int32_t>, 32>},
      {ZYDIS_MNEMONIC_PMOVSXBQ, &BindPacked<&Extend<int8_t, int64_t>, 16>},
      {ZYDIS_MNEMONIC_PMOVSXWD, &BindPacked<&Extend<int16_t, int32_t>, 64>},
      {ZYDIS_MNEMONIC_PMOVSXWQ, &BindPacked<&Extend<int16_t, int64_t>, 32>},
      {ZYDIS_MNEMONIC_PMOVSXDQ, &BindPacked<&Extend<int32_t, int64_t>, 64>},
      {ZYDIS_MNEMONIC_PMOVZXBW, &BindPacked<&Extend<uint8_t, uint16_t>, 64>},
      {ZYDIS_MNEMONIC_PMOVZXBD, &BindPacked<&Extend<uint8_t, uint32_t>, 32>},
      {ZYDIS_MNEMONIC_PMOVZXBQ, &BindPacked<&Extend<uint8_t, uint64_t>, 16>},
      {ZYDIS_MNEMONIC_PMOVZXWD, &BindPacked<&Extend<uint16_t, uint32_t>, 64>},
      {ZYDIS_MNEMONIC_PMOVZXWQ, &BindPacked<&Extend<uint16_t, uint64_t>, 32>},
      {ZYDIS_MNEMONIC_PMOVZXDQ, &BindPacked<&Extend<uint32_t, uint64_t>, 64>},
      {ZYDIS_MNEMONIC_PBLENDW, &BindPacked<&BlendWords>},
      {ZYDIS_MNEMONIC_PBLENDVB, &BindBlendVariable<uint8_t>},
      {ZYDIS_MNEMONIC_PTEST, &BindTest},
      {ZYDIS_MNEMONIC_PHMINPOSUW, &BindPacked<&HorizontalMinPosition>},
      {ZYDIS_MNEMONIC_MPSADBW, &BindPacked<&MultipleSumAbsDiff>},
      {ZYDIS_MNEMONIC_MOVNTDQA, &BindMovntdqa},
      {ZYDIS_MNEMONIC_BLENDPS, &BindPacked<&Blend<uint32_t>>},
      {ZYDIS_MNEMONIC_BLENDPD, &BindPacked<&Blend<uint64_t>>},
      {ZYDIS_MNEMONIC_BLENDVPS, &BindBlendVariable<uint32_t>},
      {ZYDIS_MNEMONIC_BLENDVPD, &BindBlendVariable<uint64_t>},
      {ZYDIS_MNEMONIC_INSERTPS, &BindInsertps},
      {ZYDIS_MNEMONIC_ROUNDPS, &BindRound<RoundPS, 128>},
      {ZYDIS_MNEMONIC_ROUNDPD, &BindRound<RoundPD, 128>},
      {ZYDIS_MNEMONIC_ROUNDSS, &BindRound<RoundSS, 32>},
      {ZYDIS_MNEMONIC_ROUNDSD, &BindRound<RoundSD, 64>},
      {ZYDIS_MNEMONIC_DPPS, &BindDotProduct<uint32_t>},
      {ZYDIS_MNEMONIC_DPPD, &BindDotProduct<uint64_t>},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
  // VEX forms (cpu/vex.h): AVX's VEX.128, AVX2's VEX.256 lane by lane (the
  // 256-bit VPMOVSX/ZX widen the source's upper half into the upper lane);
  // the blends' and VMPSADBW's upper lane takes the next immediate bits.
  t.Add(ZYDIS_MNEMONIC_VPMINSB, &BindVexPacked<&Min<int8_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMINSD, &BindVexPacked<&Min<int32_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMINUW, &BindVexPacked<&Min<uint16_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMINUD, &BindVexPacked<&Min<uint32_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMAXSB, &BindVexPacked<&Max<int8_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMAXSD, &BindVexPacked<&Max<int32_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMAXUW, &BindVexPacked<&Max<uint16_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMAXUD, &BindVexPacked<&Max<uint32_t>>);
  t.Add(ZYDIS_MNEMONIC_VPMULLD, &BindVexPacked<&MultiplyLowD>);
  t.Add(ZYDIS_MNEMONIC_VPMULDQ, &BindVexPacked<&MultiplyDQ>);
  t.Add(ZYDIS_MNEMONIC_VPCMPEQQ, &BindVexPacked<&CompareEqualQ>);
  t.Add(ZYDIS_MNEMONIC_VPACKUSDW, &BindVexPacked<&PackUnsignedDW>);
  t.Add(ZYDIS_MNEMONIC_VPMOVSXBW, &BindVexExtend<int8_t, int16_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVSXBD, &BindVexExtend<int8_t, int32_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVSXBQ, &BindVexExtend<int8_t, int64_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVSXWD, &BindVexExtend<int16_t, int32_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVSXWQ, &BindVexExtend<int16_t, int64_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVSXDQ, &BindVexExtend<int32_t, int64_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVZXBW, &BindVexExtend<uint8_t, uint16_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVZXBD, &BindVexExtend<uint8_t, uint32_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVZXBQ, &BindVexExtend<uint8_t, uint64_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVZXWD, &BindVexExtend<uint16_t, uint32_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVZXWQ, &BindVexExtend<uint16_t, uint64_t>);
  t.Add(ZYDIS_MNEMONIC_VPMOVZXDQ, &BindVexExtend<uint32_t, uint64_t>);
  t.Add(ZYDIS_MNEMONIC_VPBLENDW, &BindVexPacked<&BlendWords>);
  t.Add(ZYDIS_MNEMONIC_VPHMINPOSUW, &BindVexPacked<&HorizontalMinPosition, VexWidths::k128>);
  t.Add(ZYDIS_MNEMONIC_VMPSADBW, &BindVexPacked<&MultipleSumAbsDiff, VexWidths::kBoth, -1, 3>);
  t.Add(ZYDIS_MNEMONIC_VBLENDPS, &BindVexPacked<&Blend<uint32_t>, VexWidths::kBoth, -1, 4>);
  t.Add(ZYDIS_MNEMONIC_VBLENDPD, &BindVexPacked<&Blend<uint64_t>, VexWidths::kBoth, -1, 2>);
  t.Add(ZYDIS_MNEMONIC_VPBLENDD, &BindVexPacked<&Blend<uint32_t>, VexWidths::kBoth, -1, 4>);
  t.Add(ZYDIS_MNEMONIC_VINSERTPS, &BindVinsertps);
  t.Add(ZYDIS_MNEMONIC_VDPPS, &BindVexDotProduct<uint32_t>);
  t.Add(ZYDIS_MNEMONIC_VDPPD, &BindVexDotProduct<uint64_t>);
  t.Add(ZYDIS_MNEMONIC_VROUNDPS, &BindVexArithImm<RoundPS, 16>);
  t.Add(ZYDIS_MNEMONIC_VROUNDPD, &BindVexArithImm<RoundPD, 16>);
  t.Add(ZYDIS_MNEMONIC_VROUNDSS, &BindVexArithImm<RoundSS, 16, /*kScalar=*/true>);
  t.Add(ZYDIS_MNEMONIC_VROUNDSD, &BindVexArithImm<RoundSD, 16, /*kScalar=*/true>);
}

}  // namespace x64sim
