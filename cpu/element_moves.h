// PEXTRB/W/D/Q, EXTRACTPS and PINSRB/W/D/Q (ops_sse.cc) and their VEX
// forms (ops_avx.cc): one element between an XMM register and a general
// register or memory. The encodings differ only in their gate and in
// where the inserted-into vector comes from and goes.
#ifndef X64SIM_CPU_ELEMENT_MOVES_H_
#define X64SIM_CPU_ELEMENT_MOVES_H_

#include <cstring>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/vex.h"

namespace x64sim {

enum class VecGate : uint8_t { kSse, kVex };

template <VecGate kGate>
bool VecEnabled(const Cpu& cpu) {
  return kGate == VecGate::kVex ? VexEnabled(cpu) : SseEnabled(cpu);
}

template <VecGate kGate>
Flow VecUnavailable(Cpu& cpu) {
  return kGate == VecGate::kVex ? VexUnavailable(cpu) : SseUnavailable(cpu);
}

// Element imm8 (modulo the element count) of xmm reg2, zero-extended into
// the whole general register, or stored at its own size.
template <typename T, VecGate kGate, bool kMem>
Flow ExtractElement(Cpu& cpu, const DecodedInsn& in) {
  if (!VecEnabled<kGate>(cpu)) [[unlikely]] return VecUnavailable<kGate>(cpu);
  T v;
  std::memcpy(&v, cpu.state.sse.xmm[in.reg2] + sizeof(T) * (in.imm & (16 / sizeof(T) - 1)),
              sizeof(T));
  if constexpr (kMem) {
    return cpu.Write<T>(cpu.Linear(in), v) ? cpu.Next(in) : Flow::kFault;
  } else {
    cpu.SetReg<uint64_t>(in.reg, v);
    return cpu.Next(in);
  }
}

// "r/m, xmm, imm8"; the VEX forms are VEX.128 only (VEX.L = 1 is #UD).
template <typename T, VecGate kGate>
bool BindExtractElement(const ZydisInsn& z, DecodedInsn& out) {
  if ((kGate == VecGate::kVex && VexLanes(z) != 1) || z.insn.operand_count_visible != 3 ||
      !IsImm(z.ops[2]) || !BindVec(z.ops[1], &out.reg2)) {
    return false;
  }
  out.imm = z.ops[2].imm.value.u;
  if (IsMem(z.ops[0])) {
    out.handler = &ExtractElement<T, kGate, true>;
    return BindMemory(z, z.ops[0], out);
  }
  const int g = IsReg(z.ops[0]) ? GprIndex(z.ops[0].reg.value) : -1;
  if (g < 0) return false;
  out.reg = static_cast<uint8_t>(g * 8);  // a byte offset, as GprOffset gives
  out.handler = &ExtractElement<T, kGate, false>;
  return true;
}

// xmm aux with element imm8 (modulo the element count) replaced by the low
// element of the general register or memory source, into xmm reg: legacy
// SSE keeps bits 255:128, VEX zeroes them.
template <typename T, VecGate kGate, bool kMem>
Flow InsertElement(Cpu& cpu, const DecodedInsn& in) {
  if (!VecEnabled<kGate>(cpu)) [[unlikely]] return VecUnavailable<kGate>(cpu);
  T v;
  if constexpr (kMem) {
    if (!cpu.Read<T>(cpu.Linear(in), &v)) return Flow::kFault;
  } else {
    v = cpu.Reg<T>(in.reg2);
  }
  __m128i r = LoadXmm(cpu, in.aux);
  std::memcpy(reinterpret_cast<uint8_t*>(&r) + sizeof(T) * (in.imm & (16 / sizeof(T) - 1)), &v,
              sizeof(T));
  if constexpr (kGate == VecGate::kVex) {
    StoreXmmZeroUpper(cpu, in.reg, r);
  } else {
    StoreXmm(cpu, in.reg, r);
  }
  return cpu.Next(in);
}

// "xmm, r/m, imm8" (SSE: the destination is the vector inserted into) or
// "xmm1, xmm2 (VEX.vvvv), r/m, imm8" (VEX.128 only).
template <typename T, VecGate kGate>
bool BindInsertElement(const ZydisInsn& z, DecodedInsn& out) {
  constexpr bool kVex = kGate == VecGate::kVex;
  constexpr int kSource = kVex ? 2 : 1;
  if ((kVex && VexLanes(z) != 1) || z.insn.operand_count_visible != kSource + 2 ||
      !IsImm(z.ops[kSource + 1]) || !BindVec(z.ops[0], &out.reg)) {
    return false;
  }
  if constexpr (kVex) {
    if (!IsVvvv(z.ops[1]) || !BindVec(z.ops[1], &out.aux)) return false;
  } else {
    out.aux = out.reg;
  }
  out.imm = z.ops[kSource + 1].imm.value.u;
  const ZydisDecodedOperand& src = z.ops[kSource];
  if (IsMem(src)) {
    out.handler = &InsertElement<T, kGate, true>;
    return BindMemory(z, src, out);
  }
  const int g = IsReg(src) ? GprOffset(src.reg.value) : -1;
  if (g < 0) return false;
  out.reg2 = static_cast<uint8_t>(g);
  out.handler = &InsertElement<T, kGate, false>;
  return true;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_ELEMENT_MOVES_H_
