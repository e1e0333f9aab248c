// seL4 IPC round-trip cycles on the modelled Skylake: boots our kernel with
// guest/ipcbench and reports, for every combination it measures (address
// space same/other, fastpath/slow path, 0/4 message words), the cycles per
// Call+ReplyRecv round trip and per direction, next to seL4's published
// Skylake figure (sel4bench, i7-6700, non-MCS fastpath: Call 375 and
// ReplyRecv 382 cycles one way, 757 a round trip). The guest marks each
// timed loop as a region of interest, so the stats split each round trip
// into phases: user code, SYSCALL, the kernel, the address-space switch
// (CR3 writes), SYSRET.
//
// `bazel run -c opt //bench:ipc_roundtrip` (one guest run per combination;
// the simulated counts are deterministic, the wall time is the simulator's).
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "sim/machine.h"
#include "uarch/loader.h"

namespace x64sim {
namespace {

constexpr double kSel4SkylakeRoundTrip = 375 + 382;  // the 2024 page; 381 + 389 in 2023

std::vector<uint8_t> ReadImage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

struct Combination {
  const char* space;
  const char* path;
  int words;
};

// The order ipcbench measures (and marks regions) in.
constexpr Combination kCombinations[] = {
    {"same", "fast", 0}, {"other", "fast", 0}, {"same", "fast", 4}, {"other", "fast", 4},
    {"same", "slow", 0}, {"other", "slow", 0}, {"same", "slow", 4}, {"other", "slow", 4},
};

void BM_IpcRoundTrip(benchmark::State& state) {
  const Combination& c = kCombinations[state.range(0)];
  state.SetLabel(std::string(c.space) + "/" + c.path + "/" + std::to_string(c.words) + "w");
  static const absl::StatusOr<UarchDescription> skylake = LoadUarch("skylake");
  const std::vector<uint8_t> kernel = ReadImage("sel4/kernel");
  const std::vector<uint8_t> server = ReadImage("guest/ipcbench/ipcbench");
  if (!skylake.ok() || kernel.empty() || server.empty()) {
    state.SkipWithError("uarch or guest images missing: run with bazel run");
    return;
  }
  MachineConfig config;
  config.uarch = &*skylake;
  std::string console;
  config.console = [&console](uint8_t ch) { console.push_back(static_cast<char>(ch)); };
  double per_rt = 0;
  std::map<std::string, double> phases;
  for (auto _ : state) {
    console.clear();
    Machine machine(config);
    if (!machine.Boot(kernel, "sel4/kernel", {{server, "ipcbench"}}).ok()) {
      state.SkipWithError("boot failed");
      return;
    }
    machine.Run(UINT64_MAX);
    const std::regex line(std::string("ipcbench: space=") + c.space + " path=" + c.path +
                          " words=" + std::to_string(c.words) +
                          " rounds=(\\d+) cycles=\\d+ cycles_per_rt=([0-9.]+)");
    std::smatch m;
    if (!std::regex_search(console, m, line)) {
      state.SkipWithError("ipcbench printed no line for this combination");
      return;
    }
    const double rounds = std::stod(m[1]);
    per_rt = std::stod(m[2]);
    const size_t index = static_cast<size_t>(state.range(0));
    if (machine.regions().size() > index && machine.regions()[index].ended) {
      const RegionOfInterest& r = machine.regions()[index];
      auto delta = [&](auto field) { return static_cast<double>(field(r.end) - field(r.begin)) / rounds; };
      auto event = [&](TimingEvent e) {
        return delta([e](const MachineSnapshot& s) { return s.core.event_cycles[static_cast<int>(e)]; });
      };
      const double syscall = event(TimingEvent::kSyscall);
      const double sysret = event(TimingEvent::kSysret);
      const double cr3 = event(TimingEvent::kCr3Write) + event(TimingEvent::kCr3WriteNoFlush);
      const double user = delta([](const MachineSnapshot& s) { return s.core.cycles_by_cpl[3]; });
      const double kernel_cycles =
          delta([](const MachineSnapshot& s) { return s.core.cycles_by_cpl[0]; });
      phases["user"] = user - syscall;  // SYSCALL runs at CPL 3
      phases["syscall"] = syscall;
      phases["kernel"] = kernel_cycles - sysret - cr3;
      phases["as_switch"] = cr3;
      phases["sysret"] = sysret;
      phases["instructions"] =
          delta([](const MachineSnapshot& s) { return s.instructions; });
    }
  }
  state.counters["cycles_per_rt"] = per_rt;
  state.counters["cycles_one_way"] = per_rt / 2;
  state.counters["sel4_skylake_rt"] = kSel4SkylakeRoundTrip;
  for (const auto& [name, value] : phases) state.counters[name] = value;
}
BENCHMARK(BM_IpcRoundTrip)->DenseRange(0, 7)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace x64sim

BENCHMARK_MAIN();
