#include "guest/demo/compute/page_sweep.h"

// Reads and rewrites the first word of every 4 KiB page: consecutive
// accesses never share a page, so every one needs a translation the
// simulator's fast path (1024 pages) no longer holds.
uint64_t page_sweep(uint64_t base, uint64_t bytes, uint64_t passes) {
  uint64_t sum = 0;
  for (uint64_t pass = 0; pass < passes; ++pass) {
    for (uint64_t offset = 0; offset < bytes; offset += kSweepStride) {
      volatile uint64_t* word = (volatile uint64_t*)(base + offset);
      sum += *word;
      *word = sum ^ offset;
    }
  }
  return sum;
}
