// The compute guest's workload (guest/demo/compute, run_rounds) on the host,
// in core cycles by the same TSC calibration as the kernels.
//
// Usage: whole_program ROUNDS REPETITIONS. Prints
//   native: whole_program rounds=N cycles=C median=C spread_pct=X cycles_per_tick=X
// The workload sources are private to guest/demo/compute, so the driver
// (accuracy.py) compiles this file with them using their code-generation
// flags rather than Bazel (docs/accuracy.md).
#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench/accuracy/tsc_calibration.h"
#include "guest/demo/compute/workloads.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s ROUNDS REPETITIONS\n", argv[0]);
    return 2;
  }
  uint64_t rounds = std::strtoull(argv[1], nullptr, 10);
  int repetitions = std::atoi(argv[2]);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(sched_getcpu(), &set);
  sched_setaffinity(0, sizeof(set), &set);

  double start_calibration = accuracy::CalibrateCyclesPerTick();
  run_rounds(rounds);  // warm-up
  std::vector<uint64_t> ticks;
  for (int r = 0; r < repetitions; ++r) {
    uint64_t start = accuracy::ReadTsc();
    compute_checksums sums = run_rounds(rounds);
    ticks.push_back(accuracy::ReadTsc() - start);
    if (sums.failed_self_checks != 0) {
      std::fprintf(stderr, "whole_program: %d self-checks failed\n", sums.failed_self_checks);
      return 1;
    }
  }
  double cycles_per_tick = (start_calibration + accuracy::CalibrateCyclesPerTick()) / 2;
  std::sort(ticks.begin(), ticks.end());
  double min = static_cast<double>(ticks.front());
  double median = static_cast<double>(ticks[ticks.size() / 2]);
  std::printf("native: whole_program rounds=%lu cycles=%.0f median=%.0f spread_pct=%.1f "
              "cycles_per_tick=%.4f\n",
              static_cast<unsigned long>(rounds), min * cycles_per_tick,
              median * cycles_per_tick, (median / min - 1) * 100, cycles_per_tick);
  return 0;
}
