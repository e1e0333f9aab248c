// RCPSS/RCPPS and RSQRTSS/RSQRTPS (SSE) and their VEX forms VRCPSS/VRCPPS
// and VRSQRTSS/VRSQRTPS (AVX): approximate reciprocals and reciprocal
// square roots, element by element (cpu/reciprocal_approx.h). They raise no
// SIMD floating-point exception (SDM vol. 2B, "SIMD Floating-Point
// Exceptions: None"), so they run outside the MXCSR machinery.
#include <emmintrin.h>

#include <cstdint>
#include <cstring>

#include "cpu/binder.h"
#include "cpu/reciprocal_approx.h"
#include "cpu/sse_packed.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

using Approximation = uint32_t (*)(uint32_t);

// Every element of the source (the packed forms).
template <Approximation F>
__m128i EachElement(__m128i, __m128i src, uint8_t) {
  uint32_t e[4];
  std::memcpy(e, &src, sizeof(e));
  for (uint32_t& x : e) x = F(x);
  __m128i r;
  std::memcpy(&r, e, sizeof(r));
  return r;
}

// The low element of the source; the other three from the destination
// (SSE) or from the first source (VEX).
template <Approximation F>
__m128i LowElement(__m128i dst, __m128i src, uint8_t) {
  uint32_t low;
  std::memcpy(&low, &src, sizeof(low));
  low = F(low);
  std::memcpy(&dst, &low, sizeof(low));
  return dst;
}

// VRCPSS/VRSQRTSS: one lane whatever VEX.L says (the SDM marks it LIG).
template <PackedOp Op>
bool BindVexScalarPacked(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem) || !nds) return false;
  out.handler = PickVex<VexPacked<Op>::template H>(1, mem, nds);
  return true;
}

}  // namespace

void RegisterSseReciprocalOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_RCPPS, &BindPacked<&EachElement<&ApproxReciprocal>>);
  t.Add(ZYDIS_MNEMONIC_RCPSS, &BindPacked<&LowElement<&ApproxReciprocal>, 32>);
  t.Add(ZYDIS_MNEMONIC_RSQRTPS, &BindPacked<&EachElement<&ApproxReciprocalSqrt>>);
  t.Add(ZYDIS_MNEMONIC_RSQRTSS, &BindPacked<&LowElement<&ApproxReciprocalSqrt>, 32>);
  t.Add(ZYDIS_MNEMONIC_VRCPPS, &BindVexPacked<&EachElement<&ApproxReciprocal>>);
  t.Add(ZYDIS_MNEMONIC_VRCPSS, &BindVexScalarPacked<&LowElement<&ApproxReciprocal>>);
  t.Add(ZYDIS_MNEMONIC_VRSQRTPS, &BindVexPacked<&EachElement<&ApproxReciprocalSqrt>>);
  t.Add(ZYDIS_MNEMONIC_VRSQRTSS, &BindVexScalarPacked<&LowElement<&ApproxReciprocalSqrt>>);
}

}  // namespace x64sim
