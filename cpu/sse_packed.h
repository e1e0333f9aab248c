// Packed integer instructions written lane by lane from the SDM (SSSE3,
// SSE4.1, SSE4.2, AES-NI, PCLMULQDQ): "xmm = Op(xmm, xmm/mN[, imm8])".
// Shared by ops_ssse3.cc, ops_sse41.cc, ops_sse42.cc and ops_aes.cc.
#ifndef X64SIM_CPU_SSE_PACKED_H_
#define X64SIM_CPU_SSE_PACKED_H_

#include <emmintrin.h>

#include <cstdint>
#include <limits>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/sse_float.h"

namespace x64sim {

// The result from the destination's old value, the source and the
// immediate (0 for forms without one).
using PackedOp = __m128i (*)(__m128i dst, __m128i src, uint8_t imm);

template <PackedOp Op, Src kSrc>
Flow Packed(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  StoreXmm(cpu, in.reg, Op(LoadXmm(cpu, in.reg), src, static_cast<uint8_t>(in.imm)));
  return cpu.Next(in);
}

// "xmm, xmm/mN" or "xmm, xmm/mN, imm8"; a 16-byte memory operand must be
// aligned (ReadSource), smaller ones need not be.
template <PackedOp Op, int kMemBits = 128>
bool BindPacked(const ZydisInsn& z, DecodedInsn& out) {
  const int visible = z.insn.operand_count_visible;
  if (visible == 3 && IsImm(z.ops[2])) {
    out.imm = z.ops[2].imm.value.u;
  } else if (visible == 2) {
    out.imm = 0;
  } else {
    return false;
  }
  Src kind;
  if (!BindXmm(z.ops[0], &out.reg) || !BindXmmSource<kMemBits>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.handler = kind == Src::kReg ? &Packed<Op, Src::kReg> : &Packed<Op, MemSrc(kMemBits)>;
  return true;
}

// Signed saturation to the range of Narrow.
template <typename Narrow>
Narrow SaturateSigned(int64_t x) {
  constexpr int64_t lo = std::numeric_limits<Narrow>::min(),
                    hi = std::numeric_limits<Narrow>::max();
  return static_cast<Narrow>(x < lo ? lo : x > hi ? hi : x);
}

}  // namespace x64sim

#endif  // X64SIM_CPU_SSE_PACKED_H_
