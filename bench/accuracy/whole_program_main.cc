// The compute guest's workload (guest/demo/compute, run_rounds) on the host,
// in core cycles by the same TSC calibration as the kernels: each repetition
// is converted with a calibration taken just before it, and the minimum
// over repetitions is the figure (a run lasts ~15 ms, so on a shared
// machine many are preempted; median/min - 1 shows how many).
//
// Usage: whole_program ROUNDS REPETITIONS. Prints
//   native: whole_program rounds=N cycles=C median=C spread_pct=X
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

  accuracy::SpinFor(1ull << 30);  // about 0.4 s at 2.6 GHz: the clock ramps up
  run_rounds(rounds);              // warm-up
  std::vector<double> cycles;
  for (int r = 0; r < repetitions; ++r) {
    double cycles_per_tick = accuracy::CalibrateCyclesPerTick();
    uint64_t start = accuracy::ReadTsc();
    compute_checksums sums = run_rounds(rounds);
    cycles.push_back(static_cast<double>(accuracy::ReadTsc() - start) * cycles_per_tick);
    if (sums.failed_self_checks != 0) {
      std::fprintf(stderr, "whole_program: %d self-checks failed\n", sums.failed_self_checks);
      return 1;
    }
  }
  std::sort(cycles.begin(), cycles.end());
  double min = cycles.front();
  double median = cycles[cycles.size() / 2];
  std::printf("native: whole_program rounds=%lu cycles=%.0f median=%.0f spread_pct=%.1f\n",
              static_cast<unsigned long>(rounds), min, median, (median / min - 1) * 100);
  return 0;
}
