// Simulator throughput in guest MIPS on the compute-bound multiboot guest
// (CRC-32, sort, hash table, mul/div, copies, calls): boots it and runs it to
// its debug-exit. `bazel run -c opt //bench:sim_bench`. Rates are over
// process CPU time, so other load on the machine does not skew them.
//
// Each workload runs with the TLB model on and off (Mmu::set_tlb_model):
// the compute rounds, whose few pages stay in the CPU's fast path, and page
// sweeps (`sweeps=N`), where every access needs a new translation.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/machine.h"

namespace x64sim {
namespace {

std::vector<uint8_t> ReadImage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void BM_ComputeGuest(benchmark::State& state) {
  const std::vector<uint8_t> image = ReadImage("guest/demo/compute/compute");
  if (image.empty()) {
    state.SkipWithError("guest/demo/compute/compute not found: run with bazel run");
    return;
  }
  const std::string cmdline = "compute rounds=" + std::to_string(state.range(0)) +
                              " sweeps=" + std::to_string(state.range(1));
  MachineConfig config;
  config.tlb_model = state.range(2) != 0;
  uint64_t instructions = 0;
  for (auto _ : state) {
    Machine machine(config);
    if (!machine.Boot(image, cmdline, {}).ok()) {
      state.SkipWithError("boot failed");
      return;
    }
    StopInfo stop = machine.Run(UINT64_MAX);
    if (stop.reason != StopReason::kGuestExit || stop.exit_status != 33) {
      state.SkipWithError(("guest did not finish: " + stop.detail).c_str());
      return;
    }
    instructions += machine.cpu().instret();
  }
  state.counters["MIPS"] =
      benchmark::Counter(static_cast<double>(instructions) / 1e6, benchmark::Counter::kIsRate);
  state.counters["guest_instructions"] =
      benchmark::Counter(static_cast<double>(instructions), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_ComputeGuest)
    ->ArgNames({"rounds", "sweeps", "tlb_model"})
    ->Args({100, 0, 1})
    ->Args({100, 0, 0})
    ->Args({0, 200, 1})
    ->Args({0, 200, 0})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

}  // namespace
}  // namespace x64sim

BENCHMARK_MAIN();
