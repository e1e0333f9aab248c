// Shared pieces of the integer differential tests: the standard register
// and memory operands, and loops that run one encoded form over operand
// values on both sides.
#ifndef X64SIM_TESTS_CPU_DIFFERENTIAL_FORMS_H_
#define X64SIM_TESTS_CPU_DIFFERENTIAL_FORMS_H_

#include <functional>
#include <string>
#include <vector>

#include "tests/cpu/differential_check.h"
#include "tests/cpu/x86_encoder.h"

namespace x64sim::testing {

// Memory operands are [rbx+0x18]; RBX holds kMemBase.
inline constexpr uint64_t kMemBase = kDataAddr + 0x1000;
inline constexpr int32_t kMemDisp = 0x18;
inline constexpr uint64_t kMemAddr = kMemBase + kMemDisp;
inline Mem StandardMem() { return Mem{3 /*rbx*/, kNoReg, 1, kMemDisp}; }
inline Place MemPlace() { return Place{true, {}, kMemAddr}; }
inline Place RegPlace(Reg r) { return Place{false, r, 0}; }

// Register operand pairs (destination, source) for reg-reg forms: plain,
// REX-extended, byte registers needing REX or forbidding it, and one
// register used twice. Never RSP; RBX/BH only where no memory operand is.
struct RegPair {
  Reg dst, src;
  const char* tag;
};
std::vector<RegPair> RegPairs(int size);
// Registers for the register side of reg-mem forms (no RBX, no BH).
std::vector<std::pair<Reg, const char*>> MemSideRegs(int size);

// One test fixture's worth of machinery.
struct Differential {
  DifferentialMachine machine;
  DifferentialChecker checker{machine};
  Values values{0x5eed};

  // A state with random GPRs, flags and data, and RBX = kMemBase.
  MachineState Fresh() {
    MachineState s = values.RandomState();
    s.gpr[3] = kMemBase;
    return s;
  }
};

// Runs `code` for every (a, b) in edge x edge values (or, without
// `all_edge_pairs`, each edge once against a rotating partner) plus
// `random_pairs` random pairs of `size`, placing a at `dst` and b at `src`
// (skipped if `src` is null), with CF both clear and set when
// `both_carries`. Returns false after the first mismatch (already reported).
bool RunPairs(Differential& d, const std::string& form, const std::vector<uint8_t>& code,
              const Place& dst, const Place* src, int size, const Expect& expect,
              bool both_carries, int random_pairs = 48, bool all_edge_pairs = true);

// Sets a[i] for values of `size` (edges, then random), `random` of them.
std::vector<uint64_t> OperandValues(Values& v, int size, int random);

// Names a form, "add r/m32,r32 reg" + " rex", and counts it in the registry.
std::string FormName(const std::string& text, const std::string& kind);

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_DIFFERENTIAL_FORMS_H_
