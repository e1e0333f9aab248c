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

// Every fusable compare form -- CMP and TEST of 8, 32 and 64 bits, between
// registers, with an immediate, and with a memory operand on either side --
// before each of the 16 Jcc, on operands at the edges of signed and
// unsigned ranges. Each case stores b at [rsp-16] and a at [rsp-8] (the
// memory forms compare a register with the first, the second with an
// immediate), records whether the branch was taken (RDX counts
// fall-throughs) and folds the flags into RDI.
struct CompareForm {
  std::vector<uint8_t> bytes;  // the instruction without its immediate
  int immediate_bytes;         // b's low bytes follow
};

const std::vector<CompareForm>& CompareForms() {
  static const std::vector<CompareForm> forms = {
      {{0x48, 0x39, 0xd8}, 0},              // cmp rax, rbx
      {{0x39, 0xd8}, 0},                    // cmp eax, ebx
      {{0x38, 0xd8}, 0},                    // cmp al, bl
      {{0x48, 0x3d}, 4},                    // cmp rax, imm32
      {{0x3d}, 4},                          // cmp eax, imm32
      {{0x3c}, 1},                          // cmp al, imm8
      {{0x48, 0x3b, 0x44, 0x24, 0xf0}, 0},  // cmp rax, [rsp-16]
      {{0x3b, 0x44, 0x24, 0xf0}, 0},        // cmp eax, [rsp-16]
      {{0x3a, 0x44, 0x24, 0xf0}, 0},        // cmp al, [rsp-16]
      {{0x48, 0x39, 0x44, 0x24, 0xf0}, 0},  // cmp [rsp-16], rax
      {{0x39, 0x44, 0x24, 0xf0}, 0},        // cmp [rsp-16], eax
      {{0x38, 0x44, 0x24, 0xf0}, 0},        // cmp [rsp-16], al
      {{0x48, 0x81, 0x7c, 0x24, 0xf8}, 4},  // cmp qword [rsp-8], imm32
      {{0x81, 0x7c, 0x24, 0xf8}, 4},        // cmp dword [rsp-8], imm32
      {{0x80, 0x7c, 0x24, 0xf8}, 1},        // cmp byte [rsp-8], imm8
      {{0x48, 0x85, 0xd8}, 0},              // test rax, rbx
      {{0x85, 0xd8}, 0},                    // test eax, ebx
      {{0x84, 0xd8}, 0},                    // test al, bl
      {{0x48, 0xa9}, 4},                    // test rax, imm32
      {{0xa9}, 4},                          // test eax, imm32
      {{0xa8}, 1},                          // test al, imm8
      {{0x48, 0x85, 0x44, 0x24, 0xf0}, 0},  // test [rsp-16], rax
      {{0x85, 0x44, 0x24, 0xf0}, 0},        // test [rsp-16], eax
      {{0x84, 0x44, 0x24, 0xf0}, 0},        // test [rsp-16], al
      {{0x48, 0xf7, 0x44, 0x24, 0xf8}, 4},  // test qword [rsp-8], imm32
      {{0xf7, 0x44, 0x24, 0xf8}, 4},        // test dword [rsp-8], imm32
      {{0xf6, 0x44, 0x24, 0xf8}, 1},        // test byte [rsp-8], imm8
  };
  return forms;
}

constexpr std::pair<uint64_t, uint64_t> kCompareOperands[] = {
    {0, 0}, {1, 2}, {2, 1}, {5, 5}, {~0ull, 1}, {0x7fffffff, ~0ull},
    {0x80000000, 1}, {0x8000000000000000ull, 1}, {-5ull, 3}, {0x80, 0x7f}, {0x1ff, 0x1ff80},
};

std::vector<uint8_t> CompareAndBranchCases() {
  std::vector<uint8_t> code;
  for (int cond = 0; cond < 16; ++cond) {
    for (const CompareForm& form : CompareForms()) {
      for (auto [a, b] : kCompareOperands) {
        code.insert(code.end(), {0x48, 0xb8});  // mov rax, a
        Append(code, a, 8);
        code.insert(code.end(), {0x48, 0xbb});  // mov rbx, b
        Append(code, b, 8);
        code.insert(code.end(), {0x48, 0x89, 0x5c, 0x24, 0xf0});  // mov [rsp-16], rbx
        code.insert(code.end(), {0x48, 0x89, 0x44, 0x24, 0xf8});  // mov [rsp-8], rax
        code.insert(code.end(), form.bytes.begin(), form.bytes.end());
        Append(code, b, form.immediate_bytes);
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
  Result fused = RunCode(code, false, 1000000);
  Result stepped = RunCode(code, true, 1000000);
  ASSERT_EQ(fused.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(fused.rip, M::kCode + code.size() + 1);
  ExpectSame(fused, stepped);
  // Every case ran: 11 instructions each, less the skipped increments, plus
  // the final HLT; about half the branches were taken. Each case's compare
  // and branch were decoded as one fused pair, which the unobserved run
  // executes as one handler; most pairs more than once, as blocks overlap
  // (a block runs on past a not-taken branch, and another starts at each
  // taken branch's target).
  const uint64_t cases = 16 * CompareForms().size() * std::size(kCompareOperands);
  EXPECT_GE(fused.fused_pairs_decoded, cases);
  EXPECT_EQ(fused.retired, cases * 11 - (cases - fused.gpr[kRdx]) + 1);
  EXPECT_GT(fused.gpr[kRdx], cases / 4);
  EXPECT_LT(fused.gpr[kRdx], cases * 3 / 4);
}

// A fused compare whose memory operand faults raises the fault at the
// compare: nothing of the pair retires, as when it runs alone.
TEST(DispatchTest, FusedCompareFaultsBeforeItsBranch) {
  const uint64_t unmapped = M::kData + 0x5000;
  std::vector<uint8_t> code = {0x48, 0xbb};  // mov rbx, unmapped
  Append(code, unmapped, 8);
  code.insert(code.end(), {0x83, 0x3b, 0x05});  // cmp dword [rbx], 5
  code.insert(code.end(), {0x75, 0x02});        // jne +2
  code.insert(code.end(), {0xff, 0xc2});        // inc edx
  for (bool step : {false, true}) {
    SCOPED_TRACE(step);
    M m;
    m.SetPteFlags(unmapped, 0);
    CountingObserver observer;
    if (step) m.cpu().set_retire_observer(&observer);
    const M::Outcome out = m.Run(code);
    EXPECT_EQ(out.vector, kPageFault);
    EXPECT_EQ(out.error_code, 0u);  // supervisor read of a not-present page
    EXPECT_EQ(out.fault_rip, M::kCode + 10);
    EXPECT_EQ(m.state().cr2, unmapped);
    EXPECT_EQ(m.cpu().fused_pairs_decoded(), 1u);  // stepping runs the pair as two
  }
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
