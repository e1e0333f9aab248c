// Debugging support (SDM vol. 3B 17): RFLAGS.TF single-step traps (after
// POPF sets TF, with MOV SS, across SYSCALL and SYSRET, not after INT3), INT1,
// and the debug registers' MOV forms with DR7.GD.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

void SetTf(M& m) { m.cpu().SetRflags(m.state().rflags | kTF); }

TEST(DebugTest, SingleStepTrapsAfterEachInstruction) {
  M m;
  m.Load(M::kCode, {0x90, 0x90});
  SetTf(m);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 1);  // a trap: the next instruction
  EXPECT_TRUE(r.frame.rflags & kTF);
  EXPECT_FALSE(m.state().rflags & kTF);  // the handler runs without it
  EXPECT_TRUE(m.state().dr6 & kDr6Bs);
}

// POPF that sets TF: the first trap comes after the instruction after it.
TEST(DebugTest, PopfSettingTfTrapsAfterTheNextInstruction) {
  M m;
  m.Load(M::kCode, {0x68, 0x02, 0x01, 0x00, 0x00, 0x9d, 0x90, 0x90});  // push 0x102; popfq; nop; nop
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 7);
}

// MOV SS holds the trap back until after the next instruction.
TEST(DebugTest, MovSsDelaysTheTrapByOneInstruction) {
  M m;
  m.Load(M::kCode, {0x8e, 0xd0, 0x90, 0x90});  // mov ss, eax; nop; nop
  m.state().gpr[kRax] = M::kKernelSs;
  SetTf(m);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 3);
}

// SYSCALL and SYSRET trap on the TF they leave (Xen's XSA-204 for
// SYSCALL; Linux's arch/x86/entry/common.c for SYSRET), not on the TF they
// found, as other instructions do.
void PrepareSyscall(M& m, uint64_t fmask) {
  m.cpu().WriteEfer(kEferLME | kEferNXE | kEferSCE);
  m.state().star = (uint64_t{0x18} << 48) | (uint64_t{M::kKernelCs} << 32);
  m.state().lstar = M::kKernelCode;
  m.state().fmask = fmask;
  m.Load(M::kUserCode, {0x0f, 0x05, 0x90, 0xf4});  // syscall; nop; hlt
}

// FMASK clears TF: no trap in the kernel, which runs to its HLT.
TEST(DebugTest, SyscallMaskingTfDoesNotTrap) {
  M m;
  PrepareSyscall(m, kIF | kTF);
  m.Load(M::kKernelCode, {0x90, 0xf4});
  m.EnterUser(M::kUserStackTop);
  SetTf(m);
  M::Result r = m.RunFrom(M::kUserCode);
  EXPECT_EQ(r.outcome.vector, -1);
  EXPECT_EQ(m.state().rip, M::kKernelCode + 2);
  EXPECT_EQ(m.state().gpr[kR11] & kTF, kTF);  // the user's RFLAGS, TF set
  EXPECT_FALSE(m.state().dr6 & kDr6Bs);
}

// TF kept: the trap is taken at the kernel's first instruction.
TEST(DebugTest, SyscallKeepingTfTrapsInTheKernel) {
  M m;
  PrepareSyscall(m, kIF);
  m.Load(M::kKernelCode, {0x90, 0xf4});
  m.EnterUser(M::kUserStackTop);
  SetTf(m);
  M::Result r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kKernelCode);
  EXPECT_EQ(r.frame.cs, M::kKernelCs);
  EXPECT_TRUE(r.frame.rflags & kTF);
  EXPECT_TRUE(m.state().dr6 & kDr6Bs);
}

// SYSRET restoring TF from R11 traps at once, at the user RIP: unlike IRETQ
// and POPF, the first instruction there has not run.
TEST(DebugTest, SysretRestoringTfTrapsAtOnce) {
  M m;
  PrepareSyscall(m, kIF);
  m.Load(M::kKernelCode, {0x48, 0x0f, 0x07});  // sysretq (the kernel runs without TF)
  m.state().gpr[kRcx] = M::kUserCode + 2;
  m.state().gpr[kR11] = kTF | 0x2;
  M::Result r = m.RunFrom(M::kKernelCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 2);
  EXPECT_EQ(r.frame.cs, M::kUserCs);
  EXPECT_TRUE(r.frame.rflags & kTF);
  EXPECT_TRUE(m.state().dr6 & kDr6Bs);
}

// A kernel stepped through its SYSRET to a user RFLAGS without TF: no trap;
// the user's NOP runs and its HLT faults (#GP at CPL 3).
TEST(DebugTest, SysretClearingTfDoesNotTrap) {
  M m;
  PrepareSyscall(m, kIF);
  m.Load(M::kKernelCode, {0x48, 0x0f, 0x07});
  m.state().gpr[kRcx] = M::kUserCode + 2;
  m.state().gpr[kR11] = 0x2;
  SetTf(m);
  M::Result r = m.RunFrom(M::kKernelCode);
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 3);
  EXPECT_FALSE(m.state().dr6 & kDr6Bs);
}

// INT3 delivers #BP and clears TF: no single-step trap follows it.
TEST(DebugTest, NoStepTrapAfterAnInstructionThatInterrupts) {
  M m;
  m.Load(M::kCode, {0xcc, 0x90});
  m.SetGate(kBreakpoint, 0);
  SetTf(m);
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.vector, kBreakpoint);
  EXPECT_EQ(r.frame.rip, M::kCode + 1);
}

// INT1 (ICEBP, F1): #DB as a trap, without DR6.BS.
TEST(DebugTest, Int1IsADebugTrap) {
  M m;
  m.Load(M::kCode, {0xf1, 0x90});
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDebug);
  EXPECT_EQ(r.frame.rip, M::kCode + 1);
  EXPECT_FALSE(m.state().dr6 & kDr6Bs);
}

TEST(DebugTest, MovToAndFromDebugRegisters) {
  M m;
  m.Load(M::kCode, {
                       0x0f, 0x23, 0xc0,  // mov dr0, rax
                       0x0f, 0x21, 0xc3,  // mov rbx, dr0
                       0x0f, 0x23, 0xf9,  // mov dr7, rcx
                       0x0f, 0x21, 0xfa,  // mov rdx, dr7
                       0x0f, 0x21, 0xf6,  // mov rsi, dr6
                       0x0f, 0x21, 0xe7,  // mov rdi, dr4 (DR6 while CR4.DE is clear)
                       0xf4,
                   });
  m.state().gpr[kRax] = 0xffff800000001234ull;
  m.state().gpr[kRcx] = 0xd801;  // L0, and bits that read as 0
  m.RunFrom(M::kCode);
  EXPECT_EQ(m.state().gpr[kRbx], 0xffff800000001234ull);
  EXPECT_EQ(m.state().gpr[kRdx], 0x401u);
  EXPECT_EQ(m.state().gpr[kRsi], kDr6Fixed);
  EXPECT_EQ(m.state().gpr[kRdi], kDr6Fixed);
}

TEST(DebugTest, DebugRegisterFaults) {
  {  // CPL 3: #GP(0)
    M m;
    m.Load(M::kUserCode, {0x0f, 0x21, 0xc3});
    m.EnterUser(M::kUserStackTop);
    M::Result r = m.RunFrom(M::kUserCode);
    EXPECT_EQ(r.outcome.vector, kGeneralProtection);
    EXPECT_EQ(r.frame.error_code, 0u);
  }
  {  // DR4 with CR4.DE: #UD
    M m;
    m.cpu().WriteCr4(m.state().cr4 | kCr4DE);
    m.Load(M::kCode, {0x0f, 0x21, 0xe0});  // mov rax, dr4
    EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, kInvalidOpcode);
  }
  {  // DR7 with bits 63:32 set: #GP(0)
    M m;
    m.Load(M::kCode, {0x0f, 0x23, 0xf8});  // mov dr7, rax
    m.state().gpr[kRax] = 1ull << 32;
    EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, kGeneralProtection);
  }
}

// DR7.GD: a MOV DR (either way) is a #DB fault before it runs, DR6.BD set
// and GD cleared, so the handler's own MOV DR works; CPL 3 still gets #GP.
TEST(DebugTest, GeneralDetectFaultsOnMovDr) {
  for (const std::vector<uint8_t>& mov : {std::vector<uint8_t>{0x0f, 0x23, 0xc0},     // mov dr0, rax
                                          std::vector<uint8_t>{0x0f, 0x21, 0xfb}}) {  // mov rbx, dr7
    M m;
    m.state().dr7 = kDr7Fixed | kDr7Gd;
    m.state().gpr[kRax] = 0x1234;
    std::vector<uint8_t> code = mov;
    code.push_back(0xf4);
    m.Load(M::kCode, code);
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kDebug);
    EXPECT_EQ(r.frame.rip, M::kCode);  // a fault
    EXPECT_TRUE(m.state().dr6 & kDr6Bd);
    EXPECT_FALSE(m.state().dr6 & kDr6Bs);
    EXPECT_EQ(m.state().dr7, kDr7Fixed);
    EXPECT_EQ(m.state().dr[0], 0u);
    EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, -1);  // GD now clear
  }
  M m;
  m.state().dr7 = kDr7Fixed | kDr7Gd;
  m.Load(M::kUserCode, {0x0f, 0x21, 0xc3});
  m.EnterUser(M::kUserStackTop);
  EXPECT_EQ(m.RunFrom(M::kUserCode).outcome.vector, kGeneralProtection);
  EXPECT_FALSE(m.state().dr6 & kDr6Bd);
}

}  // namespace
}  // namespace x64sim::testing
