// One VEX-encoded instruction on the host CPU and in x64sim from the same
// YMM registers, general registers, memory and MXCSR, compared: the oracle
// of the AVX tests. Also builds VEX encodings of the forms under test.
#ifndef X64SIM_TESTS_CPU_AVX_DIFFERENTIAL_H_
#define X64SIM_TESTS_CPU_AVX_DIFFERENTIAL_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/native_runner.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {

// The registers a VEX instruction under test may use: YMM0-3, RAX, RCX,
// RDX, RSI (set to the memory), RDI and the arithmetic flags.
struct AvxImage {
  alignas(32) uint8_t ymm[4][32];
  uint64_t rax, rcx, rdx, rsi, rdi;
  uint64_t rflags;
};

struct AvxRun {
  static constexpr int kMemBytes = 96;
  AvxImage regs{};
  alignas(32) uint8_t mem[kMemBytes] = {};
  uint32_t mxcsr = 0x1f80;
};

// A VEX opcode: map (1: 0F, 2: 0F38, 3: 0F3A), implied prefix pp (0: none,
// 1: 66, 2: F3, 3: F2), VEX.W and the opcode byte.
struct VexOpcode {
  uint8_t map, pp, opcode;
  bool w = false;
};

// What a form's operands look like.
enum class VexShape : uint8_t {
  kNds,     // "ymm0, ymm1, ymm2/m": VEX.vvvv is the first source
  kNoNds,   // "ymm0, ymm2/m": VEX.vvvv = 1111b
};

// The register and memory forms of `op` at each vector length in `lengths`
// (128, 256): the last source ymm2, [rsi] or [rsi+1] (misaligned), with the
// immediate if imm >= 0; `modrm_reg` >= 0 replaces the destination by an
// opcode extension (the shifts by an immediate, whose destination is
// VEX.vvvv: then "ymm1, ymm2/m").
std::vector<SseForm> VexForms(const std::string& name, VexOpcode op, VexShape shape,
                              std::vector<int> lengths, int imm = -1, int modrm_reg = -1);

// One instruction's VEX bytes, for directed tests: modrm and what follows.
std::vector<uint8_t> VexBytes(VexOpcode op, int length, int vvvv, const std::vector<uint8_t>& rest);

// Each form against the host `rounds` times per MXCSR in `mxcsrs`: YMM0-3
// and the memory 16 bytes at a time from `fill`, now and then the sources
// equal to ymm0, the general registers and flags random; `adjust`, if
// given, may change the run. Stops at the first mismatch (a test failure);
// returns the runs compared.
int CompareAvxForms(const std::vector<SseForm>& forms, int rounds,
                    void (*fill)(std::mt19937_64&, uint8_t*), const std::vector<uint32_t>& mxcsrs,
                    const std::function<void(std::mt19937_64&, AvxRun&)>& adjust = nullptr);

class AvxDifferential {
 public:
  explicit AvxDifferential(const std::vector<uint8_t>& bytes);

  // Runs the instruction both ways (x64sim with CR4.OSXSAVE and XCR0 = 7)
  // and expects the same YMM0-3, RAX, RCX, RDX, RDI, arithmetic flags,
  // MXCSR and memory, and #XM in x64sim exactly when the host raised it.
  // Reports differences (with `what`) as test failures; true if none.
  bool Matches(const AvxRun& run, const std::string& what);

 private:
  uint32_t RunHost(const AvxRun& run, uint32_t mxcsr, AvxImage* image, bool* faulted);

  std::vector<uint8_t> bytes_;
  NativeCode native_;
  LowMemory host_mem_;
  LongModeMachine machine_;
};

// A machine ready for VEX instructions: CR4.OSXSAVE, XCR0 = x87|SSE|AVX.
void EnableAvx(LongModeMachine& m);

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_AVX_DIFFERENTIAL_H_
