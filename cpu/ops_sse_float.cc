// SSE/SSE2 floating-point arithmetic and compares: ADD/SUB/MUL/DIV/MIN/
// MAX/SQRT and CMP in their scalar (SS, SD) and packed (PS, PD) forms,
// COMISS/COMISD/UCOMISS/UCOMISD, and SSE3's ADDSUB/HADD/HSUB. Each runs the same instruction on the host
// under the guest's MXCSR modes (cpu/sse_float.h).
#include <emmintrin.h>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/sse_float.h"
#include "cpu/vex.h"

namespace x64sim {

// ops_string.cc: CMPSD without operands is the string compare.
bool BindCmpsString(const ZydisInsn& z, DecodedInsn& out);

namespace {

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
// SSE3: ADDSUB subtracts in the even lanes and adds in the odd ones; HADD/
// HSUB combine adjacent pairs, the destination's in the low half.
X64SIM_HOST_OP(AddSubPS, "addsubps")
X64SIM_HOST_OP(AddSubPD, "addsubpd")
X64SIM_HOST_OP(HAddPS, "haddps")
X64SIM_HOST_OP(HAddPD, "haddpd")
X64SIM_HOST_OP(HSubPS, "hsubps")
X64SIM_HOST_OP(HSubPD, "hsubpd")

// ---- Compares -------------------------------------------------------------

// CMPSS/SD/PS/PD with predicate kImm (0..7: EQ LT LE UNORD NEQ NLT NLE ORD);
// each lane becomes all ones or all zeros.
X64SIM_HOST_OP_IMM(CmpSS, "cmpss")
X64SIM_HOST_OP_IMM(CmpSD, "cmpsd")
X64SIM_HOST_OP_IMM(CmpPS, "cmpps")
X64SIM_HOST_OP_IMM(CmpPD, "cmppd")

// VCMPSS/SD/PS/PD with predicate kImm (0..31: the eight above, then their
// signalling/quiet and ordered/unordered variants; SDM vol. 2A CMPPS).
X64SIM_HOST_VEX_OP_IMM(VexCmpSS, "vcmpss")
X64SIM_HOST_VEX_OP_IMM(VexCmpSD, "vcmpsd")
X64SIM_HOST_VEX_OP_IMM(VexCmpPS, "vcmpps")
X64SIM_HOST_VEX_OP_IMM(VexCmpPD, "vcmppd")

// "xmm, xmm/mN, imm8". Legacy SSE compares use imm8[2:0] only (SDM vol. 2A
// CMPPS: bits 7:3 are reserved).
template <template <int> class Cmp, int kMemBits>
bool BindCompare(const ZydisInsn& z, DecodedInsn& out) {
  if (kMemBits == 64 && z.insn.operand_count_visible == 0) return BindCmpsString(z, out);
  Src kind;
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2]) || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<kMemBits>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.handler = ImmHandlers<Cmp, kMemBits>(kind, std::make_integer_sequence<int, 8>())
      [z.ops[2].imm.value.u & 7];
  return true;
}

// COMISS/COMISD (IE on any NaN) and UCOMISS/UCOMISD (IE on SNaN only):
// ZF/PF/CF from the compare, OF/SF/AF cleared (SDM vol. 2A COMISS).
using HostFlagsOp = uint64_t (*)(__m128i, __m128i);
#define X64SIM_HOST_COMI(name, insn)                                                         \
  uint64_t name(__m128i a, __m128i b) {                                                      \
    bool zf, pf, cf;                                                                         \
    asm volatile(insn " %4, %3" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : "x"(a), "x"(b));  \
    return (zf ? kZF : 0) | (pf ? kPF : 0) | (cf ? kCF : 0);                                 \
  }
X64SIM_HOST_COMI(ComiSS, "comiss")
X64SIM_HOST_COMI(ComiSD, "comisd")
X64SIM_HOST_COMI(UcomiSS, "ucomiss")
X64SIM_HOST_COMI(UcomiSD, "ucomisd")
#undef X64SIM_HOST_COMI

// Sets ZF/PF/CF from comparing the low elements and goes on, or raises an
// unmasked exception. Zeros and normals compare without an exception in
// any mode: then the host's MXCSR is not read (nor a stack frame made).
template <HostFlagsOp Op, typename T>
[[gnu::noinline]] Flow CompareUnderGuestMxcsr(Cpu& cpu, const DecodedInsn& in, __m128i dst, __m128i src) {
  uint64_t flags;
  const uint32_t raised = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] { flags = Op(dst, src); });
  if (!CommitFlags(cpu, raised)) return Flow::kFault;
  cpu.state.rflags = (cpu.state.rflags & ~kArithFlags) | flags;
  return cpu.Next(in);
}
template <HostFlagsOp Op, typename T>
Flow CompareIntoFlags(Cpu& cpu, const DecodedInsn& in, __m128i dst, __m128i src) {
  if (!OnlyPrecision<T, Quiet::kCompare>(dst, src)) [[unlikely]] {
    return CompareUnderGuestMxcsr<Op, T>(cpu, in, dst, src);
  }
  cpu.state.rflags = (cpu.state.rflags & ~kArithFlags) | Op(dst, src);
  return cpu.Next(in);
}

template <HostFlagsOp Op, typename T, Src kSrc>
Flow CompareFlags(Cpu& cpu, const DecodedInsn& in) {
  if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  __m128i src;
  if (!ReadSource(cpu, in, kSrc, &src)) return Flow::kFault;
  return CompareIntoFlags<Op, T>(cpu, in, LoadXmm(cpu, in.reg), src);
}

template <HostFlagsOp Op, typename T>
bool BindCompareFlags(const ZydisInsn& z, DecodedInsn& out) {
  constexpr int kMemBits = sizeof(T) * 8;
  Src kind;
  if (z.insn.operand_count_visible != 2 || !BindXmm(z.ops[0], &out.reg) ||
      !BindXmmSource<kMemBits>(z, z.ops[1], out, &kind)) {
    return false;
  }
  out.handler = kind == Src::kReg ? &CompareFlags<Op, T, Src::kReg> : &CompareFlags<Op, T, MemSrc(kMemBits)>;
  return true;
}

// VCOMISS/VCOMISD/VUCOMISS/VUCOMISD xmm1, xmm2/mN: the same under the VEX gate.
template <HostFlagsOp Op, typename T>
struct VexCompareFlags {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src;
      if (!ReadVexSource<kMem>(cpu, in, &src)) return Flow::kFault;
      return CompareIntoFlags<Op, T>(cpu, in, LoadXmm(cpu, in.reg), src.lane[0]);
    }
  };
};

template <HostFlagsOp Op, typename T>
bool BindVexCompareFlags(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem) || nds) return false;
  out.handler = PickVex<VexCompareFlags<Op, T>::template H>(1, mem, false);
  return true;
}

}  // namespace

void RegisterSseFloatOps(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      {ZYDIS_MNEMONIC_ADDSS, &BindArith<&AddSS, 32, &OnlyPrecision<float, Quiet::kSum>>},
      {ZYDIS_MNEMONIC_ADDSD, &BindArith<&AddSD, 64, &OnlyPrecision<double, Quiet::kSum>>},
      {ZYDIS_MNEMONIC_ADDPS, &BindArith<&AddPS, 128>},
      {ZYDIS_MNEMONIC_ADDPD, &BindArith<&AddPD, 128>},
      {ZYDIS_MNEMONIC_SUBSS, &BindArith<&SubSS, 32, &OnlyPrecision<float, Quiet::kSum>>},
      {ZYDIS_MNEMONIC_SUBSD, &BindArith<&SubSD, 64, &OnlyPrecision<double, Quiet::kSum>>},
      {ZYDIS_MNEMONIC_SUBPS, &BindArith<&SubPS, 128>},
      {ZYDIS_MNEMONIC_SUBPD, &BindArith<&SubPD, 128>},
      {ZYDIS_MNEMONIC_MULSS, &BindArith<&MulSS, 32, &OnlyPrecision<float, Quiet::kProduct>>},
      {ZYDIS_MNEMONIC_MULSD, &BindArith<&MulSD, 64, &OnlyPrecision<double, Quiet::kProduct>>},
      {ZYDIS_MNEMONIC_MULPS, &BindArith<&MulPS, 128>},
      {ZYDIS_MNEMONIC_MULPD, &BindArith<&MulPD, 128>},
      {ZYDIS_MNEMONIC_DIVSS, &BindArith<&DivSS, 32, &OnlyPrecision<float, Quiet::kQuotient>>},
      {ZYDIS_MNEMONIC_DIVSD, &BindArith<&DivSD, 64, &OnlyPrecision<double, Quiet::kQuotient>>},
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
      {ZYDIS_MNEMONIC_ADDSUBPS, &BindArith<&AddSubPS, 128>},
      {ZYDIS_MNEMONIC_ADDSUBPD, &BindArith<&AddSubPD, 128>},
      {ZYDIS_MNEMONIC_HADDPS, &BindArith<&HAddPS, 128>},
      {ZYDIS_MNEMONIC_HADDPD, &BindArith<&HAddPD, 128>},
      {ZYDIS_MNEMONIC_HSUBPS, &BindArith<&HSubPS, 128>},
      {ZYDIS_MNEMONIC_HSUBPD, &BindArith<&HSubPD, 128>},
      {ZYDIS_MNEMONIC_CMPSS, &BindCompare<CmpSS, 32>},
      {ZYDIS_MNEMONIC_CMPSD, &BindCompare<CmpSD, 64>},
      {ZYDIS_MNEMONIC_CMPPS, &BindCompare<CmpPS, 128>},
      {ZYDIS_MNEMONIC_CMPPD, &BindCompare<CmpPD, 128>},
      {ZYDIS_MNEMONIC_COMISS, &BindCompareFlags<&ComiSS, float>},
      {ZYDIS_MNEMONIC_COMISD, &BindCompareFlags<&ComiSD, double>},
      {ZYDIS_MNEMONIC_UCOMISS, &BindCompareFlags<&UcomiSS, float>},
      {ZYDIS_MNEMONIC_UCOMISD, &BindCompareFlags<&UcomiSD, double>},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
  // VEX forms (cpu/vex.h): the scalar ones keep src1's upper elements.
  static constexpr Entry kVexEntries[] = {
      {ZYDIS_MNEMONIC_VADDSS, &BindVexScalar<&AddSS>},
      {ZYDIS_MNEMONIC_VADDSD, &BindVexScalar<&AddSD>},
      {ZYDIS_MNEMONIC_VADDPS, &BindVexArith<&AddPS>},
      {ZYDIS_MNEMONIC_VADDPD, &BindVexArith<&AddPD>},
      {ZYDIS_MNEMONIC_VSUBSS, &BindVexScalar<&SubSS>},
      {ZYDIS_MNEMONIC_VSUBSD, &BindVexScalar<&SubSD>},
      {ZYDIS_MNEMONIC_VSUBPS, &BindVexArith<&SubPS>},
      {ZYDIS_MNEMONIC_VSUBPD, &BindVexArith<&SubPD>},
      {ZYDIS_MNEMONIC_VMULSS, &BindVexScalar<&MulSS>},
      {ZYDIS_MNEMONIC_VMULSD, &BindVexScalar<&MulSD>},
      {ZYDIS_MNEMONIC_VMULPS, &BindVexArith<&MulPS>},
      {ZYDIS_MNEMONIC_VMULPD, &BindVexArith<&MulPD>},
      {ZYDIS_MNEMONIC_VDIVSS, &BindVexScalar<&DivSS>},
      {ZYDIS_MNEMONIC_VDIVSD, &BindVexScalar<&DivSD>},
      {ZYDIS_MNEMONIC_VDIVPS, &BindVexArith<&DivPS>},
      {ZYDIS_MNEMONIC_VDIVPD, &BindVexArith<&DivPD>},
      {ZYDIS_MNEMONIC_VMINSS, &BindVexScalar<&MinSS>},
      {ZYDIS_MNEMONIC_VMINSD, &BindVexScalar<&MinSD>},
      {ZYDIS_MNEMONIC_VMINPS, &BindVexArith<&MinPS>},
      {ZYDIS_MNEMONIC_VMINPD, &BindVexArith<&MinPD>},
      {ZYDIS_MNEMONIC_VMAXSS, &BindVexScalar<&MaxSS>},
      {ZYDIS_MNEMONIC_VMAXSD, &BindVexScalar<&MaxSD>},
      {ZYDIS_MNEMONIC_VMAXPS, &BindVexArith<&MaxPS>},
      {ZYDIS_MNEMONIC_VMAXPD, &BindVexArith<&MaxPD>},
      {ZYDIS_MNEMONIC_VSQRTSS, &BindVexScalar<&SqrtSS>},
      {ZYDIS_MNEMONIC_VSQRTSD, &BindVexScalar<&SqrtSD>},
      {ZYDIS_MNEMONIC_VSQRTPS, &BindVexArith<&SqrtPS>},
      {ZYDIS_MNEMONIC_VSQRTPD, &BindVexArith<&SqrtPD>},
      {ZYDIS_MNEMONIC_VADDSUBPS, &BindVexArith<&AddSubPS>},
      {ZYDIS_MNEMONIC_VADDSUBPD, &BindVexArith<&AddSubPD>},
      {ZYDIS_MNEMONIC_VHADDPS, &BindVexArith<&HAddPS>},
      {ZYDIS_MNEMONIC_VHADDPD, &BindVexArith<&HAddPD>},
      {ZYDIS_MNEMONIC_VHSUBPS, &BindVexArith<&HSubPS>},
      {ZYDIS_MNEMONIC_VHSUBPD, &BindVexArith<&HSubPD>},
      {ZYDIS_MNEMONIC_VCMPSS, &BindVexArithImm<VexCmpSS, 32, /*kScalar=*/true>},
      {ZYDIS_MNEMONIC_VCMPSD, &BindVexArithImm<VexCmpSD, 32, /*kScalar=*/true>},
      {ZYDIS_MNEMONIC_VCMPPS, &BindVexArithImm<VexCmpPS, 32>},
      {ZYDIS_MNEMONIC_VCMPPD, &BindVexArithImm<VexCmpPD, 32>},
      {ZYDIS_MNEMONIC_VCOMISS, &BindVexCompareFlags<&ComiSS, float>},
      {ZYDIS_MNEMONIC_VCOMISD, &BindVexCompareFlags<&ComiSD, double>},
      {ZYDIS_MNEMONIC_VUCOMISS, &BindVexCompareFlags<&UcomiSS, float>},
      {ZYDIS_MNEMONIC_VUCOMISD, &BindVexCompareFlags<&UcomiSD, double>},
  };
  for (const Entry& e : kVexEntries) t.Add(e.mnemonic, e.binder);
}

}  // namespace x64sim
