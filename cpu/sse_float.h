// Running SSE floating-point instructions on the host: the same instruction
// runs under the guest's rounding control, DAZ and FTZ with every exception
// masked; the host's flags then say which exceptions occurred, and the
// guest's masks decide between setting sticky flags and faulting (SDM vol. 1
// 11.5, vol. 3 "SIMD floating-point exception"). Shared by
// ops_sse_float.cc and ops_sse_convert.cc.
#ifndef X64SIM_CPU_SSE_FLOAT_H_
#define X64SIM_CPU_SSE_FLOAT_H_

#include <emmintrin.h>

#include <array>
#include <utility>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/sse_quiet.h"

namespace x64sim {

inline constexpr uint32_t kMxcsrFlags = 0x3f;      // IE DE ZE OE UE PE
inline constexpr uint32_t kPreComputation = 0x07;  // IE DE ZE
inline constexpr uint32_t kMxcsrMaskShift = 7;
inline constexpr uint32_t kAllMasked = 0x1f80;
inline constexpr uint32_t kModeBits = 0xe040;  // FTZ, RC, DAZ

inline constexpr uint32_t kUnderflowFlag = 0x10;   // UE
inline constexpr uint32_t kUnderflowMask = 0x800;  // UM
inline constexpr uint32_t kFlushToZero = 0x8000;   // FTZ

// Calls run() with the host's MXCSR set to the guest's modes and all
// exceptions masked; returns the exception flags raised meanwhile. run()
// must do its floating-point work in asm volatile, which keeps it between
// the MXCSR accesses, and may be called twice (it only computes its
// result).
//
// The host runs in the default modes (round to nearest, no DAZ or FTZ, all
// masked), and the flags standing in its MXCSR are sticky. When the guest
// runs in those modes too and has already set every standing flag itself
// (masked, so setting it again changes nothing), the instruction runs as it
// is: the flags after it are the ones it raised plus ones the guest has.
// Otherwise it runs under the guest's modes with the flags cleared, and the
// host's modes come back without flags, which makes the next instruction
// take the short way (LDMXCSR costs several times the arithmetic).
//
// Underflow needs care when the guest unmasks it (SDM vol. 1 11.5.2.5,
// 10.2.3.3): FTZ then does not apply, and UE is raised for every tiny
// result, exact or not, where a masked run reports UE only if the result
// is also inexact. A second run under FTZ, which flags every tiny result,
// supplies UE for the exact ones.
template <typename Run>
inline uint32_t UnderGuestMxcsr(uint32_t guest_mxcsr, Run run) {
  uint32_t host, after;
  asm volatile("stmxcsr %0" : "=m"(host));
  const bool underflow_unmasked = !(guest_mxcsr & kUnderflowMask);
  const uint32_t guest_has = guest_mxcsr & (guest_mxcsr >> kMxcsrMaskShift) & kMxcsrFlags;
  if ((guest_mxcsr & kModeBits) == 0 && !underflow_unmasked && (host & ~kMxcsrFlags) == kAllMasked &&
      (host & kMxcsrFlags & ~guest_has) == 0) [[likely]] {
    run();
    asm volatile("stmxcsr %0" : "=m"(after));
    return after & kMxcsrFlags;
  }
  const uint32_t host_modes = host & ~kMxcsrFlags;
  uint32_t mode = (guest_mxcsr & kModeBits) | kAllMasked;
  if (underflow_unmasked) mode &= ~kFlushToZero;
  auto once = [&run, &after, host_modes](uint32_t m) {
    asm volatile("ldmxcsr %0" : : "m"(m));
    run();
    asm volatile("stmxcsr %0" : "=m"(after));
    asm volatile("ldmxcsr %0" : : "m"(host_modes));
    return after & kMxcsrFlags;
  };
  uint32_t flags = once(mode);
  if (underflow_unmasked && !(flags & kUnderflowFlag)) [[unlikely]] {
    flags |= once(mode | kFlushToZero) & kUnderflowFlag;
  }
  return flags;
}

// Records the flags in MXCSR; true if none is unmasked. When an unmasked
// one is a pre-computation exception (IE DE ZE), the post-computation
// flags are not set.
inline bool RecordFlags(uint32_t& mxcsr, uint32_t flags) {
  const uint32_t unmasked = flags & ~(mxcsr >> kMxcsrMaskShift) & kMxcsrFlags;
  if (unmasked & kPreComputation) flags &= kPreComputation;
  mxcsr |= flags;
  return unmasked == 0;
}

// An unmasked SIMD floating-point exception: #XM, or #UD without CR4.OSXMMEXCPT.
inline void SimdFault(Cpu& cpu) {
  cpu.FaultNoCode((cpu.state.cr4 & kCr4OSXMMEXCPT) ? kSimdError : kInvalidOpcode);
}

// Records the flags; true if the result may be written. An unmasked
// exception faults with the destination unchanged.
inline bool CommitFlags(Cpu& cpu, uint32_t flags) {
  if (RecordFlags(cpu.state.sse.mxcsr, flags)) [[likely]] return true;
  SimdFault(cpu);
  return false;
}

// Source kinds: an XMM register, or memory of 2, 4, 8 or 16 bytes.
enum class Src : uint8_t { kReg, kM16, kM32, kM64, kM128 };

constexpr Src MemSrc(int bits) {
  return bits == 16 ? Src::kM16 : bits == 32 ? Src::kM32 : bits == 64 ? Src::kM64 : Src::kM128;
}

// Reads an XMM source (in.reg2) or its memory operand into the low bytes of
// *v, the rest zero.
inline bool ReadSource(Cpu& cpu, const DecodedInsn& in, Src kind, __m128i* v) {
  switch (kind) {
    case Src::kReg:
      *v = LoadXmm(cpu, in.reg2);
      return true;
    case Src::kM16: {
      uint16_t x;
      if (!cpu.Read<uint16_t>(cpu.Linear(in), &x)) return false;
      *v = _mm_cvtsi32_si128(x);
      return true;
    }
    case Src::kM32: {
      uint32_t x;
      if (!cpu.Read<uint32_t>(cpu.Linear(in), &x)) return false;
      *v = _mm_cvtsi32_si128(static_cast<int>(x));
      return true;
    }
    case Src::kM64: {
      uint64_t x;
      if (!cpu.Read<uint64_t>(cpu.Linear(in), &x)) return false;
      *v = _mm_cvtsi64_si128(static_cast<long long>(x));
      return true;
    }
    case Src::kM128: {
      // SDM vol. 2A 2.4.1 (exception type 2): 16-byte alignment, else #GP(0).
      uint64_t linear = cpu.Linear(in);
      if (linear & 15) {
        cpu.Fault(kGeneralProtection, 0);
        return false;
      }
      return cpu.ReadBytes(linear, v, 16);
    }
  }
  return false;
}

inline bool BindXmm(const ZydisDecodedOperand& op, uint8_t* field) {
  if (!IsReg(op)) return false;
  int x = XmmIndex(op.reg.value);
  if (x < 0) return false;
  *field = static_cast<uint8_t>(x);
  return true;
}

// Binds an "xmm/mN" source operand: an XMM register to out.reg2, or memory
// of exactly kMemBits. *kind says which.
template <int kMemBits>
bool BindXmmSource(const ZydisInsn& z, const ZydisDecodedOperand& op, DecodedInsn& out,
                   Src* kind) {
  if (IsMem(op)) {
    *kind = MemSrc(kMemBits);
    return op.size == kMemBits && BindMemory(z, op, out);
  }
  *kind = Src::kReg;
  return BindXmm(op, &out.reg2);
}

// One host instruction, "insn src, dst", on the destination's old value.
using HostOp = __m128i (*)(__m128i, __m128i);
#define X64SIM_HOST_OP(name, insn)                   \
  __m128i name(__m128i a, __m128i b) {               \
    asm volatile(insn " %1, %0" : "+x"(a) : "x"(b)); \
    return a;                                        \
  }

// Whether operands can raise nothing but precision (cpu/sse_quiet.h).
using QuietTest = bool (*)(__m128i, __m128i);

// Arith's general way, under the guest's MXCSR: apart, so that Arith's
// bare case needs no stack frame.
template <HostOp Op>
[[gnu::noinline]] Flow ArithUnderGuestMxcsr(Cpu& cpu, const DecodedInsn& in, __m128i dst, __m128i src) {
  __m128i result;
  const uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] { result = Op(dst, src); });
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  StoreXmm(cpu, in.reg, result);
  return cpu.Next(in);
}
// "xmm op= xmm/mN": the host instruction writes what it writes (the whole
// register, or only the low element of a scalar form). With kQuiet, the
// operands it passes run bare when the guest has already recorded
// precision: the host, in the same modes, computes the same result.
template <HostOp Op, Src kSrc, QuietTest kQuiet = nullptr>
Flow Arith(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  const __m128i dst = LoadXmm(cpu, in.reg);
  // (Not `if constexpr`: under the sanitizers GCC does not take a function
  // pointer's comparison with null as a constant.)
  if (kQuiet != nullptr && PrecisionAlreadyRecorded(cpu.state.sse.mxcsr) && kQuiet(dst, src)) [[likely]] {
    StoreXmm(cpu, in.reg, Op(dst, src));
    return cpu.Next(in);
  }
  return ArithUnderGuestMxcsr<Op>(cpu, in, dst, src);
}

template <HostOp Op, int kMemBits, QuietTest kQuiet = nullptr>
Handler ArithHandler(Src kind) {
  return kind == Src::kReg ? &Arith<Op, Src::kReg, kQuiet> : &Arith<Op, MemSrc(kMemBits), kQuiet>;
}

// A host instruction with an immediate, "insn imm, src, dst", as a
// template on the immediate (it is part of the encoding).
#define X64SIM_HOST_OP_IMM(name, insn)                                \
  template <int kImm>                                                 \
  struct name {                                                       \
    static __m128i Run(__m128i a, __m128i b) {                        \
      asm volatile(insn " %2, %1, %0" : "+x"(a) : "x"(b), "i"(kImm)); \
      return a;                                                       \
    }                                                                 \
  };

// The handlers of Op<0> ... Op<N-1>, indexed by the immediate.
template <template <int> class Op, int kMemBits, int... kImm>
std::array<Handler, sizeof...(kImm)> ImmHandlers(Src kind, std::integer_sequence<int, kImm...>) {
  return {ArithHandler<&Op<kImm>::Run, kMemBits>(kind)...};
}

// "xmm, xmm/mN" with N = kMemBits (the memory operand's size: 32 or 64 for
// scalar forms and conversions that read half a register, 128 otherwise).
template <HostOp Op, int kMemBits, QuietTest kQuiet = nullptr>
bool BindArith(const ZydisInsn& z, DecodedInsn& out) {
  Src kind;
  if (z.insn.operand_count_visible != 2 || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<kMemBits>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.handler = ArithHandler<Op, kMemBits, kQuiet>(kind);
  return true;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_SSE_FLOAT_H_
