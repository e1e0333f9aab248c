// The compute-bound kernels of the MIPS benchmark guest. Plain C with no
// machine dependencies; each returns a checksum of what it computed.
#ifndef GUEST_DEMO_COMPUTE_WORKLOADS_H_
#define GUEST_DEMO_COMPUTE_WORKLOADS_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Knuth's MMIX linear congruential generator.
static inline uint64_t lcg_next(uint64_t* state) {
  *state = *state * 6364136223846793005ull + 1442695040888963407ull;
  return *state;
}

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table-driven.
void crc32_init(void);
uint32_t crc32(const uint8_t* data, size_t length);

// Fills a buffer with LCG bytes and returns the CRC-32 of it.
uint32_t run_crc32(uint64_t seed);

// Sorts an LCG-filled array with quicksort (insertion sort for small
// ranges); returns a position-weighted sum, or 0 if the result is unsorted.
uint64_t run_sort(uint64_t seed);

// Inserts and looks up LCG keys in an open-addressing hash table; returns
// a checksum of hits and values, or 0 if a lookup contradicts an insert.
uint64_t run_hash_table(uint64_t seed);

// Multiplications, 64- and 32-bit divisions and remainders, Euclid's gcd.
uint64_t run_arithmetic(uint64_t seed);

// Word and byte copies, forward and overlapping backward; returns the sum of
// the copied data, or 0 if a copy is wrong.
uint64_t run_copies(uint64_t seed);

// Per-workload checksums over all rounds, and their combination.
struct compute_checksums {
  uint64_t crc32, sort, hash_table, arithmetic, copies;
  uint64_t combined;
  int failed_self_checks;
};

// Runs `rounds` rounds of every workload (crc32_init first).
struct compute_checksums run_rounds(uint64_t rounds);

#ifdef __cplusplus
}
#endif

#endif  // GUEST_DEMO_COMPUTE_WORKLOADS_H_
