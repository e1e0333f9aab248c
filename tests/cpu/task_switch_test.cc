// Hardware task switches (cpu/task_switch.cc, SDM vol. 3A 7.3) in 32-bit
// protected mode: far CALL to a TSS and IRET back through the back link,
// far JMP through a task gate, exceptions and INT n through a task gate in
// the IDT (6.12.2), the checks on the new TSS and the new task's segments
// with their fault types and error codes; and in IA-32e mode, where they
// are #GP.
#include <cstdint>
#include <vector>

#include "cpu/control_bits.h"
#include "gtest/gtest.h"
#include "tests/cpu/protected32_machine.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using L = LongModeMachine;

constexpr uint16_t kTssA = 0x20, kTssB = 0x28, kTaskGate = 0x30;
constexpr uint64_t kTssABase = 0x7000, kTssBBase = 0x7100;
constexpr uint32_t kTaskBEip = L::kCode + 0x200, kTaskBEsp = 0x28000;

// A 32-bit TSS descriptor (type 9, or 0xB when busy), limit 0x67 unless told.
uint64_t TssDescriptor(uint64_t base, bool busy, uint32_t limit = 0x67, bool present = true) {
  return limit | ((base & 0xffffff) << 16) | (uint64_t{(present ? 0x80u : 0u) | (busy ? 0xbu : 0x9u)} << 40) |
         ((base >> 24 & 0xff) << 56);
}

struct Tasks {
  Protected32 p;
  L& m = p.m;
  CpuState& s = m.state();

  // Task A runs (TR = kTssA, busy); task B's TSS holds its initial state:
  // flat ring-0 segments, EIP kTaskBEip, distinct general registers.
  Tasks() {
    m.Put64(L::kGdt + kTssA, TssDescriptor(kTssABase, true));
    m.Put64(L::kGdt + kTssB, TssDescriptor(kTssBBase, false));
    m.Put64(L::kGdt + kTaskGate, (uint64_t{kTssB} << 16) | (0x85ull << 40));
    s.gdtr = {L::kGdt, kTaskGate + 7};
    s.tr = Segment{kTssA, kTssABase, 0x67, 0x8b};
    Put32(kTssBBase + 0x20, kTaskBEip);
    Put32(kTssBBase + 0x24, 0x2 | kCF);
    for (uint32_t r = 0; r < 8; ++r) Put32(kTssBBase + 0x28 + 4 * r, 0xb0 + r);
    Put32(kTssBBase + 0x38, kTaskBEsp);
    for (uint32_t r = 0; r < 6; ++r) Put32(kTssBBase + 0x48 + 4 * r, r == kCs ? 0x18 : 0x10);
  }
  void Put32(uint64_t at, uint32_t v) { m.memory().CopyIn(at, &v, 4); }
  uint32_t Get32(uint64_t at) { return static_cast<uint32_t>(m.Get64(at)); }
  void Load(uint64_t at, const std::vector<uint8_t>& code) {
    m.cpu().WriteSupervisor(at, code.data(), static_cast<int>(code.size()));
  }
  bool Busy(uint16_t selector) { return (m.Get64(L::kGdt + selector) >> 41) & 1; }
  // Runs task A's code from kCode with a few registers set.
  int Run(const std::vector<uint8_t>& code) {
    p.SetCode(code);
    s.gpr[kRax] = 0xa0;
    s.gpr[kRbx] = 0xa3;
    return p.Run();
  }
};

const std::vector<uint8_t> kCallTssB = {0x9a, 0, 0, 0, 0, kTssB, 0};  // call far kTssB:0
const std::vector<uint8_t> kJmpTaskGate = {0xea, 0, 0, 0, 0, kTaskGate, 0};

TEST(TaskSwitchTest, CallToTssSavesLoadsAndLinks) {
  Tasks t;
  t.Load(kTaskBEip, {0xf4});  // hlt
  ASSERT_EQ(t.Run(kCallTssB), -1);
  CpuState& s = t.s;
  EXPECT_EQ(s.rip, kTaskBEip + 1);
  EXPECT_EQ(s.tr.selector, kTssB);
  EXPECT_EQ(s.tr.base, kTssBBase);
  for (int r = 0; r < 8; ++r) {
    if (r != kRsp) {
      EXPECT_EQ(s.gpr[r], 0xb0u + r) << r;
    }
  }
  EXPECT_EQ(s.gpr[kRsp], kTaskBEsp);
  EXPECT_TRUE(s.rflags & kNT);
  EXPECT_TRUE(s.rflags & kCF);
  EXPECT_TRUE(s.cr0 & kCr0TS);
  EXPECT_EQ(s.seg[kDs].selector, 0x10);
  EXPECT_EQ(t.Get32(kTssBBase) & 0xffff, kTssA);  // the back link
  EXPECT_TRUE(t.Busy(kTssA));
  EXPECT_TRUE(t.Busy(kTssB));
  // Task A's state in its TSS: EIP after the CALL, its registers, selectors.
  EXPECT_EQ(t.Get32(kTssABase + 0x20), L::kCode + 7);
  EXPECT_EQ(t.Get32(kTssABase + 0x28), 0xa0u);
  EXPECT_EQ(t.Get32(kTssABase + 0x34), 0xa3u);
  EXPECT_EQ(t.Get32(kTssABase + 0x38), L::kStackTop);
  EXPECT_EQ(t.Get32(kTssABase + 0x4c) & 0xffff, 0x18u);
  EXPECT_EQ(t.Get32(kTssABase + 0x50) & 0xffff, 0x10u);
}

// IRET with NT = 1 goes back to task A: its registers again, task B no
// longer busy, its saved EFLAGS without NT.
TEST(TaskSwitchTest, IretReturnsThroughTheBackLink) {
  Tasks t;
  t.Load(kTaskBEip, {0xbe, 0x55, 0, 0, 0, 0xcf});  // mov esi, 0x55; iretd
  ASSERT_EQ(t.Run(kCallTssB), -1);
  CpuState& s = t.s;
  EXPECT_EQ(s.rip, L::kCode + 8);  // after the HLT that follows the CALL
  EXPECT_EQ(s.tr.selector, kTssA);
  EXPECT_EQ(s.gpr[kRax], 0xa0u);
  EXPECT_EQ(s.gpr[kRsp], L::kStackTop);
  EXPECT_FALSE(s.rflags & kNT);
  EXPECT_FALSE(t.Busy(kTssB));
  EXPECT_TRUE(t.Busy(kTssA));
  EXPECT_EQ(t.Get32(kTssBBase + 0x20), kTaskBEip + 6);
  EXPECT_EQ(t.Get32(kTssBBase + 0x40), 0x55u);
  EXPECT_EQ(t.Get32(kTssBBase + 0x24) & kNT, 0u);
}

// JMP through a task gate: task A is no longer busy and no link is made.
TEST(TaskSwitchTest, JmpThroughTaskGate) {
  Tasks t;
  t.Load(kTaskBEip, {0xf4});
  ASSERT_EQ(t.Run(kJmpTaskGate), -1);
  EXPECT_EQ(t.s.tr.selector, kTssB);
  EXPECT_FALSE(t.s.rflags & kNT);
  EXPECT_FALSE(t.Busy(kTssA));
  EXPECT_TRUE(t.Busy(kTssB));
  EXPECT_EQ(t.Get32(kTssBBase) & 0xffff, 0u);
}

struct Fault {
  int vector;
  uint32_t error_code;
  uint32_t eip;
};

// Runs task A's code and reads the error code and EIP of the fault taken.
Fault RunToFault(Tasks& t, const std::vector<uint8_t>& code) {
  Fault f{t.Run(code), 0, 0};
  f.error_code = t.Get32(t.s.gpr[kRsp]);
  f.eip = t.Get32(t.s.gpr[kRsp] + 4);
  return f;
}

TEST(TaskSwitchTest, NewTssChecks) {
  {
    Tasks t;  // a busy TSS: #GP(selector)
    t.m.Put64(L::kGdt + kTssB, TssDescriptor(kTssBBase, true));
    Fault f = RunToFault(t, kCallTssB);
    EXPECT_EQ(f.vector, kGeneralProtection);
    EXPECT_EQ(f.error_code, kTssB);
    EXPECT_EQ(f.eip, L::kCode);
  }
  {
    Tasks t;  // a limit below 0x67: #TS(selector)
    t.m.Put64(L::kGdt + kTssB, TssDescriptor(kTssBBase, false, 0x60));
    Fault f = RunToFault(t, kCallTssB);
    EXPECT_EQ(f.vector, kInvalidTss);
    EXPECT_EQ(f.error_code, kTssB);
  }
  {
    Tasks t;  // not present: #NP(selector)
    t.m.Put64(L::kGdt + kTssB, TssDescriptor(kTssBBase, false, 0x67, false));
    Fault f = RunToFault(t, kJmpTaskGate);
    EXPECT_EQ(f.vector, kSegmentNotPresent);
    EXPECT_EQ(f.error_code, kTssB);
    EXPECT_EQ(t.s.tr.selector, kTssA);
  }
}

// The new TSS's T bit: #DB with DR6.BT, its frame at the new task's EIP.
TEST(TaskSwitchTest, TrapBitRaisesDebugInTheNewTask) {
  Tasks t;
  t.Put32(kTssBBase + 0x64, 1);
  const int vector = t.Run(kJmpTaskGate);
  EXPECT_EQ(vector, kDebug);
  EXPECT_EQ(t.Get32(t.s.gpr[kRsp]), kTaskBEip);
  EXPECT_TRUE(t.s.dr6 & (1u << 15));
  EXPECT_EQ(t.s.tr.selector, kTssB);
}

// A bad segment in the new task faults in the new task: #TS(selector) for
// a CS that is not code, #SS for an SS not present, #NP for DS.
TEST(TaskSwitchTest, NewTaskSegmentFaultsBelongToIt) {
  {
    Tasks t;
    t.Put32(kTssBBase + 0x4c, 0x10);
    Fault f = RunToFault(t, kCallTssB);
    EXPECT_EQ(f.vector, kInvalidTss);
    EXPECT_EQ(f.error_code, 0x10u);
    EXPECT_EQ(f.eip, kTaskBEip);
    EXPECT_EQ(t.s.tr.selector, kTssB);
  }
  {
    Tasks t;
    t.m.Put64(L::kGdt + 0x38, 0x00cf12000000ffffull);  // data, not present
    t.s.gdtr.limit = 0x3f;
    t.Put32(kTssBBase + 0x54, 0x38);  // DS
    Fault f = RunToFault(t, kCallTssB);
    EXPECT_EQ(f.vector, kSegmentNotPresent);
    EXPECT_EQ(f.error_code, 0x38u);
    t.Put32(kTssBBase + 0x54, 0x10);
  }
  {
    Tasks t;
    t.Put32(kTssBBase + 0x60, 0x10);  // LDT selector naming a data segment
    Fault f = RunToFault(t, kCallTssB);
    EXPECT_EQ(f.vector, kInvalidTss);
    EXPECT_EQ(f.error_code, 0x10u);
  }
}

// In IA-32e mode a TSS descriptor is no far CALL target, and IRET with NT
// set is #GP(0).
TEST(TaskSwitchTest, Ia32eModeRefusesTaskSwitches) {
  SystemMachine m;
  m.Load(SystemMachine::kCode, {0xff, 0x1d, 0x3a, 0, 0, 0, 0xf4});  // call far [rip + 0x3a]
  const uint8_t pointer[] = {0, 0, 0, 0, SystemMachine::kTssSel, 0};
  m.cpu().WriteSupervisor(SystemMachine::kCode + 0x40, pointer, 6);
  SystemMachine::Result r = m.RunFrom(SystemMachine::kCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, SystemMachine::kTssSel);
  m.Load(SystemMachine::kCode, {0x48, 0xcf});  // iretq
  m.state().gpr[kRsp] = SystemMachine::kStackTop;
  m.cpu().SetRflags(0x2 | kNT);
  r = m.RunFrom(SystemMachine::kCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, 0u);
  EXPECT_EQ(r.frame.rip, SystemMachine::kCode);
}

// IDT task gates (SDM vol. 3A 6.12.2). A gate for `vector` naming `tss`.
void SetIdtTaskGate(Tasks& t, int vector, uint16_t tss, int dpl = 0) {
  t.m.Put64(Protected32::kIdt32 + 8 * vector, (uint64_t{tss} << 16) | (uint64_t(0x85 | dpl << 5) << 40));
}

// mov ax, 0x48; mov ds, ax: a selector beyond the GDT's limit, #GP(0x48).
const std::vector<uint8_t> kLoadBadDs = {0x66, 0xb8, 0x48, 0x00, 0x8e, 0xd8};
constexpr uint32_t kBadDsEip = L::kCode + 4;

// A #GP through a task gate: task B runs nested (NT, back link, both
// busy) with the error code on its stack; task A's TSS holds the faulting
// instruction's EIP and EFLAGS with RF (a fault, SDM vol. 3B 17.3.1.1).
TEST(IdtTaskGateTest, FaultSwitchesToTheHandlerTaskWithItsErrorCode) {
  Tasks t;
  SetIdtTaskGate(t, kGeneralProtection, kTssB);
  t.Load(kTaskBEip, {0xf4});
  ASSERT_EQ(t.Run(kLoadBadDs), -1);
  CpuState& s = t.s;
  EXPECT_EQ(s.tr.selector, kTssB);
  EXPECT_EQ(s.rip, kTaskBEip + 1);
  EXPECT_EQ(s.gpr[kRsp], kTaskBEsp - 4);
  EXPECT_EQ(t.Get32(kTaskBEsp - 4), 0x48u);
  EXPECT_TRUE(s.rflags & kNT);
  EXPECT_TRUE(s.rflags & kCF);  // task B's own EFLAGS
  EXPECT_EQ(t.Get32(kTssBBase) & 0xffff, kTssA);
  EXPECT_TRUE(t.Busy(kTssA));
  EXPECT_TRUE(t.Busy(kTssB));
  EXPECT_EQ(t.Get32(kTssABase + 0x20), kBadDsEip);
  EXPECT_TRUE(t.Get32(kTssABase + 0x24) & kRF);
  EXPECT_EQ(t.Get32(kTssABase + 0x28), 0x48u);  // task A's EAX
}

// The handler task mends task A's EAX, drops the error code and IRETs:
// task A runs the MOV to DS again, now with a good selector, and goes on.
TEST(IdtTaskGateTest, IretFromTheHandlerTaskResumesTheFaultingTask) {
  Tasks t;
  SetIdtTaskGate(t, kGeneralProtection, kTssB);
  std::vector<uint8_t> handler = {0xc7, 0x05};  // mov dword [kTssABase + 0x28], 0x10
  for (uint32_t v : {uint32_t{kTssABase + 0x28}, 0x10u}) {
    for (int i = 0; i < 4; ++i) handler.push_back(static_cast<uint8_t>(v >> 8 * i));
  }
  handler.insert(handler.end(), {0x83, 0xc4, 0x04, 0xcf});  // add esp, 4; iretd
  t.Load(kTaskBEip, handler);
  ASSERT_EQ(t.Run(kLoadBadDs), -1);
  CpuState& s = t.s;
  EXPECT_EQ(s.tr.selector, kTssA);
  EXPECT_EQ(s.rip, L::kCode + kLoadBadDs.size() + 1);  // after the HLT
  EXPECT_EQ(s.seg[kDs].selector, 0x10);
  EXPECT_EQ(s.gpr[kRsp], L::kStackTop);
  EXPECT_FALSE(s.rflags & kNT);
  EXPECT_FALSE(t.Busy(kTssB));
  EXPECT_TRUE(t.Busy(kTssA));
}

// The classic use: a #DF handled by a task. Here the #GP's own gate is not
// present, so its delivery raises #NP, and the two make a #DF (SDM vol. 3A
// table 6-5), taken by task B with error code 0 instead of a triple fault.
TEST(IdtTaskGateTest, DoubleFaultTask) {
  Tasks t;
  t.m.Put64(Protected32::kIdt32 + 8 * kGeneralProtection,
            t.m.Get64(Protected32::kIdt32 + 8 * kGeneralProtection) & ~(1ull << 47));
  SetIdtTaskGate(t, kDoubleFault, kTssB);
  t.Load(kTaskBEip, {0xf4});
  ASSERT_EQ(t.Run(kLoadBadDs), -1);
  EXPECT_EQ(t.s.tr.selector, kTssB);
  EXPECT_EQ(t.s.gpr[kRsp], kTaskBEsp - 4);
  EXPECT_EQ(t.Get32(kTaskBEsp - 4), 0u);
  EXPECT_TRUE(t.s.rflags & kNT);
  EXPECT_EQ(t.Get32(kTssBBase) & 0xffff, kTssA);
  EXPECT_EQ(t.Get32(kTssABase + 0x20), kBadDsEip);
}

// INT n through a task gate: no error code, task A resumes after the INT.
TEST(IdtTaskGateTest, SoftwareInterruptSwitchesWithoutErrorCode) {
  Tasks t;
  SetIdtTaskGate(t, 0x1d, kTssB);
  t.Load(kTaskBEip, {0xf4});
  ASSERT_EQ(t.Run({0xcd, 0x1d}), -1);  // int 0x1d
  EXPECT_EQ(t.s.tr.selector, kTssB);
  EXPECT_EQ(t.s.gpr[kRsp], kTaskBEsp);
  EXPECT_EQ(t.Get32(kTssABase + 0x20), L::kCode + 2);
  EXPECT_TRUE(t.s.rflags & kNT);
}

// Task A at CPL 3. INT n checks the gate's DPL: a DPL-0 task gate is
// #GP(vector * 8 + 2). That #GP, a hardware event, goes through its own
// DPL-0 task gate regardless, into task B.
TEST(IdtTaskGateTest, GateDplIsCheckedOnlyForSoftwareInterrupts) {
  Tasks t;
  t.m.Put64(L::kGdt + 0x38, 0x00cffa000000ffffull);  // ring-3 code32
  t.m.Put64(L::kGdt + 0x40, 0x00cff2000000ffffull);  // ring-3 data
  t.s.gdtr.limit = 0x47;
  SetIdtTaskGate(t, 0x1d, kTssB);
  SetIdtTaskGate(t, kGeneralProtection, kTssB);
  t.Load(kTaskBEip, {0xf4});
  t.p.SetCode({0xcd, 0x1d});
  t.m.cpu().LoadSegmentCache(kCs, Segment{0x3b, 0, 0xffffffff, 0xcffa});
  t.m.cpu().LoadSegmentCache(kSs, Segment{0x43, 0, 0xffffffff, 0xcff2});
  t.m.cpu().SetCpl(3);
  ASSERT_EQ(t.p.Run(), -1);
  EXPECT_EQ(t.s.tr.selector, kTssB);
  EXPECT_EQ(t.s.cpl, 0);
  EXPECT_EQ(t.Get32(kTaskBEsp - 4), 0x1du * 8 + 2);
  EXPECT_EQ(t.Get32(kTssABase + 0x20), L::kCode);  // the INT, which faulted
  EXPECT_EQ(t.Get32(kTssABase + 0x4c) & 0xffff, 0x3bu);
}

// The gate's TSS selector is checked as SDM vol. 2A INT n "TASK-GATE"
// lists, with EXT set for an exception (#UD here, from UD2).
TEST(IdtTaskGateTest, BadTssSelectorsInTheGate) {
  const std::vector<uint8_t> ud2 = {0x0f, 0x0b};
  struct Case {
    const char* what;
    uint16_t tss;
    uint64_t tss_descriptor;  // at kTssB
    int vector;
    uint32_t error_code;
  };
  const Case cases[] = {
      {"the busy current task", kTssA, TssDescriptor(kTssBBase, false), kGeneralProtection, kTssA | 1},
      {"an LDT selector", kTssB | 4, TssDescriptor(kTssBBase, false), kGeneralProtection, kTssB | 4 | 1},
      {"beyond the GDT", 0x48, TssDescriptor(kTssBBase, false), kGeneralProtection, 0x48 | 1},
      {"a code segment", 0x18, TssDescriptor(kTssBBase, false), kGeneralProtection, 0x18 | 1},
      {"not present", kTssB, TssDescriptor(kTssBBase, false, 0x67, false), kSegmentNotPresent, kTssB | 1},
      {"a limit below 0x67", kTssB, TssDescriptor(kTssBBase, false, 0x60), kInvalidTss, kTssB | 1},
  };
  for (const Case& c : cases) {
    Tasks t;
    t.m.Put64(L::kGdt + kTssB, c.tss_descriptor);
    SetIdtTaskGate(t, kInvalidOpcode, c.tss);
    Fault f = RunToFault(t, ud2);
    EXPECT_EQ(f.vector, c.vector) << c.what;
    EXPECT_EQ(f.error_code, c.error_code) << c.what;
    EXPECT_EQ(f.eip, L::kCode) << c.what;
    EXPECT_EQ(t.s.tr.selector, kTssA) << c.what;
  }
}

// A not-present task gate is #NP(vector * 8 + 2 + EXT), like any gate.
TEST(IdtTaskGateTest, NotPresentGate) {
  Tasks t;
  t.m.Put64(Protected32::kIdt32 + 8 * kInvalidOpcode, uint64_t{kTssB} << 16 | 0x05ull << 40);
  Fault f = RunToFault(t, {0x0f, 0x0b});
  EXPECT_EQ(f.vector, kSegmentNotPresent);
  EXPECT_EQ(f.error_code, kInvalidOpcode * 8u + 3);
}

// With the new TSS's T bit the #DB comes after the switch and the error
// code push, at task B's first instruction (SDM vol. 3B 17.3.1.5).
TEST(IdtTaskGateTest, TrapBitDebugFollowsTheErrorCode) {
  Tasks t;
  SetIdtTaskGate(t, kGeneralProtection, kTssB);
  t.Put32(kTssBBase + 0x64, 1);
  EXPECT_EQ(t.Run(kLoadBadDs), kDebug);
  EXPECT_EQ(t.s.tr.selector, kTssB);
  EXPECT_EQ(t.Get32(t.s.gpr[kRsp]), kTaskBEip);
  EXPECT_EQ(t.s.gpr[kRsp], kTaskBEsp - 4 - 12);
  EXPECT_EQ(t.Get32(kTaskBEsp - 4), 0x48u);
  EXPECT_TRUE(t.s.dr6 & (1u << 15));
}

// In IA-32e mode the IDT has no task gates (SDM vol. 3A 6.14.1): a #UD
// whose gate has type 5 becomes #GP(6 * 8 + 2 + EXT).
TEST(IdtTaskGateTest, Ia32eModeTaskGateIsGp) {
  SystemMachine m;
  m.Put64(L::kIdt + 16 * kInvalidOpcode, (uint64_t{SystemMachine::kTssSel} << 16) | (0x85ull << 40));
  m.Put64(L::kIdt + 16 * kInvalidOpcode + 8, 0);
  m.Load(SystemMachine::kCode, {0x0f, 0x0b});
  SystemMachine::Result r = m.RunFrom(SystemMachine::kCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, kInvalidOpcode * 8u + 3);
  EXPECT_EQ(r.frame.rip, SystemMachine::kCode);
}

}  // namespace
}  // namespace x64sim::testing
