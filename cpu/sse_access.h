// What every legacy SSE instruction handler needs: the #UD/#NM rule and
// the XMM registers as host vectors. Shared by ops_sse.cc and
// ops_sse_float.cc.
#ifndef X64SIM_CPU_SSE_ACCESS_H_
#define X64SIM_CPU_SSE_ACCESS_H_

#include <emmintrin.h>

#include <cstring>

#include "cpu/binder.h"
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

// A 128-bit value as an array of lanes, for operations written lane by lane.
template <typename Lane>
struct Lanes {
  static constexpr int kCount = 16 / sizeof(Lane);
  Lane v[kCount];
  explicit Lanes(__m128i x) { std::memcpy(v, &x, 16); }
  Lanes() = default;
  __m128i Pack() const {
    __m128i x;
    std::memcpy(&x, v, 16);
    return x;
  }
};

// MASKMOVQ/MASKMOVDQU: the n data bytes whose mask byte has its top bit
// set, stored from `linear` on; the others are not written. A fault on the
// second of two pages leaves the first page's bytes stored, which the
// restarted instruction stores again.
inline bool StoreSelectedBytes(Cpu& cpu, uint64_t linear, const uint8_t* data,
                               const uint8_t* mask, int n) {
  for (int i = 0; i < n; ++i) {
    if ((mask[i] & 0x80) && !cpu.Write<uint8_t>(linear + i, data[i])) return false;
  }
  return true;
}

// The DS:rDI operand Zydis lists among the hidden ones (segment overridable).
inline bool BindImplicitMemory(const ZydisInsn& z, DecodedInsn& out) {
  for (int i = z.insn.operand_count_visible; i < z.insn.operand_count; ++i) {
    if (IsMem(z.ops[i])) return BindMemory(z, z.ops[i], out);
  }
  return false;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_SSE_ACCESS_H_
