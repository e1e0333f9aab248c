// In 64-bit mode a memory operand at a non-canonical address faults before
// anything is read or written: #SS(0) when it references SS, #GP(0)
// otherwise (SDM vol. 3A 6.15 and the 64-bit mode exceptions of each
// instruction in vol. 2). Which segment an operand references comes from
// its base, RSP or RBP meaning SS: the CS, DS, ES and SS override prefixes
// are ignored in 64-bit mode (SDM vol. 1 3.3.7.1), so `ss: [rbx]` is #GP
// and `ds: [rbp]` #SS. String instructions reference their source through
// DS and their destination through ES.
//
// Each case runs natively too (Linux reports the vector in the signal
// context's REG_TRAPNO), and the host must agree.
#include <cstdint>
#include <iterator>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/native_runner.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr uint64_t kNonCanonical = 0x0000800000000000;  // the first above the lower half
constexpr uint64_t kLastLowDword = 0x00007ffffffffffc;  // 8 bytes here cross into it

struct Case {
  const char* name;
  std::vector<uint8_t> insn;
  uint64_t a;  // RBP, RBX and RSI
  uint64_t b;  // RDI
  int vector;  // what the SDM says
};

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"mov rax, [rbp+8]", {0x48, 0x8b, 0x45, 0x08}, kNonCanonical, 0, kStackFault},
      {"mov [rbp-8], rax", {0x48, 0x89, 0x45, 0xf8}, kNonCanonical + 8, 0, kStackFault},
      {"mov rax, [rbp] crossing out of the lower half", {0x48, 0x8b, 0x45, 0x00}, kLastLowDword,
       0, kStackFault},
      {"mov rax, [rbx]", {0x48, 0x8b, 0x03}, kNonCanonical, 0, kGeneralProtection},
      {"mov rax, [rbx+rbp]", {0x48, 0x8b, 0x04, 0x2b}, kNonCanonical / 2, 0, kGeneralProtection},
      {"mov rax, [rbp+rbx]", {0x48, 0x8b, 0x44, 0x1d, 0x00}, kNonCanonical / 2, 0, kStackFault},
      {"mov rax, ss:[rbx]", {0x36, 0x48, 0x8b, 0x03}, kNonCanonical, 0, kGeneralProtection},
      {"mov rax, ds:[rbp]", {0x3e, 0x48, 0x8b, 0x45, 0x00}, kNonCanonical, 0, kStackFault},
      {"mov qword [rbp], 0", {0x48, 0xc7, 0x45, 0x00, 0, 0, 0, 0}, kNonCanonical, 0, kStackFault},
      {"add [rbp], eax", {0x01, 0x45, 0x00}, kNonCanonical, 0, kStackFault},
      {"movsd xmm0, [rbp-8]", {0xf2, 0x0f, 0x10, 0x45, 0xf8}, kNonCanonical + 8, 0, kStackFault},
      {"push qword [rbp]", {0xff, 0x75, 0x00}, kNonCanonical, 0, kStackFault},
      {"lodsq", {0x48, 0xad}, kNonCanonical, 0, kGeneralProtection},
      {"ss lodsq", {0x36, 0x48, 0xad}, kNonCanonical, 0, kGeneralProtection},
      {"stosq", {0x48, 0xab}, 0, kNonCanonical, kGeneralProtection},
  };
  return *cases;
}

// push rbp; push rbx; mov rbp, rsi; mov rbx, rsi; INSN; pop rbx; pop rbp.
std::vector<uint8_t> NativeBytes(const std::vector<uint8_t>& insn) {
  constexpr uint8_t kPrologue[] = {0x55, 0x53, 0x48, 0x89, 0xf5, 0x48, 0x89, 0xf3};
  constexpr uint8_t kEpilogue[] = {0x5b, 0x5d};
  std::vector<uint8_t> code;
  code.reserve(sizeof(kPrologue) + insn.size() + sizeof(kEpilogue));
  code.insert(code.end(), std::begin(kPrologue), std::end(kPrologue));
  code.insert(code.end(), insn.begin(), insn.end());
  code.insert(code.end(), std::begin(kEpilogue), std::end(kEpilogue));
  return code;
}

// The vector the host raised, or -1 if the instruction ran.
long HostVector(const Case& c) {
  RegisterImage image = {};
  image.rsi = c.a;
  image.rdi = c.b;
  image.rflags = 0x2;
  return RunCatchingFaults(NativeCode(NativeBytes(c.insn)), &image).vector;
}

TEST(NoncanonicalOperandTest, StackFaultThroughSsGeneralProtectionOtherwise) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    M m;
    m.SetGate(kStackFault, 0, 1);
    m.SetGate(kGeneralProtection, 0, 1);
    m.state().gpr[kRbp] = m.state().gpr[kRbx] = m.state().gpr[kRsi] = c.a;
    m.state().gpr[kRdi] = c.b;
    m.state().gpr[kRax] = 0x1122334455667788;
    std::vector<uint8_t> code = c.insn;
    code.push_back(0xf4);  // hlt
    m.Load(M::kCode, code);
    const M::Result r = m.RunFrom(M::kCode);
    EXPECT_EQ(r.outcome.vector, c.vector);
    EXPECT_EQ(r.outcome.fault_rip, M::kCode);
    EXPECT_EQ(r.outcome.error_code, 0u);
    EXPECT_EQ(m.state().gpr[kRsi], c.a) << "nothing committed";
    EXPECT_EQ(m.state().gpr[kRdi], c.b);
    EXPECT_EQ(m.state().gpr[kRax], 0x1122334455667788u);
    EXPECT_EQ(HostVector(c), c.vector) << "the host disagrees";
  }
}

}  // namespace
}  // namespace x64sim::testing
