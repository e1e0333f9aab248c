// MMX code on the host CPU and in x64sim from the same state, compared. Both
// run
//   fxrstor [rsi]; <code>; fxsave [rsi]; fninit
// so the x87 unit (TOP, tags, MM0-MM7 and their exponent bits), MXCSR and
// XMM0-3 go in and come out through the FXSAVE image; the code's memory
// operand is [rsi + kMmxMemOffset] (also RDI, for MASKMOVQ), and RAX, RCX,
// RDX and the arithmetic flags are compared too. x64sim runs the code in
// 64-bit mode, or in 32-bit protected mode for code valid in both.
#ifndef X64SIM_TESTS_CPU_MMX_DIFFERENTIAL_H_
#define X64SIM_TESTS_CPU_MMX_DIFFERENTIAL_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/cpu/native_runner.h"
#include "tests/cpu/protected32_machine.h"

namespace x64sim::testing {

inline constexpr uint32_t kMmxMemOffset = 0x200;
inline constexpr int kFxImageBytes = 512;

struct MmxRun {
  uint8_t image[kFxImageBytes] = {};  // FXSAVE layout (FCW, FSW, FTW, MXCSR, ST/MM, XMM)
  uint8_t mem[128] = {};
  uint64_t rax = 0, rcx = 0, rdx = 0;
  uint64_t rflags = 0x2;
};

// Random states: MM0-7 from integer edge values or random bits with random
// exponent bits, any TOP and tags, no x87 exception pending, MXCSR with
// every exception masked and any rounding, DAZ and FTZ; XMM0-3 and the
// memory as integers or as singles and doubles of every class.
class MmxValues {
 public:
  explicit MmxValues(uint64_t seed) : rng_(seed) {}
  MmxRun State();
  std::mt19937_64& rng() { return rng_; }

 private:
  void Integers(uint8_t* v, int bytes);
  void Floats(uint8_t* v, int bytes);
  std::mt19937_64 rng_;
};

class MmxDifferential {
 public:
  // kSdmSwitch: the Zen 4 does not switch to MMX use for this code where
  // the SDM says it does (CVTPI2PS xmm, m64); the host's TOP and tags are
  // taken as the SDM gives them.
  enum Options : uint8_t { kNone = 0, kProtected32 = 1, kSdmSwitch = 2 };

  explicit MmxDifferential(const std::vector<uint8_t>& code, uint8_t options = kNone);

  // Runs both ways and expects the same image (but the x87 instruction
  // and data pointers, which MMX code leaves alone and the two sides
  // record differently), memory but bytes [skip_from, skip_to) (where code
  // stores those pointers), RAX, RCX, RDX and arithmetic flags, and no
  // exception in x64sim. Differences are test failures naming `what`; true
  // if there were none.
  bool Matches(const MmxRun& run, const std::string& what, int skip_from = 0, int skip_to = 0);

 private:
  std::vector<uint8_t> code_;
  uint8_t options_;
  NativeCode native_;
  LowMemory host_mem_;
  LongModeMachine long_mode_;
  std::unique_ptr<Protected32> protected32_;  // with kProtected32
};

// The encoding of "op mm0, [rsi + kMmxMemOffset]" (ModR/M reg = `reg`)
// after the opcode bytes, and of the register form "op reg, rm".
std::vector<uint8_t> WithMemory(std::vector<uint8_t> opcode, int reg = 0);
std::vector<uint8_t> WithRegisters(std::vector<uint8_t> opcode, int reg, int rm);

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_MMX_DIFFERENTIAL_H_
