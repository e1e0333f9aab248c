// Far CALL, JMP and RET (cpu/ops_far_call.cc): through a 64-bit call gate
// from ring 3 to ring 0 on the TSS's RSP0 and back; to a code segment at
// the same privilege; the gate's privilege check; and a 32-bit call gate
// that copies two parameters onto the SS0:ESP0 stack of a 32-bit TSS, then
// RETF 8 back to ring 3; far JMP through 64-bit and 32-bit call gates, at
// the same privilege only, with the faults of its checks; 16-bit interrupt
// and trap gates in a 32-bit IDT.
#include <cstdint>
#include <vector>

#include "cpu/descriptors.h"
#include "gtest/gtest.h"
#include "tests/cpu/protected32_machine.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr uint16_t kGate64 = 0x48;  // after SystemMachine's TSS (0x38, 16 bytes)

// A call gate descriptor's first (or only) 8 bytes (SDM vol. 3A 5.8.3).
uint64_t CallGate(uint64_t offset, uint16_t target, int dpl, int params = 0) {
  return (offset & 0xffff) | (uint64_t{target} << 16) | (static_cast<uint64_t>(params) << 32) |
         (static_cast<uint64_t>(0x80 | (dpl << 5) | 0xc) << 40) | (((offset >> 16) & 0xffff) << 48);
}

void AddGate64(M& m, int dpl) {
  m.Put64(M::kGdt + kGate64, CallGate(M::kKernelCode, M::kKernelCs, dpl));
  m.Put64(M::kGdt + kGate64 + 8, M::kKernelCode >> 32);
  m.state().gdtr = {M::kGdt, kGate64 + 15};
}

// call far [rip + 0x3a] (FF /3, m16:32): the pointer sits at code + 0x40.
std::vector<uint8_t> CallFarThroughPointer(uint16_t selector) {
  std::vector<uint8_t> code = {0xff, 0x1d, 0x3a, 0x00, 0x00, 0x00, 0xf4};  // call far; hlt
  code.resize(0x40, 0x90);
  for (uint8_t b : {0x00, 0x00, 0x00, 0x00}) code.push_back(b);  // offset (a gate ignores it)
  code.push_back(static_cast<uint8_t>(selector));
  code.push_back(static_cast<uint8_t>(selector >> 8));
  return code;
}

TEST(FarCallTest, GateFromRing3ToRing0AndRetfqBack) {
  M m;
  AddGate64(m, 3);
  m.Load(M::kKernelCode, {0x48, 0x89, 0xe3, 0x48, 0xcb});  // mov rbx, rsp; retfq
  m.Load(M::kUserCode, CallFarThroughPointer(kGate64 | 3));
  m.EnterUser(M::kUserStackTop);
  // Back in ring 3 the HLT after the call raises #GP: its frame shows where
  // the return landed, on which stack.
  M::Result r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 6);
  EXPECT_EQ(r.frame.cs, M::kUserCs);
  EXPECT_EQ(r.frame.rsp, M::kUserStackTop);
  EXPECT_EQ(r.frame.ss, M::kUserSs);
  // In ring 0 the kernel ran on RSP0 (the #GP's frame has since been
  // written there: the test below looks at the stack itself).
  EXPECT_EQ(m.state().gpr[kRbx], M::kRsp0 - 32);
}

TEST(FarCallTest, GateRunsTheTargetAtItsPrivilegeWithANullSs) {
  M m;
  AddGate64(m, 3);
  m.Load(M::kKernelCode, {0xf4});  // hlt: stops with the state as the gate left it
  m.Load(M::kUserCode, CallFarThroughPointer(kGate64 | 3));
  m.EnterUser(M::kUserStackTop);
  M::Result r = m.RunFrom(M::kUserCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().cpl, 0);
  EXPECT_EQ(m.state().seg[kCs].selector, M::kKernelCs);
  EXPECT_EQ(m.state().seg[kSs].selector, 0);  // null, RPL = new CPL 0
  // On RSP0: the caller's RIP, CS, RSP and SS.
  const uint64_t kernel_rsp = M::kRsp0 - 32;
  ASSERT_EQ(m.state().gpr[kRsp], kernel_rsp);
  EXPECT_EQ(m.Get64(kernel_rsp), M::kUserCode + 6);
  EXPECT_EQ(m.Get64(kernel_rsp + 8), M::kUserCs);
  EXPECT_EQ(m.Get64(kernel_rsp + 16), M::kUserStackTop);
  EXPECT_EQ(m.Get64(kernel_rsp + 24), M::kUserSs);
}

// A gate whose DPL is below the caller's CPL: #GP with the gate's selector.
TEST(FarCallTest, GateDplBelowCplIsGeneralProtection) {
  M m;
  AddGate64(m, 0);
  m.Load(M::kUserCode, CallFarThroughPointer(kGate64 | 3));
  m.EnterUser(M::kUserStackTop);
  M::Result r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, kGate64);
  EXPECT_EQ(r.frame.rip, M::kUserCode);
}

// Same privilege, straight to a code segment with m16:64 (REX.W): 8-byte CS
// and RIP pushes, and RETFQ pops them.
TEST(FarCallTest, SamePrivilegeCallAndReturn) {
  M m;
  std::vector<uint8_t> code = {0x48, 0xff, 0x1d, 0x39, 0x00, 0x00, 0x00, 0xf4};  // call far [rip+0x39]; hlt
  code.resize(0x40, 0x90);
  const uint64_t target = M::kCode + 0x100;
  for (int i = 0; i < 8; ++i) code.push_back(static_cast<uint8_t>(target >> (8 * i)));
  code.push_back(M::kKernelCs);
  code.push_back(0);
  m.Load(M::kCode, code);
  // The callee reads its two stack slots and returns.
  m.Load(target, {0x48, 0x8b, 0x1c, 0x24, 0x48, 0x8b, 0x4c, 0x24, 0x08, 0x48, 0xcb});  // mov rbx,[rsp]; mov rcx,[rsp+8]; retfq
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRbx], M::kCode + 7);
  EXPECT_EQ(m.state().gpr[kRcx], M::kKernelCs);
  EXPECT_EQ(m.state().gpr[kRsp], M::kStackTop);
  EXPECT_EQ(m.state().rip, M::kCode + 8);
}

// On a 64-bit stack a far CALL whose pushes would reach a non-canonical
// address is #SS(0), found before a non-canonical target's #GP(0) (SDM
// vol. 2A CALL), with RSP unchanged; the #SS goes on IST1.
TEST(FarCallTest, NonCanonicalStackIsSsBeforeTheTarget) {
  M m;
  m.SetGate(kStackFault, 0, /*ist=*/1);
  m.SetGate(kGeneralProtection, 0, /*ist=*/1);
  std::vector<uint8_t> code = {0x48, 0xff, 0x1d, 0x39, 0x00, 0x00, 0x00, 0xf4};  // call far [rip+0x39]; hlt
  code.resize(0x40, 0x90);
  const uint64_t target = 0x0000800000000000ull;  // not canonical
  for (int i = 0; i < 8; ++i) code.push_back(static_cast<uint8_t>(target >> (8 * i)));
  code.push_back(M::kKernelCs);
  code.push_back(0);
  m.Load(M::kCode, code);
  const uint64_t rsp = 0x0000800000000008ull;  // the first push lands past the canonical end
  m.state().gpr[kRsp] = rsp;
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.vector, kStackFault);
  EXPECT_EQ(r.frame.error_code, 0u);
  EXPECT_EQ(r.frame.rip, M::kCode);
  EXPECT_EQ(r.frame.rsp, rsp);
}

// In IA-32e mode IRETQ finds a non-canonical return RIP (#GP(0)) before it
// reads the CS and SS descriptors (SDM vol. 2A IRET, "IA-32e-MODE-RETURN"),
// even when the new SS is not present.
TEST(FarCallTest, IretqChecksTheReturnRipBeforeTheDescriptors) {
  M m;
  m.SetGate(kStackFault, 0, /*ist=*/1);
  m.SetGate(kGeneralProtection, 0, /*ist=*/1);
  m.Put64(M::kGdt + 0x20, m.Get64(M::kGdt + 0x20) & ~(1ull << 47));  // user data not present
  const uint64_t frame[] = {0x0000800000000000ull, M::kUserCs, 0x2, M::kUserStackTop, M::kUserSs};
  const uint64_t rsp = M::kStackTop - sizeof(frame);
  for (int i = 0; i < 5; ++i) m.Put64(rsp + 8 * i, frame[i]);
  m.Load(M::kCode, {0x48, 0xcf});  // iretq
  m.state().gpr[kRsp] = rsp;
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, 0u);
  EXPECT_EQ(r.frame.rip, M::kCode);
}

// IRETQ may return with a null SS only to 64-bit code below CPL 3, and the
// null selector's RPL must be the new CPL (SDM vol. 2A IRET,
// "IA-32e-MODE-RETURN"): SS = 0 back to ring 0 is fine, SS = 1 is #GP(0).
TEST(FarCallTest, IretqWithANullSsNeedsItsRplToBeTheNewCpl) {
  for (const uint64_t ss : {0ull, 1ull}) {
    M m;
    m.SetGate(kGeneralProtection, 0, /*ist=*/1);
    const uint64_t back = M::kCode + 0x100;
    const uint64_t frame[] = {back, M::kKernelCs, 0x2, M::kStackTop, ss};
    const uint64_t rsp = M::kStackTop - 0x100;
    for (int i = 0; i < 5; ++i) m.Put64(rsp + 8 * i, frame[i]);
    m.Load(M::kCode, {0x48, 0xcf});  // iretq
    m.Load(back, {0xf4});
    m.state().gpr[kRsp] = rsp;
    M::Result r = m.RunFrom(M::kCode);
    if (ss == 0) {
      EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
      EXPECT_EQ(m.state().rip, back + 1);
      EXPECT_EQ(m.state().gpr[kRsp], M::kStackTop);
    } else {
      EXPECT_EQ(r.outcome.vector, kGeneralProtection);
      EXPECT_EQ(r.frame.error_code, 0u);
      EXPECT_EQ(r.frame.rip, M::kCode);
    }
  }
}

// A 32-bit call gate with two parameters, from ring 3 to ring 0 on the
// TSS's SS0:ESP0, then RETF 8 back to ring 3.
TEST(FarCallTest, LegacyGateCopiesParametersAndRetfReleasesThem) {
  Ring3Protected32 p;
  using P = Ring3Protected32;
  LongModeMachine& m = p.m;
  Cpu& cpu = m.cpu();
  constexpr uint32_t kEsp0 = P::kEsp0, kUserEsp = P::kUserEsp;
  constexpr uint16_t kCode0 = P::kCode0, kData0 = P::kData0, kCode3 = P::kCode3, kData3 = P::kData3,
                     kGate = P::kGate;
  const uint64_t handler = LongModeMachine::kCode + 0x200;
  m.Put64(LongModeMachine::kGdt + kGate, CallGate(handler, kCode0, 3, 2));
  ASSERT_EQ(m.state().mode, CpuMode::kProtected32);
  std::vector<uint8_t> user = {0x68, 0x11, 0x11, 0x00, 0x00,  // push 0x1111
                               0x68, 0x22, 0x22, 0x00, 0x00,  // push 0x2222
                               0x9a, 0x00, 0x00, 0x00, 0x00, kGate | 3, 0x00,  // call far gate:0
                               0xeb, 0xfe};                  // jmp $
  cpu.WriteSupervisor(LongModeMachine::kCode, user.data(), static_cast<int>(user.size()));
  const uint8_t kernel[] = {0xca, 0x08, 0x00};  // retf 8
  cpu.WriteSupervisor(handler, kernel, 3);
  CpuState& s = m.state();
  s.rip = LongModeMachine::kCode;
  s.gpr[kRsp] = kUserEsp;

  cpu.Run(3);  // the pushes and the call
  EXPECT_EQ(s.cpl, 0);
  EXPECT_EQ(s.rip, handler);
  EXPECT_EQ(s.seg[kSs].selector, kData0);
  const uint64_t esp = kEsp0 - 24;
  ASSERT_EQ(s.gpr[kRsp], esp);
  EXPECT_EQ(m.Get64(esp) & 0xffffffff, LongModeMachine::kCode + 17);  // return EIP
  EXPECT_EQ(m.Get64(esp + 4) & 0xffffffff, kCode3);
  EXPECT_EQ(m.Get64(esp + 8) & 0xffffffff, 0x2222u);  // the parameters, in the caller's order
  EXPECT_EQ(m.Get64(esp + 12) & 0xffffffff, 0x1111u);
  EXPECT_EQ(m.Get64(esp + 16) & 0xffffffff, kUserEsp - 8);
  EXPECT_EQ(m.Get64(esp + 20) & 0xffffffff, kData3);

  cpu.Run(1);  // retf 8
  EXPECT_EQ(s.cpl, 3);
  EXPECT_EQ(s.rip, LongModeMachine::kCode + 17);
  EXPECT_EQ(s.seg[kCs].selector, kCode3);
  EXPECT_EQ(s.seg[kSs].selector, kData3);
  EXPECT_EQ(s.gpr[kRsp], kUserEsp);  // the parameters released on both stacks
}

// Interrupt delivery from ring 3 in 32-bit protected mode: INT n through a
// DPL-3 gate switches to SS0:ESP0 with SS, ESP, EFLAGS, CS and EIP on it,
// and IRETD returns to ring 3; a fault from ring 3 (HLT's #GP) pushes its
// error code too; INT n through a DPL-0 gate is #GP, delivered likewise.
TEST(FarCallTest, LegacyInterruptFromRing3SwitchesStacks) {
  using P = Ring3Protected32;
  P p;
  CpuState& s = p.m.state();
  const uint64_t handler = LongModeMachine::kCode + 0x200;
  p.SetGate(0x80, handler, 3);
  p.SetGate(kGeneralProtection, handler + 0x10, 0);
  p.SetGate(0x81, handler, 0);
  p.Load(LongModeMachine::kCode, {0xcd, 0x80, 0xf4, 0xcd, 0x81});  // int 0x80; hlt; int 0x81
  p.Load(handler, {0xcf});                 // iretd
  p.Load(handler + 0x10, {0xeb, 0xfe});    // the #GP handler: jmp $
  s.rip = LongModeMachine::kCode;
  s.gpr[kRsp] = P::kUserEsp;
  p.m.cpu().SetRflags(0x202);

  p.m.cpu().Run(1);  // int 0x80
  EXPECT_EQ(s.cpl, 0);
  EXPECT_EQ(s.rip, handler);
  EXPECT_EQ(s.seg[kSs].selector, P::kData0);
  const uint32_t esp = P::kEsp0 - 20;
  ASSERT_EQ(s.gpr[kRsp], esp);
  EXPECT_EQ(p.Get32(esp), LongModeMachine::kCode + 2);
  EXPECT_EQ(p.Get32(esp + 4), P::kCode3);
  EXPECT_EQ(p.Get32(esp + 8), 0x202u);
  EXPECT_EQ(p.Get32(esp + 12), P::kUserEsp);
  EXPECT_EQ(p.Get32(esp + 16), P::kData3);
  EXPECT_FALSE(s.rflags & kIF);  // an interrupt gate

  p.m.cpu().Run(1);  // iretd
  EXPECT_EQ(s.cpl, 3);
  EXPECT_EQ(s.rip, LongModeMachine::kCode + 2);
  EXPECT_EQ(s.gpr[kRsp], P::kUserEsp);
  EXPECT_EQ(s.seg[kSs].selector, P::kData3);

  p.m.cpu().Run(1);  // hlt at ring 3: #GP(0) on the ring-0 stack
  EXPECT_EQ(s.rip, handler + 0x10);
  ASSERT_EQ(s.gpr[kRsp], P::kEsp0 - 24);
  EXPECT_EQ(p.Get32(P::kEsp0 - 24), 0u);  // the error code
  EXPECT_EQ(p.Get32(P::kEsp0 - 20), LongModeMachine::kCode + 2);  // HLT itself

  // Back in ring 3, INT 0x81's gate has DPL 0: #GP(vector * 8 + 2).
  s.rip = LongModeMachine::kCode + 3;
  s.gpr[kRsp] = P::kUserEsp;
  p.m.cpu().SetCpl(3);
  p.m.cpu().LoadSegmentCache(kCs, Segment{P::kCode3, 0, 0xffffffff, 0xcffa});
  p.m.cpu().LoadSegmentCache(kSs, Segment{P::kData3, 0, 0xffffffff, 0xcff2});
  p.m.cpu().Run(1);
  EXPECT_EQ(s.rip, handler + 0x10);
  EXPECT_EQ(p.Get32(P::kEsp0 - 24), 0x81u * 8 + 2);
}

// IRETD to ring 3 nulls the data segment registers that hold a segment
// ring 3 may not use (SDM vol. 2B IRET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"),
// as RETF does; one ring 3 may use stays.
TEST(FarCallTest, IretToAnOuterLevelNullsSegmentsItMayNotUse) {
  using P = Ring3Protected32;
  P p;
  CpuState& s = p.m.state();
  const uint64_t handler = LongModeMachine::kCode + 0x200;
  p.SetGate(0x80, handler, 3);
  p.Load(LongModeMachine::kCode, {0xcd, 0x80, 0xf4});  // int 0x80; hlt
  p.Load(handler, {0x66, 0xb8, P::kData0, 0x00, 0x8e, 0xd8, 0xcf});  // mov ax, kData0; mov ds, ax; iretd
  p.m.cpu().LoadSegmentCache(kFs, Segment{P::kData3, 0x1000, 0xffffffff, 0xcff3});
  p.m.cpu().LoadSegmentCache(kGs, Segment{P::kData0, 0x2000, 0xffffffff, 0xcf93});
  s.rip = LongModeMachine::kCode;
  s.gpr[kRsp] = P::kUserEsp;
  p.m.cpu().Run(4);  // int 0x80, mov, mov, iretd
  ASSERT_EQ(s.cpl, 3);
  EXPECT_EQ(s.rip, LongModeMachine::kCode + 2);
  EXPECT_EQ(s.seg[kDs].selector, 0);
  EXPECT_EQ(s.seg[kGs].selector, 0);
  EXPECT_EQ(s.seg[kGs].base, 0x2000u);  // the base stays
  EXPECT_EQ(s.seg[kFs].selector, P::kData3);
}

// IRET to an outer level checks the new SS before the return address (SDM
// vol. 2A IRET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"): with SS not present and
// EIP past the new CS's limit it is #SS(SS selector), and neither
// descriptor is marked accessed, as neither was loaded.
TEST(FarCallTest, IretToAnOuterLevelChecksTheStackBeforeTheReturnAddress) {
  using P = Ring3Protected32;
  using LM = LongModeMachine;
  P p;
  constexpr uint16_t kSmallCode3 = 0x48, kAbsentData3 = 0x50;
  p.m.Put64(LM::kGdt + kSmallCode3, 0x0040fa0000000fffull);   // ring-3 code32, limit 0xfff
  p.m.Put64(LM::kGdt + kAbsentData3, 0x00cf72000000ffffull);  // ring-3 data, not present
  p.m.state().gdtr = {LM::kGdt, kAbsentData3 + 7};
  const uint64_t stack_fault = LM::kCode + 0x200, general_protection = LM::kCode + 0x210;
  p.SetGate(kStackFault, stack_fault, 0);
  p.SetGate(kGeneralProtection, general_protection, 0);
  p.Load(stack_fault, {0xf4});
  p.Load(general_protection, {0xf4});
  p.Load(LM::kCode, {0xcf});  // iretd
  Cpu& cpu = p.m.cpu();
  cpu.LoadSegmentCache(kCs, Segment{P::kCode0, 0, 0xffffffff, 0xcf9b});
  cpu.LoadSegmentCache(kSs, Segment{P::kData0, 0, 0xffffffff, 0xcf93});
  cpu.SetCpl(0);
  const uint32_t frame[] = {0x2000, kSmallCode3 | 3, 0x2, P::kUserEsp, kAbsentData3 | 3};
  const uint32_t esp = P::kEsp0 - sizeof(frame);
  cpu.WriteSupervisor(esp, frame, sizeof(frame));
  CpuState& s = p.m.state();
  s.rip = LM::kCode;
  s.gpr[kRsp] = esp;
  cpu.Run(2);
  ASSERT_EQ(s.rip, stack_fault + 1);
  EXPECT_EQ(p.Get32(s.gpr[kRsp]), kAbsentData3);  // the error code
  EXPECT_EQ(p.Get32(s.gpr[kRsp] + 4), LM::kCode);  // at the IRET
  EXPECT_EQ((p.m.Get64(LM::kGdt + kSmallCode3) >> 40) & 1, 0u);
  EXPECT_EQ((p.m.Get64(LM::kGdt + kAbsentData3) >> 40) & 1, 0u);
}

// A 16-bit interrupt gate (type 6) in the 32-bit IDT: its target is an IP,
// the frame is FLAGS, CS and IP as words, IF is cleared; IRET with a 16-bit
// operand size (66 CF) takes them back. A 16-bit trap gate (type 7) leaves IF.
TEST(FarCallTest, SixteenBitInterruptAndTrapGatesPushWords) {
  Protected32 p;
  CpuState& s = p.m.state();
  constexpr uint64_t kAt = 0x4000, kHandler = 0x5000;
  constexpr uint64_t kTop = LongModeMachine::kStackTop;
  for (const int type : {6, 7}) {
    SCOPED_TRACE(type);
    p.m.Put64(Protected32::kIdt32 + 8 * 0x1f,
              kHandler | (0x18ull << 16) | (static_cast<uint64_t>(0x80 | type) << 40) |
                  (0xabcdull << 48));  // the upper offset half of a 32-bit gate: ignored
    const uint8_t code[] = {0xcd, 0x1f, 0xf4};  // int 0x1f; hlt
    // pushfd; pop edx; mov ebx, esp; iretw
    const uint8_t handler[] = {0x9c, 0x5a, 0x89, 0xe3, 0x66, 0xcf};
    p.m.cpu().WriteSupervisor(kAt, code, sizeof code);
    p.m.cpu().WriteSupervisor(kHandler, handler, sizeof handler);
    s.rip = kAt;
    s.gpr[kRsp] = kTop;
    s.halted = false;
    p.m.cpu().SetRflags(0x202);
    p.m.cpu().Run(10);
    EXPECT_EQ(s.rip, kAt + 3);  // back at the HLT, and past it
    EXPECT_EQ(s.gpr[kRsp], kTop);
    EXPECT_EQ(s.gpr[kRbx], kTop - 6);
    EXPECT_EQ(p.m.Get64(kTop - 6) & 0xffff, kAt + 2);  // IP
    EXPECT_EQ(p.m.Get64(kTop - 4) & 0xffff, 0x18u);    // CS
    EXPECT_EQ(p.m.Get64(kTop - 2) & 0xffff, 0x202u);   // FLAGS
    EXPECT_EQ((s.gpr[kRdx] & kIF) != 0, type == 7);    // IF in the handler
    EXPECT_TRUE(s.rflags & kIF);                        // restored by IRET
  }
}

// jmp far [rip + 0x3a] (FF /5, m16:32): the pointer sits at code + 0x40.
std::vector<uint8_t> JmpFarThroughPointer(uint16_t selector) {
  std::vector<uint8_t> code = CallFarThroughPointer(selector);
  code[1] = 0x2d;
  return code;
}

// JMP through a 64-bit call gate at CPL 0: to the gate's target, nothing
// pushed.
TEST(FarCallTest, JmpThroughGateAtTheSamePrivilege) {
  M m;
  AddGate64(m, 0);
  m.Load(M::kKernelCode, {0xf4});
  m.Load(M::kCode, JmpFarThroughPointer(kGate64));
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().rip, M::kKernelCode + 1);
  EXPECT_EQ(m.state().seg[kCs].selector, M::kKernelCs);
  EXPECT_EQ(m.state().gpr[kRsp], M::kStackTop);
}

// From ring 3 a JMP through a DPL-3 gate may not reach ring-0 code:
// #GP(code selector); a gate of DPL 0 is #GP(gate selector); one not
// present #NP(gate selector); a gate whose upper half has a type is
// #GP(gate selector).
TEST(FarCallTest, JmpThroughGateChecks) {
  struct Case {
    int gate_dpl;
    bool present;
    uint64_t upper_type;
    int vector;
    uint64_t error_code;
  };
  for (const Case& c : {Case{3, true, 0, kGeneralProtection, M::kKernelCs},
                        Case{0, true, 0, kGeneralProtection, kGate64},
                        Case{3, false, 0, kSegmentNotPresent, kGate64},
                        Case{3, true, 0xc, kGeneralProtection, kGate64}}) {
    M m;
    AddGate64(m, c.gate_dpl);
    if (!c.present) m.Put64(M::kGdt + kGate64, m.Get64(M::kGdt + kGate64) & ~(1ull << 47));
    m.Put64(M::kGdt + kGate64 + 8, (M::kKernelCode >> 32) | (c.upper_type << 40));
    m.Load(M::kUserCode, JmpFarThroughPointer(kGate64 | 3));
    m.EnterUser(M::kUserStackTop);
    M::Result r = m.RunFrom(M::kUserCode);
    EXPECT_EQ(r.outcome.vector, c.vector);
    EXPECT_EQ(r.frame.error_code, c.error_code);
    EXPECT_EQ(r.frame.rip, M::kUserCode);
  }
}

// 32-bit protected mode at ring 3: JMP ptr16:32 through a 32-bit gate to a
// ring-3 code segment, and through one to ring-0 code (#GP(code selector)).
TEST(FarCallTest, LegacyJmpThroughGate) {
  using P = Ring3Protected32;
  P p;
  LongModeMachine& m = p.m;
  CpuState& s = m.state();
  const uint64_t target = LongModeMachine::kCode + 0x200, gp_handler = LongModeMachine::kCode + 0x300;
  m.Put64(LongModeMachine::kGdt + P::kGate, CallGate(target, P::kCode3 & ~3, 3));
  m.Put64(LongModeMachine::kGdt + 0x38, CallGate(target, P::kCode0, 3));
  m.state().gdtr.limit = 0x3f;
  p.SetGate(kGeneralProtection, gp_handler, 0);
  p.Load(gp_handler, {0xeb, 0xfe});  // jmp $
  p.Load(LongModeMachine::kCode, {0xea, 0, 0, 0, 0, P::kGate | 3, 0});  // jmp far gate:0
  p.Load(target, {0xea, 0, 0, 0, 0, 0x38 | 3, 0});  // jmp far (gate to ring 0):0
  s.rip = LongModeMachine::kCode;
  s.gpr[kRsp] = P::kUserEsp;
  m.cpu().Run(1);
  EXPECT_EQ(s.rip, target);
  EXPECT_EQ(s.seg[kCs].selector, P::kCode3);
  EXPECT_EQ(s.cpl, 3);
  EXPECT_EQ(s.gpr[kRsp], P::kUserEsp);
  m.cpu().Run(1);
  EXPECT_EQ(s.rip, gp_handler);
  EXPECT_EQ(p.Get32(P::kEsp0 - 24), P::kCode0);  // the error code
  EXPECT_EQ(p.Get32(P::kEsp0 - 20), target);
}

}  // namespace
}  // namespace x64sim::testing
