// Threaded dispatch (handlers run the next instruction themselves) and
// block chaining (branches enter the linked block directly) must give
// exactly what running one instruction at a time gives. A retire observer
// makes the CPU step, so a run with one is the reference for a run without.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

using M = LongModeMachine;

class CountingObserver : public RetireObserver {
 public:
  void OnRetire(const DecodedInsn&, uint64_t, uint64_t) override { ++retired; }
  void OnEvent(uint8_t, uint64_t) override {}
  uint64_t retired = 0;
};

void Append32(std::vector<uint8_t>& code, uint32_t v) {
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Nested loops around a call to a function that multiplies, stores and
// loads: 2953 instructions in blocks linked by taken branches, calls and
// returns.
std::vector<uint8_t> NestedLoops() {
  std::vector<uint8_t> code = {
      0xb9, 0x32, 0x00, 0x00, 0x00,  // 0: mov ecx, 50
      0xba, 0x07, 0x00, 0x00, 0x00,  // 5: outer: mov edx, 7
      0x48, 0x01, 0xd0,              // 10: inner: add rax, rdx
      0xe8, 0x0a, 0x00, 0x00, 0x00,  // 13: call f (28)
      0xff, 0xca,                    // 18: dec edx
      0x75, 0xf4,                    // 20: jnz inner
      0xff, 0xc9,                    // 22: dec ecx
      0x75, 0xeb,                    // 24: jnz outer
      0xeb, 0x13,                    // 26: jmp end (47)
      0x48, 0x6b, 0xc0, 0x03,        // 28: f: imul rax, rax, 3
      0x48, 0x89, 0x05,              // 32: mov [rip+d], rax
  };
  Append32(code, static_cast<uint32_t>(M::kData - (M::kCode + 39)));
  code.insert(code.end(), {0x48, 0x8b, 0x1d});  // 39: mov rbx, [rip+d]
  Append32(code, static_cast<uint32_t>(M::kData - (M::kCode + 46)));
  code.push_back(0xc3);  // 46: ret; 47: end (the HLT Run appends)
  return code;
}

struct Result {
  M::Outcome outcome;
  uint64_t retired;
  uint64_t rip, rax, rbx, rcx, rdx;
};

Result RunNestedLoops(bool step, uint64_t max_instructions) {
  M m;
  CountingObserver observer;
  if (step) m.cpu().set_retire_observer(&observer);
  const uint64_t before = m.cpu().instret();
  Result r;
  r.outcome = m.Run(NestedLoops(), max_instructions);
  r.retired = m.cpu().instret() - before;
  if (step) EXPECT_EQ(observer.retired, r.retired);
  const CpuState& s = m.state();
  r.rip = s.rip;
  r.rax = s.gpr[kRax];
  r.rbx = s.gpr[kRbx];
  r.rcx = s.gpr[kRcx];
  r.rdx = s.gpr[kRdx];
  return r;
}

void ExpectSame(const Result& a, const Result& b) {
  EXPECT_EQ(a.outcome.reason, b.outcome.reason);
  EXPECT_EQ(a.retired, b.retired);
  EXPECT_EQ(a.rip, b.rip);
  EXPECT_EQ(a.rax, b.rax);
  EXPECT_EQ(a.rbx, b.rbx);
  EXPECT_EQ(a.rcx, b.rcx);
  EXPECT_EQ(a.rdx, b.rdx);
}

TEST(DispatchTest, ChainedRunMatchesSteppedRun) {
  Result chained = RunNestedLoops(false, 100000);
  Result stepped = RunNestedLoops(true, 100000);
  ASSERT_EQ(chained.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(chained.retired, 2953u);  // 1 + 50 * (1 + 7 * 8 + 2) + jmp + hlt
  EXPECT_EQ(chained.rip, M::kCode + 48);
  ExpectSame(chained, stepped);
}

// The limit falls inside blocks and inside chains of linked blocks: the run
// stops after exactly that many instructions, where stepping stops.
TEST(DispatchTest, InstructionLimitIsExactInsideChains) {
  for (uint64_t limit : {1, 2, 3, 7, 8, 9, 63, 64, 65, 100, 511, 512, 513, 1000, 2952}) {
    SCOPED_TRACE(limit);
    Result chained = RunNestedLoops(false, limit);
    Result stepped = RunNestedLoops(true, limit);
    ASSERT_EQ(chained.outcome.reason, StopReason::kInstructionLimit);
    EXPECT_EQ(chained.retired, limit);
    ExpectSame(chained, stepped);
  }
}

}  // namespace
}  // namespace x64sim::testing
