// Hardware breakpoints from DR0-DR3/DR7 and RFLAGS.RF (SDM vol. 3B 17.2,
// 17.3): instruction breakpoints as faults, data and I/O breakpoints as
// traps, lengths and alignment, REP strings, MOV SS, TF, and the RF that
// faults push and IRET restores.
#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

enum BreakOn { kExecute = 0, kWrite = 1, kIo = 2, kReadWrite = 3 };

// DR7.LENn for a length in bytes.
uint64_t LenCode(int bytes) { return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 8 ? 2 : 3; }

// Enables breakpoint `n` (Ln, or Gn when `global`) as the guest's MOV DR would.
void Arm(M& m, int n, uint64_t address, BreakOn on, int bytes = 1, bool global = false) {
  m.state().dr[n] = address;
  m.state().dr7 |= (uint64_t{global ? 2u : 1u} << (2 * n)) | (uint64_t{on} << (16 + 4 * n)) |
                   (LenCode(bytes) << (18 + 4 * n));
  m.cpu().UpdateBreakpoints();
}

constexpr uint64_t kWatched = M::kData + 0x40;

TEST(BreakpointTest, InstructionBreakpointArmedByMovDrFaultsBeforeTheInstruction) {
  M m;
  m.Load(M::kCode, {
                       0x0f, 0x23, 0xc0,  // mov dr0, rax
                       0x0f, 0x23, 0xf9,  // mov dr7, rcx
                       0x90,              // nop
                       0x48, 0xff, 0xc3,  // inc rbx   <- DR0
                       0xf4,
                   });
  m.state().gpr[kRax] = M::kCode + 7;
  m.state().gpr[kRcx] = 0x1;  // L0, execute, 1 byte
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 7);  // a fault: the instruction has not run
  EXPECT_EQ(m.state().gpr[kRbx], 0u);
  EXPECT_EQ(m.state().dr6 & (kDr6B0ToB3 | kDr6Bs), 1u);
  EXPECT_FALSE(r.frame.rflags & kRF);  // the one fault that pushes RF as it was
}

// The handler sets RF in the frame; IRET restores it, so the instruction
// runs once; reached again, it breaks again.
TEST(BreakpointTest, IretWithRfRunsTheInstructionOnceThenItBreaksAgain) {
  M m;
  m.Load(M::kStubs + 16 * kDebug, {
                                      0x49, 0xff, 0xc7,  // inc r15
                                      0x48, 0x81, 0x4c, 0x24, 0x10, 0x00, 0x00, 0x01, 0x00,  // or qword [rsp+16], RF
                                      0x48, 0xcf,  // iretq
                                  });
  m.Load(M::kCode, {
                       0x48, 0xff, 0xc0,        // L: inc rax   <- DR2
                       0x48, 0x83, 0xf8, 0x02,  // cmp rax, 2
                       0x75, 0xf7,              // jne L
                       0xf4,
                   });
  Arm(m, 2, M::kCode, kExecute);
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.vector, -1);
  EXPECT_EQ(m.state().gpr[kRax], 2u);
  EXPECT_EQ(m.state().gpr[kR15], 2u);
  EXPECT_FALSE(m.state().rflags & kRF);  // cleared once an instruction completes
}

TEST(BreakpointTest, DataWriteBreakpointTrapsAfterTheStore) {
  M m;
  m.Load(M::kCode, {0x48, 0x89, 0x03, 0x90, 0xf4});  // mov [rbx], rax; nop
  m.state().gpr[kRbx] = kWatched;
  m.state().gpr[kRax] = 0x1122334455667788;
  Arm(m, 1, kWatched, kWrite, 8, /*global=*/true);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 3);  // a trap: after the store
  EXPECT_EQ(m.Get64(kWatched), 0x1122334455667788u);
  EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 2u);
  EXPECT_FALSE(r.frame.rflags & kRF);
}

TEST(BreakpointTest, ReadWriteBreakpointTrapsOnAReadAndWriteOnlyDoesNot) {
  const std::vector<uint8_t> load = {0x48, 0x8b, 0x0b, 0x90, 0xf4};  // mov rcx, [rbx]; nop
  {
    M m;
    m.Load(M::kCode, load);
    m.state().gpr[kRbx] = kWatched;
    Arm(m, 3, kWatched + 4, kReadWrite, 4);
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kDebug);
    EXPECT_EQ(r.frame.rip, M::kCode + 3);
    EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 8u);
  }
  M m;
  m.Load(M::kCode, load);
  m.state().gpr[kRbx] = kWatched;
  Arm(m, 3, kWatched + 4, kWrite, 4);
  EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, -1);
}

// A one-byte store at each offset around a breakpoint of each length: it
// hits inside the aligned range and misses just outside; the address bits
// below the length are ignored.
TEST(BreakpointTest, LengthsCoverTheirAlignedRange) {
  for (int bytes : {1, 2, 4, 8}) {
    for (int offset = -1; offset <= bytes; ++offset) {
      M m;
      m.Load(M::kCode, {0x88, 0x03, 0x90, 0xf4});  // mov [rbx], al; nop
      m.state().gpr[kRbx] = kWatched + offset;
      Arm(m, 0, kWatched + (bytes - 1), kWrite, bytes);
      const bool inside = offset >= 0 && offset < bytes;
      EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, inside ? kDebug : -1)
          << "length " << bytes << ", offset " << offset;
    }
  }
}

// Stores that start before the watched range and end in it, within a page
// and across a page boundary.
TEST(BreakpointTest, AccessStraddlingIntoTheRangeHits) {
  for (uint64_t watched : {kWatched, M::kData + 0x1000}) {
    M m;
    m.Load(M::kCode, {0x48, 0x89, 0x03, 0x90, 0xf4});  // mov [rbx], rax; nop
    m.state().gpr[kRbx] = watched - 4;
    Arm(m, 0, watched, kWrite, 2);
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kDebug) << std::hex << watched;
    EXPECT_EQ(r.frame.rip, M::kCode + 3);
  }
}

// REP MOVS: the trap follows the iteration whose store hits, RIP still at
// the instruction and RF set in the frame so that resuming does not break
// on the instruction again (SDM vol. 3B 17.3.1.1).
TEST(BreakpointTest, RepMovsTrapsAfterTheIterationThatHits) {
  M m;
  m.Load(M::kCode, {0xf3, 0x48, 0xa5, 0xf4});  // rep movsq
  for (int i = 0; i < 8; ++i) m.Put64(M::kData + 8 * i, 0x100 + i);
  const uint64_t dst = M::kData + 0x800;
  m.state().gpr[kRsi] = M::kData;
  m.state().gpr[kRdi] = dst;
  m.state().gpr[kRcx] = 8;
  Arm(m, 0, M::kCode, kExecute);
  Arm(m, 1, dst + 3 * 8, kWrite, 8);
  m.state().rflags |= kRF;  // as if the instruction breakpoint had been handled
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode);
  EXPECT_TRUE(r.frame.rflags & kRF);
  EXPECT_EQ(m.state().gpr[kRcx], 4u);
  EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 2u);
  EXPECT_EQ(m.Get64(dst + 3 * 8), 0x103u);
  EXPECT_EQ(m.Get64(dst + 4 * 8), 0u);
}

TEST(BreakpointTest, DisabledBreakpointsDoNotBreak) {
  M m;
  m.Load(M::kCode, {0x48, 0x89, 0x03, 0x48, 0x8b, 0x0b, 0xf4});  // mov [rbx], rax; mov rcx, [rbx]
  m.state().gpr[kRbx] = kWatched;
  for (int n = 0; n < 4; ++n) m.state().dr[n] = n == 0 ? M::kCode : kWatched;
  m.state().dr7 = kDr7Fixed | 0xfff30000;  // conditions and lengths, but no L or G bit
  m.cpu().UpdateBreakpoints();
  EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, -1);
  EXPECT_EQ(m.state().dr6, kDr6Fixed);
}

// R/W = 10 watches ports only with CR4.DE (the encoding is undefined without).
TEST(BreakpointTest, IoBreakpointTrapsAfterInAndOutWithDe) {
  const std::vector<uint8_t> code = {0xe6, 0x80, 0x90, 0xe5, 0x7e, 0x90, 0xf4};  // out 0x80, al; nop; in eax, 0x7e; nop
  {
    M m;
    m.Load(M::kCode, code);
    Arm(m, 2, 0x80, kIo, 1);
    EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, -1);
  }
  M m;
  m.Load(M::kCode, code);
  m.cpu().WriteCr4(m.state().cr4 | kCr4DE);
  Arm(m, 2, 0x80, kIo, 1);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 2);
  EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 4u);
  // A 4-byte IN from 0x7e reaches 0x80 (a 1-byte range).
  r = m.RunFrom(M::kCode + 3);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 5);
}

TEST(BreakpointTest, DataBreakpointWithSingleStepReportsBoth) {
  M m;
  m.Load(M::kCode, {0x48, 0x89, 0x03, 0x90, 0xf4});
  m.state().gpr[kRbx] = kWatched;
  Arm(m, 0, kWatched, kWrite, 8);
  m.cpu().SetRflags(m.state().rflags | kTF);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 3);
  EXPECT_EQ(m.state().dr6 & (kDr6B0ToB3 | kDr6Bs), kDr6Bs | 1);
}

// A data breakpoint that MOV SS hits is reported after the next instruction.
TEST(BreakpointTest, MovSsHoldsADataBreakpointBackOneInstruction) {
  M m;
  m.Load(M::kCode, {0x8e, 0x13, 0x90, 0x90, 0xf4});  // mov ss, [rbx]; nop; nop
  m.Put64(kWatched, M::kKernelSs);
  m.state().gpr[kRbx] = kWatched;
  Arm(m, 0, kWatched, kReadWrite, 2);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 3);
  EXPECT_EQ(m.state().dr6 & kDr6B0ToB3, 1u);
}

// Fault-class exceptions push RF = 1 (#UD here, and DR7.GD's #DB).
TEST(BreakpointTest, FaultsPushRf) {
  M m;
  m.Load(M::kCode, {0x0f, 0x0b});  // ud2
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
  EXPECT_TRUE(r.frame.rflags & kRF);
  EXPECT_FALSE(m.state().rflags & kRF);  // the handler runs without it

  M g;
  g.state().dr7 = kDr7Fixed | kDr7Gd;
  g.Load(M::kCode, {0x0f, 0x21, 0xfb, 0xf4});  // mov rbx, dr7
  r = g.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode);
  EXPECT_TRUE(g.state().dr6 & kDr6Bd);
  EXPECT_TRUE(r.frame.rflags & kRF);
}

// An armed breakpoint survives a checkpoint: the loaded core breaks too.
TEST(BreakpointTest, ArmedBreakpointSurvivesACheckpoint) {
  const std::vector<uint8_t> code = {0x48, 0x89, 0x03, 0x90, 0xf4};
  M saved;
  saved.Load(M::kCode, code);
  saved.state().gpr[kRbx] = kWatched;
  Arm(saved, 2, kWatched, kWrite, 4);
  StateArchive out = StateArchive::ForSaving();
  saved.cpu().SerializeArchitecture(out, /*model_state_follows=*/false);
  saved.cpu().SerializeCaches(out);

  M loaded;
  loaded.memory().CopyIn(M::kCode, code.data(), code.size());
  StateArchive in = StateArchive::ForLoading(out.bytes());
  loaded.cpu().SerializeArchitecture(in, false);
  loaded.cpu().SerializeCaches(in);
  ASSERT_TRUE(in.ok()) << in.error();
  EXPECT_EQ(loaded.state().dr[2], kWatched);
  EXPECT_EQ(loaded.state().dr7, saved.state().dr7);
  M::Result r = loaded.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 3);
  EXPECT_EQ(loaded.state().dr6 & kDr6B0ToB3, 4u);
}

// Only DR6.B0-B3 can be held over a MOV SS: a checkpoint holding any other
// bit names no instruction sequence and is refused, not ORed into DR6.
TEST(BreakpointTest, RestoreRefusesHeldHitsBeyondDr3) {
  for (uint8_t held : {uint8_t{0x5}, uint8_t{0x10}, uint8_t{0x80}}) {
    SCOPED_TRACE(static_cast<int>(held));
    M saved;
    saved.state().debug_held_hits = held;
    StateArchive out = StateArchive::ForSaving();
    saved.cpu().SerializeArchitecture(out, /*model_state_follows=*/false);
    M loaded;
    StateArchive in = StateArchive::ForLoading(out.bytes());
    loaded.cpu().SerializeArchitecture(in, false);
    if (held <= 0xf) {
      EXPECT_TRUE(in.ok()) << in.error();
      EXPECT_EQ(loaded.state().debug_held_hits, held);
    } else {
      EXPECT_FALSE(in.ok());
      EXPECT_NE(in.error().find("beyond DR3"), std::string::npos) << in.error();
    }
  }
}

}  // namespace
}  // namespace x64sim::testing
