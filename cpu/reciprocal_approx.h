// The approximations of RCPSS/RCPPS (1/x) and RSQRTSS/RSQRTPS (1/sqrt(x)),
// SDM vol. 2B. The SDM bounds their relative error by 1.5 * 2^-12 and fixes
// the special cases, but not the bits, which differ between Intel's and
// AMD's cores and are documented by neither. x64sim returns the exact value
// rounded to nearest with 12 significant bits (relative error at most
// 2^-12), the same on every host: computed in integers, so the host's
// MXCSR modes cannot reach it. MXCSR is neither read nor written: no
// exception, no flag, DAZ, FTZ and the rounding control ignored.
#ifndef X64SIM_CPU_RECIPROCAL_APPROX_H_
#define X64SIM_CPU_RECIPROCAL_APPROX_H_

#include <cstdint>

namespace x64sim {

// Single-precision bits in, single-precision bits out. A denormal source
// counts as a zero of its sign; a NaN comes back quiet.
// 1/x: zero -> infinity, infinity -> zero (signs kept); a result below the
// smallest normal is flushed to zero of the source's sign.
uint32_t ApproxReciprocal(uint32_t x);
// 1/sqrt(x): zero -> infinity of its sign, +infinity -> +0, any other
// negative -> the default NaN (0xFFC00000).
uint32_t ApproxReciprocalSqrt(uint32_t x);

}  // namespace x64sim

#endif  // X64SIM_CPU_RECIPROCAL_APPROX_H_
