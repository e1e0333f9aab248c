// SSE/SSE2 instructions that compilers and small libcs emit for integer
// code, block copies and string loops: 128-bit moves, MOVD/MOVQ, scalar and
// half-register moves, packed integer arithmetic, compares, logic, shifts,
// shuffles and unpacks, mask extraction, MXCSR access and FXSAVE/FXRSTOR;
// the integer operations' MMX forms too, through the same functions
// (cpu/mmx.h).
// No floating-point arithmetic: the float-typed moves and logic ops only
// move bits. Packed operations run on the host's SSE2 unit (x86-64 hosts
// always have one), which computes exactly what the SDM defines.
#include <emmintrin.h>

#include <cstring>
#include <type_traits>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/element_moves.h"
#include "cpu/fx_area.h"
#include "cpu/mmx.h"
#include "cpu/sse_access.h"
#include "cpu/vex.h"

namespace x64sim {

// ops_string.cc: MOVSD without operands is the string move.
bool BindMovsString(const ZydisInsn& z, DecodedInsn& out);

namespace {

bool Read128(Cpu& cpu, uint64_t linear, __m128i* v) {
  if ((linear & (kPageSize - 1)) <= kPageSize - 16) {
    if (const uint8_t* host = cpu.FastReadPointer(linear)) {
      *v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(host));
      return true;
    }
  }
  return cpu.ReadBytes(linear, v, 16);
}

// WriteBytes translates both pages of a split store before writing either.
bool Write128(Cpu& cpu, uint64_t linear, __m128i v) {
  if ((linear & (kPageSize - 1)) <= kPageSize - 16) {
    if (uint8_t* host = cpu.FastWritePointer(linear)) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(host), v);
      return true;
    }
  }
  return cpu.WriteBytes(linear, &v, 16);
}

// SDM vol. 2A 2.4.1/2.4.4 (exception types 1 and 4): a legacy SSE 128-bit
// memory operand must be 16-byte aligned, else #GP(0), except for the
// explicitly unaligned moves.
template <bool kAligned>
bool ReadOperand128(Cpu& cpu, const DecodedInsn& in, __m128i* v) {
  uint64_t linear = cpu.Linear(in);
  if (kAligned && (linear & 15)) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  return Read128(cpu, linear, v);
}

template <bool kAligned>
bool WriteOperand128(Cpu& cpu, const DecodedInsn& in, __m128i v) {
  uint64_t linear = cpu.Linear(in);
  if (kAligned && (linear & 15)) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  return Write128(cpu, linear, v);
}

// The unsigned type of a 4- or 8-byte access.
template <int kBytes>
using UnsignedOfSize = std::conditional_t<kBytes == 4, uint32_t, uint64_t>;

uint64_t LowQword(__m128i v) { return static_cast<uint64_t>(_mm_cvtsi128_si64(v)); }

// ---- Operand binding ------------------------------------------------------

bool BindXmm(const ZydisDecodedOperand& op, uint8_t* field) {
  if (!IsReg(op)) return false;
  int x = XmmIndex(op.reg.value);
  if (x < 0) return false;
  *field = static_cast<uint8_t>(x);
  return true;
}

// "xmm, xmm/mN": destination in reg, source in reg2 or the memory fields.
bool BindXmmSource(const ZydisInsn& z, DecodedInsn& out, bool* mem) {
  if (!BindXmm(z.ops[0], &out.reg)) return false;
  *mem = IsMem(z.ops[1]);
  return *mem ? BindMemory(z, z.ops[1], out) : BindXmm(z.ops[1], &out.reg2);
}

// ---- Two-operand packed operations: xmm = Op(xmm, xmm/m128) --------------

using Op128 = __m128i (*)(__m128i, __m128i);

template <Op128 Op, bool kMem>
Flow Binary(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src;
  if constexpr (kMem) {
    if (!ReadOperand128<true>(cpu, in, &src)) return Flow::kFault;
  } else {
    src = LoadXmm(cpu, in.reg2);
  }
  StoreXmm(cpu, in.reg, Op(LoadXmm(cpu, in.reg), src));
  return cpu.Next(in);
}

template <Op128 Op>
bool BindBinary(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (z.insn.operand_count_visible != 2 || !BindXmmSource(z, out, &mem)) return false;
  out.handler = mem ? &Binary<Op, true> : &Binary<Op, false>;
  return true;
}

// The SDM's operation for each, in terms of the host instruction that
// implements it (SDM vol. 2 pages of the same names).
__m128i Xor(__m128i a, __m128i b) { return _mm_xor_si128(a, b); }
__m128i Or(__m128i a, __m128i b) { return _mm_or_si128(a, b); }
__m128i And(__m128i a, __m128i b) { return _mm_and_si128(a, b); }
__m128i AndNot(__m128i a, __m128i b) { return _mm_andnot_si128(a, b); }  // ~dst & src
__m128i CmpEqB(__m128i a, __m128i b) { return _mm_cmpeq_epi8(a, b); }
__m128i CmpEqW(__m128i a, __m128i b) { return _mm_cmpeq_epi16(a, b); }
__m128i CmpEqD(__m128i a, __m128i b) { return _mm_cmpeq_epi32(a, b); }
__m128i CmpGtB(__m128i a, __m128i b) { return _mm_cmpgt_epi8(a, b); }
__m128i CmpGtW(__m128i a, __m128i b) { return _mm_cmpgt_epi16(a, b); }
__m128i CmpGtD(__m128i a, __m128i b) { return _mm_cmpgt_epi32(a, b); }
__m128i AddB(__m128i a, __m128i b) { return _mm_add_epi8(a, b); }
__m128i AddW(__m128i a, __m128i b) { return _mm_add_epi16(a, b); }
__m128i AddD(__m128i a, __m128i b) { return _mm_add_epi32(a, b); }
__m128i AddQ(__m128i a, __m128i b) { return _mm_add_epi64(a, b); }
__m128i SubB(__m128i a, __m128i b) { return _mm_sub_epi8(a, b); }
__m128i SubW(__m128i a, __m128i b) { return _mm_sub_epi16(a, b); }
__m128i SubD(__m128i a, __m128i b) { return _mm_sub_epi32(a, b); }
__m128i SubQ(__m128i a, __m128i b) { return _mm_sub_epi64(a, b); }
__m128i AddSatSB(__m128i a, __m128i b) { return _mm_adds_epi8(a, b); }
__m128i AddSatSW(__m128i a, __m128i b) { return _mm_adds_epi16(a, b); }
__m128i AddSatUB(__m128i a, __m128i b) { return _mm_adds_epu8(a, b); }
__m128i AddSatUW(__m128i a, __m128i b) { return _mm_adds_epu16(a, b); }
__m128i SubSatSB(__m128i a, __m128i b) { return _mm_subs_epi8(a, b); }
__m128i SubSatSW(__m128i a, __m128i b) { return _mm_subs_epi16(a, b); }
__m128i SubSatUB(__m128i a, __m128i b) { return _mm_subs_epu8(a, b); }
__m128i SubSatUW(__m128i a, __m128i b) { return _mm_subs_epu16(a, b); }
__m128i MinUB(__m128i a, __m128i b) { return _mm_min_epu8(a, b); }
__m128i MaxUB(__m128i a, __m128i b) { return _mm_max_epu8(a, b); }
__m128i MinSW(__m128i a, __m128i b) { return _mm_min_epi16(a, b); }
__m128i MaxSW(__m128i a, __m128i b) { return _mm_max_epi16(a, b); }
__m128i AvgB(__m128i a, __m128i b) { return _mm_avg_epu8(a, b); }
__m128i AvgW(__m128i a, __m128i b) { return _mm_avg_epu16(a, b); }
__m128i MulLowW(__m128i a, __m128i b) { return _mm_mullo_epi16(a, b); }
__m128i MulHighSW(__m128i a, __m128i b) { return _mm_mulhi_epi16(a, b); }
__m128i MulHighUW(__m128i a, __m128i b) { return _mm_mulhi_epu16(a, b); }
__m128i MulUDQ(__m128i a, __m128i b) { return _mm_mul_epu32(a, b); }
__m128i MulAddWD(__m128i a, __m128i b) { return _mm_madd_epi16(a, b); }
__m128i SumAbsDiffB(__m128i a, __m128i b) { return _mm_sad_epu8(a, b); }
__m128i PackSSWB(__m128i a, __m128i b) { return _mm_packs_epi16(a, b); }
__m128i PackSSDW(__m128i a, __m128i b) { return _mm_packs_epi32(a, b); }
__m128i PackUSWB(__m128i a, __m128i b) { return _mm_packus_epi16(a, b); }
__m128i UnpackLowB(__m128i a, __m128i b) { return _mm_unpacklo_epi8(a, b); }
__m128i UnpackLowW(__m128i a, __m128i b) { return _mm_unpacklo_epi16(a, b); }
__m128i UnpackLowD(__m128i a, __m128i b) { return _mm_unpacklo_epi32(a, b); }
__m128i UnpackLowQ(__m128i a, __m128i b) { return _mm_unpacklo_epi64(a, b); }
__m128i UnpackHighB(__m128i a, __m128i b) { return _mm_unpackhi_epi8(a, b); }
__m128i UnpackHighW(__m128i a, __m128i b) { return _mm_unpackhi_epi16(a, b); }
__m128i UnpackHighD(__m128i a, __m128i b) { return _mm_unpackhi_epi32(a, b); }
__m128i UnpackHighQ(__m128i a, __m128i b) { return _mm_unpackhi_epi64(a, b); }
// Shifts by the count in the source's low quadword; counts beyond the
// element width give 0 (logical) or the sign (arithmetic), as the host does.
__m128i ShiftLeftW(__m128i a, __m128i n) { return _mm_sll_epi16(a, n); }
__m128i ShiftLeftD(__m128i a, __m128i n) { return _mm_sll_epi32(a, n); }
__m128i ShiftLeftQ(__m128i a, __m128i n) { return _mm_sll_epi64(a, n); }
__m128i ShiftRightW(__m128i a, __m128i n) { return _mm_srl_epi16(a, n); }
__m128i ShiftRightD(__m128i a, __m128i n) { return _mm_srl_epi32(a, n); }
__m128i ShiftRightQ(__m128i a, __m128i n) { return _mm_srl_epi64(a, n); }
__m128i ShiftArithW(__m128i a, __m128i n) { return _mm_sra_epi16(a, n); }
__m128i ShiftArithD(__m128i a, __m128i n) { return _mm_sra_epi32(a, n); }
// MOVHLPS: low quadword from the source's high one; MOVLHPS: the reverse.
__m128i MoveHighToLow(__m128i a, __m128i b) { return _mm_unpackhi_epi64(b, a); }
__m128i MoveLowToHigh(__m128i a, __m128i b) { return _mm_unpacklo_epi64(a, b); }

// ---- Operations with an 8-bit immediate: xmm = Op(xmm, xmm/m128, imm8) ---

using OpImm = __m128i (*)(__m128i, __m128i, uint8_t);

template <OpImm Op, bool kMem>
Flow WithImm(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src;
  if constexpr (kMem) {
    if (!ReadOperand128<true>(cpu, in, &src)) return Flow::kFault;
  } else {
    src = LoadXmm(cpu, in.reg2);
  }
  StoreXmm(cpu, in.reg, Op(LoadXmm(cpu, in.reg), src, static_cast<uint8_t>(in.imm)));
  return cpu.Next(in);
}

template <OpImm Op>
bool BindWithImm(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2])) return false;
  if (!BindXmmSource(z, out, &mem)) return false;
  out.imm = z.ops[2].imm.value.u;
  out.handler = mem ? &WithImm<Op, true> : &WithImm<Op, false>;
  return true;
}

// SDM vol. 2B PSHUFD: dword i of the result is source dword imm[2i+1:2i].
__m128i ShuffleD(__m128i, __m128i src, uint8_t imm) {
  Lanes<uint32_t> s(src), r;
  for (int i = 0; i < 4; ++i) r.v[i] = s.v[(imm >> (2 * i)) & 3];
  return r.Pack();
}

// PSHUFLW/PSHUFHW: the same on the low (high) four words; the other half is copied.
template <int kFirst>
__m128i ShuffleW(__m128i, __m128i src, uint8_t imm) {
  Lanes<uint16_t> s(src), r(src);
  for (int i = 0; i < 4; ++i) r.v[kFirst + i] = s.v[kFirst + ((imm >> (2 * i)) & 3)];
  return r.Pack();
}

// SDM vol. 2B SHUFPS: two dwords picked from the destination, two from the source.
__m128i ShufflePS(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<uint32_t> d(dst), s(src), r;
  r.v[0] = d.v[imm & 3];
  r.v[1] = d.v[(imm >> 2) & 3];
  r.v[2] = s.v[(imm >> 4) & 3];
  r.v[3] = s.v[(imm >> 6) & 3];
  return r.Pack();
}

__m128i ShufflePD(__m128i dst, __m128i src, uint8_t imm) {
  Lanes<uint64_t> d(dst), s(src), r;
  r.v[0] = d.v[imm & 1];
  r.v[1] = s.v[(imm >> 1) & 1];
  return r.Pack();
}

// PSLLDQ/PSRLDQ shift the whole register by imm8 bytes; beyond 15, zero.
template <bool kLeft>
__m128i ShiftBytes(__m128i dst, __m128i, uint8_t imm) {
  Lanes<uint8_t> d(dst), r;
  for (int i = 0; i < 16; ++i) {
    int from = kLeft ? i - imm : i + imm;
    r.v[i] = (from >= 0 && from < 16) ? d.v[from] : 0;
  }
  return r.Pack();
}

// PSLLW xmm, imm8 and friends: the immediate is the count.
template <Op128 Shift>
__m128i ShiftByImm(__m128i dst, __m128i, uint8_t imm) {
  return Shift(dst, _mm_cvtsi32_si128(imm));
}

// "xmm, imm8": the register is both operands.
template <OpImm Op>
bool BindRegImm(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsImm(z.ops[1])) return false;
  if (!BindXmm(z.ops[0], &out.reg)) return false;
  out.reg2 = out.reg;
  out.imm = z.ops[1].imm.value.u;
  out.handler = &WithImm<Op, false>;
  return true;
}

// PSLLW/D/Q, PSRLW/D/Q, PSRAW/D: count in xmm/m128 or imm8.
template <Op128 Shift>
bool BindShift(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible == 2 && IsImm(z.ops[1])) {
    return BindRegImm<&ShiftByImm<Shift>>(z, out);
  }
  return BindBinary<Shift>(z, out);
}

// ---- MMX forms (cpu/mmx.h): the same lane functions on 64-bit operands ------

template <Op128 Op>
__m128i IgnoringImm(__m128i a, __m128i b, uint8_t) { return Op(a, b); }

template <Op128 Op, MmxShape kShape = MmxShape::kLanes>
bool BindBinaryOrMmx(const ZydisInsn& z, DecodedInsn& out) {
  return BindXmmOrMmx<&BindBinary<Op>, &BindMmxPacked<&IgnoringImm<Op>, kShape>>(z, out);
}

template <Op128 Shift>
bool BindMmxShift(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible == 2 && IsImm(z.ops[1])) {
    return BindMmxPacked<&ShiftByImm<Shift>>(z, out);
  }
  return BindMmxPacked<&IgnoringImm<Shift>>(z, out);
}

template <Op128 Shift>
bool BindShiftOrMmx(const ZydisInsn& z, DecodedInsn& out) {
  return BindXmmOrMmx<&BindShift<Shift>, &BindMmxShift<Shift>>(z, out);
}

// ---- 128-bit moves ---------------------------------------------------------

Flow MoveXmm(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  StoreXmm(cpu, in.reg, LoadXmm(cpu, in.reg2));
  return cpu.Next(in);
}

template <bool kAligned>
Flow Load128(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i v;
  if (!ReadOperand128<kAligned>(cpu, in, &v)) return Flow::kFault;
  StoreXmm(cpu, in.reg, v);
  return cpu.Next(in);
}

template <bool kAligned>
Flow Store128(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  return WriteOperand128<kAligned>(cpu, in, LoadXmm(cpu, in.reg2)) ? cpu.Next(in) : Flow::kFault;
}

// MOVAPS/MOVAPD/MOVDQA/MOVNT* (aligned) and MOVUPS/MOVUPD/MOVDQU.
template <bool kAligned>
bool BindMove128(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  if (IsMem(z.ops[0])) {
    if (!BindXmm(z.ops[1], &out.reg2) || !BindMemory(z, z.ops[0], out)) return false;
    out.handler = &Store128<kAligned>;
    return true;
  }
  bool mem;
  if (!BindXmmSource(z, out, &mem)) return false;
  out.handler = mem ? &Load128<kAligned> : &MoveXmm;
  return true;
}

// ---- MOVD/MOVQ, MOVSS/MOVSD, MOVLPx/MOVHPx --------------------------------

// MOVD/MOVQ xmm, r32/r64: zero-extended to 128 bits (SDM vol. 2B MOVD/MOVQ).
template <typename T>
Flow GprToXmm(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  StoreXmm(cpu, in.reg, _mm_cvtsi64_si128(static_cast<int64_t>(cpu.Reg<T>(in.reg2))));
  return cpu.Next(in);
}

// MOVD r32, xmm / MOVQ r64, xmm (a 32-bit write zero-extends, vol. 1 3.4.1.1).
template <typename T>
Flow XmmToGpr(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  cpu.SetReg<T>(in.reg, static_cast<T>(LowQword(LoadXmm(cpu, in.reg2))));
  return cpu.Next(in);
}

// MOVD/MOVQ/MOVSS/MOVSD xmm, mN: the rest of the register is zeroed.
// Compiled floating-point code moves every value through memory this way,
// so the common case (SSE usable, the page in the fast path) calls nothing
// and needs no stack frame; the rest is done apart.
template <int kBytes>
[[gnu::noinline]] Flow LoadLowZeroedSlow(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) return SseUnavailable(cpu);
  UnsignedOfSize<kBytes> v;
  if (!cpu.Read(cpu.Linear(in), &v)) return Flow::kFault;
  StoreXmm(cpu, in.reg, _mm_cvtsi64_si128(static_cast<int64_t>(v)));
  return cpu.Next(in);
}
template <int kBytes, AddressForm kForm>
Flow LoadLowZeroed(Cpu& cpu, const DecodedInsn& in) {
  UnsignedOfSize<kBytes> v;
  if (!SseEnabled(cpu) || !cpu.TryFastRead(cpu.LinearOf<kForm>(in), &v)) [[unlikely]] {
    return LoadLowZeroedSlow<kBytes>(cpu, in);
  }
  StoreXmm(cpu, in.reg, _mm_cvtsi64_si128(static_cast<int64_t>(v)));
  return cpu.Next(in);
}

// MOVD/MOVQ/MOVSS/MOVSD mN, xmm, likewise.
template <int kBytes>
[[gnu::noinline]] Flow StoreLowSlow(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) return SseUnavailable(cpu);
  const auto v = static_cast<UnsignedOfSize<kBytes>>(LowQword(LoadXmm(cpu, in.reg2)));
  return cpu.Write(cpu.Linear(in), v) ? cpu.Next(in) : Flow::kFault;
}
template <int kBytes, AddressForm kForm>
Flow StoreLow(Cpu& cpu, const DecodedInsn& in) {
  const auto v = static_cast<UnsignedOfSize<kBytes>>(LowQword(LoadXmm(cpu, in.reg2)));
  if (!SseEnabled(cpu) || !cpu.TryFastWrite(cpu.LinearOf<kForm>(in), v)) [[unlikely]] {
    return StoreLowSlow<kBytes>(cpu, in);
  }
  return cpu.Next(in);
}

template <int kBytes, bool kLoad, AddressForm kForm>
constexpr Handler LowMove() {
  if constexpr (kLoad) {
    return &LoadLowZeroed<kBytes, kForm>;
  } else {
    return &StoreLow<kBytes, kForm>;
  }
}

// Binds the memory operand of a MOVD/MOVQ/MOVSS/MOVSD load (kLoad) or
// store of kBytes, with the handler for its address form.
template <int kBytes, bool kLoad>
bool BindLowMove(const ZydisInsn& z, const ZydisDecodedOperand& mem, DecodedInsn& out) {
  if (!BindMemory(z, mem, out)) return false;
  switch (out.address_form) {
    case AddressForm::kBaseDisp64: out.handler = LowMove<kBytes, kLoad, AddressForm::kBaseDisp64>(); break;
    case AddressForm::kRipDisp64: out.handler = LowMove<kBytes, kLoad, AddressForm::kRipDisp64>(); break;
    case AddressForm::kGeneral: out.handler = LowMove<kBytes, kLoad, AddressForm::kGeneral>(); break;
  }
  return true;
}

// MOVQ xmm, xmm: the low quadword, upper one zeroed.
Flow MoveLowQwordZeroed(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  StoreXmm(cpu, in.reg, _mm_move_epi64(LoadXmm(cpu, in.reg2)));
  return cpu.Next(in);
}

// MOVSS/MOVSD xmm, xmm: only the low element moves; the rest is kept.
template <int kBytes>
Flow MergeLow(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  std::memcpy(cpu.state.sse.xmm[in.reg], cpu.state.sse.xmm[in.reg2], kBytes);
  return cpu.Next(in);
}

// MOVD/MOVQ: the general register or memory operand gives the width.
bool BindMovdMovq(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  const ZydisDecodedOperand& dst = z.ops[0];
  const ZydisDecodedOperand& src = z.ops[1];
  if (BindXmm(dst, &out.reg)) {
    const bool wide = src.size == 64;
    if (IsMem(src)) return wide ? BindLowMove<8, true>(z, src, out) : BindLowMove<4, true>(z, src, out);
    if (BindXmm(src, &out.reg2)) {
      out.handler = &MoveLowQwordZeroed;
      return true;
    }
    int g = IsReg(src) ? GprOffset(src.reg.value) : -1;
    if (g < 0) return false;
    out.reg2 = static_cast<uint8_t>(g);
    out.handler = wide ? &GprToXmm<uint64_t> : &GprToXmm<uint32_t>;
    return true;
  }
  if (!BindXmm(src, &out.reg2)) return false;
  const bool wide = dst.size == 64;
  if (IsMem(dst)) return wide ? BindLowMove<8, false>(z, dst, out) : BindLowMove<4, false>(z, dst, out);
  int g = IsReg(dst) ? GprOffset(dst.reg.value) : -1;
  if (g < 0) return false;
  out.reg = static_cast<uint8_t>(g);
  out.handler = wide ? &XmmToGpr<uint64_t> : &XmmToGpr<uint32_t>;
  return true;
}

// MOVSS (kBytes 4) / MOVSD (8), moves only.
template <int kBytes>
bool BindScalarMove(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  if (IsMem(z.ops[0])) {
    if (!BindXmm(z.ops[1], &out.reg2)) return false;
    return BindLowMove<kBytes, false>(z, z.ops[0], out);
  }
  if (!BindXmm(z.ops[0], &out.reg)) return false;
  if (IsMem(z.ops[1])) return BindLowMove<kBytes, true>(z, z.ops[1], out);
  if (!BindXmm(z.ops[1], &out.reg2)) return false;
  out.handler = &MergeLow<kBytes>;
  return true;
}

bool BindMovsd(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible == 0) return BindMovsString(z, out);
  return BindScalarMove<8>(z, out);
}

// MOVLPS/MOVLPD (kHalf 0) and MOVHPS/MOVHPD (1): one quadword to or from
// memory; the other half of the register is kept.
template <int kHalf>
Flow LoadHalf(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  uint64_t v;
  if (!cpu.Read<uint64_t>(cpu.Linear(in), &v)) return Flow::kFault;
  std::memcpy(cpu.state.sse.xmm[in.reg] + 8 * kHalf, &v, 8);
  return cpu.Next(in);
}

template <int kHalf>
Flow StoreHalf(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  uint64_t v;
  std::memcpy(&v, cpu.state.sse.xmm[in.reg2] + 8 * kHalf, 8);
  return cpu.Write<uint64_t>(cpu.Linear(in), v) ? cpu.Next(in) : Flow::kFault;
}

template <int kHalf>
bool BindHalfMove(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  if (IsMem(z.ops[0])) {
    if (!BindXmm(z.ops[1], &out.reg2)) return false;
    out.handler = &StoreHalf<kHalf>;
    return BindMemory(z, z.ops[0], out);
  }
  if (!BindXmm(z.ops[0], &out.reg) || !IsMem(z.ops[1])) return false;
  out.handler = &LoadHalf<kHalf>;
  return BindMemory(z, z.ops[1], out);
}

// ---- Register extraction and insertion ------------------------------------

using MaskOp = int (*)(__m128i);
int ByteSignMask(__m128i v) { return _mm_movemask_epi8(v); }
int DwordSignMask(__m128i v) { return _mm_movemask_ps(_mm_castsi128_ps(v)); }
int QwordSignMask(__m128i v) { return _mm_movemask_pd(_mm_castsi128_pd(v)); }

// PMOVMSKB/MOVMSKPS/MOVMSKPD r32/r64, xmm: the mask, zero-extended.
template <MaskOp Op>
Flow ExtractMask(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  cpu.SetReg<uint64_t>(in.reg, static_cast<uint32_t>(Op(LoadXmm(cpu, in.reg2))));
  return cpu.Next(in);
}

template <MaskOp Op>
bool BindExtractMask(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsReg(z.ops[0])) return false;
  int g = GprIndex(z.ops[0].reg.value);
  if (g < 0 || !BindXmm(z.ops[1], &out.reg2)) return false;
  out.reg = static_cast<uint8_t>(g * 8);  // a byte offset, as GprOffset gives
  out.handler = &ExtractMask<Op>;
  return true;
}

// MOVDDUP xmm, xmm/m64 (SSE3): the low quadword into both halves; the
// memory form reads 8 bytes, with no alignment requirement.
template <bool kMem>
Flow DuplicateLowQword(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  uint64_t q;
  if constexpr (kMem) {
    if (!cpu.Read<uint64_t>(cpu.Linear(in), &q)) return Flow::kFault;
  } else {
    std::memcpy(&q, cpu.state.sse.xmm[in.reg2], 8);
  }
  std::memcpy(cpu.state.sse.xmm[in.reg], &q, 8);
  std::memcpy(cpu.state.sse.xmm[in.reg] + 8, &q, 8);
  return cpu.Next(in);
}

bool BindMovddup(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (z.insn.operand_count_visible != 2 || !BindXmmSource(z, out, &mem)) return false;
  out.handler = mem ? &DuplicateLowQword<true> : &DuplicateLowQword<false>;
  return true;
}

// MOVSHDUP/MOVSLDUP (SSE3): the odd or the even singles, each twice; the
// memory form is a 16-byte aligned read (exception type 4, SDM vol. 2B).
__m128i DuplicateOddD(__m128i, __m128i src) { return _mm_shuffle_epi32(src, 0xf5); }
__m128i DuplicateEvenD(__m128i, __m128i src) { return _mm_shuffle_epi32(src, 0xa0); }

// LDDQU xmm, m128 (SSE3): an unaligned load; there is no register form.
bool BindLddqu(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsMem(z.ops[1])) return false;
  bool mem;
  if (!BindXmmSource(z, out, &mem)) return false;
  out.handler = &Load128<false>;
  return true;
}

// MASKMOVDQU xmm1, xmm2: the bytes of xmm1 selected by xmm2, stored at
// DS:rDI; VMASKMOVDQU (VEX.128 only) is the same store.
template <VecGate kGate>
Flow MaskedStore(Cpu& cpu, const DecodedInsn& in) {
  if (!VecEnabled<kGate>(cpu)) [[unlikely]] return VecUnavailable<kGate>(cpu);
  const SseState& s = cpu.state.sse;
  if (!StoreSelectedBytes(cpu, cpu.Linear(in), s.xmm[in.reg], s.xmm[in.reg2], 16)) {
    return Flow::kFault;
  }
  return cpu.Next(in);
}

template <VecGate kGate>
bool BindMaskmovdqu(const ZydisInsn& z, DecodedInsn& out) {
  if (kGate == VecGate::kVex && VexLanes(z) != 1) return false;
  out.handler = &MaskedStore<kGate>;
  return BindXmm(z.ops[0], &out.reg) && BindXmm(z.ops[1], &out.reg2) && BindImplicitMemory(z, out);
}

// ---- Hints and non-SSE-state stores ---------------------------------------

// PREFETCHh: a hint that never faults (SDM vol. 2B PREFETCHh).
Flow Prefetch(Cpu& cpu, const DecodedInsn& in) { return cpu.Next(in); }

bool BindPrefetch(const ZydisInsn&, DecodedInsn& out) {
  out.handler = &Prefetch;
  return true;
}

// MOVNTI m32/m64, r: a plain store here (no cache model); it is a
// general-register instruction, so CR0.EM/TS and CR4.OSFXSR do not apply.
template <typename T>
Flow StoreNonTemporal(Cpu& cpu, const DecodedInsn& in) {
  return cpu.Write<T>(cpu.Linear(in), cpu.Reg<T>(in.reg2)) ? cpu.Next(in) : Flow::kFault;
}

bool BindMovnti(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsMem(z.ops[0]) || !IsReg(z.ops[1])) return false;
  int g = GprOffset(z.ops[1].reg.value);
  if (g < 0) return false;
  out.reg2 = static_cast<uint8_t>(g);
  out.handler = z.ops[1].size == 64 ? &StoreNonTemporal<uint64_t> : &StoreNonTemporal<uint32_t>;
  return BindMemory(z, z.ops[0], out);
}

// ---- MXCSR and the FXSAVE area ---------------------------------------------

// SDM vol. 2A LDMXCSR: setting a reserved bit is #GP(0).
Flow LoadMxcsr(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  uint32_t v;
  if (!cpu.Read<uint32_t>(cpu.Linear(in), &v)) return Flow::kFault;
  if (v & ~kMxcsrMask) return cpu.Fault(kGeneralProtection, 0);
  cpu.state.sse.mxcsr = v;
  return cpu.Next(in);
}

Flow StoreMxcsr(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  return cpu.Write<uint32_t>(cpu.Linear(in), cpu.state.sse.mxcsr) ? cpu.Next(in) : Flow::kFault;
}

// FXSAVE area, 64-bit layout (cpu/fx_area.h). Bytes past the XMM registers
// are reserved or left to software and are not written.

// FXSAVE/FXRSTOR touch XMM0-15 in 64-bit mode, XMM0-7 otherwise (vol. 1 10.5.1).
int FxAreaBytes(const Cpu& cpu) {
  return kFxXmm + 16 * (cpu.state.mode == CpuMode::kLong64 ? 16 : 8);
}

// #NM when CR0.TS or CR0.EM is set (SDM vol. 2A FXSAVE/FXRSTOR exceptions);
// the area must be 16-byte aligned, else #GP(0).
bool CheckFxArea(Cpu& cpu, uint64_t linear) {
  if (cpu.state.cr0 & (kCr0TS | kCr0EM)) {
    cpu.FaultNoCode(kDeviceNotAvailable);
    return false;
  }
  if (linear & 15) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  return true;
}

Flow SaveFx(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t linear = cpu.Linear(in);
  if (!CheckFxArea(cpu, linear)) return Flow::kFault;
  alignas(16) uint8_t area[kFxXmm + 16 * 16] = {};
  const SseState& s = cpu.state.sse;
  StoreX87Part(s, area, in.aux);
  StoreMxcsrPart(s, area);
  const int bytes = FxAreaBytes(cpu);
  StoreXmmPart(s, area, (bytes - kFxXmm) / 16);
  // The whole area (its segment's limit, both pages if it spans two) is
  // proved writable before anything changes.
  if (!cpu.ProbeWrite(linear, bytes)) return Flow::kFault;
  for (int off = 0; off < bytes; off += 16) {
    if (!cpu.WriteBytes(linear + off, area + off, 16)) return Flow::kFault;
  }
  return cpu.Next(in);
}

Flow RestoreFx(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t linear = cpu.Linear(in);
  if (!CheckFxArea(cpu, linear)) return Flow::kFault;
  alignas(16) uint8_t area[kFxXmm + 16 * 16];
  const int bytes = FxAreaBytes(cpu);
  for (int off = 0; off < bytes; off += 16) {
    if (!cpu.ReadBytes(linear + off, area + off, 16)) return Flow::kFault;
  }
  const uint32_t mxcsr = MxcsrIn(area);
  // SDM vol. 2A FXRSTOR: reserved MXCSR bits set in the image are #GP(0).
  if (mxcsr & ~kMxcsrMask) return cpu.Fault(kGeneralProtection, 0);
  SseState& s = cpu.state.sse;
  LoadX87Part(s, area, in.aux);
  s.mxcsr = mxcsr;
  LoadXmmPart(s, area, (bytes - kFxXmm) / 16);
  return cpu.Next(in);
}

template <Handler H>
bool BindMemoryOnly(const ZydisInsn& z, DecodedInsn& out) {
  if (!IsMem(z.ops[0])) return false;
  out.handler = H;
  return BindMemory(z, z.ops[0], out);
}

// FXSAVE64/FXRSTOR64 (REX.W) use 64-bit x87 pointers: in.aux = 1.
template <Handler H>
bool BindFxArea(const ZydisInsn& z, DecodedInsn& out) {
  out.aux = z.insn.mnemonic == ZYDIS_MNEMONIC_FXSAVE64 || z.insn.mnemonic == ZYDIS_MNEMONIC_FXRSTOR64;
  return BindMemoryOnly<H>(z, out);
}


// VEX forms (AVX; AVX2 for the 256-bit integer ones): the same lane
// operations with a separate destination (cpu/vex.h).
template <Op128 Shift>
bool BindVexShift(const ZydisInsn& z, DecodedInsn& out) {
  if (IsImm(z.ops[z.insn.operand_count_visible - 1])) {
    return BindVexPacked<&ShiftByImm<Shift>>(z, out);
  }
  return BindVexPacked<&IgnoreImm<Shift>, VexWidths::kBoth, /*kLowSource=*/0>(z, out);
}

void RegisterVexSseOps(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      {ZYDIS_MNEMONIC_VMOVHLPS, &BindVexBinary<&MoveHighToLow, VexWidths::k128>},
      {ZYDIS_MNEMONIC_VMOVLHPS, &BindVexBinary<&MoveLowToHigh, VexWidths::k128>},
      {ZYDIS_MNEMONIC_VPXOR, &BindVexBinary<&Xor>},
      {ZYDIS_MNEMONIC_VXORPS, &BindVexBinary<&Xor>},
      {ZYDIS_MNEMONIC_VXORPD, &BindVexBinary<&Xor>},
      {ZYDIS_MNEMONIC_VPOR, &BindVexBinary<&Or>},
      {ZYDIS_MNEMONIC_VORPS, &BindVexBinary<&Or>},
      {ZYDIS_MNEMONIC_VORPD, &BindVexBinary<&Or>},
      {ZYDIS_MNEMONIC_VPAND, &BindVexBinary<&And>},
      {ZYDIS_MNEMONIC_VANDPS, &BindVexBinary<&And>},
      {ZYDIS_MNEMONIC_VANDPD, &BindVexBinary<&And>},
      {ZYDIS_MNEMONIC_VPANDN, &BindVexBinary<&AndNot>},
      {ZYDIS_MNEMONIC_VANDNPS, &BindVexBinary<&AndNot>},
      {ZYDIS_MNEMONIC_VANDNPD, &BindVexBinary<&AndNot>},
      {ZYDIS_MNEMONIC_VPCMPEQB, &BindVexBinary<&CmpEqB>},
      {ZYDIS_MNEMONIC_VPCMPEQW, &BindVexBinary<&CmpEqW>},
      {ZYDIS_MNEMONIC_VPCMPEQD, &BindVexBinary<&CmpEqD>},
      {ZYDIS_MNEMONIC_VPCMPGTB, &BindVexBinary<&CmpGtB>},
      {ZYDIS_MNEMONIC_VPCMPGTW, &BindVexBinary<&CmpGtW>},
      {ZYDIS_MNEMONIC_VPCMPGTD, &BindVexBinary<&CmpGtD>},
      {ZYDIS_MNEMONIC_VPADDB, &BindVexBinary<&AddB>},
      {ZYDIS_MNEMONIC_VPADDW, &BindVexBinary<&AddW>},
      {ZYDIS_MNEMONIC_VPADDD, &BindVexBinary<&AddD>},
      {ZYDIS_MNEMONIC_VPADDQ, &BindVexBinary<&AddQ>},
      {ZYDIS_MNEMONIC_VPSUBB, &BindVexBinary<&SubB>},
      {ZYDIS_MNEMONIC_VPSUBW, &BindVexBinary<&SubW>},
      {ZYDIS_MNEMONIC_VPSUBD, &BindVexBinary<&SubD>},
      {ZYDIS_MNEMONIC_VPSUBQ, &BindVexBinary<&SubQ>},
      {ZYDIS_MNEMONIC_VPADDSB, &BindVexBinary<&AddSatSB>},
      {ZYDIS_MNEMONIC_VPADDSW, &BindVexBinary<&AddSatSW>},
      {ZYDIS_MNEMONIC_VPADDUSB, &BindVexBinary<&AddSatUB>},
      {ZYDIS_MNEMONIC_VPADDUSW, &BindVexBinary<&AddSatUW>},
      {ZYDIS_MNEMONIC_VPSUBSB, &BindVexBinary<&SubSatSB>},
      {ZYDIS_MNEMONIC_VPSUBSW, &BindVexBinary<&SubSatSW>},
      {ZYDIS_MNEMONIC_VPSUBUSB, &BindVexBinary<&SubSatUB>},
      {ZYDIS_MNEMONIC_VPSUBUSW, &BindVexBinary<&SubSatUW>},
      {ZYDIS_MNEMONIC_VPMINUB, &BindVexBinary<&MinUB>},
      {ZYDIS_MNEMONIC_VPMAXUB, &BindVexBinary<&MaxUB>},
      {ZYDIS_MNEMONIC_VPMINSW, &BindVexBinary<&MinSW>},
      {ZYDIS_MNEMONIC_VPMAXSW, &BindVexBinary<&MaxSW>},
      {ZYDIS_MNEMONIC_VPAVGB, &BindVexBinary<&AvgB>},
      {ZYDIS_MNEMONIC_VPAVGW, &BindVexBinary<&AvgW>},
      {ZYDIS_MNEMONIC_VPMULLW, &BindVexBinary<&MulLowW>},
      {ZYDIS_MNEMONIC_VPMULHW, &BindVexBinary<&MulHighSW>},
      {ZYDIS_MNEMONIC_VPMULHUW, &BindVexBinary<&MulHighUW>},
      {ZYDIS_MNEMONIC_VPMULUDQ, &BindVexBinary<&MulUDQ>},
      {ZYDIS_MNEMONIC_VPMADDWD, &BindVexBinary<&MulAddWD>},
      {ZYDIS_MNEMONIC_VPSADBW, &BindVexBinary<&SumAbsDiffB>},
      {ZYDIS_MNEMONIC_VPACKSSWB, &BindVexBinary<&PackSSWB>},
      {ZYDIS_MNEMONIC_VPACKSSDW, &BindVexBinary<&PackSSDW>},
      {ZYDIS_MNEMONIC_VPACKUSWB, &BindVexBinary<&PackUSWB>},
      {ZYDIS_MNEMONIC_VPUNPCKLBW, &BindVexBinary<&UnpackLowB>},
      {ZYDIS_MNEMONIC_VPUNPCKLWD, &BindVexBinary<&UnpackLowW>},
      {ZYDIS_MNEMONIC_VPUNPCKLDQ, &BindVexBinary<&UnpackLowD>},
      {ZYDIS_MNEMONIC_VPUNPCKLQDQ, &BindVexBinary<&UnpackLowQ>},
      {ZYDIS_MNEMONIC_VPUNPCKHBW, &BindVexBinary<&UnpackHighB>},
      {ZYDIS_MNEMONIC_VPUNPCKHWD, &BindVexBinary<&UnpackHighW>},
      {ZYDIS_MNEMONIC_VPUNPCKHDQ, &BindVexBinary<&UnpackHighD>},
      {ZYDIS_MNEMONIC_VPUNPCKHQDQ, &BindVexBinary<&UnpackHighQ>},
      {ZYDIS_MNEMONIC_VUNPCKLPS, &BindVexBinary<&UnpackLowD>},
      {ZYDIS_MNEMONIC_VUNPCKHPS, &BindVexBinary<&UnpackHighD>},
      {ZYDIS_MNEMONIC_VUNPCKLPD, &BindVexBinary<&UnpackLowQ>},
      {ZYDIS_MNEMONIC_VUNPCKHPD, &BindVexBinary<&UnpackHighQ>},
      {ZYDIS_MNEMONIC_VPSHUFD, &BindVexPacked<&ShuffleD>},
      {ZYDIS_MNEMONIC_VPSHUFLW, &BindVexPacked<&ShuffleW<0>>},
      {ZYDIS_MNEMONIC_VPSHUFHW, &BindVexPacked<&ShuffleW<4>>},
      {ZYDIS_MNEMONIC_VSHUFPS, &BindVexPacked<&ShufflePS>},
      {ZYDIS_MNEMONIC_VSHUFPD, &BindVexPacked<&ShufflePD, VexWidths::kBoth, -1, 2>},
      {ZYDIS_MNEMONIC_VPSLLW, &BindVexShift<&ShiftLeftW>},
      {ZYDIS_MNEMONIC_VPSLLD, &BindVexShift<&ShiftLeftD>},
      {ZYDIS_MNEMONIC_VPSLLQ, &BindVexShift<&ShiftLeftQ>},
      {ZYDIS_MNEMONIC_VPSRLW, &BindVexShift<&ShiftRightW>},
      {ZYDIS_MNEMONIC_VPSRLD, &BindVexShift<&ShiftRightD>},
      {ZYDIS_MNEMONIC_VPSRLQ, &BindVexShift<&ShiftRightQ>},
      {ZYDIS_MNEMONIC_VPSRAW, &BindVexShift<&ShiftArithW>},
      {ZYDIS_MNEMONIC_VPSRAD, &BindVexShift<&ShiftArithD>},
      {ZYDIS_MNEMONIC_VPSLLDQ, &BindVexPacked<&ShiftBytes<true>>},
      {ZYDIS_MNEMONIC_VPSRLDQ, &BindVexPacked<&ShiftBytes<false>>},
      {ZYDIS_MNEMONIC_VMOVSHDUP, &BindVexBinary<&DuplicateOddD>},
      {ZYDIS_MNEMONIC_VMOVSLDUP, &BindVexBinary<&DuplicateEvenD>},
      {ZYDIS_MNEMONIC_VMASKMOVDQU, &BindMaskmovdqu<VecGate::kVex>},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
}

}  // namespace

void RegisterSseOps(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      // Moves.
      {ZYDIS_MNEMONIC_MOVAPS, &BindMove128<true>},
      {ZYDIS_MNEMONIC_MOVAPD, &BindMove128<true>},
      {ZYDIS_MNEMONIC_MOVDQA, &BindMove128<true>},
      {ZYDIS_MNEMONIC_MOVNTDQ, &BindMove128<true>},
      {ZYDIS_MNEMONIC_MOVNTPS, &BindMove128<true>},
      {ZYDIS_MNEMONIC_MOVNTPD, &BindMove128<true>},
      {ZYDIS_MNEMONIC_MOVUPS, &BindMove128<false>},
      {ZYDIS_MNEMONIC_MOVUPD, &BindMove128<false>},
      {ZYDIS_MNEMONIC_MOVDQU, &BindMove128<false>},
      {ZYDIS_MNEMONIC_MOVD, &BindXmmOrMmx<&BindMovdMovq, &BindMmxMovdMovq>},
      {ZYDIS_MNEMONIC_MOVQ, &BindXmmOrMmx<&BindMovdMovq, &BindMmxMovdMovq>},
      {ZYDIS_MNEMONIC_MOVSS, &BindScalarMove<4>},
      {ZYDIS_MNEMONIC_MOVSD, &BindMovsd},
      {ZYDIS_MNEMONIC_MOVLPS, &BindHalfMove<0>},
      {ZYDIS_MNEMONIC_MOVLPD, &BindHalfMove<0>},
      {ZYDIS_MNEMONIC_MOVHPS, &BindHalfMove<1>},
      {ZYDIS_MNEMONIC_MOVHPD, &BindHalfMove<1>},
      {ZYDIS_MNEMONIC_MOVHLPS, &BindBinary<&MoveHighToLow>},
      {ZYDIS_MNEMONIC_MOVLHPS, &BindBinary<&MoveLowToHigh>},
      {ZYDIS_MNEMONIC_MOVNTI, &BindMovnti},
      {ZYDIS_MNEMONIC_MASKMOVDQU, &BindMaskmovdqu<VecGate::kSse>},
      // Logic.
      {ZYDIS_MNEMONIC_PXOR, &BindBinaryOrMmx<&Xor>},
      {ZYDIS_MNEMONIC_XORPS, &BindBinary<&Xor>},
      {ZYDIS_MNEMONIC_XORPD, &BindBinary<&Xor>},
      {ZYDIS_MNEMONIC_POR, &BindBinaryOrMmx<&Or>},
      {ZYDIS_MNEMONIC_ORPS, &BindBinary<&Or>},
      {ZYDIS_MNEMONIC_ORPD, &BindBinary<&Or>},
      {ZYDIS_MNEMONIC_PAND, &BindBinaryOrMmx<&And>},
      {ZYDIS_MNEMONIC_ANDPS, &BindBinary<&And>},
      {ZYDIS_MNEMONIC_ANDPD, &BindBinary<&And>},
      {ZYDIS_MNEMONIC_PANDN, &BindBinaryOrMmx<&AndNot>},
      {ZYDIS_MNEMONIC_ANDNPS, &BindBinary<&AndNot>},
      {ZYDIS_MNEMONIC_ANDNPD, &BindBinary<&AndNot>},
      // Compares.
      {ZYDIS_MNEMONIC_PCMPEQB, &BindBinaryOrMmx<&CmpEqB>},
      {ZYDIS_MNEMONIC_PCMPEQW, &BindBinaryOrMmx<&CmpEqW>},
      {ZYDIS_MNEMONIC_PCMPEQD, &BindBinaryOrMmx<&CmpEqD>},
      {ZYDIS_MNEMONIC_PCMPGTB, &BindBinaryOrMmx<&CmpGtB>},
      {ZYDIS_MNEMONIC_PCMPGTW, &BindBinaryOrMmx<&CmpGtW>},
      {ZYDIS_MNEMONIC_PCMPGTD, &BindBinaryOrMmx<&CmpGtD>},
      // Arithmetic.
      {ZYDIS_MNEMONIC_PADDB, &BindBinaryOrMmx<&AddB>},
      {ZYDIS_MNEMONIC_PADDW, &BindBinaryOrMmx<&AddW>},
      {ZYDIS_MNEMONIC_PADDD, &BindBinaryOrMmx<&AddD>},
      {ZYDIS_MNEMONIC_PADDQ, &BindBinaryOrMmx<&AddQ>},
      {ZYDIS_MNEMONIC_PSUBB, &BindBinaryOrMmx<&SubB>},
      {ZYDIS_MNEMONIC_PSUBW, &BindBinaryOrMmx<&SubW>},
      {ZYDIS_MNEMONIC_PSUBD, &BindBinaryOrMmx<&SubD>},
      {ZYDIS_MNEMONIC_PSUBQ, &BindBinaryOrMmx<&SubQ>},
      {ZYDIS_MNEMONIC_PADDSB, &BindBinaryOrMmx<&AddSatSB>},
      {ZYDIS_MNEMONIC_PADDSW, &BindBinaryOrMmx<&AddSatSW>},
      {ZYDIS_MNEMONIC_PADDUSB, &BindBinaryOrMmx<&AddSatUB>},
      {ZYDIS_MNEMONIC_PADDUSW, &BindBinaryOrMmx<&AddSatUW>},
      {ZYDIS_MNEMONIC_PSUBSB, &BindBinaryOrMmx<&SubSatSB>},
      {ZYDIS_MNEMONIC_PSUBSW, &BindBinaryOrMmx<&SubSatSW>},
      {ZYDIS_MNEMONIC_PSUBUSB, &BindBinaryOrMmx<&SubSatUB>},
      {ZYDIS_MNEMONIC_PSUBUSW, &BindBinaryOrMmx<&SubSatUW>},
      {ZYDIS_MNEMONIC_PMINUB, &BindBinaryOrMmx<&MinUB>},
      {ZYDIS_MNEMONIC_PMAXUB, &BindBinaryOrMmx<&MaxUB>},
      {ZYDIS_MNEMONIC_PMINSW, &BindBinaryOrMmx<&MinSW>},
      {ZYDIS_MNEMONIC_PMAXSW, &BindBinaryOrMmx<&MaxSW>},
      {ZYDIS_MNEMONIC_PAVGB, &BindBinaryOrMmx<&AvgB>},
      {ZYDIS_MNEMONIC_PAVGW, &BindBinaryOrMmx<&AvgW>},
      {ZYDIS_MNEMONIC_PMULLW, &BindBinaryOrMmx<&MulLowW>},
      {ZYDIS_MNEMONIC_PMULHW, &BindBinaryOrMmx<&MulHighSW>},
      {ZYDIS_MNEMONIC_PMULHUW, &BindBinaryOrMmx<&MulHighUW>},
      {ZYDIS_MNEMONIC_PMULUDQ, &BindBinaryOrMmx<&MulUDQ>},
      {ZYDIS_MNEMONIC_PMADDWD, &BindBinaryOrMmx<&MulAddWD>},
      {ZYDIS_MNEMONIC_PSADBW, &BindBinaryOrMmx<&SumAbsDiffB>},
      // Packs, unpacks and shuffles.
      {ZYDIS_MNEMONIC_PACKSSWB, &BindBinaryOrMmx<&PackSSWB, MmxShape::kPaired>},
      {ZYDIS_MNEMONIC_PACKSSDW, &BindBinaryOrMmx<&PackSSDW, MmxShape::kPaired>},
      {ZYDIS_MNEMONIC_PACKUSWB, &BindBinaryOrMmx<&PackUSWB, MmxShape::kPaired>},
      {ZYDIS_MNEMONIC_PUNPCKLBW, &BindBinaryOrMmx<&UnpackLowB>},
      {ZYDIS_MNEMONIC_PUNPCKLWD, &BindBinaryOrMmx<&UnpackLowW>},
      {ZYDIS_MNEMONIC_PUNPCKLDQ, &BindBinaryOrMmx<&UnpackLowD>},
      {ZYDIS_MNEMONIC_PUNPCKLQDQ, &BindBinary<&UnpackLowQ>},
      {ZYDIS_MNEMONIC_PUNPCKHBW, &BindBinaryOrMmx<&UnpackHighB, MmxShape::kUpperHalves>},
      {ZYDIS_MNEMONIC_PUNPCKHWD, &BindBinaryOrMmx<&UnpackHighW, MmxShape::kUpperHalves>},
      {ZYDIS_MNEMONIC_PUNPCKHDQ, &BindBinaryOrMmx<&UnpackHighD, MmxShape::kUpperHalves>},
      {ZYDIS_MNEMONIC_PUNPCKHQDQ, &BindBinary<&UnpackHighQ>},
      {ZYDIS_MNEMONIC_UNPCKLPS, &BindBinary<&UnpackLowD>},
      {ZYDIS_MNEMONIC_UNPCKHPS, &BindBinary<&UnpackHighD>},
      {ZYDIS_MNEMONIC_UNPCKLPD, &BindBinary<&UnpackLowQ>},
      {ZYDIS_MNEMONIC_UNPCKHPD, &BindBinary<&UnpackHighQ>},
      {ZYDIS_MNEMONIC_PSHUFD, &BindWithImm<&ShuffleD>},
      {ZYDIS_MNEMONIC_PSHUFW, &BindMmxPacked<&ShuffleW<0>>},
      {ZYDIS_MNEMONIC_PSHUFLW, &BindWithImm<&ShuffleW<0>>},
      {ZYDIS_MNEMONIC_PSHUFHW, &BindWithImm<&ShuffleW<4>>},
      {ZYDIS_MNEMONIC_SHUFPS, &BindWithImm<&ShufflePS>},
      {ZYDIS_MNEMONIC_SHUFPD, &BindWithImm<&ShufflePD>},
      // Shifts.
      {ZYDIS_MNEMONIC_PSLLW, &BindShiftOrMmx<&ShiftLeftW>},
      {ZYDIS_MNEMONIC_PSLLD, &BindShiftOrMmx<&ShiftLeftD>},
      {ZYDIS_MNEMONIC_PSLLQ, &BindShiftOrMmx<&ShiftLeftQ>},
      {ZYDIS_MNEMONIC_PSRLW, &BindShiftOrMmx<&ShiftRightW>},
      {ZYDIS_MNEMONIC_PSRLD, &BindShiftOrMmx<&ShiftRightD>},
      {ZYDIS_MNEMONIC_PSRLQ, &BindShiftOrMmx<&ShiftRightQ>},
      {ZYDIS_MNEMONIC_PSRAW, &BindShiftOrMmx<&ShiftArithW>},
      {ZYDIS_MNEMONIC_PSRAD, &BindShiftOrMmx<&ShiftArithD>},
      {ZYDIS_MNEMONIC_PSLLDQ, &BindRegImm<&ShiftBytes<true>>},
      {ZYDIS_MNEMONIC_PSRLDQ, &BindRegImm<&ShiftBytes<false>>},
      // Extraction and insertion.
      {ZYDIS_MNEMONIC_PMOVMSKB, &BindXmmOrMmx<&BindExtractMask<&ByteSignMask>, &BindMmxMoveMask>},
      {ZYDIS_MNEMONIC_MOVMSKPS, &BindExtractMask<&DwordSignMask>},
      {ZYDIS_MNEMONIC_MOVMSKPD, &BindExtractMask<&QwordSignMask>},
      {ZYDIS_MNEMONIC_PEXTRW,
       &BindXmmOrMmx<&BindExtractElement<uint16_t, VecGate::kSse>, &BindMmxExtractWord>},
      {ZYDIS_MNEMONIC_PINSRW,
       &BindXmmOrMmx<&BindInsertElement<uint16_t, VecGate::kSse>, &BindMmxInsertWord>},
      // SSE4.1 element moves (the rest of SSE4.1 is ops_sse41.cc's) and
      // SSE3's moves (its arithmetic is ops_sse_float.cc's).
      {ZYDIS_MNEMONIC_PEXTRB, &BindExtractElement<uint8_t, VecGate::kSse>},
      {ZYDIS_MNEMONIC_PEXTRD, &BindExtractElement<uint32_t, VecGate::kSse>},
      {ZYDIS_MNEMONIC_PEXTRQ, &BindExtractElement<uint64_t, VecGate::kSse>},
      {ZYDIS_MNEMONIC_EXTRACTPS, &BindExtractElement<uint32_t, VecGate::kSse>},
      {ZYDIS_MNEMONIC_PINSRB, &BindInsertElement<uint8_t, VecGate::kSse>},
      {ZYDIS_MNEMONIC_PINSRD, &BindInsertElement<uint32_t, VecGate::kSse>},
      {ZYDIS_MNEMONIC_PINSRQ, &BindInsertElement<uint64_t, VecGate::kSse>},
      {ZYDIS_MNEMONIC_MOVDDUP, &BindMovddup},
      {ZYDIS_MNEMONIC_MOVSHDUP, &BindBinary<&DuplicateOddD>},
      {ZYDIS_MNEMONIC_MOVSLDUP, &BindBinary<&DuplicateEvenD>},
      {ZYDIS_MNEMONIC_LDDQU, &BindLddqu},
      // State and hints.
      {ZYDIS_MNEMONIC_LDMXCSR, &BindMemoryOnly<&LoadMxcsr>},
      {ZYDIS_MNEMONIC_STMXCSR, &BindMemoryOnly<&StoreMxcsr>},
      {ZYDIS_MNEMONIC_FXSAVE, &BindFxArea<&SaveFx>},
      {ZYDIS_MNEMONIC_FXSAVE64, &BindFxArea<&SaveFx>},
      {ZYDIS_MNEMONIC_FXRSTOR, &BindFxArea<&RestoreFx>},
      {ZYDIS_MNEMONIC_FXRSTOR64, &BindFxArea<&RestoreFx>},
      {ZYDIS_MNEMONIC_PREFETCHT0, &BindPrefetch},
      {ZYDIS_MNEMONIC_PREFETCHT1, &BindPrefetch},
      {ZYDIS_MNEMONIC_PREFETCHT2, &BindPrefetch},
      {ZYDIS_MNEMONIC_PREFETCHNTA, &BindPrefetch},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
  RegisterVexSseOps(t);
}

}  // namespace x64sim
