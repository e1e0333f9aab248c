// The TLB-bound workload of the benchmark guest (`sweeps=N`): a 4 KiB-strided
// sweep over a region of identity-mapped RAM.
#ifndef GUEST_DEMO_COMPUTE_PAGE_SWEEP_H_
#define GUEST_DEMO_COMPUTE_PAGE_SWEEP_H_

#include <stdint.h>

enum { kSweepStride = 4096 };

// Makes `passes` sweeps over [base, base + bytes); returns a checksum.
uint64_t page_sweep(uint64_t base, uint64_t bytes, uint64_t passes);

#endif  // GUEST_DEMO_COMPUTE_PAGE_SWEEP_H_
