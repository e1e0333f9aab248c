// Conditions and near control transfers against the host CPU: Jcc (rel8 and
// rel32), SETcc and CMOVcc for all 16 conditions under all 64 combinations
// of the arithmetic flags; JMP/CALL relative and indirect, RET (imm16),
// LOOP/LOOPE/LOOPNE and JrCXZ. A branch's outcome is visible in R11: the
// fall-through path sets it to 1, the taken path to 2.
#include <string>

#include "gtest/gtest.h"
#include "tests/cpu/differential_forms.h"

namespace x64sim::testing {
namespace {

const char* const kConditionNames[16] = {"o", "no", "b",  "ae", "e", "ne", "be", "a",
                                         "s", "ns", "p",  "np", "l", "ge", "le", "g"};

// `mov r11d, k` then the exit jump: 13 bytes.
std::vector<uint8_t> Tail(uint32_t k) {
  std::vector<uint8_t> t = EncodeOpReg({0xb8}, Reg{11, 4}, 4, k, 4);
  std::vector<uint8_t> exit = ExitJump();
  t.insert(t.end(), exit.begin(), exit.end());
  return t;
}
const int kTailBytes = static_cast<int>(Tail(0).size());

// `insn`, the fall-through tail, then the taken tail.
std::vector<uint8_t> Branchy(const std::vector<uint8_t>& insn) {
  std::vector<uint8_t> code = insn;
  for (uint32_t k : {1u, 2u}) {
    std::vector<uint8_t> t = Tail(k);
    code.insert(code.end(), t.begin(), t.end());
  }
  return code;
}

// Address of the taken tail after an instruction of `length` bytes.
uint64_t TakenTarget(size_t length) { return kCodeAddr + length + kTailBytes; }

// The six arithmetic flags from the bits of `i` (0..63).
uint64_t FlagCombination(int i) {
  const uint64_t bits[] = {kCF, kPF, kAF, kZF, kSF, kOF};
  uint64_t f = kFlagsFixed1;
  for (int b = 0; b < 6; ++b) {
    if (i & (1 << b)) f |= bits[b];
  }
  return f;
}

class ControlDifferentialTest : public ::testing::Test {
 protected:
  // Installs `code` as is and runs every flag combination.
  bool RunAllFlags(const std::string& form, const std::vector<uint8_t>& code,
                   const std::function<void(MachineState&)>& prepare = nullptr) {
    d.machine.SetRawCode(code);
    for (int i = 0; i < 64; ++i) {
      MachineState s = d.Fresh();
      s.rflags = FlagCombination(i);
      if (prepare) prepare(s);
      if (!d.checker.Check(form, s, Expect{})) return false;
    }
    return true;
  }
  // Installs `code` (ending in its own tails) and runs `n` prepared states.
  bool RunStates(const std::string& form, const std::vector<uint8_t>& code, int n,
                 const std::function<void(MachineState&)>& prepare) {
    d.machine.SetRawCode(code);
    for (int i = 0; i < n; ++i) {
      MachineState s = d.Fresh();
      prepare(s);
      if (!d.checker.Check(form, s, Expect{})) return false;
    }
    return true;
  }

  Differential d;
};

TEST_F(ControlDifferentialTest, ConditionalJumps) {
  for (int cc = 0; cc < 16; ++cc) {
    const std::string name = std::string("j") + kConditionNames[cc];
    std::vector<uint8_t> rel8 = {static_cast<uint8_t>(0x70 + cc), static_cast<uint8_t>(kTailBytes)};
    std::vector<uint8_t> rel32 = EncodePlain({0x0f, static_cast<uint8_t>(0x80 + cc)}, 4, kTailBytes, 4);
    EXPECT_TRUE(RunAllFlags(FormName(name + " rel8", ""), Branchy(rel8)));
    EXPECT_TRUE(RunAllFlags(FormName(name + " rel32", ""), Branchy(rel32)));
  }
}

TEST_F(ControlDifferentialTest, SetAndMoveOnCondition) {
  for (int cc = 0; cc < 16; ++cc) {
    const std::string set = std::string("set") + kConditionNames[cc];
    const std::vector<std::pair<Rm, std::string>> dsts = {
        {Rm::R(Reg{0, 1}), "low"},   {Rm::R(Reg{0, 1, true}), "high"},
        {Rm::R(Reg{6, 1}), "rex"},   {Rm::R(Reg{10, 1}), "ext"},
        {Rm::M(StandardMem()), ""}};
    for (const auto& [rm, kind] : dsts) {
      std::vector<uint8_t> code = Encode({{}, 4, {0x0f, static_cast<uint8_t>(0x90 + cc)}, {}, 0, rm});
      std::vector<uint8_t> exit = ExitJump();
      code.insert(code.end(), exit.begin(), exit.end());
      EXPECT_TRUE(RunAllFlags(FormName(set + (rm.is_mem ? " r/m8 mem" : " r/m8 reg"), kind), code));
    }
    const std::string cmov = std::string("cmov") + kConditionNames[cc];
    for (int size : {2, 4, 8}) {
      for (bool mem : {false, true}) {
        std::vector<uint8_t> code =
            Encode({{}, size, {0x0f, static_cast<uint8_t>(0x40 + cc)}, Reg{9, size}, -1,
                    mem ? Rm::M(StandardMem()) : Rm::R(Reg{2, size})});
        std::vector<uint8_t> exit = ExitJump();
        code.insert(code.end(), exit.begin(), exit.end());
        // A 32-bit CMOV zero-extends its destination even when it does not move.
        EXPECT_TRUE(RunAllFlags(
            FormName(cmov + " r" + std::to_string(8 * size) + ",r/m" + std::to_string(8 * size),
                     mem ? "mem" : "reg"),
            code));
      }
    }
  }
}

TEST_F(ControlDifferentialTest, JumpsCallsAndReturns) {
  auto none = [](MachineState&) {};
  // Relative forms always take the taken tail.
  EXPECT_TRUE(RunStates(FormName("jmp rel8", ""), Branchy({0xeb, static_cast<uint8_t>(kTailBytes)}), 4, none));
  EXPECT_TRUE(RunStates(FormName("jmp rel32", ""), Branchy(EncodePlain({0xe9}, 4, kTailBytes, 4)), 4, none));
  EXPECT_TRUE(RunStates(FormName("call rel32", ""), Branchy(EncodePlain({0xe8}, 4, kTailBytes, 4)), 4, none));
  // Indirect through a register or memory: the target is either tail.
  struct Indirect {
    const char* name;
    int digit;
  };
  for (Indirect ind : {Indirect{"jmp", 4}, Indirect{"call", 2}}) {
    for (int r : {0, 12}) {
      std::vector<uint8_t> insn = Encode({{}, 4, {0xff}, {}, ind.digit, Rm::R(Reg{r, 8})});
      EXPECT_TRUE(RunStates(FormName(std::string(ind.name) + " r/m64 reg", r >= 8 ? "ext" : "low"),
                            Branchy(insn), 8, [&](MachineState& s) {
                              s.gpr[r] = d.values.Bits64() & 1 ? TakenTarget(insn.size())
                                                               : kCodeAddr + insn.size();
                            }));
    }
    std::vector<uint8_t> insn = Encode({{}, 4, {0xff}, {}, ind.digit, Rm::M(StandardMem())});
    EXPECT_TRUE(RunStates(FormName(std::string(ind.name) + " r/m64 mem", ""), Branchy(insn), 8,
                          [&](MachineState& s) {
                            s.Store(kMemAddr,
                                    d.values.Bits64() & 1 ? TakenTarget(insn.size())
                                                          : kCodeAddr + insn.size(),
                                    8);
                          }));
  }
  // RET and RET imm16 pop the taken tail's address.
  for (uint16_t release : {0, 8, 0x18}) {
    std::vector<uint8_t> insn = release ? EncodePlain({0xc2}, 4, release, 2) : std::vector<uint8_t>{0xc3};
    EXPECT_TRUE(RunStates(FormName(release ? "ret imm16" : "ret", release ? std::to_string(release) : ""),
                          Branchy(insn), 4, [&](MachineState& s) {
                            s.Store(kStackTop, TakenTarget(insn.size()), 8);
                          }));
  }
}

TEST_F(ControlDifferentialTest, LoopsAndCounterJumps) {
  struct Loop {
    const char* name;
    std::vector<uint8_t> opcode;  // 0x67 selects ECX
  };
  const Loop loops[] = {{"loop", {0xe2}},   {"loope", {0xe1}},       {"loopne", {0xe0}},
                        {"jrcxz", {0xe3}},  {"loop ecx", {0x67, 0xe2}}, {"loopne ecx", {0x67, 0xe0}},
                        {"jecxz", {0x67, 0xe3}}};
  const uint64_t counts[] = {0, 1, 2, 0x100000000ull, 0x100000001ull, 0xffffffffull, ~uint64_t{0}};
  for (const Loop& l : loops) {
    std::vector<uint8_t> insn = l.opcode;
    insn.push_back(static_cast<uint8_t>(kTailBytes));
    d.machine.SetRawCode(Branchy(insn));
    const std::string form = FormName(l.name, "");
    bool ok = true;
    for (uint64_t rcx : counts) {
      for (uint64_t zf : {uint64_t{0}, kZF}) {
        MachineState s = d.Fresh();
        s.gpr[1] = rcx;
        s.rflags = (s.rflags & ~kZF) | zf;
        ok = ok && d.checker.Check(form, s, Expect{});
      }
    }
    EXPECT_TRUE(ok);
  }
}

}  // namespace
}  // namespace x64sim::testing
