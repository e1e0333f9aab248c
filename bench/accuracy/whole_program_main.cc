// The compute guest's workload (guest/demo/compute) on the host, in core
// cycles by the same TSC calibration as the kernels.
//
// A whole run of 100 rounds lasts ~15 ms: on our shared 2-vCPU machine most
// runs are preempted somewhere. So each round is timed on its own (~0.15 ms)
// and the figure is the sum over rounds of each round's fastest time across
// repetitions. A round is run_rounds' loop body (guest/demo/compute/rounds.c):
// the five workloads with that round's seed; only the checksum mixing, a
// few instructions, is left out. Each repetition sits between two
// calibrations and is dropped if they differ by more than 2%.
//
// Usage: whole_program ROUNDS REPETITIONS. Prints
//   native: whole_program rounds=N cycles=C whole_min=C whole_median=C spread_pct=X
// cycles: the sum of per-round minima; whole_min/whole_median: the fastest
// and median repetition's total; spread_pct: whole_median/cycles - 1.
//
// The workload sources are private to guest/demo/compute, so the driver
// (accuracy.py) compiles this file with them using their code-generation
// flags rather than Bazel (docs/accuracy.md).
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench/accuracy/tsc_calibration.h"
#include "guest/demo/compute/workloads.h"

namespace {

constexpr double kMaxCalibrationDrift = 0.02;

// Round `round` of run_rounds, returning its checksums' sum so the work
// stays observable.
uint64_t RunRound(uint64_t round) {
  uint64_t seed = round * 0x2545F4914F6CDD1Dull + 1;  // as rounds.c
  uint64_t sorted = run_sort(seed);
  uint64_t hashed = run_hash_table(seed);
  uint64_t copied = run_copies(seed);
  if (sorted == 0 || hashed == 0 || copied == 0) {
    std::fprintf(stderr, "whole_program: a self-check failed in round %lu\n",
                 static_cast<unsigned long>(round));
    std::exit(1);
  }
  return sorted + hashed + copied + run_crc32(seed) + run_arithmetic(seed);
}

}  // namespace

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

  crc32_init();  // as compute_main.c does before run_rounds
  accuracy::SpinFor(1ull << 30);  // about 0.4 s at 2.6 GHz: the clock ramps up
  volatile uint64_t sink = 0;
  for (uint64_t round = 0; round < rounds; ++round) sink = sink + RunRound(round);  // warm-up

  std::vector<double> round_min(rounds, HUGE_VAL);
  std::vector<double> totals;
  std::vector<uint64_t> ticks(rounds);
  for (int attempt = 0; attempt < 2 * repetitions && static_cast<int>(totals.size()) < repetitions;
       ++attempt) {
    double before = accuracy::CalibrateCyclesPerTick();
    for (uint64_t round = 0; round < rounds; ++round) {
      uint64_t start = accuracy::ReadTsc();
      sink = sink + RunRound(round);
      ticks[round] = accuracy::ReadTsc() - start;
    }
    double after = accuracy::CalibrateCyclesPerTick();
    if (std::abs(after / before - 1) > kMaxCalibrationDrift) continue;
    double total = 0;
    for (uint64_t round = 0; round < rounds; ++round) {
      double cycles = static_cast<double>(ticks[round]) * (before + after) / 2;
      round_min[round] = std::min(round_min[round], cycles);
      total += cycles;
    }
    totals.push_back(total);
  }
  if (totals.empty()) {
    std::fprintf(stderr, "whole_program: the clock never held still for a repetition\n");
    return 1;
  }
  double cycles = 0;
  for (double c : round_min) cycles += c;
  std::sort(totals.begin(), totals.end());
  double median = totals[totals.size() / 2];
  std::printf("native: whole_program rounds=%lu cycles=%.0f whole_min=%.0f whole_median=%.0f "
              "spread_pct=%.1f\n",
              static_cast<unsigned long>(rounds), cycles, totals.front(), median,
              (median / cycles - 1) * 100);
  return 0;
}
