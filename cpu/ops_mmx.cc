// MMX moves and element access: EMMS, MOVD/MOVQ to and from MMX registers,
// MOVNTQ, MASKMOVQ, MOVQ2DQ/MOVDQ2Q, PEXTRW/PINSRW and PMOVMSKB on an MMX
// register (SDM vol. 2 pages of the same names). The packed arithmetic's
// MMX forms are bound next to their XMM forms (cpu/mmx.h).
#include <emmintrin.h>

#include <cstdint>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/mmx.h"
#include "cpu/sse_access.h"
#include "cpu/sse_float.h"

namespace x64sim {
namespace {

constexpr MmxGate kMmx = MmxGate::kMmx;
constexpr MmxGate kWithXmm = MmxGate::kWithXmm;

// EMMS: every tag empty; like every MMX instruction it also sets TOP to 0
// (SDM vol. 3A 12.2).
Flow Emms(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  SetTop(cpu.state.sse, 0);
  cpu.state.sse.ftw = 0;
  return cpu.Next(in);
}

bool BindEmms(const ZydisInsn&, DecodedInsn& out) {
  out.handler = &Emms;
  return true;
}

// ---- MOVD/MOVQ ------------------------------------------------------------------

// MOVD/MOVQ mm, r32/r64: zero-extended to 64 bits.
template <typename T>
Flow MmFromGpr(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  StoreMm(cpu, in.reg, cpu.Reg<T>(in.reg2));
  return MmxNext(cpu, in);
}

// MOVD r32, mm / MOVQ r64, mm (a 32-bit write zero-extends).
template <typename T>
Flow MmToGpr(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  cpu.SetReg<T>(in.reg, static_cast<T>(LoadMm(cpu, in.reg2)));
  return MmxNext(cpu, in);
}

template <typename T>
Flow MmFromMemory(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  T v;
  if (!cpu.Read<T>(cpu.Linear(in), &v)) return Flow::kFault;
  StoreMm(cpu, in.reg, v);
  return MmxNext(cpu, in);
}

// MOVD/MOVQ m32/m64, mm, and MOVNTQ m64, mm (a plain store: no cache model).
template <typename T>
Flow MmToMemory(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  if (!cpu.Write<T>(cpu.Linear(in), static_cast<T>(LoadMm(cpu, in.reg2)))) return Flow::kFault;
  return MmxNext(cpu, in);
}

Flow MmMove(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  StoreMm(cpu, in.reg, LoadMm(cpu, in.reg2));
  return MmxNext(cpu, in);
}

// A general register (to *gpr_field, as a byte offset) or memory operand.
bool BindGprOrMemory(const ZydisInsn& z, const ZydisDecodedOperand& op, DecodedInsn& out,
                     uint8_t* gpr_field) {
  if (IsMem(op)) return BindMemory(z, op, out);
  const int g = IsReg(op) ? GprOffset(op.reg.value) : -1;
  if (g < 0) return false;
  *gpr_field = static_cast<uint8_t>(g);
  return true;
}

}  // namespace

bool BindMmxMovdMovq(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  const ZydisDecodedOperand& dst = z.ops[0];
  const ZydisDecodedOperand& src = z.ops[1];
  if (IsMm(dst) && IsMm(src)) {
    out.handler = &MmMove;
    return BindMm(dst, &out.reg) && BindMm(src, &out.reg2);
  }
  if (BindMm(dst, &out.reg)) {
    const bool wide = src.size == 64;
    if (IsMem(src)) {
      out.handler = wide ? &MmFromMemory<uint64_t> : &MmFromMemory<uint32_t>;
    } else {
      out.handler = wide ? &MmFromGpr<uint64_t> : &MmFromGpr<uint32_t>;
    }
    return BindGprOrMemory(z, src, out, &out.reg2);
  }
  if (!BindMm(src, &out.reg2)) return false;
  const bool wide = dst.size == 64;
  if (IsMem(dst)) {
    out.handler = wide ? &MmToMemory<uint64_t> : &MmToMemory<uint32_t>;
  } else {
    out.handler = wide ? &MmToGpr<uint64_t> : &MmToGpr<uint32_t>;
  }
  return BindGprOrMemory(z, dst, out, &out.reg);
}

namespace {

bool BindMovntq(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsMem(z.ops[0]) || !BindMm(z.ops[1], &out.reg2)) {
    return false;
  }
  out.handler = &MmToMemory<uint64_t>;
  return BindMemory(z, z.ops[0], out);
}

// MASKMOVQ mm1, mm2: the bytes of mm1 selected by mm2, stored at DS:rDI.
Flow MaskedStore(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  const SseState& s = cpu.state.sse;
  if (!StoreSelectedBytes(cpu, cpu.Linear(in), s.st[in.reg], s.st[in.reg2], 8)) {
    return Flow::kFault;
  }
  return MmxNext(cpu, in);
}

bool BindMaskmovq(const ZydisInsn& z, DecodedInsn& out) {
  out.handler = &MaskedStore;
  return BindMm(z.ops[0], &out.reg) && BindMm(z.ops[1], &out.reg2) && BindImplicitMemory(z, out);
}

// ---- Between MMX and XMM registers ----------------------------------------------

// MOVQ2DQ xmm, mm: zero-extended to 128 bits.
Flow MmToXmm(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kWithXmm>(cpu)) [[unlikely]] return MmxUnavailable<kWithXmm>(cpu);
  StoreXmm(cpu, in.reg, _mm_cvtsi64_si128(static_cast<int64_t>(LoadMm(cpu, in.reg2))));
  return MmxNext(cpu, in);
}

// MOVDQ2Q mm, xmm: the low quadword.
Flow XmmToMm(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kWithXmm>(cpu)) [[unlikely]] return MmxUnavailable<kWithXmm>(cpu);
  StoreMm(cpu, in.reg, static_cast<uint64_t>(_mm_cvtsi128_si64(LoadXmm(cpu, in.reg2))));
  return MmxNext(cpu, in);
}

bool BindMovq2dq(const ZydisInsn& z, DecodedInsn& out) {
  out.handler = &MmToXmm;
  return BindXmm(z.ops[0], &out.reg) && BindMm(z.ops[1], &out.reg2);
}

bool BindMovdq2q(const ZydisInsn& z, DecodedInsn& out) {
  out.handler = &XmmToMm;
  return BindMm(z.ops[0], &out.reg) && BindXmm(z.ops[1], &out.reg2);
}

// ---- Word and mask access ------------------------------------------------------

// PEXTRW r32/r64, mm, imm8: word imm8[1:0], zero-extended.
Flow ExtractWord(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  cpu.SetReg<uint64_t>(in.reg, static_cast<uint16_t>(LoadMm(cpu, in.reg2) >> (16 * (in.imm & 3))));
  return MmxNext(cpu, in);
}

// PINSRW mm, r32/m16, imm8: the low word of the source into word imm8[1:0].
template <bool kMem>
Flow InsertWord(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  uint16_t v;
  if constexpr (kMem) {
    if (!cpu.Read<uint16_t>(cpu.Linear(in), &v)) return Flow::kFault;
  } else {
    v = cpu.Reg<uint16_t>(in.reg2);
  }
  const int shift = 16 * (in.imm & 3);
  const uint64_t old = LoadMm(cpu, in.reg);
  StoreMm(cpu, in.reg, (old & ~(uint64_t{0xffff} << shift)) | (uint64_t{v} << shift));
  return MmxNext(cpu, in);
}

// PMOVMSKB r32/r64, mm: the top bit of each byte, zero-extended.
Flow MoveMask(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<kMmx>(cpu)) [[unlikely]] return MmxUnavailable<kMmx>(cpu);
  const __m128i v = _mm_cvtsi64_si128(static_cast<int64_t>(LoadMm(cpu, in.reg2)));
  cpu.SetReg<uint64_t>(in.reg, static_cast<uint32_t>(_mm_movemask_epi8(v)));
  return MmxNext(cpu, in);
}

// A general register destination as a byte offset (its 64-bit register).
bool BindGprDestination(const ZydisDecodedOperand& op, DecodedInsn& out) {
  const int g = IsReg(op) ? GprIndex(op.reg.value) : -1;
  if (g < 0) return false;
  out.reg = static_cast<uint8_t>(g * 8);
  return true;
}

}  // namespace

bool BindMmxExtractWord(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2])) return false;
  out.imm = z.ops[2].imm.value.u;
  out.handler = &ExtractWord;
  return BindGprDestination(z.ops[0], out) && BindMm(z.ops[1], &out.reg2);
}

bool BindMmxInsertWord(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2])) return false;
  if (!BindMm(z.ops[0], &out.reg)) return false;
  out.imm = z.ops[2].imm.value.u;
  out.handler = IsMem(z.ops[1]) ? &InsertWord<true> : &InsertWord<false>;
  return BindGprOrMemory(z, z.ops[1], out, &out.reg2);
}

bool BindMmxMoveMask(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  out.handler = &MoveMask;
  return BindGprDestination(z.ops[0], out) && BindMm(z.ops[1], &out.reg2);
}

void RegisterMmxOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_EMMS, &BindEmms);
  t.Add(ZYDIS_MNEMONIC_MOVNTQ, &BindMovntq);
  t.Add(ZYDIS_MNEMONIC_MASKMOVQ, &BindMaskmovq);
  t.Add(ZYDIS_MNEMONIC_MOVQ2DQ, &BindMovq2dq);
  t.Add(ZYDIS_MNEMONIC_MOVDQ2Q, &BindMovdq2q);
}

}  // namespace x64sim
