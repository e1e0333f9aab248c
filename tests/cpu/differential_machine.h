// The host CPU and x64sim side by side for general-register instructions.
//
// Both run the same bytes at the same linear address: a 24 KiB window at
// kWindow is mapped RWX in this process and identity-mapped in the
// simulated machine, so RIP-relative operands, CALL/RET, PUSH/POP and
// absolute addresses mean the same thing on both sides. A test sets all
// sixteen GPRs, the arithmetic flags and the data window, runs a snippet
// that ends with `jmp [kExitSlot]`, and compares everything afterwards.
#ifndef X64SIM_TESTS_CPU_DIFFERENTIAL_MACHINE_H_
#define X64SIM_TESTS_CPU_DIFFERENTIAL_MACHINE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {

inline constexpr uint64_t kWindow = 0xc00000;
inline constexpr uint64_t kCodeAddr = kWindow;             // the snippet (one page)
inline constexpr uint64_t kDataAddr = kWindow + 0x1000;    // data and stack, compared
inline constexpr uint64_t kDataBytes = 0x4000;
inline constexpr uint64_t kStackTop = kDataAddr + kDataBytes - 0x100;
inline constexpr uint64_t kControlAddr = kWindow + 0x5000;  // runner's own page, not compared
inline constexpr uint64_t kExitSlot = kControlAddr + 0x98;  // holds where `jmp [slot]` goes
inline constexpr uint64_t kWindowBytes = 0x6000;

// `jmp qword [kExitSlot]` (FF /4, SIB absolute disp32): leaves every
// register and flag as it is.
std::vector<uint8_t> ExitJump();

struct MachineState {
  uint64_t gpr[16] = {};  // Gpr order: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15
  uint64_t rflags = 2;
  std::vector<uint8_t> data = std::vector<uint8_t>(kDataBytes);

  uint64_t Load(uint64_t addr, int size) const;  // from `data`, little-endian
  void Store(uint64_t addr, uint64_t value, int size);
};

struct SimOutcome {
  bool clean = false;  // reached the exit jump's HLT
  int vector = -1;     // exception taken, else -1
  uint64_t error_code = 0;
  uint64_t fault_rip = 0;
  std::string detail;  // the stop description when neither of the above
};

class DifferentialMachine {
 public:
  DifferentialMachine();

  // Installs `code` followed by ExitJump() at kCodeAddr on both sides.
  void SetCode(const std::vector<uint8_t>& code);
  // Installs `code` as is (it must end in ExitJump() on every path).
  void SetRawCode(const std::vector<uint8_t>& code);

  void RunNative(const MachineState& in, MachineState* out);
  SimOutcome RunSim(const MachineState& in, MachineState* out);

  LongModeMachine& sim() { return sim_; }

 private:
  LongModeMachine sim_;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_DIFFERENTIAL_MACHINE_H_
