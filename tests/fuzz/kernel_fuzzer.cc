// Fuzz target: the guest kernel's system-call surface, through the
// simulator. The input is a seed (RDRAND's, --rdrand-seed) for the sysfuzz
// root server, which makes random invocations with random arguments on a
// sandbox of capabilities and random IPC among three threads, then checks
// the kernel still retypes, maps, sends and receives; and whether the kernel
// takes its IPC fastpath. The kernel must never fault, hang or fail a
// self-check: the console must end with "SUMMARY 2 passed 0 failed".
//
// Input: [seed: 8] [flags: 1, bit 0 = slowpath only].
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/input_file.h"
#include "sim/machine.h"
#include "tests/fuzz/fuzz_input.h"

namespace x64sim::fuzz {
namespace {

// sysfuzz runs about 15 million instructions with any seed tried.
constexpr uint64_t kMaxInstructions = 400'000'000;

// A guest image named by an environment variable (tools/fuzz.sh and the
// corpus test set them: guests are not built in the fuzz configuration).
std::vector<uint8_t> GuestImage(const char* variable) {
  const char* path = std::getenv(variable);
  if (path == nullptr) {
    std::fprintf(stderr, "kernel_fuzzer: %s is not set (tools/fuzz.sh sets it)\n", variable);
    std::exit(2);
  }
  absl::StatusOr<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "kernel_fuzzer: %s: %s\n", variable, std::string(bytes.status().message()).c_str());
    std::exit(2);
  }
  return std::vector<uint8_t>(bytes->begin(), bytes->end());
}

[[noreturn]] void Fail(uint64_t seed, const std::string& what, const std::string& console) {
  std::fprintf(stderr, "kernel: seed %#llx: %s\n--- console ---\n%s\n",
               static_cast<unsigned long long>(seed), what.c_str(), console.c_str());
  std::abort();
}

}  // namespace
}  // namespace x64sim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace x64sim;
  static const std::vector<uint8_t> kernel = fuzz::GuestImage("X64SIM_SYSFUZZ_KERNEL");
  static const std::vector<uint8_t> root_server = fuzz::GuestImage("X64SIM_SYSFUZZ_ROOT_SERVER");
  fuzz::FuzzInput in(data, size);
  const uint64_t seed = in.Take<uint64_t>();
  const bool slowpath = in.Bit();

  std::string console;
  MachineConfig config;
  config.ram_bytes = 256ull << 20;
  config.rdrand_seed = seed;
  config.console = [&console](uint8_t c) { console.push_back(static_cast<char>(c)); };
  Machine machine(config);
  absl::Status booted = machine.Boot(kernel, slowpath ? "slowpath" : "", {{root_server, "sysfuzz"}});
  if (!booted.ok()) fuzz::Fail(seed, "boot: " + std::string(booted.message()), console);
  const StopInfo stop = machine.Run(fuzz::kMaxInstructions);
  if (console.find("SUMMARY 2 passed 0 failed") == std::string::npos) {
    fuzz::Fail(seed, "no passing summary; the run stopped with: " + stop.detail, console);
  }
  return 0;
}
