// SSE/SSE2 floating-point arithmetic: ADD/SUB/MUL/DIV/MIN/MAX/SQRT in their
// scalar (SS, SD) and packed (PS, PD) forms. Each runs the same instruction
// on the host under the guest's rounding control, DAZ and FTZ with every
// exception masked; the host's flags then say which exceptions occurred,
// and the guest's masks decide between setting sticky flags and faulting
// (SDM vol. 1 11.5, vol. 3 "SIMD floating-point exception").
#include <emmintrin.h>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"

namespace x64sim {
namespace {

constexpr uint32_t kMxcsrFlags = 0x3f;      // IE DE ZE OE UE PE
constexpr uint32_t kPreComputation = 0x07;  // IE DE ZE
constexpr uint32_t kMxcsrMaskShift = 7;
constexpr uint32_t kAllMasked = 0x1f80;
constexpr uint32_t kModeBits = 0xe040;  // FTZ, RC, DAZ

// One host instruction, "insn src, dst". asm volatile keeps it between the
// MXCSR load and store around it.
using HostOp = __m128i (*)(__m128i, __m128i);
#define X64SIM_HOST_OP(name, insn)                          \
  __m128i name(__m128i a, __m128i b) {                      \
    asm volatile(insn " %1, %0" : "+x"(a) : "x"(b));        \
    return a;                                               \
  }
X64SIM_HOST_OP(AddSS, "addss")
X64SIM_HOST_OP(AddSD, "addsd")
X64SIM_HOST_OP(AddPS, "addps")
X64SIM_HOST_OP(AddPD, "addpd")
X64SIM_HOST_OP(SubSS, "subss")
X64SIM_HOST_OP(SubSD, "subsd")
X64SIM_HOST_OP(SubPS, "subps")
X64SIM_HOST_OP(SubPD, "subpd")
X64SIM_HOST_OP(MulSS, "mulss")
X64SIM_HOST_OP(MulSD, "mulsd")
X64SIM_HOST_OP(MulPS, "mulps")
X64SIM_HOST_OP(MulPD, "mulpd")
X64SIM_HOST_OP(DivSS, "divss")
X64SIM_HOST_OP(DivSD, "divsd")
X64SIM_HOST_OP(DivPS, "divps")
X64SIM_HOST_OP(DivPD, "divpd")
X64SIM_HOST_OP(MinSS, "minss")
X64SIM_HOST_OP(MinSD, "minsd")
X64SIM_HOST_OP(MinPS, "minps")
X64SIM_HOST_OP(MinPD, "minpd")
X64SIM_HOST_OP(MaxSS, "maxss")
X64SIM_HOST_OP(MaxSD, "maxsd")
X64SIM_HOST_OP(MaxPS, "maxps")
X64SIM_HOST_OP(MaxPD, "maxpd")
// SQRTSS/SD keep the destination's upper part; the packed forms ignore it.
X64SIM_HOST_OP(SqrtSS, "sqrtss")
X64SIM_HOST_OP(SqrtSD, "sqrtsd")
X64SIM_HOST_OP(SqrtPS, "sqrtps")
X64SIM_HOST_OP(SqrtPD, "sqrtpd")
#undef X64SIM_HOST_OP

// Runs Op under the guest's RC/DAZ/FTZ with all exceptions masked; returns
// the exception flags the host raised.
template <HostOp Op>
uint32_t RunOnHost(uint32_t guest_mxcsr, __m128i a, __m128i b, __m128i* result) {
  uint32_t saved, run = (guest_mxcsr & kModeBits) | kAllMasked, after;
  asm volatile("stmxcsr %0" : "=m"(saved));
  asm volatile("ldmxcsr %0" : : "m"(run));
  *result = Op(a, b);
  asm volatile("stmxcsr %0" : "=m"(after));
  asm volatile("ldmxcsr %0" : : "m"(saved));
  return after & kMxcsrFlags;
}

// Records the flags; true if the result may be written. An unmasked
// exception faults with the destination unchanged; when it is a
// pre-computation one (IE DE ZE), the post-computation flags are not set.
bool CommitFlags(Cpu& cpu, uint32_t flags) {
  uint32_t& mxcsr = cpu.state.sse.mxcsr;
  uint32_t unmasked = flags & ~(mxcsr >> kMxcsrMaskShift) & kMxcsrFlags;
  if (unmasked == 0) [[likely]] {
    mxcsr |= flags;
    return true;
  }
  if (unmasked & kPreComputation) flags &= kPreComputation;
  mxcsr |= flags;
  cpu.FaultNoCode((cpu.state.cr4 & kCr4OSXMMEXCPT) ? kSimdError : kInvalidOpcode);
  return false;
}

// Source kinds: a register, or memory of 4, 8 or 16 bytes.
enum class Src : uint8_t { kReg, kM32, kM64, kM128 };

bool ReadSource(Cpu& cpu, const DecodedInsn& in, Src kind, __m128i* v) {
  switch (kind) {
    case Src::kReg:
      *v = LoadXmm(cpu, in.reg2);
      return true;
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

template <HostOp Op, Src kSrc>
Flow Arith(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src, result;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  uint32_t flags = RunOnHost<Op>(cpu.state.sse.mxcsr, LoadXmm(cpu, in.reg), src, &result);
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  StoreXmm(cpu, in.reg, result);
  return cpu.Next(in);
}

bool BindXmm(const ZydisDecodedOperand& op, uint8_t* field) {
  if (!IsReg(op)) return false;
  int x = XmmIndex(op.reg.value);
  if (x < 0) return false;
  *field = static_cast<uint8_t>(x);
  return true;
}

// "xmm, xmm/mN" with N = kMemBits (32 or 64 for scalar, 128 for packed).
template <HostOp Op, int kMemBits>
bool BindArith(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !BindXmm(z.ops[0], &out.reg)) return false;
  if (IsMem(z.ops[1])) {
    if (z.ops[1].size != kMemBits || !BindMemory(z, z.ops[1], out)) return false;
    constexpr Src kind = kMemBits == 32 ? Src::kM32 : kMemBits == 64 ? Src::kM64 : Src::kM128;
    out.handler = &Arith<Op, kind>;
    return true;
  }
  if (!BindXmm(z.ops[1], &out.reg2)) return false;
  out.handler = &Arith<Op, Src::kReg>;
  return true;
}

}  // namespace

void RegisterSseFloatOps(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      {ZYDIS_MNEMONIC_ADDSS, &BindArith<&AddSS, 32>},
      {ZYDIS_MNEMONIC_ADDSD, &BindArith<&AddSD, 64>},
      {ZYDIS_MNEMONIC_ADDPS, &BindArith<&AddPS, 128>},
      {ZYDIS_MNEMONIC_ADDPD, &BindArith<&AddPD, 128>},
      {ZYDIS_MNEMONIC_SUBSS, &BindArith<&SubSS, 32>},
      {ZYDIS_MNEMONIC_SUBSD, &BindArith<&SubSD, 64>},
      {ZYDIS_MNEMONIC_SUBPS, &BindArith<&SubPS, 128>},
      {ZYDIS_MNEMONIC_SUBPD, &BindArith<&SubPD, 128>},
      {ZYDIS_MNEMONIC_MULSS, &BindArith<&MulSS, 32>},
      {ZYDIS_MNEMONIC_MULSD, &BindArith<&MulSD, 64>},
      {ZYDIS_MNEMONIC_MULPS, &BindArith<&MulPS, 128>},
      {ZYDIS_MNEMONIC_MULPD, &BindArith<&MulPD, 128>},
      {ZYDIS_MNEMONIC_DIVSS, &BindArith<&DivSS, 32>},
      {ZYDIS_MNEMONIC_DIVSD, &BindArith<&DivSD, 64>},
      {ZYDIS_MNEMONIC_DIVPS, &BindArith<&DivPS, 128>},
      {ZYDIS_MNEMONIC_DIVPD, &BindArith<&DivPD, 128>},
      {ZYDIS_MNEMONIC_MINSS, &BindArith<&MinSS, 32>},
      {ZYDIS_MNEMONIC_MINSD, &BindArith<&MinSD, 64>},
      {ZYDIS_MNEMONIC_MINPS, &BindArith<&MinPS, 128>},
      {ZYDIS_MNEMONIC_MINPD, &BindArith<&MinPD, 128>},
      {ZYDIS_MNEMONIC_MAXSS, &BindArith<&MaxSS, 32>},
      {ZYDIS_MNEMONIC_MAXSD, &BindArith<&MaxSD, 64>},
      {ZYDIS_MNEMONIC_MAXPS, &BindArith<&MaxPS, 128>},
      {ZYDIS_MNEMONIC_MAXPD, &BindArith<&MaxPD, 128>},
      {ZYDIS_MNEMONIC_SQRTSS, &BindArith<&SqrtSS, 32>},
      {ZYDIS_MNEMONIC_SQRTSD, &BindArith<&SqrtSD, 64>},
      {ZYDIS_MNEMONIC_SQRTPS, &BindArith<&SqrtPS, 128>},
      {ZYDIS_MNEMONIC_SQRTPD, &BindArith<&SqrtPD, 128>},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
}

}  // namespace x64sim
