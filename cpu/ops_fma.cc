// FMA3: VFMADD, VFMSUB, VFNMADD, VFNMSUB (packed and scalar), VFMADDSUB and
// VFMSUBADD, in their 132, 213 and 231 operand orders (SDM vol. 2
// VFMADD132PS and the pages after it). Each is one host instruction under
// the guest's MXCSR (cpu/sse_float.h), so the product is not rounded
// before the add: one rounding, the exact MXCSR flags and #XM rules.
// Operands: reg is the destination and first source, aux (VEX.vvvv) the
// second, reg2 or memory the third.
#include <emmintrin.h>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

using FmaOp = __m128i (*)(__m128i dst, __m128i src2, __m128i src3);

template <FmaOp Op>
struct Fused {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src3, r;
      if (!ReadVexSource<kMem>(cpu, in, &src3)) return Flow::kFault;
      const Ymm dst = LoadYmm(cpu, in.reg), src2 = LoadYmm(cpu, in.aux);
      const uint32_t flags = UnderGuestMxcsr(cpu.state.sse.mxcsr, [&] {
        for (int i = 0; i < kLanes; ++i) r.lane[i] = Op(dst.lane[i], src2.lane[i], src3.lane[i]);
      });
      if (!CommitFlags(cpu, flags)) return Flow::kFault;
      StoreVex<kLanes>(cpu, in.reg, r);
      return cpu.Next(in);
    }
  };
};

// kScalar: the SS/SD forms, one lane whatever VEX.L says; the host
// instruction keeps the destination's bits above the element.
template <FmaOp Op, bool kScalar>
bool BindFused(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem) || !nds) return false;
  out.handler = PickVex<Fused<Op>::template H>(kScalar ? 1 : VexLanes(z), mem, true);
  return true;
}

// Every form: X(operation, order, suffix) for the packed and scalar ones.
#define X64SIM_FMA_ORDERS(X, op, suffix) X(op, 132, suffix) X(op, 213, suffix) X(op, 231, suffix)
#define X64SIM_FMA_FORMS(X)                                                       \
  X64SIM_FMA_ORDERS(X, VFMADD, PS) X64SIM_FMA_ORDERS(X, VFMADD, PD)               \
  X64SIM_FMA_ORDERS(X, VFMADD, SS) X64SIM_FMA_ORDERS(X, VFMADD, SD)               \
  X64SIM_FMA_ORDERS(X, VFMSUB, PS) X64SIM_FMA_ORDERS(X, VFMSUB, PD)               \
  X64SIM_FMA_ORDERS(X, VFMSUB, SS) X64SIM_FMA_ORDERS(X, VFMSUB, SD)               \
  X64SIM_FMA_ORDERS(X, VFNMADD, PS) X64SIM_FMA_ORDERS(X, VFNMADD, PD)             \
  X64SIM_FMA_ORDERS(X, VFNMADD, SS) X64SIM_FMA_ORDERS(X, VFNMADD, SD)             \
  X64SIM_FMA_ORDERS(X, VFNMSUB, PS) X64SIM_FMA_ORDERS(X, VFNMSUB, PD)             \
  X64SIM_FMA_ORDERS(X, VFNMSUB, SS) X64SIM_FMA_ORDERS(X, VFNMSUB, SD)             \
  X64SIM_FMA_ORDERS(X, VFMADDSUB, PS) X64SIM_FMA_ORDERS(X, VFMADDSUB, PD)         \
  X64SIM_FMA_ORDERS(X, VFMSUBADD, PS) X64SIM_FMA_ORDERS(X, VFMSUBADD, PD)

// The host instruction of each form, "insn src3, src2, dst".
#define X64SIM_HOST_FMA(op, order, suffix)                                        \
  __m128i op##order##suffix(__m128i a, __m128i b, __m128i c) {                    \
    asm volatile(#op #order #suffix " %2, %1, %0" : "+x"(a) : "x"(b), "x"(c));    \
    return a;                                                                     \
  }
X64SIM_FMA_FORMS(X64SIM_HOST_FMA)
#undef X64SIM_HOST_FMA

constexpr bool IsScalar(const char* suffix) { return suffix[0] == 'S'; }

}  // namespace

void RegisterFmaOps(BinderTable& t) {
#define X64SIM_ADD_FMA(op, order, suffix)                  \
  t.Add(ZYDIS_MNEMONIC_##op##order##suffix,                \
        &BindFused<&op##order##suffix, IsScalar(#suffix)>);
  X64SIM_FMA_FORMS(X64SIM_ADD_FMA)
#undef X64SIM_ADD_FMA
}

}  // namespace x64sim
