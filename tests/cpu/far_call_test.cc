// Far CALL and far RET (cpu/ops_far_call.cc): through a 64-bit call gate
// from ring 3 to ring 0 on the TSS's RSP0 and back; to a code segment at
// the same privilege; the gate's privilege check; and a 32-bit call gate
// that copies two parameters onto the SS0:ESP0 stack of a 32-bit TSS, then
// RETF 8 back to ring 3.
#include <cstdint>
#include <vector>

#include "cpu/descriptors.h"
#include "gtest/gtest.h"
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

// 32-bit protected mode: a 32-bit call gate with two parameters, from ring 3
// to ring 0 on the TSS's SS0:ESP0, then RETF 8 back to ring 3.
TEST(FarCallTest, LegacyGateCopiesParametersAndRetfReleasesThem) {
  LongModeMachine m;
  constexpr uint64_t kTss32 = 0x7000;
  constexpr uint32_t kEsp0 = 0x20000, kUserEsp = 0x30000;
  constexpr uint16_t kCode0 = 0x18, kData0 = 0x10, kCode3 = 0x20 | 3, kData3 = 0x28 | 3, kGate = 0x30;
  const uint64_t handler = LongModeMachine::kCode + 0x200;
  m.Put64(LongModeMachine::kGdt + 0x18, 0x00cf9a000000ffffull);  // ring-0 code32
  m.Put64(LongModeMachine::kGdt + 0x20, 0x00cffa000000ffffull);  // ring-3 code32
  m.Put64(LongModeMachine::kGdt + 0x28, 0x00cff2000000ffffull);  // ring-3 data
  m.Put64(LongModeMachine::kGdt + kGate, CallGate(handler, kCode0, 3, 2));
  m.state().gdtr = {LongModeMachine::kGdt, 0x37};
  m.Put64(kTss32 + 4, kEsp0 | (uint64_t{kData0} << 32));  // ESP0, SS0
  m.state().tr = Segment{0x40, kTss32, 0x67, 0x8b};
  Cpu& cpu = m.cpu();
  cpu.LoadSegmentCache(kCs, Segment{kCode3, 0, 0xfffff, 0xcffa});
  cpu.WriteCr0(kCr0PE | kCr0ET);
  cpu.WriteEfer(0);
  cpu.LoadSegmentCache(kSs, Segment{kData3, 0, 0xfffff, 0xcff2});
  cpu.SetCpl(3);
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

}  // namespace
}  // namespace x64sim::testing
