// The legacy region of the FXSAVE and XSAVE areas (SDM vol. 1 10.5.1,
// tables 10-2 and 10-3; 13.4.1): the x87 part (control, status and
// abridged tag words; x64sim keeps no x87 data registers, opcode or
// pointers, so those fields are saved as zero) and the SSE part (MXCSR,
// MXCSR_MASK and the XMM registers). Shared by FXSAVE/FXRSTOR (ops_sse.cc)
// and the XSAVE family (ops_xsave.cc).
#ifndef X64SIM_CPU_FX_AREA_H_
#define X64SIM_CPU_FX_AREA_H_

#include <cstdint>
#include <cstring>

#include "cpu/state.h"

namespace x64sim {

// MXCSR bits LDMXCSR/FXRSTOR/XRSTOR accept, DAZ included (SDM vol. 1 11.6.6).
inline constexpr uint32_t kMxcsrMask = 0xffff;

inline constexpr int kFxFcw = 0;
inline constexpr int kFxFsw = 2;
inline constexpr int kFxFtw = 4;  // abridged tag word, one bit per register
inline constexpr int kFxMxcsr = 24;
inline constexpr int kFxMxcsrMask = 28;
inline constexpr int kFxXmm = 160;
inline constexpr int kFxAreaBytes = 512;

// The x87 part: bytes 0-159 but MXCSR and MXCSR_MASK (bytes 24-31).
inline void StoreX87Part(const SseState& s, uint8_t* area) {
  std::memset(area, 0, kFxMxcsr);
  std::memset(area + 32, 0, kFxXmm - 32);
  std::memcpy(area + kFxFcw, &s.fcw, 2);
  std::memcpy(area + kFxFsw, &s.fsw, 2);
  area[kFxFtw] = s.ftw;
}

inline void LoadX87Part(SseState& s, const uint8_t* area) {
  std::memcpy(&s.fcw, area + kFxFcw, 2);
  std::memcpy(&s.fsw, area + kFxFsw, 2);
  s.ftw = area[kFxFtw];
}

// FNINIT's x87 state (SDM vol. 1 8.1.7 table 8-1 for what x64sim keeps).
inline void InitX87(SseState& s) {
  s.fcw = 0x37f;
  s.fsw = 0;
  s.ftw = 0;
}

inline void StoreMxcsrPart(const SseState& s, uint8_t* area) {
  std::memcpy(area + kFxMxcsr, &s.mxcsr, 4);
  std::memcpy(area + kFxMxcsrMask, &kMxcsrMask, 4);
}

// The first `count` XMM registers.
inline void StoreXmmPart(const SseState& s, uint8_t* area, int count) {
  std::memcpy(area + kFxXmm, s.xmm, 16 * count);
}

inline void LoadXmmPart(SseState& s, const uint8_t* area, int count) {
  std::memcpy(s.xmm, area + kFxXmm, 16 * count);
}

inline uint32_t MxcsrIn(const uint8_t* area) {
  uint32_t v;
  std::memcpy(&v, area + kFxMxcsr, 4);
  return v;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_FX_AREA_H_
