// Segment and gate descriptor formats (SDM vol. 3A 3.4.5, 6.14.1).
#ifndef X64SIM_CPU_DESCRIPTORS_H_
#define X64SIM_CPU_DESCRIPTORS_H_

#include <cstdint>

#include "cpu/state.h"

namespace x64sim {

// Decodes the 8-byte legacy descriptor format into a segment cache.
inline Segment SegmentFromDescriptor(uint16_t selector, uint64_t d) {
  Segment s;
  s.selector = selector;
  s.base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
  uint32_t limit = (d & 0xffff) | (((d >> 48) & 0xf) << 16);
  s.attributes = static_cast<uint16_t>((d >> 40) & 0xf0ff);
  if (s.attributes & 0x8000) limit = (limit << 12) | 0xfff;  // G: 4 KiB granularity
  s.limit = limit;
  return s;
}

inline bool DescriptorIsSystem(uint64_t d) { return !((d >> 44) & 1); }
inline bool DescriptorIsCode(uint64_t d) { return ((d >> 43) & 3) == 3; }  // S=1, type bit 3
inline bool DescriptorIsWritableData(uint64_t d) { return ((d >> 41) & 0xd) == 0x9; }  // S=1, code=0, W=1
// Type bits 1 and 2 of a code segment: readable (R) and conforming (C).
inline bool CodeDescriptorReadable(uint64_t d) { return (d >> 41) & 1; }
inline bool CodeDescriptorConforming(uint64_t d) { return (d >> 42) & 1; }
inline int DescriptorDpl(uint64_t d) { return (d >> 45) & 3; }
inline bool DescriptorPresent(uint64_t d) { return (d >> 47) & 1; }
inline int DescriptorType(uint64_t d) { return (d >> 40) & 0xf; }

// System descriptor types in IA-32e mode (SDM vol. 3A table 3-2).
inline constexpr int kTypeLdt = 0x2;
inline constexpr int kTypeTssAvailable = 0x9;
inline constexpr int kTypeTssBusy = 0xb;
inline constexpr int kTypeInterruptGate = 0xe;
inline constexpr int kTypeTrapGate = 0xf;
// A task gate: legacy mode only, invalid in IA-32e mode (SDM vol. 3A 6.14.1).
inline constexpr int kTypeTaskGate = 0x5;
// 16-bit TSSs (SDM vol. 3A figure 7-10): legacy mode only, like task gates.
inline constexpr int kTypeTss16Available = 0x1;
inline constexpr int kTypeTss16Busy = 0x3;
// Whether a TSS type (available or busy) is a 16-bit TSS's.
inline bool IsTss16Type(int type) { return (type & ~2) == kTypeTss16Available; }
// 16-bit interrupt and trap gates: legacy mode only, like task gates.
inline constexpr int kTypeInterruptGate16 = 0x6;
inline constexpr int kTypeTrapGate16 = 0x7;

// Where the descriptor `selector` names lies: in the GDT, or in the LDT when
// TI = 1 (SDM vol. 3A 3.4.2). False when its `bytes` bytes do not all fit
// within the table's limit, or TI = 1 and LDTR is null.
inline bool DescriptorLinear(const CpuState& s, uint16_t selector, int bytes, uint64_t* linear) {
  const bool in_ldt = selector & 4;
  if (in_ldt && (s.ldtr.selector & ~3u) == 0) return false;
  const uint64_t base = in_ldt ? s.ldtr.base : s.gdtr.base;
  const uint64_t limit = in_ldt ? s.ldtr.limit : s.gdtr.limit;
  const uint64_t start = selector & ~7u;
  if (start + bytes - 1 > limit) return false;
  *linear = base + start;
  return true;
}

// Segment caches the processor sets without reading a descriptor.
inline Segment FlatSegment(uint16_t selector, uint16_t attributes) {
  Segment s;
  s.selector = selector;
  s.base = 0;
  s.limit = 0xffffffff;
  s.attributes = attributes;
  return s;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_DESCRIPTORS_H_
