// Simulator throughput in guest MIPS: boots a guest and runs it to its end,
// with the timing model on (the default, `skylake`) and off (one cycle per
// instruction). `bazel run -c opt //bench:sim_bench`. Rates are over process
// CPU time, so other load on the machine does not skew them.
//
// Guests: the compute-bound multiboot guest (CRC-32, sort, hash table,
// mul/div, copies, calls); its page sweeps (`sweeps=N`, every access a new
// translation), also with the TLB model off; and three guests on our seL4
// kernel, where system calls, address-space switches and interrupts are
// frequent: the tutorial's last stage, the IPC benchmark and the kernel
// test suite.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/machine.h"
#include "uarch/loader.h"

namespace x64sim {
namespace {

// Empty when the path is not a readable regular file (run outside `bazel run`,
// "sel4/kernel" may name the source directory).
std::vector<uint8_t> ReadImage(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return {};
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

const UarchDescription& Skylake() {
  static const UarchDescription* d = [] {
    absl::StatusOr<UarchDescription> loaded = LoadUarch("skylake");
    if (!loaded.ok()) return static_cast<UarchDescription*>(nullptr);
    return new UarchDescription(*std::move(loaded));
  }();
  return *d;
}

struct Guest {
  std::string kernel;
  std::string cmdline;
  std::string module;  // empty: none
  int exit_status;     // the debug-exit status the guest ends with
};

void RunGuest(benchmark::State& state, const Guest& guest, bool timing, bool tlb_model = true) {
  const std::vector<uint8_t> kernel = ReadImage(guest.kernel);
  std::vector<BootModule> modules;
  if (!guest.module.empty()) modules.push_back({ReadImage(guest.module), guest.module});
  if (kernel.empty() || (!modules.empty() && modules[0].bytes.empty())) {
    state.SkipWithError("guest images not found: run with bazel run");
    return;
  }
  MachineConfig config;
  config.tlb_model = tlb_model;
  config.uarch = &Skylake();
  config.timing = timing;
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  for (auto _ : state) {
    Machine machine(config);
    if (!machine.Boot(kernel, guest.cmdline, modules).ok()) {
      state.SkipWithError("boot failed");
      return;
    }
    StopInfo stop = machine.Run(UINT64_MAX);
    if (stop.reason != StopReason::kGuestExit || stop.exit_status != guest.exit_status) {
      state.SkipWithError(("guest did not finish: " + stop.detail).c_str());
      return;
    }
    instructions += machine.cpu().instret();
    cycles += machine.cpu().cycles();
  }
  state.counters["MIPS"] =
      benchmark::Counter(static_cast<double>(instructions) / 1e6, benchmark::Counter::kIsRate);
  state.counters["guest_instructions"] =
      benchmark::Counter(static_cast<double>(instructions), benchmark::Counter::kAvgIterations);
  state.counters["guest_cycles"] =
      benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kAvgIterations);
}

void BM_Compute(benchmark::State& state) {
  const std::string cmdline = "compute rounds=" + std::to_string(state.range(0)) +
                              " sweeps=" + std::to_string(state.range(1));
  RunGuest(state, {"guest/demo/compute/compute", cmdline, "", 33}, state.range(2) != 0,
           state.range(3) != 0);
}
BENCHMARK(BM_Compute)
    ->ArgNames({"rounds", "sweeps", "timing", "tlb_model"})
    ->Args({100, 0, 0, 1})
    ->Args({100, 0, 1, 1})
    ->Args({100, 0, 0, 0})
    ->Args({0, 200, 0, 1})
    ->Args({0, 200, 0, 0})
    ->Args({0, 200, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

// Root servers on our seL4 kernel whose main returns 0 end the run with
// status 0; the kernel tests end with the kernel's debug halt (33).
void BM_Tutorial(benchmark::State& state) {
  RunGuest(state, {"sel4/kernel", "sel4/kernel", "guest/dynamic2/stage15", 0},
           state.range(0) != 0);
}
BENCHMARK(BM_Tutorial)->ArgName("timing")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

void BM_IpcBench(benchmark::State& state) {
  RunGuest(state, {"sel4/kernel", "sel4/kernel", "guest/ipcbench/ipcbench", 0},
           state.range(0) != 0);
}
BENCHMARK(BM_IpcBench)->ArgName("timing")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

void BM_KernelTests(benchmark::State& state) {
  RunGuest(state, {"sel4/kernel", "sel4/kernel", "guest/kerneltest/kerneltest", 33},
           state.range(0) != 0);
}
BENCHMARK(BM_KernelTests)->ArgName("timing")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

}  // namespace
}  // namespace x64sim

BENCHMARK_MAIN();
