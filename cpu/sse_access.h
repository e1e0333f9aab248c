// What every legacy SSE instruction handler needs: the #UD/#NM rule and
// the XMM registers as host vectors. Shared by ops_sse.cc and
// ops_sse_float.cc.
#ifndef X64SIM_CPU_SSE_ACCESS_H_
#define X64SIM_CPU_SSE_ACCESS_H_

#include <emmintrin.h>

#include "cpu/cpu.h"

namespace x64sim {

// SDM vol. 2A 2.4 (exception types 1-5): legacy SSE instructions raise #UD
// when CR0.EM=1 or CR4.OSFXSR=0, then #NM when CR0.TS=1. One compare.
inline bool SseEnabled(const Cpu& cpu) {
  return ((cpu.state.cr0 & (kCr0EM | kCr0TS)) | (cpu.state.cr4 & kCr4OSFXSR)) == kCr4OSFXSR;
}

inline Flow SseUnavailable(Cpu& cpu) {
  if ((cpu.state.cr0 & kCr0EM) || !(cpu.state.cr4 & kCr4OSFXSR)) {
    return cpu.FaultNoCode(kInvalidOpcode);
  }
  return cpu.FaultNoCode(kDeviceNotAvailable);
}

inline __m128i LoadXmm(const Cpu& cpu, int r) {
  return _mm_load_si128(reinterpret_cast<const __m128i*>(cpu.state.sse.xmm[r]));
}

inline void StoreXmm(Cpu& cpu, int r, __m128i v) {
  _mm_store_si128(reinterpret_cast<__m128i*>(cpu.state.sse.xmm[r]), v);
}

}  // namespace x64sim

#endif  // X64SIM_CPU_SSE_ACCESS_H_
