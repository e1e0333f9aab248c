// Stores into guest RAM that leave bytes already holding the value
// unwritten.
//
// RAM is anonymous host memory (PhysicalMemory): a page never written
// reads as zero without the host backing it, and the first write makes the
// host allocate and clear it, 2 MiB at a time under transparent huge pages.
// Guests zero memory they have never used (seL4 clears an untyped region
// before retyping it, and sel4test's driver has it do so for most of RAM
// while it boots), so the slow path of a store and the bulk fills compare first:
// memory the guest only zeroes then stays unbacked, and zeroing memory
// that is zero already costs a read instead of a write.
#ifndef X64SIM_MMU_RAM_STORE_H_
#define X64SIM_MMU_RAM_STORE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace x64sim {

inline bool IsAllZero(const uint8_t* p, size_t n) {
  constexpr size_t kChunk = 64;  // words ORed together between two tests
  size_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    uint64_t any = 0;
    for (size_t j = 0; j < kChunk; j += sizeof(uint64_t)) {
      uint64_t word;
      std::memcpy(&word, p + i + j, sizeof(word));
      any |= word;
    }
    if (any != 0) return false;
  }
  for (; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

inline void StoreZeros(uint8_t* dst, size_t n) {
  if (!IsAllZero(dst, n)) std::memset(dst, 0, n);
}

inline void StoreBytes(uint8_t* dst, const void* src, size_t n) {
  if (std::memcmp(dst, src, n) != 0) std::memcpy(dst, src, n);
}

}  // namespace x64sim

#endif  // X64SIM_MMU_RAM_STORE_H_
