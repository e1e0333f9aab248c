// The legacy region of the FXSAVE and XSAVE areas (SDM vol. 1 10.5.1,
// tables 10-2 and 10-3; 13.4.1): the x87 part (control, status and
// abridged tag words, last opcode, instruction and data pointers, and
// ST(0)-ST(7) in stack order) and the SSE part (MXCSR, MXCSR_MASK and the
// XMM registers). Shared by FXSAVE/FXRSTOR (ops_sse.cc)
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
inline constexpr int kFxFop = 6;
inline constexpr int kFxFip = 8;
inline constexpr int kFxFdp = 16;
inline constexpr int kFxSt = 32;  // ST(i) at kFxSt + 16 * i, 10 bytes each
inline constexpr int kFxMxcsr = 24;
inline constexpr int kFxMxcsrMask = 28;
inline constexpr int kFxXmm = 160;
inline constexpr int kFxAreaBytes = 512;

// The x87 part: bytes 0-159 but MXCSR and MXCSR_MASK (bytes 24-31). With
// REX.W (FXSAVE64, XSAVE64) the pointers are 64-bit offsets; otherwise
// each is a 32-bit offset followed by a selector, stored as zero because
// FCS and FDS are deprecated (CPUID.7.EBX[13]; SDM vol. 1 8.1.8).
inline void StoreX87Part(const SseState& s, uint8_t* area, bool rex_w) {
  std::memset(area, 0, kFxMxcsr);
  std::memset(area + 32, 0, kFxXmm - 32);
  std::memcpy(area + kFxFcw, &s.fcw, 2);
  std::memcpy(area + kFxFsw, &s.fsw, 2);
  area[kFxFtw] = s.ftw;
  std::memcpy(area + kFxFop, &s.fop, 2);
  std::memcpy(area + kFxFip, &s.fip, rex_w ? 8 : 4);
  std::memcpy(area + kFxFdp, &s.fdp, rex_w ? 8 : 4);
  const int top = (s.fsw >> 11) & 7;
  for (int i = 0; i < 8; ++i) std::memcpy(area + kFxSt + 16 * i, s.st[(top + i) & 7], 10);
}

// FOP's 11 bits and, without REX.W, 32-bit pointers (the selectors ignored).
inline void LoadX87Part(SseState& s, const uint8_t* area, bool rex_w) {
  std::memcpy(&s.fcw, area + kFxFcw, 2);
  std::memcpy(&s.fsw, area + kFxFsw, 2);
  s.ftw = area[kFxFtw];
  std::memcpy(&s.fop, area + kFxFop, 2);
  s.fop &= 0x7ff;
  s.fip = s.fdp = 0;
  std::memcpy(&s.fip, area + kFxFip, rex_w ? 8 : 4);
  std::memcpy(&s.fdp, area + kFxFdp, rex_w ? 8 : 4);
  const int top = (s.fsw >> 11) & 7;
  for (int i = 0; i < 8; ++i) std::memcpy(s.st[(top + i) & 7], area + kFxSt + 16 * i, 10);
}

// FNINIT's x87 state (SDM vol. 1 8.1.7 table 8-1): the data registers keep
// their contents; the opcode and pointers are cleared.
inline void InitX87(SseState& s) {
  s.fcw = 0x37f;
  s.fsw = 0;
  s.ftw = 0;
  s.fop = 0;
  s.fip = s.fdp = 0;
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
