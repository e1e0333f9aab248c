// The MMX registers and what every instruction that touches them shares:
// MM0-MM7 are bits 63:0 of the x87 data registers by physical number (SDM
// vol. 1 9.5, vol. 3A 12.2), the #UD/#NM/#MF rules (vol. 3B 22.25.3), the
// switch of the x87 unit to MMX use, and the 64-bit forms of the packed
// integer operations, computed by their 128-bit lane functions.
#ifndef X64SIM_CPU_MMX_H_
#define X64SIM_CPU_MMX_H_

#include <emmintrin.h>

#include <cstdint>
#include <cstring>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/x87.h"

namespace x64sim {

inline uint64_t LoadMm(const Cpu& cpu, int r) {
  uint64_t v;
  std::memcpy(&v, cpu.state.sse.st[r], 8);
  return v;
}

// A write also sets bits 79:64 (sign and exponent) to all ones.
inline void StoreMm(Cpu& cpu, int r, uint64_t v) {
  std::memcpy(cpu.state.sse.st[r], &v, 8);
  cpu.state.sse.st[r][8] = cpu.state.sse.st[r][9] = 0xff;
}

// Which exception table applies (SDM vol. 3B 22.25.3): MMX-register-only
// instructions, the MMX forms of SSE/SSE2/SSSE3 among them, are #UD only
// for CR0.EM (tables 22-7, 22-8); those that also use an XMM register
// (conversions, MOVQ2DQ, MOVDQ2Q) are #UD for CR4.OSFXSR=0 too (22-5,
// 22-6). Then #NM for CR0.TS, then #MF while an unmasked x87 exception is
// pending (FSW.ES).
enum class MmxGate : uint8_t { kMmx, kWithXmm };

template <MmxGate kGate>
inline bool MmxEnabled(const Cpu& cpu) {
  const bool control = kGate == MmxGate::kMmx ? !(cpu.state.cr0 & (kCr0EM | kCr0TS))
                                              : SseEnabled(cpu);
  return control && !(cpu.state.sse.fsw & kFswSummary);
}

template <MmxGate kGate>
inline Flow MmxUnavailable(Cpu& cpu) {
  if (kGate == MmxGate::kWithXmm && !SseEnabled(cpu)) return SseUnavailable(cpu);
  if (cpu.state.cr0 & kCr0EM) return cpu.FaultNoCode(kInvalidOpcode);
  if (cpu.state.cr0 & kCr0TS) return cpu.FaultNoCode(kDeviceNotAvailable);
  return cpu.FaultNoCode(kFpuError);
}

// Retires an MMX instruction (not EMMS): TOP becomes 0 and every tag
// valid (SDM vol. 1 9.6.2). Done once nothing can fault any more.
inline Flow MmxNext(Cpu& cpu, const DecodedInsn& in) {
  SetTop(cpu.state.sse, 0);
  cpu.state.sse.ftw = 0xff;
  return cpu.Next(in);
}

inline bool IsMm(const ZydisDecodedOperand& op) { return IsReg(op) && MmIndex(op.reg.value) >= 0; }

inline bool BindMm(const ZydisDecodedOperand& op, uint8_t* field) {
  if (!IsMm(op)) return false;
  *field = static_cast<uint8_t>(MmIndex(op.reg.value));
  return true;
}

// A mnemonic with XMM and MMX forms: the MMX binder if any visible operand
// is an MMX register.
template <Binder kXmm, Binder kMmx>
bool BindXmmOrMmx(const ZydisInsn& z, DecodedInsn& out) {
  for (int i = 0; i < z.insn.operand_count_visible; ++i) {
    if (IsMm(z.ops[i])) return kMmx(z, out);
  }
  return kXmm(z, out);
}

// ---- Packed operations on 64-bit operands ------------------------------------

// A 128-bit lane operation: the result from the destination's old value,
// the source and the immediate (0 for forms without one).
using LaneOp = __m128i (*)(__m128i dst, __m128i src, uint8_t imm);

// How the 64-bit form follows from the 128-bit one. kLanes: lane by lane,
// the operands in the low halves. kPaired (packs, horizontal add and
// subtract): the 128-bit form's destination half of the result comes from
// the destination and source side by side. kUpperHalves (PUNPCKH*): the
// operands moved up by a quarter, so that their upper halves lie where the
// 128-bit form takes its upper halves from.
enum class MmxShape : uint8_t { kLanes, kPaired, kUpperHalves };

template <LaneOp Op, MmxShape kShape>
uint64_t OnMmx(uint64_t dst, uint64_t src, uint8_t imm) {
  const __m128i d = _mm_cvtsi64_si128(static_cast<int64_t>(dst));
  const __m128i s = _mm_cvtsi64_si128(static_cast<int64_t>(src));
  __m128i r;
  if constexpr (kShape == MmxShape::kLanes) {
    r = Op(d, s, imm);
  } else if constexpr (kShape == MmxShape::kPaired) {
    r = Op(_mm_unpacklo_epi64(d, s), _mm_setzero_si128(), imm);
  } else {
    r = Op(_mm_slli_si128(d, 4), _mm_slli_si128(s, 4), imm);
  }
  return static_cast<uint64_t>(_mm_cvtsi128_si64(r));
}

// "mm = Op(mm, mm/mN[, imm8])" with kMemBytes = N / 8 (0: the register
// form), 8 or 4 (PUNPCKL*, which use the low half); no alignment needed.
template <LaneOp Op, MmxShape kShape, int kMemBytes>
Flow MmxPacked(Cpu& cpu, const DecodedInsn& in) {
  if (!MmxEnabled<MmxGate::kMmx>(cpu)) [[unlikely]] return MmxUnavailable<MmxGate::kMmx>(cpu);
  uint64_t src;
  if constexpr (kMemBytes == 8) {
    if (!cpu.Read<uint64_t>(cpu.Linear(in), &src)) return Flow::kFault;
  } else if constexpr (kMemBytes == 4) {
    uint32_t low;
    if (!cpu.Read<uint32_t>(cpu.Linear(in), &low)) return Flow::kFault;
    src = low;
  } else {
    src = LoadMm(cpu, in.reg2);
  }
  StoreMm(cpu, in.reg, OnMmx<Op, kShape>(LoadMm(cpu, in.reg), src, static_cast<uint8_t>(in.imm)));
  return MmxNext(cpu, in);
}

// "mm, mm/mN", "mm, mm/mN, imm8", or "mm, imm8" (the shifts by an
// immediate: the register is both operands).
template <LaneOp Op, MmxShape kShape = MmxShape::kLanes>
bool BindMmxPacked(const ZydisInsn& z, DecodedInsn& out) {
  const int visible = z.insn.operand_count_visible;
  if (!BindMm(z.ops[0], &out.reg) || visible < 2) return false;
  out.imm = IsImm(z.ops[visible - 1]) ? z.ops[visible - 1].imm.value.u : 0;
  if (visible == 2 && IsImm(z.ops[1])) {
    out.reg2 = out.reg;
    out.handler = &MmxPacked<Op, kShape, 0>;
    return true;
  }
  if (visible != 2 && !(visible == 3 && IsImm(z.ops[2]))) return false;
  if (IsMem(z.ops[1])) {
    const int bits = z.ops[1].size;
    out.handler = bits == 64 ? &MmxPacked<Op, kShape, 8> : &MmxPacked<Op, kShape, 4>;
    return (bits == 64 || bits == 32) && BindMemory(z, z.ops[1], out);
  }
  out.handler = &MmxPacked<Op, kShape, 0>;
  return BindMm(z.ops[1], &out.reg2);
}

// Binders of ops_mmx.cc for the MMX forms of mnemonics that ops_sse.cc
// registers.
bool BindMmxMovdMovq(const ZydisInsn& z, DecodedInsn& out);
bool BindMmxMoveMask(const ZydisInsn& z, DecodedInsn& out);
bool BindMmxExtractWord(const ZydisInsn& z, DecodedInsn& out);
bool BindMmxInsertWord(const ZydisInsn& z, DecodedInsn& out);

}  // namespace x64sim

#endif  // X64SIM_CPU_MMX_H_
