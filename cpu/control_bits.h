// Architectural bits of CR0, CR3, CR4, EFER and XCR0 (SDM vol. 3A 2.5, 2.2.1; vol. 1 13.3),
// defined once for the CPU and the MMU.
#ifndef X64SIM_CPU_CONTROL_BITS_H_
#define X64SIM_CPU_CONTROL_BITS_H_

#include <cstdint>

namespace x64sim {

inline constexpr uint64_t kCr0PE = 1ull << 0;
inline constexpr uint64_t kCr0MP = 1ull << 1;
inline constexpr uint64_t kCr0EM = 1ull << 2;
inline constexpr uint64_t kCr0TS = 1ull << 3;
inline constexpr uint64_t kCr0ET = 1ull << 4;
inline constexpr uint64_t kCr0NE = 1ull << 5;
inline constexpr uint64_t kCr0WP = 1ull << 16;
inline constexpr uint64_t kCr0AM = 1ull << 18;
inline constexpr uint64_t kCr0NW = 1ull << 29;
inline constexpr uint64_t kCr0CD = 1ull << 30;
inline constexpr uint64_t kCr0PG = 1ull << 31;

inline constexpr uint64_t kCr3PcidMask = 0xfff;     // with CR4.PCIDE
inline constexpr uint64_t kCr3NoFlush = 1ull << 63;  // MOV to CR3 with CR4.PCIDE

inline constexpr uint64_t kCr4VME = 1ull << 0;
inline constexpr uint64_t kCr4PVI = 1ull << 1;
inline constexpr uint64_t kCr4TSD = 1ull << 2;
inline constexpr uint64_t kCr4DE = 1ull << 3;
inline constexpr uint64_t kCr4PSE = 1ull << 4;
inline constexpr uint64_t kCr4PAE = 1ull << 5;
inline constexpr uint64_t kCr4MCE = 1ull << 6;
inline constexpr uint64_t kCr4PGE = 1ull << 7;
inline constexpr uint64_t kCr4PCE = 1ull << 8;
inline constexpr uint64_t kCr4OSFXSR = 1ull << 9;
inline constexpr uint64_t kCr4OSXMMEXCPT = 1ull << 10;
inline constexpr uint64_t kCr4FSGSBASE = 1ull << 16;
inline constexpr uint64_t kCr4PCIDE = 1ull << 17;
inline constexpr uint64_t kCr4OSXSAVE = 1ull << 18;
inline constexpr uint64_t kCr4SMEP = 1ull << 20;
inline constexpr uint64_t kCr4SMAP = 1ull << 21;

inline constexpr uint64_t kEferSCE = 1ull << 0;
inline constexpr uint64_t kEferLME = 1ull << 8;
inline constexpr uint64_t kEferLMA = 1ull << 10;
inline constexpr uint64_t kEferNXE = 1ull << 11;

// XCR0's state components (SDM vol. 1 13.3); x64sim has x87, SSE and AVX
// (the upper halves of the YMM registers).
inline constexpr uint64_t kXcr0X87 = 1ull << 0;
inline constexpr uint64_t kXcr0Sse = 1ull << 1;
inline constexpr uint64_t kXcr0Avx = 1ull << 2;
inline constexpr uint64_t kXcr0Supported = kXcr0X87 | kXcr0Sse | kXcr0Avx;

}  // namespace x64sim

#endif  // X64SIM_CPU_CONTROL_BITS_H_
