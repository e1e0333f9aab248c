// Fuzz target: the multiboot loader on mutated kernel images, module lists
// and command lines. Every input must end in a clear error or a loaded
// image whose pieces lie inside RAM without overlapping.
//
// Input: [module count (0-3)] [per module: size16, bytes, cmdline]
//        [cmdline] [kernel image: the rest].
#include <cstdint>
#include <cstdlib>
#include <cstdio>

#include "sim/multiboot_loader.h"
#include "tests/fuzz/fuzz_input.h"

namespace x64sim::fuzz {
namespace {

constexpr uint64_t kRamBytes = 32ull << 20;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "loader invariant broken: %s\n", what);
    std::abort();
  }
}

void Check(const BootImage& image, const PhysicalMemory& memory) {
  const uint64_t ram = memory.ram_size();
  Require(image.kernel_end <= ram, "kernel ends beyond RAM");
  Require(image.info_addr < ram, "information structure outside RAM");
  uint64_t previous_end = image.kernel_end;
  for (const auto& [start, end] : image.module_ranges) {
    Require(start <= end && end <= ram, "module outside RAM");
    Require(start >= previous_end, "module overlaps the kernel or the module before it");
    previous_end = end;
  }
}

}  // namespace
}  // namespace x64sim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace x64sim;
  fuzz::FuzzInput in(data, size);
  std::vector<BootModule> modules(in.Below(4));
  for (BootModule& m : modules) {
    m.bytes = in.SizedBytes(4096);
    m.cmdline = in.SizedString(64);
  }
  const std::string cmdline = in.SizedString(256);
  const std::vector<uint8_t> kernel = in.Rest();
  PhysicalMemory memory(fuzz::kRamBytes);
  absl::StatusOr<BootImage> image = LoadMultiboot(memory, kernel, cmdline, modules);
  if (image.ok()) {
    fuzz::Check(*image, memory);
  } else {
    fuzz::Require(!image.status().message().empty(), "an error without a message");
  }
  return 0;
}
