// What every VEX-encoded vector instruction (AVX, AVX2) needs: its gate,
// the YMM registers as two 128-bit lanes (the XMM register and
// SseState::ymm_hi), and binders that run an SSE lane operation on each
// 128-bit lane with VEX's separate destination. Shared by ops_avx.cc and
// the ops_sse*.cc files that register VEX forms of their instructions.
//
// Operand fields: reg is the destination, aux the first source (VEX.vvvv),
// reg2 the last source register, or the memory fields with size its bytes.
#ifndef X64SIM_CPU_VEX_H_
#define X64SIM_CPU_VEX_H_

#include <emmintrin.h>

#include <cstdint>
#include <utility>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/sse_float.h"
#include "cpu/sse_packed.h"

namespace x64sim {

// SDM vol. 2A 2.8 (exception types 1-7, VEX column): #UD unless
// CR4.OSXSAVE=1 and XCR0 enables SSE and AVX; then #NM when CR0.TS=1.
// (VEX is #UD in real-address and virtual-8086 mode too: such blocks
// decode it as #UD, cpu/cpu.cc.) CR0.EM and CR4.OSFXSR do not apply. (Zydis refuses a VEX
// prefix after LOCK, 66, F2, F3 or REX, which is #UD too.)
inline bool VexEnabled(const Cpu& cpu) {
  constexpr uint64_t kNeeded = kCr4OSXSAVE | kXcr0Sse | kXcr0Avx;  // bits 18, 1, 2; TS is bit 3
  return ((cpu.state.cr4 & kCr4OSXSAVE) | (cpu.state.xcr0 & (kXcr0Sse | kXcr0Avx)) |
          (cpu.state.cr0 & kCr0TS)) == kNeeded;
}

inline Flow VexUnavailable(Cpu& cpu) {
  if (!(cpu.state.cr4 & kCr4OSXSAVE) || (~cpu.state.xcr0 & (kXcr0Sse | kXcr0Avx))) {
    return cpu.FaultNoCode(kInvalidOpcode);
  }
  return cpu.FaultNoCode(kDeviceNotAvailable);
}

// A YMM value as its low and high 128-bit lanes.
struct Ymm {
  __m128i lane[2];
};

inline __m128i LoadYmmHi(const Cpu& cpu, int r) {
  return _mm_load_si128(reinterpret_cast<const __m128i*>(cpu.state.sse.ymm_hi[r]));
}

inline Ymm LoadYmm(const Cpu& cpu, int r) { return {{LoadXmm(cpu, r), LoadYmmHi(cpu, r)}}; }

inline void StoreYmm(Cpu& cpu, int r, const Ymm& v) {
  StoreXmm(cpu, r, v.lane[0]);
  _mm_store_si128(reinterpret_cast<__m128i*>(cpu.state.sse.ymm_hi[r]), v.lane[1]);
}

// A VEX.128 result: bits 255:128 of the destination are zeroed (SDM vol. 1 14.1.3).
inline void StoreXmmZeroUpper(Cpu& cpu, int r, __m128i v) {
  StoreYmm(cpu, r, {{v, _mm_setzero_si128()}});
}

// A result of kLanes lanes (1: VEX.128, 2: VEX.256).
template <int kLanes>
inline void StoreVex(Cpu& cpu, int r, const Ymm& v) {
  StoreYmm(cpu, r, {{v.lane[0], kLanes == 2 ? v.lane[1] : _mm_setzero_si128()}});
}

// The memory operand's in.size bytes into the low bytes of *v, the rest
// zero. VEX forms do not fault on misalignment, except where their
// handlers say (VMOVAPS and the like).
inline bool ReadVexMemory(Cpu& cpu, const DecodedInsn& in, Ymm* v) {
  *v = {{_mm_setzero_si128(), _mm_setzero_si128()}};
  return cpu.ReadBytes(cpu.Linear(in), v, in.size);
}

// The last source: register reg2, or memory.
template <bool kMem>
inline bool ReadVexSource(Cpu& cpu, const DecodedInsn& in, Ymm* v) {
  if constexpr (kMem) {
    return ReadVexMemory(cpu, in, v);
  } else {
    *v = LoadYmm(cpu, in.reg2);
    return true;
  }
}

// Both sources of a VEX operation: the last (register or memory) and the
// first, VEX.vvvv with a separate one (kNds), else the last again.
template <bool kMem, bool kNds>
inline bool ReadVexSources(Cpu& cpu, const DecodedInsn& in, Ymm* src1, Ymm* src2) {
  if (!ReadVexSource<kMem>(cpu, in, src2)) return false;
  *src1 = kNds ? LoadYmm(cpu, in.aux) : *src2;
  return true;
}

// ---- Binding ---------------------------------------------------------------

// Register number of an XMM or YMM register, or -1.
inline int VecIndex(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_XMM0 && r <= ZYDIS_REGISTER_XMM15) return r - ZYDIS_REGISTER_XMM0;
  if (r >= ZYDIS_REGISTER_YMM0 && r <= ZYDIS_REGISTER_YMM15) return r - ZYDIS_REGISTER_YMM0;
  return -1;
}

inline bool BindVec(const ZydisDecodedOperand& op, uint8_t* field) {
  const int x = IsReg(op) ? VecIndex(op.reg.value) : -1;
  if (x < 0) return false;
  *field = static_cast<uint8_t>(x);
  return true;
}

inline bool IsVvvv(const ZydisDecodedOperand& op) {
  return op.encoding == ZYDIS_OPERAND_ENCODING_NDSNDD;
}

inline int VexLanes(const ZydisInsn& z) { return z.insn.avx.vector_length == 256 ? 2 : 1; }

// The shape "dst, [src1 (VEX.vvvv),] src2/m [, imm8 | , src3]": fills reg,
// aux, reg2 or the memory fields (size: the operand's bytes), imm or cond. *nds says
// whether src1 is there; *mem whether src2 is memory.
inline bool BindVexOperands(const ZydisInsn& z, DecodedInsn& out, bool* nds, bool* mem) {
  int n = z.insn.operand_count_visible;
  out.imm = 0;
  if (n >= 3 && IsImm(z.ops[n - 1])) out.imm = z.ops[--n].imm.value.u;
  // A fourth register in imm8[7:4] (VBLENDVPS...): its number in cond.
  if (n == 4 && z.ops[3].encoding == ZYDIS_OPERAND_ENCODING_IS4 && BindVec(z.ops[3], &out.cond)) --n;
  if (n != 2 && n != 3) return false;
  *nds = n == 3;
  if (*nds && (!IsVvvv(z.ops[1]) || !BindVec(z.ops[1], &out.aux))) return false;
  if (!BindVec(z.ops[0], &out.reg)) return false;
  const ZydisDecodedOperand& src = z.ops[n - 1];
  *mem = IsMem(src);
  if (!*mem) return BindVec(src, &out.reg2);
  out.size = static_cast<uint8_t>(src.size / 8);
  return out.size <= 32 && BindMemory(z, src, out);
}

// Picks Handler<kLanes, kMem, kNds> for the bound shape.
template <template <int, bool, bool> class H>
Handler PickVex(int lanes, bool mem, bool nds) {
  if (lanes == 2) {
    return mem ? (nds ? &H<2, true, true>::Run : &H<2, true, false>::Run)
               : (nds ? &H<2, false, true>::Run : &H<2, false, false>::Run);
  }
  return mem ? (nds ? &H<1, true, true>::Run : &H<1, true, false>::Run)
             : (nds ? &H<1, false, true>::Run : &H<1, false, false>::Run);
}

// Which vector lengths a form has (a VEX.L the form lacks is #UD).
enum class VexWidths : uint8_t { k128, k256, kBoth };

inline bool WidthAllowed(const ZydisInsn& z, VexWidths w) {
  return w == VexWidths::kBoth || (w == VexWidths::k256) == (VexLanes(z) == 2);
}

// ---- Integer and bit operations: the SSE lane operation on each lane ------

// dst = Op(src1, src2, imm) (sse_packed.h's PackedOp) in each lane;
// without a VEX.vvvv operand the source stands for src1 too (the SSE
// operations then read only one). kLowSource >= 0: src2 is an XMM
// register or m128 whose low lane serves every lane, shifted right by that
// many bytes for the upper one (0: the shift counts of VPSLLW...; the
// 256-bit VPMOVSX/ZX widen its upper half). kLaneImmShift: lane i takes
// the immediate shifted right by i times this (VSHUFPD and the blends
// give each element its own bits).
template <PackedOp Op, int kLowSource = -1, int kLaneImmShift = 0>
struct VexPacked {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src1, src2, r;
      if (!ReadVexSources<kMem, kNds>(cpu, in, &src1, &src2)) return Flow::kFault;
      if constexpr (kLowSource >= 0) {
        src2.lane[1] = _mm_srli_si128(src2.lane[0], kLowSource >= 0 ? kLowSource : 0);
      }
      for (int i = 0; i < kLanes; ++i) {
        const uint8_t imm = static_cast<uint8_t>(in.imm >> (i * kLaneImmShift));
        r.lane[i] = Op(src1.lane[i], src2.lane[i], imm);
      }
      StoreVex<kLanes>(cpu, in.reg, r);
      return cpu.Next(in);
    }
  };
};

template <PackedOp Op, VexWidths kWidths = VexWidths::kBoth, int kLowSource = -1,
          int kLaneImmShift = 0>
bool BindVexPacked(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!WidthAllowed(z, kWidths) || !BindVexOperands(z, out, &nds, &mem)) return false;
  out.handler =
      PickVex<VexPacked<Op, kLowSource, kLaneImmShift>::template H>(VexLanes(z), mem, nds);
  return true;
}

// A two-operand SSE operation as a PackedOp.
template <__m128i (*Op)(__m128i, __m128i)>
__m128i IgnoreImm(__m128i a, __m128i b, uint8_t) {
  return Op(a, b);
}

template <__m128i (*Op)(__m128i, __m128i), VexWidths kWidths = VexWidths::kBoth>
bool BindVexBinary(const ZydisInsn& z, DecodedInsn& out) {
  return BindVexPacked<&IgnoreImm<Op>, kWidths>(z, out);
}

// ---- Floating point: the host instruction under the guest's MXCSR ---------

// Both lanes run inside one UnderGuestMxcsr: the flags are those of all
// elements, and an unmasked exception in either lane leaves the
// destination unchanged (SDM vol. 1 14.9: as for SSE).
template <HostOp Op>
struct VexArith {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src1, src2, r;
      if (!ReadVexSources<kMem, kNds>(cpu, in, &src1, &src2)) return Flow::kFault;
      const uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] {
        for (int i = 0; i < kLanes; ++i) r.lane[i] = Op(src1.lane[i], src2.lane[i]);
      });
      if (!CommitFlags(cpu, flags)) return Flow::kFault;
      StoreVex<kLanes>(cpu, in.reg, r);
      return cpu.Next(in);
    }
  };
};

template <HostOp Op, VexWidths kWidths = VexWidths::kBoth>
bool BindVexArith(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!WidthAllowed(z, kWidths) || !BindVexOperands(z, out, &nds, &mem)) return false;
  out.handler = PickVex<VexArith<Op>::template H>(VexLanes(z), mem, nds);
  return true;
}

// Scalar forms (VADDSS...): one lane whatever VEX.L says (it is ignored);
// the legacy host instruction on src1 keeps src1's bits above the element.
template <HostOp Op>
bool BindVexScalar(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem)) return false;
  out.handler = PickVex<VexArith<Op>::template H>(1, mem, nds);
  return true;
}

// Host instructions whose immediate is part of the encoding (compare
// predicates, rounding controls): Op<imm>::Run for each imm below kCount
// (a power of two; the immediate's higher bits are reserved and ignored).
// kScalar: one lane whatever VEX.L says.
template <template <int> class Op, int kCount, bool kScalar = false>
bool BindVexArithImm(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem)) return false;
  const int lanes = kScalar ? 1 : VexLanes(z);
  const int imm = static_cast<int>(out.imm & (kCount - 1));
  out.handler = [&]<int... kImm>(std::integer_sequence<int, kImm...>) {
    const Handler handlers[] = {PickVex<VexArith<&Op<kImm>::Run>::template H>(lanes, mem, nds)...};
    return handlers[imm];
  }(std::make_integer_sequence<int, kCount>());
  return true;
}

// A three-operand VEX host instruction with an immediate, "insn imm, b, a, result".
#define X64SIM_HOST_VEX_OP_IMM(name, insn)                                            \
  template <int kImm>                                                                 \
  struct name {                                                                       \
    static __m128i Run(__m128i a, __m128i b) {                                        \
      __m128i r;                                                                      \
      asm volatile(insn " %3, %2, %1, %0" : "=x"(r) : "x"(a), "x"(b), "i"(kImm));    \
      return r;                                                                       \
    }                                                                                 \
  };

}  // namespace x64sim

#endif  // X64SIM_CPU_VEX_H_
