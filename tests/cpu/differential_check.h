// Comparing x64sim with the host CPU: which flags and registers a form's
// result defines, the comparison itself, operand values, and a registry of
// the forms covered (printed at the end of the test binary).
#ifndef X64SIM_TESTS_CPU_DIFFERENTIAL_CHECK_H_
#define X64SIM_TESTS_CPU_DIFFERENTIAL_CHECK_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cpu/state.h"
#include "tests/cpu/differential_machine.h"
#include "tests/cpu/x86_encoder.h"

namespace x64sim::testing {

struct Expect {
  uint64_t flags = kArithFlags;  // flags compared with the host
  // Flags the SDM leaves undefined for this case: x64sim clears them
  // (cpu/host_flags.h), so they must read 0 on the simulator side.
  uint64_t undefined_flags = 0;
  uint32_t undefined_regs = 0;  // bit per Gpr whose value the SDM leaves undefined
};

inline constexpr uint32_t RegBit(int gpr) { return 1u << gpr; }

class DifferentialChecker {
 public:
  explicit DifferentialChecker(DifferentialMachine& machine) : machine_(machine) {}

  // Runs `in` on both sides and compares registers, flags and the data
  // window. On a mismatch, adds a test failure describing it and returns false.
  bool Check(const std::string& form, const MachineState& in, const Expect& expect);

  // Runs `in` only in x64sim and expects exception `vector` with the
  // instruction's own RIP in the frame and every GPR but RSP unchanged.
  bool CheckSimFault(const std::string& form, const MachineState& in, int vector);

  int64_t runs() const { return runs_; }

 private:
  DifferentialMachine& machine_;
  MachineState native_, sim_;
  int64_t runs_ = 0;
};

// Deterministic operand values.
class Values {
 public:
  explicit Values(uint64_t seed) : rng_(seed) {}
  // 0, 1, 2, width-1, width, width+1, the sign boundaries, -1, -2 and
  // alternating bit patterns, truncated to `size` bytes.
  static std::vector<uint64_t> Edges(int size);
  uint64_t Random(int size);  // uniform, small, or near a sign boundary
  uint64_t Bits64() { return rng_(); }
  // `v` in the low `size` bytes, random bits above (to check they are kept
  // or zeroed as the SDM says).
  uint64_t WithRandomUpper(uint64_t v, int size);
  // Random GPRs (RSP = kStackTop), random arithmetic flags, and data that
  // is random but the same for every state (operands are placed into it).
  MachineState RandomState();
  uint64_t RandomFlags() { return (rng_() & kArithFlags) | kFlagsFixed1; }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::vector<uint8_t> background_;
};

// Where a test puts an operand: a register (AH..BH through `reg.high`) or memory.
struct Place {
  bool is_mem = false;
  Reg reg;
  uint64_t addr = 0;
};

// Writes `v` (its low `size` bytes) to `p`; a register below 64 bits gets
// random bits above the operand.
void Put(MachineState& s, const Place& p, uint64_t v, int size, Values& values);

inline uint64_t Truncate(uint64_t v, int size) {
  return size == 8 ? v : v & ((uint64_t{1} << (8 * size)) - 1);
}

// Registry of distinct instruction forms compared with the host: `name`
// includes the register-class variant (high byte, REX, ...), `base` not.
void CountForm(const std::string& name, const std::string& base);
int FormCount();

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_DIFFERENTIAL_CHECK_H_
