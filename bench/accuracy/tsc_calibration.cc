#include "bench/accuracy/tsc_calibration.h"

#include <x86intrin.h>

#include <algorithm>

#include "bench/accuracy/kernel_table.h"

namespace accuracy {

uint64_t ReadTsc() {
  _mm_lfence();
  uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
}

double CalibrateCyclesPerTick(int runs, uint64_t iterations) {
  uint64_t best = UINT64_MAX;
  for (int run = 0; run < runs; ++run) {
    uint64_t start = ReadTsc();
    kernel_calibrate_adds(iterations, nullptr);
    best = std::min(best, ReadTsc() - start);
  }
  return 64.0 * static_cast<double>(iterations) / static_cast<double>(best);
}

void SpinFor(uint64_t ticks) {
  uint64_t start = ReadTsc();
  while (ReadTsc() - start < ticks) kernel_calibrate_adds(4096, nullptr);
}

}  // namespace accuracy
