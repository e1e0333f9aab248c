// One SSE instruction on the host CPU and in x64sim from the same registers,
// memory and MXCSR, compared: the oracle of the SSE floating-point tests.
#ifndef X64SIM_TESTS_CPU_SSE_DIFFERENTIAL_H_
#define X64SIM_TESTS_CPU_SSE_DIFFERENTIAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/native_runner.h"

namespace x64sim::testing {

struct SseRun {
  static constexpr int kMemBytes = 64;
  RegisterImage regs{};  // RSI is set to the memory below
  alignas(16) uint8_t mem[kMemBytes] = {};
  uint32_t mxcsr = 0x1f80;
};

// MXCSR for mode 0..15, every exception masked: RC = mode & 3, DAZ if
// mode & 4, FTZ if mode & 8.
uint32_t MaskedMxcsr(int mode);

class SseDifferential {
 public:
  explicit SseDifferential(const std::vector<uint8_t>& bytes);

  // Runs the instruction both ways and expects the same XMM0-3, RAX, RCX,
  // RDX, RDI, arithmetic flags, MXCSR and memory, and #XM in x64sim
  // exactly when the host raised it (with the registers unchanged), else
  // no exception. Reports differences (with `what`) as test failures; true
  // if there were none.
  bool Matches(const SseRun& run, const std::string& what);

 private:
  uint32_t SdmPrecisionFlag(const SseRun& run, uint32_t at_fault);

  std::vector<uint8_t> bytes_;
  NativeCode native_;
  LowMemory host_mem_;
  LongModeMachine machine_;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_SSE_DIFFERENTIAL_H_
