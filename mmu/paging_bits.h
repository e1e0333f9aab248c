// Bit layouts of 4-level paging, declared once (SDM vol. 3A 4.5); the
// control-register bits paging reads are in cpu/control_bits.h.
//
//   Paging-structure entry (Tables 4-15 .. 4-20):
//     0 P   1 R/W   2 U/S   3 PWT   4 PCD   5 A   6 D (leaf)   7 PS (PDPTE/PDE)
//     8 G (leaf)   M-1:12 address   62:52 ignored   63 XD
#ifndef X64SIM_MMU_PAGING_BITS_H_
#define X64SIM_MMU_PAGING_BITS_H_

#include <cstdint>

#include "cpu/control_bits.h"

namespace x64sim::paging {

inline constexpr uint64_t kPteP = 1ull << 0;
inline constexpr uint64_t kPteRw = 1ull << 1;
inline constexpr uint64_t kPteUs = 1ull << 2;
inline constexpr uint64_t kPteA = 1ull << 5;
inline constexpr uint64_t kPteD = 1ull << 6;
inline constexpr uint64_t kPtePs = 1ull << 7;
inline constexpr uint64_t kPteG = 1ull << 8;
inline constexpr uint64_t kPteXd = 1ull << 63;

// Levels of the walk, named by the table they index. Level numbers follow
// the SDM's "level 4 = PML4".
enum class Level : uint8_t { kPt = 1, kPd = 2, kPdpt = 3, kPml4 = 4 };

inline constexpr const char* LevelName(Level level) {
  switch (level) {
    case Level::kPml4: return "PML4";
    case Level::kPdpt: return "PDPT";
    case Level::kPd: return "PD";
    case Level::kPt: return "PT";
  }
  return "?";
}

// Bit position of the lowest linear-address bit a level's index uses.
inline constexpr int LevelShift(Level level) { return 12 + 9 * (static_cast<int>(level) - 1); }

// The 9-bit index of `linear` into the table at `level` (SDM 4.5.4).
inline constexpr uint64_t TableIndex(uint64_t linear, Level level) {
  return (linear >> LevelShift(level)) & 0x1ff;
}

// Page sizes a leaf can map; the value is log2 of the size.
enum class PageSize : uint8_t { k4K = 12, k2M = 21, k1G = 30 };

inline constexpr int PageShift(PageSize size) { return static_cast<int>(size); }
inline constexpr uint64_t PageBytes(PageSize size) { return 1ull << PageShift(size); }
inline constexpr const char* PageSizeName(PageSize size) {
  switch (size) {
    case PageSize::k4K: return "4K";
    case PageSize::k2M: return "2M";
    case PageSize::k1G: return "1G";
  }
  return "?";
}

// Mask of address bits M-1:12 for a MAXPHYADDR of `phys_bits` (SDM 4.1.4).
inline constexpr uint64_t AddressMask(int phys_bits) {
  return ((1ull << phys_bits) - 1) & ~0xfffull;
}

// Linear addresses are canonical when bits 63:47 are all equal (SDM 3.3.7.1).
inline constexpr bool IsCanonical(uint64_t linear) {
  uint64_t top = linear >> 47;
  return top == 0 || top == 0x1ffff;
}

}  // namespace x64sim::paging

#endif  // X64SIM_MMU_PAGING_BITS_H_
