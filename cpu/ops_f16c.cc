// F16C: VCVTPH2PS (half to single precision) and VCVTPS2PH (single to
// half, rounded by imm8[1:0], or by MXCSR.RC when imm8[2] is set; SDM vol.
// 2 pages of the same names). Each 128-bit half of the work is the host's
// instruction under the guest's MXCSR (cpu/sse_float.h): the exact
// results, flags and #XM rules, with nothing written on a fault.
#include <emmintrin.h>

#include <utility>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

// Four halves (the low 64 bits of `v`) to four singles.
__m128i HalvesToSingles(__m128i v) {
  __m128i r;
  asm volatile("vcvtph2ps %1, %0" : "=x"(r) : "x"(v));
  return r;
}

// VCVTPH2PS xmm1, xmm2/m64 and ymm1, xmm2/m128: 4 or 8 halves widened
// (across lanes: the upper lane's come from bits 127:64 of the source).
template <int kLanes, bool kMem>
Flow HalfToSingle(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  Ymm src, r;
  if (!ReadVexSource<kMem>(cpu, in, &src)) return Flow::kFault;
  const uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] {
    r.lane[0] = HalvesToSingles(src.lane[0]);
    if (kLanes == 2) r.lane[1] = HalvesToSingles(_mm_unpackhi_epi64(src.lane[0], src.lane[0]));
  });
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  StoreVex<kLanes>(cpu, in.reg, r);
  return cpu.Next(in);
}

bool BindHalfToSingle(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem) || nds) return false;
  out.handler = VexLanes(z) == 2 ? (mem ? &HalfToSingle<2, true> : &HalfToSingle<2, false>)
                                 : (mem ? &HalfToSingle<1, true> : &HalfToSingle<1, false>);
  return true;
}

// Four singles to four halves in the low 64 bits (the rest zero), rounded
// as imm8[2:0] says (the immediate is part of the encoding).
template <int kImm>
__m128i SinglesToHalves(__m128i v) {
  __m128i r;
  asm volatile("vcvtps2ph %2, %1, %0" : "=x"(r) : "x"(v), "i"(kImm));
  return r;
}

// A nonzero half with a zero exponent among the eight in `v`.
bool HasDenormalHalf(__m128i v) {
  Lanes<uint16_t> h(v);
  for (uint16_t x : h.v) {
    if ((x & 0x7c00) == 0 && (x & 0x3ff) != 0) return true;
  }
  return false;
}

// VCVTPS2PH xmm1/m64, xmm2, imm8 and xmm1/m128, ymm2, imm8.
template <int kImm, int kLanes, bool kMem>
Flow SingleToHalf(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  const Ymm src = LoadYmm(cpu, in.reg2);
  __m128i halves[2] = {};
  uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] {
    for (int i = 0; i < kLanes; ++i) halves[i] = SinglesToHalves<kImm>(src.lane[i]);
  });
  const __m128i r = _mm_unpacklo_epi64(halves[0], halves[1]);
  // With underflow unmasked every tiny result raises UE, exact or not; the
  // masked run reports only inexact ones, and VCVTPS2PH ignores FTZ, so
  // UnderGuestMxcsr's second run cannot find them: a denormal half is one.
  if (!(cpu.state.sse.mxcsr & kUnderflowMask) && HasDenormalHalf(r)) flags |= kUnderflowFlag;
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  if constexpr (kMem) {
    if (!cpu.WriteBytes(cpu.Linear(in), &r, 8 * kLanes)) return Flow::kFault;
  } else {
    StoreXmmZeroUpper(cpu, in.reg, r);
  }
  return cpu.Next(in);
}

template <int... kImm>
Handler SingleToHalfHandler(int imm, int lanes, bool mem, std::integer_sequence<int, kImm...>) {
  const Handler handlers[][2][2] = {{{&SingleToHalf<kImm, 1, false>, &SingleToHalf<kImm, 1, true>},
                                     {&SingleToHalf<kImm, 2, false>, &SingleToHalf<kImm, 2, true>}}...};
  return handlers[imm][lanes - 1][mem];
}

// imm8[7:3] are ignored.
bool BindSingleToHalf(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2]) || !BindVec(z.ops[1], &out.reg2)) {
    return false;
  }
  const bool mem = IsMem(z.ops[0]);
  out.handler = SingleToHalfHandler(static_cast<int>(z.ops[2].imm.value.u & 7), VexLanes(z), mem,
                                    std::make_integer_sequence<int, 8>());
  return mem ? BindMemory(z, z.ops[0], out) : BindVec(z.ops[0], &out.reg);
}

}  // namespace

void RegisterF16cOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_VCVTPH2PS, &BindHalfToSingle);
  t.Add(ZYDIS_MNEMONIC_VCVTPS2PH, &BindSingleToHalf);
}

}  // namespace x64sim
