// SSE/SSE2 conversions between single, double and 32/64-bit integers:
// CVTSI2SS/SD, CVT(T)SS2SI/CVT(T)SD2SI, CVTSS2SD/CVTSD2SS, CVTPS2PD/
// CVTPD2PS, CVTDQ2PS/CVT(T)PS2DQ and CVTDQ2PD/CVT(T)PD2DQ, and their VEX
// forms (VEX.128 and, for the packed ones, VEX.256). Like the
// arithmetic, each runs on the host under the guest's MXCSR modes
// (cpu/sse_float.h), which gives the rounding, DAZ/FTZ, the exception flags
// and the integer indefinite value (1 followed by zeros) for NaNs and
// out-of-range values. The MMX forms (CVTPI2PS, CVTPI2PD, CVT(T)PS2PI,
// CVT(T)PD2PI) are the DQ conversions on the low two lanes, the others
// zero: a zero converts exactly.
#include <emmintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/mmx.h"
#include "cpu/sse_access.h"
#include "cpu/sse_float.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

// ---- xmm <- xmm/mN --------------------------------------------------------

// Scalar forms keep the rest of the destination; packed forms that make
// fewer lanes (PD2PS, PD2DQ) zero its upper half (SDM vol. 2A).
X64SIM_HOST_OP(CvtSS2SD, "cvtss2sd")
X64SIM_HOST_OP(CvtSD2SS, "cvtsd2ss")
X64SIM_HOST_OP(CvtPS2PD, "cvtps2pd")
X64SIM_HOST_OP(CvtPD2PS, "cvtpd2ps")
X64SIM_HOST_OP(CvtDQ2PS, "cvtdq2ps")
X64SIM_HOST_OP(CvtPS2DQ, "cvtps2dq")
X64SIM_HOST_OP(CvtTPS2DQ, "cvttps2dq")
X64SIM_HOST_OP(CvtDQ2PD, "cvtdq2pd")
X64SIM_HOST_OP(CvtPD2DQ, "cvtpd2dq")
X64SIM_HOST_OP(CvtTPD2DQ, "cvttpd2dq")

// ---- xmm <- r/m32, r/m64 ----------------------------------------------------

template <typename T>
using HostFromInt = __m128i (*)(__m128i, T);

#define X64SIM_HOST_FROM_INT(name, insn, T)            \
  __m128i name(__m128i a, T v) {                      \
    asm volatile(insn " %1, %0" : "+x"(a) : "r"(v));  \
    return a;                                         \
  }
X64SIM_HOST_FROM_INT(CvtSI2SS32, "cvtsi2ssl", int32_t)
X64SIM_HOST_FROM_INT(CvtSI2SS64, "cvtsi2ssq", int64_t)
X64SIM_HOST_FROM_INT(CvtSI2SD32, "cvtsi2sdl", int32_t)
X64SIM_HOST_FROM_INT(CvtSI2SD64, "cvtsi2sdq", int64_t)
#undef X64SIM_HOST_FROM_INT

// Only the low element of the destination is written.
template <typename T, HostFromInt<T> Op, bool kMem>
Flow FromInt(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  T v;
  if constexpr (kMem) {
    if (!cpu.Read<T>(cpu.Linear(in), &v)) return Flow::kFault;
  } else {
    v = cpu.Reg<T>(in.reg2);
  }
  __m128i dst = LoadXmm(cpu, in.reg), result;
  uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] { result = Op(dst, v); });
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  StoreXmm(cpu, in.reg, result);
  return cpu.Next(in);
}

// VCVTSI2SS/SD xmm1, xmm2, r/m: the element converted into a copy of xmm2
// (VEX.vvvv, in aux), bits 255:128 zeroed.
template <typename T, HostFromInt<T> Op, bool kMem>
Flow VexFromInt(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  T v;
  if constexpr (kMem) {
    if (!cpu.Read<T>(cpu.Linear(in), &v)) return Flow::kFault;
  } else {
    v = cpu.Reg<T>(in.reg2);
  }
  __m128i src1 = LoadXmm(cpu, in.aux), result;
  uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] { result = Op(src1, v); });
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  StoreXmmZeroUpper(cpu, in.reg, result);
  return cpu.Next(in);
}

// "xmm, r/m32" or "xmm, r/m64" (REX.W, VEX.W); kVex: "xmm, xmm, r/m".
template <HostFromInt<int32_t> Op32, HostFromInt<int64_t> Op64, bool kVex = false>
bool BindFromInt(const ZydisInsn& z, DecodedInsn& out) {
  constexpr int kOperands = kVex ? 3 : 2;
  if (z.insn.operand_count_visible != kOperands || !BindXmm(z.ops[0], &out.reg)) return false;
  if (kVex && (!IsVvvv(z.ops[1]) || !BindXmm(z.ops[1], &out.aux))) return false;
  const ZydisDecodedOperand& src = z.ops[kOperands - 1];
  if (src.size != 32 && src.size != 64) return false;
  const bool wide = src.size == 64;
  if (IsMem(src)) {
    if constexpr (kVex) {
      out.handler = wide ? &VexFromInt<int64_t, Op64, true> : &VexFromInt<int32_t, Op32, true>;
    } else {
      out.handler = wide ? &FromInt<int64_t, Op64, true> : &FromInt<int32_t, Op32, true>;
    }
    return BindMemory(z, src, out);
  }
  int g = IsReg(src) ? GprOffset(src.reg.value) : -1;
  if (g < 0) return false;
  out.reg2 = static_cast<uint8_t>(g);
  if constexpr (kVex) {
    out.handler = wide ? &VexFromInt<int64_t, Op64, false> : &VexFromInt<int32_t, Op32, false>;
  } else {
    out.handler = wide ? &FromInt<int64_t, Op64, false> : &FromInt<int32_t, Op32, false>;
  }
  return true;
}

// ---- r32/r64 <- xmm/m32, xmm/m64 ----------------------------------------------

template <typename T>
using HostToInt = T (*)(__m128i);

#define X64SIM_HOST_TO_INT(name, insn, T)            \
  T name(__m128i a) {                               \
    T r;                                            \
    asm volatile(insn " %1, %0" : "=r"(r) : "x"(a)); \
    return r;                                       \
  }
X64SIM_HOST_TO_INT(CvtSS2SI32, "cvtss2si", int32_t)
X64SIM_HOST_TO_INT(CvtSS2SI64, "cvtss2si", int64_t)
X64SIM_HOST_TO_INT(CvtTSS2SI32, "cvttss2si", int32_t)
X64SIM_HOST_TO_INT(CvtTSS2SI64, "cvttss2si", int64_t)
X64SIM_HOST_TO_INT(CvtSD2SI32, "cvtsd2si", int32_t)
X64SIM_HOST_TO_INT(CvtSD2SI64, "cvtsd2si", int64_t)
X64SIM_HOST_TO_INT(CvtTSD2SI32, "cvttsd2si", int32_t)
X64SIM_HOST_TO_INT(CvtTSD2SI64, "cvttsd2si", int64_t)
#undef X64SIM_HOST_TO_INT

// The general register is written only if no unmasked exception faults; a
// 32-bit result zero-extends (SDM vol. 1 3.4.1.1). kVex: the VEX form
// (VCVTSS2SI...), the same but for its gate.
template <typename T, HostToInt<T> Op, Src kSrc, bool kVex>
Flow ToInt(Cpu& cpu, const DecodedInsn& in) {
  if constexpr (kVex) {
    if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  } else {
    if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  }
  __m128i src;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  T result;
  uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] { result = Op(src); });
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  using U = std::make_unsigned_t<T>;  // a negative int32_t would sign-extend
  cpu.SetReg<U>(in.reg, static_cast<U>(result));
  return cpu.Next(in);
}

// "r32, xmm/mN" or "r64, xmm/mN" (REX.W); N = kMemBits, the scalar's size.
template <HostToInt<int32_t> Op32, HostToInt<int64_t> Op64, int kMemBits, bool kVex = false>
bool BindToInt(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsReg(z.ops[0])) return false;
  int g = GprOffset(z.ops[0].reg.value);
  Src kind;
  if (g < 0 || !BindXmmSource<kMemBits>(z, z.ops[1], out, &kind)) return false;
  out.reg = static_cast<uint8_t>(g);
  const bool mem = kind != Src::kReg;
  switch (z.ops[0].size) {
    case 32:
      out.handler = mem ? &ToInt<int32_t, Op32, MemSrc(kMemBits), kVex>
                        : &ToInt<int32_t, Op32, Src::kReg, kVex>;
      return true;
    case 64:
      out.handler = mem ? &ToInt<int64_t, Op64, MemSrc(kMemBits), kVex>
                        : &ToInt<int64_t, Op64, Src::kReg, kVex>;
      return true;
  }
  return false;
}

// ---- VEX.256 forms that change the element width -----------------------------

// VCVTPD2PS/VCVT(T)PD2DQ xmm, ymm/m256: each 128-bit lane narrows to a
// quadword, the two side by side in the low lane, bits 255:128 zeroed.
// VCVTPS2PD/VCVTDQ2PD ymm, xmm/m128: each quadword of the source widens
// to a 128-bit lane. All elements convert under one UnderGuestMxcsr, so an
// unmasked exception anywhere leaves the destination unchanged.
template <HostOp Op, bool kNarrow>
struct VexResize {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src, r;
      if (!ReadVexSource<kMem>(cpu, in, &src)) return Flow::kFault;
      const __m128i low = src.lane[0];
      const __m128i high = kNarrow ? src.lane[1] : _mm_srli_si128(src.lane[0], 8);
      const uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] {
        r.lane[0] = Op(low, low);
        r.lane[1] = Op(high, high);
      });
      if (!CommitFlags(cpu, flags)) return Flow::kFault;
      if (kNarrow) r = {{_mm_unpacklo_epi64(r.lane[0], r.lane[1]), _mm_setzero_si128()}};
      StoreYmm(cpu, in.reg, r);
      return cpu.Next(in);
    }
  };
};

// VEX.128 is the SSE conversion with bits 255:128 zeroed; VEX.256 resizes.
template <HostOp Op, bool kNarrow>
bool BindVexResize(const ZydisInsn& z, DecodedInsn& out) {
  if (VexLanes(z) == 1) return BindVexArith<Op, VexWidths::k128>(z, out);
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem) || nds) return false;
  out.handler = PickVex<VexResize<Op, kNarrow>::template H>(2, mem, false);
  return true;
}

// ---- MMX forms --------------------------------------------------------------

// CVTPI2PS/CVTPI2PD xmm, mm/m64: the two dwords converted into the low
// kResultBytes of the destination; CVTPI2PS keeps the high quadword. Only
// kMmxState forms are MMX instructions (#MF, the switch to MMX use; SDM
// vol. 2A CVTPI2PD: not "xmm, m64").
template <HostOp Op, int kResultBytes, bool kMem, bool kMmxState>
Flow FromMmx(Cpu& cpu, const DecodedInsn& in) {
  constexpr MmxGate kGate = MmxGate::kWithXmm;
  if constexpr (kMmxState) {
    if (!MmxEnabled<kGate>(cpu)) [[unlikely]] return MmxUnavailable<kGate>(cpu);
  } else {
    if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  }
  uint64_t v;
  if constexpr (kMem) {
    if (!cpu.Read<uint64_t>(cpu.Linear(in), &v)) return Flow::kFault;
  } else {
    v = LoadMm(cpu, in.reg2);
  }
  __m128i result;
  const __m128i src = _mm_cvtsi64_si128(static_cast<int64_t>(v));
  uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] { result = Op(src, src); });
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  std::memcpy(cpu.state.sse.xmm[in.reg], &result, kResultBytes);
  return kMmxState ? MmxNext(cpu, in) : cpu.Next(in);
}

template <HostOp Op, int kResultBytes, bool kMemIsMmx>
bool BindFromMmx(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !BindXmm(z.ops[0], &out.reg)) return false;
  if (IsMem(z.ops[1])) {
    out.handler = &FromMmx<Op, kResultBytes, true, kMemIsMmx>;
    return BindMemory(z, z.ops[1], out);
  }
  out.handler = &FromMmx<Op, kResultBytes, false, true>;
  return BindMm(z.ops[1], &out.reg2);
}

// CVT(T)PS2PI mm, xmm/m64 and CVT(T)PD2PI mm, xmm/m128 (16-byte aligned):
// the low two results. The singles' upper lanes are zeroed first, so that
// they raise nothing.
template <HostOp Op, Src kSrc, bool kLowHalf>
Flow ToMmx(Cpu& cpu, const DecodedInsn& in) {
  constexpr MmxGate kGate = MmxGate::kWithXmm;
  if (!MmxEnabled<kGate>(cpu)) [[unlikely]] return MmxUnavailable<kGate>(cpu);
  __m128i src, result;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  if (kLowHalf) src = _mm_move_epi64(src);
  uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] { result = Op(src, src); });
  if (!CommitFlags(cpu, flags)) return Flow::kFault;
  StoreMm(cpu, in.reg, static_cast<uint64_t>(_mm_cvtsi128_si64(result)));
  return MmxNext(cpu, in);
}

template <HostOp Op, int kMemBits>
bool BindToMmx(const ZydisInsn& z, DecodedInsn& out) {
  Src kind;
  if (z.insn.operand_count_visible != 2 || !BindMm(z.ops[0], &out.reg) ||
      !BindXmmSource<kMemBits>(z, z.ops[1], out, &kind)) {
    return false;
  }
  constexpr bool kLowHalf = kMemBits == 64;
  out.handler = kind == Src::kReg ? &ToMmx<Op, Src::kReg, kLowHalf>
                                  : &ToMmx<Op, MemSrc(kMemBits), kLowHalf>;
  return true;
}

}  // namespace

void RegisterSseConvertOps(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      {ZYDIS_MNEMONIC_CVTSS2SD, &BindArith<&CvtSS2SD, 32>},
      {ZYDIS_MNEMONIC_CVTSD2SS, &BindArith<&CvtSD2SS, 64>},
      {ZYDIS_MNEMONIC_CVTPS2PD, &BindArith<&CvtPS2PD, 64>},
      {ZYDIS_MNEMONIC_CVTPD2PS, &BindArith<&CvtPD2PS, 128>},
      {ZYDIS_MNEMONIC_CVTDQ2PS, &BindArith<&CvtDQ2PS, 128>},
      {ZYDIS_MNEMONIC_CVTPS2DQ, &BindArith<&CvtPS2DQ, 128>},
      {ZYDIS_MNEMONIC_CVTTPS2DQ, &BindArith<&CvtTPS2DQ, 128>},
      {ZYDIS_MNEMONIC_CVTDQ2PD, &BindArith<&CvtDQ2PD, 64>},
      {ZYDIS_MNEMONIC_CVTPD2DQ, &BindArith<&CvtPD2DQ, 128>},
      {ZYDIS_MNEMONIC_CVTTPD2DQ, &BindArith<&CvtTPD2DQ, 128>},
      {ZYDIS_MNEMONIC_CVTSI2SS, &BindFromInt<&CvtSI2SS32, &CvtSI2SS64>},
      {ZYDIS_MNEMONIC_CVTSI2SD, &BindFromInt<&CvtSI2SD32, &CvtSI2SD64>},
      {ZYDIS_MNEMONIC_CVTSS2SI, &BindToInt<&CvtSS2SI32, &CvtSS2SI64, 32>},
      {ZYDIS_MNEMONIC_CVTTSS2SI, &BindToInt<&CvtTSS2SI32, &CvtTSS2SI64, 32>},
      {ZYDIS_MNEMONIC_CVTSD2SI, &BindToInt<&CvtSD2SI32, &CvtSD2SI64, 64>},
      {ZYDIS_MNEMONIC_CVTTSD2SI, &BindToInt<&CvtTSD2SI32, &CvtTSD2SI64, 64>},
      {ZYDIS_MNEMONIC_CVTPI2PS, &BindFromMmx<&CvtDQ2PS, 8, true>},
      {ZYDIS_MNEMONIC_CVTPI2PD, &BindFromMmx<&CvtDQ2PD, 16, false>},
      {ZYDIS_MNEMONIC_CVTPS2PI, &BindToMmx<&CvtPS2DQ, 64>},
      {ZYDIS_MNEMONIC_CVTTPS2PI, &BindToMmx<&CvtTPS2DQ, 64>},
      {ZYDIS_MNEMONIC_CVTPD2PI, &BindToMmx<&CvtPD2DQ, 128>},
      {ZYDIS_MNEMONIC_CVTTPD2PI, &BindToMmx<&CvtTPD2DQ, 128>},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
  static constexpr Entry kVexEntries[] = {
      {ZYDIS_MNEMONIC_VCVTSS2SD, &BindVexScalar<&CvtSS2SD>},
      {ZYDIS_MNEMONIC_VCVTSD2SS, &BindVexScalar<&CvtSD2SS>},
      {ZYDIS_MNEMONIC_VCVTPS2PD, &BindVexResize<&CvtPS2PD, false>},
      {ZYDIS_MNEMONIC_VCVTPD2PS, &BindVexResize<&CvtPD2PS, true>},
      {ZYDIS_MNEMONIC_VCVTDQ2PS, &BindVexArith<&CvtDQ2PS>},
      {ZYDIS_MNEMONIC_VCVTPS2DQ, &BindVexArith<&CvtPS2DQ>},
      {ZYDIS_MNEMONIC_VCVTTPS2DQ, &BindVexArith<&CvtTPS2DQ>},
      {ZYDIS_MNEMONIC_VCVTDQ2PD, &BindVexResize<&CvtDQ2PD, false>},
      {ZYDIS_MNEMONIC_VCVTPD2DQ, &BindVexResize<&CvtPD2DQ, true>},
      {ZYDIS_MNEMONIC_VCVTTPD2DQ, &BindVexResize<&CvtTPD2DQ, true>},
      {ZYDIS_MNEMONIC_VCVTSI2SS, &BindFromInt<&CvtSI2SS32, &CvtSI2SS64, true>},
      {ZYDIS_MNEMONIC_VCVTSI2SD, &BindFromInt<&CvtSI2SD32, &CvtSI2SD64, true>},
      {ZYDIS_MNEMONIC_VCVTSS2SI, &BindToInt<&CvtSS2SI32, &CvtSS2SI64, 32, true>},
      {ZYDIS_MNEMONIC_VCVTTSS2SI, &BindToInt<&CvtTSS2SI32, &CvtTSS2SI64, 32, true>},
      {ZYDIS_MNEMONIC_VCVTSD2SI, &BindToInt<&CvtSD2SI32, &CvtSD2SI64, 64, true>},
      {ZYDIS_MNEMONIC_VCVTTSD2SI, &BindToInt<&CvtTSD2SI32, &CvtTSD2SI64, 64, true>},
  };
  for (const Entry& e : kVexEntries) t.Add(e.mnemonic, e.binder);
}

}  // namespace x64sim
