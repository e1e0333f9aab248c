// Debug features where they meet event delivery (SDM vol. 3B 17.3.1): the
// RF an interrupt pushes between two iterations of a REP string
// instruction, and data breakpoints hit by the accesses an exception's or
// interrupt's delivery makes, reported as a #DB trap at the handler's entry.
#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr int kVector = 20;  // the external interrupt the tests deliver
constexpr uint64_t kHandler = M::kStubs + 16 * kVector;
constexpr uint64_t kRipSlot = M::kStackTop - 40;  // where a same-privilege event pushes RIP

// Delivers kVector once, at the loop's `poll`-th look at interrupts (the
// loop looks between blocks and between the slices of a REP instruction).
class InterruptAtPoll : public InterruptController {
 public:
  explicit InterruptAtPoll(int poll) : poll_(poll) {}
  int PendingVector(uint64_t) override { return !delivered_ && ++polls_ == poll_ ? kVector : -1; }
  void Acknowledge(int) override { delivered_ = true; }
  uint64_t NextEventCycle() override { return delivered_ ? UINT64_MAX : 0; }

 private:
  int poll_;
  int polls_ = 0;
  bool delivered_ = false;
};

enum BreakOn { kExecute = 0, kWrite = 1, kReadWrite = 3 };

void Arm(M& m, int n, uint64_t address, BreakOn on, int bytes) {
  const uint64_t len = bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 8 ? 2 : 3;
  m.state().dr[n] = address;
  m.state().dr7 |= (uint64_t{1} << (2 * n)) | (uint64_t{on} << (16 + 4 * n)) | (len << (18 + 4 * n));
  m.cpu().UpdateBreakpoints();
}

// jmp $+2 (a block boundary, where the loop looks), REP STOSB over 16 bytes
// in slices of 4, then `tail`.
constexpr uint64_t kRep = M::kCode + 2;
void LoadRepStos(M& m, InterruptAtPoll& interrupts, const std::vector<uint8_t>& tail) {
  std::vector<uint8_t> code = {0xeb, 0x00, 0xf3, 0xaa};
  code.insert(code.end(), tail.begin(), tail.end());
  m.Load(M::kCode, code);
  m.cpu().set_interrupt_controller(&interrupts);
  m.cpu().set_rep_slice(4);
  m.cpu().SetRflags(m.state().rflags | kIF);
  m.state().gpr[kRdi] = M::kData;
  m.state().gpr[kRcx] = 16;
  m.state().gpr[kRax] = 0x5a;
}

// Polls: 1 at the start, 2 before the first iteration, 3-5 after 4, 8 and
// 12 elements, 6 when the JMP behind it has brought RIP back to it with
// RCX = 0: only 3-5 are between two iterations.
TEST(BreakpointEventTest, InterruptBetweenRepIterationsPushesRf) {
  struct Case {
    int poll;
    uint64_t rcx;
    bool rf;
  };
  for (Case c : {Case{2, 16, false}, Case{3, 12, true}, Case{5, 4, true}, Case{6, 0, false}}) {
    SCOPED_TRACE(c.poll);
    M m;
    InterruptAtPoll interrupts(c.poll);
    LoadRepStos(m, interrupts, {0xeb, 0xfc});  // jmp kRep
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kVector);
    EXPECT_EQ(r.frame.rip, kRep);
    EXPECT_EQ(m.state().gpr[kRcx], c.rcx);
    EXPECT_EQ((r.frame.rflags & kRF) != 0, c.rf);
    EXPECT_FALSE(m.state().rflags & kRF);  // the handler runs without it
  }
}

// A run that ends between two slices (each counts towards the limit) and
// is saved there: the restored core still knows the REP paused, and an
// interrupt taken at once pushes RF = 1.
TEST(BreakpointEventTest, RepPauseSurvivesACheckpoint) {
  M saved;
  InterruptAtPoll none(0);
  LoadRepStos(saved, none, {0xf4});
  M::Result r = saved.RunFrom(M::kCode, 2);
  ASSERT_EQ(r.outcome.reason, StopReason::kInstructionLimit);
  ASSERT_EQ(saved.state().gpr[kRcx], 12u);
  StateArchive out = StateArchive::ForSaving();
  saved.cpu().SerializeArchitecture(out, /*model_state_follows=*/false);
  saved.cpu().SerializeCaches(out);

  M loaded;
  InterruptAtPoll now(1);
  loaded.Load(M::kCode, {0xeb, 0x00, 0xf3, 0xaa, 0xf4});
  StateArchive in = StateArchive::ForLoading(out.bytes());
  loaded.cpu().SerializeArchitecture(in, false);
  loaded.cpu().SerializeCaches(in);
  ASSERT_TRUE(in.ok()) << in.error();
  loaded.cpu().set_interrupt_controller(&now);
  r = loaded.RunFrom(kRep);
  ASSERT_EQ(r.outcome.vector, kVector);
  EXPECT_EQ(r.frame.rip, kRep);
  EXPECT_TRUE(r.frame.rflags & kRF);
}

// The handler arms an instruction breakpoint on the REP instruction it
// interrupted and returns with IRETQ: RF in the image lets the instruction
// finish without breaking (SDM vol. 3B 17.3.1.1).
TEST(BreakpointEventTest, IretqResumesTheRepWithoutBreakingOnIt) {
  M m;
  InterruptAtPoll interrupts(3);
  LoadRepStos(m, interrupts, {0xf4});  // hlt
  m.Load(kHandler, {
                       0x41, 0x0f, 0x23, 0xc0,  // mov dr0, r8
                       0x41, 0x0f, 0x23, 0xf9,  // mov dr7, r9
                       0x49, 0xff, 0xc7,        // inc r15
                       0x48, 0xcf,              // iretq
                   });
  m.state().gpr[kR8] = kRep;
  m.state().gpr[kR9] = kDr7Fixed | 1;  // L0, execute, 1 byte
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.vector, -1);
  EXPECT_EQ(m.state().rip, kRep + 3);  // after the HLT behind it
  EXPECT_EQ(m.state().gpr[kR15], 1u);
  EXPECT_EQ(m.state().gpr[kRcx], 0u);
  EXPECT_EQ(m.Get64(M::kData + 8), 0x5a5a5a5a5a5a5a5au);
  EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 0u);
}

// INT n, INT3, INT1 and a page fault push RIP at kRipSlot; a write
// breakpoint there is a #DB trap once the delivery is complete, naming the
// handler's first instruction (its frame is pushed below the first).
TEST(BreakpointEventTest, DeliveryWritingAWatchedSlotTrapsAtTheHandler) {
  struct Case {
    const char* name;
    std::vector<uint8_t> code;
    int vector;
    uint64_t pushed_rip;
  };
  const std::vector<Case> cases = {
      {"int 0x14", {0xcd, kVector, 0xf4}, kVector, M::kCode + 2},
      {"int3", {0xcc, 0xf4}, kBreakpoint, M::kCode + 1},
      {"int1", {0xf1, 0xf4}, kDebug, M::kCode + 1},
      {"page fault", {0x88, 0x03, 0xf4}, kPageFault, M::kCode},  // mov [rbx], al
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (bool watched : {false, true}) {
      M m;
      m.Load(M::kCode, c.code);
      m.state().gpr[kRbx] = 0x2000000;  // not mapped
      if (watched) Arm(m, 1, kRipSlot, kWrite, 8);
      M::Result r = m.RunFrom(M::kCode);
      EXPECT_EQ(m.Get64(kRipSlot), c.pushed_rip);
      if (!watched) {
        EXPECT_EQ(r.outcome.vector, c.vector);
        continue;
      }
      ASSERT_EQ(r.outcome.vector, kDebug);
      EXPECT_EQ(r.frame.rip, M::kStubs + 16 * c.vector);
      EXPECT_LT(r.frame.address, kRipSlot - 24);
      EXPECT_EQ(m.state().dr6 & (kDr6B0ToB3 | kDr6Bs), 2u);
      EXPECT_FALSE(r.frame.rflags & kRF);
    }
  }
}

// The gate read from the IDT hits a read/write breakpoint on it.
TEST(BreakpointEventTest, IdtReadOfTheGateTrapsAtTheHandler) {
  M m;
  m.Load(M::kCode, {0xcd, kVector, 0xf4});
  Arm(m, 3, M::kIdt + 16 * kVector + 8, kReadWrite, 8);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, kHandler);
  EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 8u);
}

// An external interrupt's pushes hit too.
TEST(BreakpointEventTest, InterruptDeliveryHitTrapsAtTheHandler) {
  M m;
  InterruptAtPoll interrupts(2);
  LoadRepStos(m, interrupts, {0xf4});
  Arm(m, 0, kRipSlot, kWrite, 8);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, kHandler);
  EXPECT_EQ(m.Get64(kRipSlot), kRep);
  EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 1u);
}

// A data breakpoint MOV SS holds back is taken after INT n's transfer, at
// the handler's entry (SDM vol. 3A 6.8.3), not lost with the INT's trap.
TEST(BreakpointEventTest, MovSsHitHeldOverIntNTrapsAtTheHandler) {
  M m;
  m.Load(M::kCode, {0x8e, 0x13, 0xcd, kVector, 0xf4});  // mov ss, [rbx]; int 0x14
  m.Put64(M::kData, M::kKernelSs);
  m.state().gpr[kRbx] = M::kData;
  Arm(m, 0, M::kData, kReadWrite, 2);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, kHandler);
  EXPECT_EQ(m.state().dr6 & (kDr6B0ToB3 | kDr6Bs), 1u);
}

// A #DB delivered through IST1 onto a watched slot hits it again at every
// delivery, retiring nothing, as hardware would; the instruction limit
// still ends the run.
TEST(BreakpointEventTest, EndlessDebugDeliveryEndsAtTheInstructionLimit) {
  M m;
  m.SetGate(kDebug, 0, /*ist=*/1);
  m.Load(M::kCode, {0xf1, 0xf4});  // int1
  Arm(m, 0, M::kIst1 - 40, kWrite, 8);
  M::Result r = m.RunFrom(M::kCode, 100);
  EXPECT_EQ(r.outcome.reason, StopReason::kInstructionLimit);
  EXPECT_EQ(m.cpu().instret(), 0u);
  EXPECT_EQ(m.state().rip, M::kStubs + 16 * kDebug);
}

}  // namespace
}  // namespace x64sim::testing
