#include "guest/demo/compute/workloads.h"

static uint64_t mix(uint64_t checksum, uint64_t value) {
  return checksum ^ (value + 0x9E3779B97F4A7C15ull + (checksum << 6) + (checksum >> 2));
}

struct compute_checksums run_rounds(uint64_t rounds) {
  struct compute_checksums r = {0, 0, 0, 0, 0, 0, 0};
  for (uint64_t round = 0; round < rounds; ++round) {
    uint64_t seed = round * 0x2545F4914F6CDD1Dull + 1;
    uint64_t sorted = run_sort(seed);
    uint64_t hashed = run_hash_table(seed);
    uint64_t copied = run_copies(seed);
    r.failed_self_checks += (sorted == 0) + (hashed == 0) + (copied == 0);
    r.crc32 = mix(r.crc32, run_crc32(seed));
    r.sort = mix(r.sort, sorted);
    r.hash_table = mix(r.hash_table, hashed);
    r.arithmetic = mix(r.arithmetic, run_arithmetic(seed));
    r.copies = mix(r.copies, copied);
  }
  r.combined = mix(mix(mix(mix(mix(0, r.crc32), r.sort), r.hash_table), r.arithmetic), r.copies);
  return r;
}
