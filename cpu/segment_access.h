// Segment limit and type checks on data accesses outside 64-bit mode (SDM
// vol. 3A 5.3, 5.4 and 3.4.5.1).
//
// Most protected-mode code runs on flat segments (base anything, limit
// 4 GiB - 1, writable expand-up data), which accept every access, so the
// accessors must not pay for the rare segment that can refuse one. The core
// hands out, for such a segment, a tagged base instead of its real one
// (Cpu::AccessBase): bit 63 set, the segment register in bits 40-42, and
// the offset added below. No soft-TLB tag is ever non-canonical, so a tagged
// address always misses the fast path, and the slow path (Cpu::ResolveLinear)
// checks the offset and the access against the segment, raising #GP(0) or,
// for SS, #SS(0), before it forms the real linear address.
#ifndef X64SIM_CPU_SEGMENT_ACCESS_H_
#define X64SIM_CPU_SEGMENT_ACCESS_H_

#include <cstdint>

#include "cpu/state.h"

namespace x64sim {

inline constexpr uint64_t kSegmentedTag = 1ull << 63;
inline constexpr int kSegmentedShift = 40;
inline constexpr uint64_t kSegmentedOffsetMask = (1ull << kSegmentedShift) - 1;

inline uint64_t SegmentedBase(SegReg r) {
  return kSegmentedTag | static_cast<uint64_t>(r) << kSegmentedShift;
}
// Bits 63:62 = 10: never a canonical address, whose bits 63 and 62 agree.
inline bool IsSegmented(uint64_t address) { return (address >> 62) == 2; }
inline SegReg SegmentOf(uint64_t address) {
  return static_cast<SegReg>((address >> kSegmentedShift) & 7);
}
inline uint64_t OffsetOf(uint64_t address) { return address & kSegmentedOffsetMask; }

// Type field bits of a code or data segment's attributes (SDM vol. 3A table 3-1).
inline bool SegmentIsCode(const Segment& s) { return (s.attributes & 0x18) == 0x18; }
inline bool SegmentIsData(const Segment& s) { return (s.attributes & 0x18) == 0x10; }
// Data: writable (W) and expand-down (E); code: readable (R).
inline bool DataWritable(const Segment& s) { return s.attributes & 0x2; }
inline bool DataExpandsDown(const Segment& s) { return s.attributes & 0x4; }
inline bool CodeReadable(const Segment& s) { return s.attributes & 0x2; }

// Whether `s`'s limit admits every 32-bit offset (expand-up, 4 GiB - 1).
inline bool LimitAcceptsEveryOffset(const Segment& s) {
  return !(SegmentIsData(s) && DataExpandsDown(s)) && s.limit == 0xffffffff;
}
// Whether every read and write through `s` at any 32-bit offset is allowed.
inline bool AcceptsEveryAccess(const Segment& s) {
  return s.present() && SegmentIsData(s) && DataWritable(s) && LimitAcceptsEveryOffset(s);
}

// Whether `size` bytes at `offset` lie within `s`'s limit: at or below it
// for an expand-up segment; above it, and at or below 4 GiB - 1 (B = 1) or
// 64 KiB - 1 (B = 0), for an expand-down one (SDM vol. 3A 5.3).
inline bool WithinLimit(const Segment& s, uint64_t offset, int size) {
  const uint64_t last = offset + static_cast<uint64_t>(size) - 1;
  if (SegmentIsData(s) && DataExpandsDown(s)) {
    const uint64_t upper = s.default_big() ? 0xffffffffull : 0xffffull;
    return offset > s.limit && last <= upper;
  }
  return last <= s.limit;
}

// Whether a read (or write) of `size` bytes at `offset` through `s` is
// allowed: a usable segment (not null), readable (code needs R) or
// writable (data with W; code never), and within the limit.
inline bool SegmentAllows(const Segment& s, uint64_t offset, int size, bool write) {
  if (!s.present()) return false;
  if (SegmentIsCode(s) ? write || !CodeReadable(s) : write && !DataWritable(s)) return false;
  return WithinLimit(s, offset, size);
}

}  // namespace x64sim

#endif  // X64SIM_CPU_SEGMENT_ACCESS_H_
