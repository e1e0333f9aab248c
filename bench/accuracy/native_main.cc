// Runs the accuracy kernels on the host and prints core cycles per iteration.
//
// There are no hardware performance counters in our VMs, and RDTSC ticks at
// a constant rate that is not the core clock. So the runner calibrates: a
// chain of dependent one-cycle ADDs (kernel_calibrate_adds) runs for a known
// number of core cycles, giving cycles per TSC tick. The core first spins
// for a while so its clock has ramped up; then each kernel runs once to warm
// up and --repetitions times. Each repetition sits between two calibrations
// (the clock moves with load and boost) and is converted to cycles with
// their mean; a repetition whose calibrations differ by more than 2% is
// run again (at most --repetitions times in all per kernel, counted as
// `retried`). The minimum over repetitions is the figure, median/min - 1
// its spread.
//
// Output, one line each (bench/accuracy/accuracy.py reads it):
//   native: cpu=N family=F model=M vendor=V
//   native: memory work=huge|small huge=huge|small small_pages=small|huge
//   native: calibration cycles_per_tick min=X max=X
//   native: kernel=NAME iterations=N cycles_per_iter=X median=X spread_pct=X retried=N
#include <cpuid.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/accuracy/kernel_table.h"
#include "bench/accuracy/tsc_calibration.h"

namespace {

constexpr uint64_t kHugePage = 2 << 20;
// How far the two calibrations around a repetition may differ.
constexpr double kMaxCalibrationDrift = 0.02;

// An anonymous mapping of `bytes`, 2 MiB-aligned, with transparent huge
// pages requested (or refused, for `huge` false), every page touched.
uint8_t* MapBuffer(uint64_t bytes, bool huge) {
  uint64_t span = bytes + kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    std::perror("native: mmap");
    std::exit(1);
  }
  uint8_t* aligned = reinterpret_cast<uint8_t*>(
      (reinterpret_cast<uintptr_t>(raw) + kHugePage - 1) & ~(kHugePage - 1));
  if (madvise(aligned, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0) {
    std::perror("native: madvise");
  }
  std::memset(aligned, 0, bytes);
  return aligned;
}

// Whether the kernel backed [p, p + bytes) with huge pages: the
// AnonHugePages of its mapping in /proc/self/smaps covers all of it.
bool BackedByHugePages(const uint8_t* p, uint64_t bytes) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo, hi;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find(' ') > 8) {
      inside = lo <= reinterpret_cast<uintptr_t>(p) && reinterpret_cast<uintptr_t>(p) < hi;
      continue;
    }
    unsigned long kib;
    if (inside && std::sscanf(line.c_str(), "AnonHugePages: %lu kB", &kib) == 1) {
      return kib * 1024 >= bytes;
    }
  }
  return false;
}

void PinToCurrentCpu(int* cpu) {
  *cpu = sched_getcpu();
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(*cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) std::perror("native: sched_setaffinity");
}

void PrintCpu(int cpu) {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __get_cpuid(0, &eax, &ebx, &ecx, &edx);
  char vendor[13];
  std::memcpy(vendor, &ebx, 4);
  std::memcpy(vendor + 4, &edx, 4);
  std::memcpy(vendor + 8, &ecx, 4);
  vendor[12] = '\0';
  __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  // CPUID.1:EAX display family and model (Intel SDM vol. 2A, CPUID; AMD APM
  // vol. 3, E.3.2).
  unsigned family = (eax >> 8) & 0xF;
  unsigned model = (eax >> 4) & 0xF;
  if (family == 0xF) family += (eax >> 20) & 0xFF;
  if (family >= 6) model |= ((eax >> 16) & 0xF) << 4;
  std::printf("native: cpu=%d family=%u model=%u vendor=%s\n", cpu, family, model, vendor);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

uint64_t ParseFlag(int argc, char** argv, const char* name, uint64_t fallback) {
  size_t n = std::strlen(name);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
      return std::strtoull(argv[i] + n + 1, nullptr, 10);
    }
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  int repetitions = static_cast<int>(ParseFlag(argc, argv, "--repetitions", 15));
  int cpu;
  PinToCurrentCpu(&cpu);
  PrintCpu(cpu);

  accuracy_memory memory;
  memory.work = MapBuffer(kAccuracyWorkBytes, true);
  memory.huge = MapBuffer(kAccuracyHugeBytes, true);
  memory.small_pages = MapBuffer(kAccuracySmallPagesBytes, false);
  auto page_kind = [](bool huge) { return huge ? "huge" : "small"; };
  std::printf("native: memory work=%s huge=%s small_pages=%s\n",
              page_kind(BackedByHugePages(memory.work, kAccuracyWorkBytes)),
              page_kind(BackedByHugePages(memory.huge, kAccuracyHugeBytes)),
              page_kind(BackedByHugePages(memory.small_pages, kAccuracySmallPagesBytes)));

  accuracy::SpinFor(1ull << 30);  // about 0.4 s at 2.6 GHz
  double min_cycles_per_tick = 1e9;
  double max_cycles_per_tick = 0;
  std::vector<std::string> lines;
  for (int k = 0; k < kAccuracyKernelCount; ++k) {
    const accuracy_kernel& kernel = kAccuracyKernels[k];
    void* buffer = kernel.prepare(&memory);
    kernel.run(kernel.iterations, buffer);  // warm-up
    std::vector<double> cycles_per_iter;
    int retried = 0;
    double before = accuracy::CalibrateCyclesPerTick();
    while (static_cast<int>(cycles_per_iter.size()) < repetitions) {
      uint64_t start = accuracy::ReadTsc();
      kernel.run(kernel.iterations, buffer);
      uint64_t ticks = accuracy::ReadTsc() - start;
      double after = accuracy::CalibrateCyclesPerTick();
      min_cycles_per_tick = std::min({min_cycles_per_tick, before, after});
      max_cycles_per_tick = std::max({max_cycles_per_tick, before, after});
      bool steady = std::abs(after / before - 1) <= kMaxCalibrationDrift;
      if (steady || retried == repetitions) {
        cycles_per_iter.push_back(static_cast<double>(ticks) * (before + after) / 2 /
                                  static_cast<double>(kernel.iterations));
      } else {
        ++retried;
      }
      before = after;
    }
    double min = *std::min_element(cycles_per_iter.begin(), cycles_per_iter.end());
    double median = Median(cycles_per_iter);
    lines.push_back(absl::StrFormat(
        "native: kernel=%s iterations=%d cycles_per_iter=%.3f median=%.3f spread_pct=%.1f "
        "retried=%d\n",
        kernel.name, kernel.iterations, min, median, (median / min - 1) * 100, retried));
  }
  std::printf("native: calibration cycles_per_tick min=%.4f max=%.4f\n", min_cycles_per_tick,
              max_cycles_per_tick);
  for (const std::string& line : lines) std::fputs(line.c_str(), stdout);
  return 0;
}
