// One SSE instruction on the host CPU and in x64sim from the same registers,
// memory and MXCSR, compared: the oracle of the SSE floating-point tests.
#ifndef X64SIM_TESTS_CPU_SSE_DIFFERENTIAL_H_
#define X64SIM_TESTS_CPU_SSE_DIFFERENTIAL_H_

#include <cstdint>
#include <functional>
#include <random>
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

// 16 random floating-point bytes: all-float or all-double edge values
// (zeros, infinities, NaNs, denormals, extremes, values near 1), random
// bits, or random finite numbers in a narrow exponent range.
void FillFloatValue(std::mt19937_64& rng, uint8_t* v);

// Runs `run` on the host under `mxcsr`; returns MXCSR afterwards (at the
// fault, if an unmasked SIMD exception was raised: *faulted).
uint32_t RunUnderMxcsr(uint32_t mxcsr, const std::function<void()>& run, bool* faulted);

// SDM vol. 1 4.9.1.6: an inexact result together with an unmasked overflow
// or underflow sets PE as well as OE or UE. The Zen 4 these tests were
// written on sets OE or UE alone, so when the host faults for one of them
// (and for no pre-computation exception), PE is what a run with every
// exception masked (and FTZ off if underflow was unmasked, as FTZ then does
// not apply) says: run_masked(mxcsr) returns MXCSR after such a run.
uint32_t SdmPrecisionFlag(uint32_t mxcsr, uint32_t at_fault,
                          const std::function<uint32_t(uint32_t)>& run_masked);

// A legacy-SSE instruction's control-register gate, on a fresh machine with
// RSI at its data page: CR0.TS is #NM; CR0.EM or CR4.OSFXSR=0 is #UD (SDM
// vol. 2A 2.4).
void ExpectLegacySseGate(const std::vector<uint8_t>& code);

// One form of an instruction: its text and encoding.
struct SseForm {
  std::string text;
  std::vector<uint8_t> bytes;
};

// "name xmm0,xmm1" and "name xmm0,[rsi]" for the opcode bytes (legacy
// prefix, 0F map and opcode), with the immediate if imm >= 0.
std::vector<SseForm> RegisterAndMemoryForms(const std::string& name,
                                            const std::vector<uint8_t>& opcode, int imm = -1);

// 16 random integer bytes: random bits, or lanes of one width (8 to 64
// bits) drawn from the edge values 0, 1, -1, the signed and unsigned
// extremes and their neighbours, or small numbers.
void FillIntegerValue(std::mt19937_64& rng, uint8_t* v);

// Each form against the host `rounds` times: XMM0-3 and the memory from
// FillIntegerValue (now and then xmm1 and the memory equal to xmm0), RAX
// RCX RDX RDI and the arithmetic flags random, MXCSR at its reset value;
// then `adjust`, if given, may change the run. Stops at the first mismatch
// (a test failure); returns the runs compared.
int CompareIntegerForms(const std::vector<SseForm>& forms, int rounds,
                        const std::function<void(std::mt19937_64&, SseRun&)>& adjust = nullptr);

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
