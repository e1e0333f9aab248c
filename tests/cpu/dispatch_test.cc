// Threaded dispatch (handlers run the next instruction themselves), block
// chaining (branches enter the linked block directly) and compare-and-branch
// fusion must give exactly what running one instruction at a time gives. A
// retire observer makes the CPU step (and run fused pairs as two
// instructions), so a run with one is the reference for a run without. The
// CPU's counters show that the run without one really chained and fused.
#include <cstdint>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/test_code.h"

namespace x64sim::testing {
namespace {

using M = LongModeMachine;

class CountingObserver : public RetireObserver {
 public:
  void OnRetire(const DecodedInsn&, uint64_t, uint64_t) override { ++retired; }
  void OnEvent(uint8_t, uint64_t) override {}
  uint64_t retired = 0;
};

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
  Append(code, static_cast<uint32_t>(M::kData - (M::kCode + 39)), 4);
  code.insert(code.end(), {0x48, 0x8b, 0x1d});  // 39: mov rbx, [rip+d]
  Append(code, static_cast<uint32_t>(M::kData - (M::kCode + 46)), 4);
  code.push_back(0xc3);  // 46: ret; 47: end (the HLT Run appends)
  return code;
}

struct Result {
  M::Outcome outcome;
  uint64_t retired;
  uint64_t chained_blocks;       // entered by a branch through a link
  uint64_t fused_pairs_decoded;  // compare-and-branch pairs made one handler
  uint64_t rip, rflags;
  uint64_t gpr[16];
};

Result RunCode(const std::vector<uint8_t>& code, bool step, uint64_t max_instructions) {
  M m;
  CountingObserver observer;
  if (step) m.cpu().set_retire_observer(&observer);
  const uint64_t before = m.cpu().instret();
  Result r;
  r.outcome = m.Run(code, max_instructions);
  r.retired = m.cpu().instret() - before;
  r.chained_blocks = m.cpu().chained_blocks();
  r.fused_pairs_decoded = m.cpu().fused_pairs_decoded();
  if (step) {
    EXPECT_EQ(observer.retired, r.retired);
  }
  const CpuState& s = m.state();
  r.rip = s.rip;
  r.rflags = s.rflags;
  for (int i = 0; i < 16; ++i) r.gpr[i] = s.gpr[i];
  return r;
}

void ExpectSame(const Result& a, const Result& b) {
  EXPECT_EQ(a.outcome.reason, b.outcome.reason);
  EXPECT_EQ(a.retired, b.retired);
  EXPECT_EQ(a.rip, b.rip);
  EXPECT_EQ(a.rflags, b.rflags);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(a.gpr[i], b.gpr[i]) << "gpr " << i;
}

TEST(DispatchTest, ChainedRunMatchesSteppedRun) {
  Result chained = RunCode(NestedLoops(), false, 100000);
  Result stepped = RunCode(NestedLoops(), true, 100000);
  ASSERT_EQ(chained.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(chained.retired, 2953u);  // 1 + 50 * (1 + 7 * 8 + 2) + jmp + hlt
  EXPECT_EQ(chained.rip, M::kCode + 48);
  ExpectSame(chained, stepped);
  // Each of the 350 inner iterations enters three blocks (add+call, f,
  // dec+jnz...); all but a few (first entries, a new chain every 512
  // instructions) follow links without the loop: 1038 today. Stepping
  // never chains.
  EXPECT_GT(chained.chained_blocks, 1000u);
  EXPECT_EQ(stepped.chained_blocks, 0u);
}

// A loop calling one function from four call sites: its RET goes to four
// places in turn, more than a block's two links remember.
std::vector<uint8_t> FourCallSites() {
  constexpr int kF = 31;
  std::vector<uint8_t> code = {0xb9, 0x64, 0x00, 0x00, 0x00};  // 0: mov ecx, 100
  for (int site = 0; site < 4; ++site) {                       // 5, 10, 15, 20: call f
    code.push_back(0xe8);
    Append(code, static_cast<uint32_t>(kF - static_cast<int>(code.size() + 4)), 4);
  }
  code.insert(code.end(), {
                              0xff, 0xc9,              // 25: dec ecx
                              0x75, 0xe8,              // 27: jnz 5
                              0xeb, 0x05,              // 29: jmp 36
                              0x48, 0x83, 0xc0, 0x01,  // 31: f: add rax, 1
                              0xc3,                    // 35: ret; 36: (the HLT Run appends)
                          });
  return code;
}

// A branch whose link misses enters the block the block table holds for
// its target without going back to the run loop, and links it.
TEST(DispatchTest, BranchesWhoseLinkMissesStillChain) {
  Result chained = RunCode(FourCallSites(), false, 100000);
  Result stepped = RunCode(FourCallSites(), true, 100000);
  ASSERT_EQ(chained.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(chained.gpr[kRax], 400u);
  EXPECT_EQ(chained.rip, M::kCode + 37);
  ExpectSame(chained, stepped);
  // 100 iterations enter nine blocks each (four calls, four times f, the
  // loop's DEC and JNZ). Following links alone, each RET would miss: only
  // 500 would chain.
  EXPECT_GT(chained.chained_blocks, 850u);
}

// Every fusable compare form (CMP and TEST; 32 and 64 bits; register and
// immediate) before each of the 16 Jcc, on operands at the edges of signed
// and unsigned ranges. Each case records whether the branch was taken (RDX
// counts fall-throughs) and folds the flags into RDI.
std::vector<uint8_t> CompareAndBranchCases() {
  const std::vector<std::vector<uint8_t>> compares = {
      {0x48, 0x39, 0xd8},  // cmp rax, rbx
      {0x39, 0xd8},        // cmp eax, ebx
      {0x48, 0x3d},        // cmp rax, imm32
      {0x3d},              // cmp eax, imm32
      {0x48, 0x85, 0xd8},  // test rax, rbx
      {0x85, 0xd8},        // test eax, ebx
      {0x48, 0xa9},        // test rax, imm32
      {0xa9},              // test eax, imm32
  };
  const std::pair<uint64_t, uint64_t> operands[] = {
      {0, 0}, {1, 2}, {2, 1}, {5, 5}, {~0ull, 1}, {0x7fffffff, ~0ull},
      {0x80000000, 1}, {0x8000000000000000ull, 1}, {-5ull, 3},
  };
  std::vector<uint8_t> code;
  for (int cond = 0; cond < 16; ++cond) {
    for (const std::vector<uint8_t>& compare : compares) {
      const bool immediate = compare.back() == 0x3d || compare.back() == 0xa9;
      for (auto [a, b] : operands) {
        code.insert(code.end(), {0x48, 0xb8});  // mov rax, a
        Append(code, a, 8);
        code.insert(code.end(), {0x48, 0xbb});  // mov rbx, b
        Append(code, b, 8);
        code.insert(code.end(), compare.begin(), compare.end());
        if (immediate) Append(code, static_cast<uint32_t>(b), 4);
        code.insert(code.end(), {0x0f, static_cast<uint8_t>(0x80 + cond)});  // jcc +3
        Append(code, 3, 4);
        code.insert(code.end(), {0x48, 0xff, 0xc2});  // inc rdx (skipped when taken)
        code.insert(code.end(), {0x9c, 0x5e});        // pushfq; pop rsi
        code.insert(code.end(), {0x48, 0xc1, 0xc7, 0x05, 0x48, 0x31, 0xf7});  // rol rdi, 5; xor rdi, rsi
      }
    }
  }
  return code;
}

TEST(DispatchTest, FusedCompareAndBranchMatchesSteppedRun) {
  const std::vector<uint8_t> code = CompareAndBranchCases();
  Result fused = RunCode(code, false, 100000);
  Result stepped = RunCode(code, true, 100000);
  ASSERT_EQ(fused.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(fused.rip, M::kCode + code.size() + 1);
  ExpectSame(fused, stepped);
  // Every case ran: 16 * 8 * 9 cases of 9 instructions, less the skipped
  // increments, plus the final HLT; about half the branches were taken.
  // Each case's compare and branch were decoded as one fused pair, which
  // the unobserved run executes as one handler; most pairs more than once,
  // as blocks overlap (a block runs on past a not-taken branch, and another
  // starts at each taken branch's target).
  const uint64_t cases = 16 * 8 * 9;
  EXPECT_GE(fused.fused_pairs_decoded, cases);
  EXPECT_EQ(fused.retired, cases * 9 - (cases - fused.gpr[kRdx]) + 1);
  EXPECT_GT(fused.gpr[kRdx], cases / 4);
  EXPECT_LT(fused.gpr[kRdx], cases * 3 / 4);
}

// An instruction limit that falls between a compare and its branch stops
// after the compare, as stepping does.
TEST(DispatchTest, InstructionLimitCanSplitAFusedPair) {
  const std::vector<uint8_t> code = CompareAndBranchCases();
  for (uint64_t limit : {3, 4, 5, 11, 12, 13}) {
    SCOPED_TRACE(limit);
    Result fused = RunCode(code, false, limit);
    Result stepped = RunCode(code, true, limit);
    ASSERT_EQ(fused.outcome.reason, StopReason::kInstructionLimit);
    EXPECT_EQ(fused.retired, limit);
    EXPECT_GT(fused.fused_pairs_decoded, 0u);  // the pair split is a fused one
    ExpectSame(fused, stepped);
  }
}

// The limit falls inside blocks and inside chains of linked blocks: the run
// stops after exactly that many instructions, where stepping stops.
TEST(DispatchTest, InstructionLimitIsExactInsideChains) {
  for (uint64_t limit : {1, 2, 3, 7, 8, 9, 63, 64, 65, 100, 511, 512, 513, 1000, 2952}) {
    SCOPED_TRACE(limit);
    Result chained = RunCode(NestedLoops(), false, limit);
    Result stepped = RunCode(NestedLoops(), true, limit);
    ASSERT_EQ(chained.outcome.reason, StopReason::kInstructionLimit);
    EXPECT_EQ(chained.retired, limit);
    // Blocks that could end past the limit are stepped, so the run chains
    // only when the limit leaves room for a block or more before it.
    if (limit >= 100) {
      EXPECT_GT(chained.chained_blocks, 0u);
    }
    ExpectSame(chained, stepped);
  }
}

}  // namespace
}  // namespace x64sim::testing
