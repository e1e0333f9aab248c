// System instructions: SYSCALL/SYSRET and their fixed segment caches,
// SWAPGS, IRETQ to ring 3 and back, MOV CR checks, RDMSR/WRMSR, RDTSC in
// simulated cycles, and #UD counted for unimplemented instructions (CPUID:
// cpuid_test.cc).
#include <functional>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"
#include "tests/cpu/test_code.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr uint32_t kMsrTsc = 0x10, kMsrPat = 0x277, kMsrEfer = 0xc0000080, kMsrStar = 0xc0000081,
                   kMsrLstar = 0xc0000082, kMsrCstar = 0xc0000083, kMsrFmask = 0xc0000084,
                   kMsrFsBase = 0xc0000100, kMsrGsBase = 0xc0000101,
                   kMsrKernelGsBase = 0xc0000102, kMsrTscAux = 0xc0000103;
const std::vector<uint8_t> kWrmsr = {0x0f, 0x30}, kRdmsr = {0x0f, 0x32};

// Sets up SYSCALL: STAR selects kernel CS 0x08 / SS 0x10 and the SYSRET base
// 0x18 (user SS 0x23, CS 0x2b), LSTAR the kernel entry, FMASK IF|DF|TF|AC.
void EnableSyscall(M& m) {
  m.cpu().WriteEfer(kEferLME | kEferNXE | kEferSCE);
  m.state().star = (uint64_t{0x18} << 48) | (uint64_t{0x08} << 32);
  m.state().lstar = M::kKernelCode;
  m.state().fmask = kIF | kDF | kTF | kAC;
}

TEST(SystemTest, SyscallLoadsFixedCachesAndMasksFlags) {
  M m;
  EnableSyscall(m);
  m.Load(M::kUserCode, {0x0f, 0x05, 0x0f, 0x0b});  // syscall; ud2
  m.Load(M::kKernelCode, {0xf4, 0x48, 0x0f, 0x07});  // hlt; sysretq
  m.EnterUser(M::kUserStackTop);
  const uint64_t user_flags = kFlagsFixed1 | kIF | kDF | kCF | kOF;
  m.state().rflags = user_flags;
  M::Result r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  ASSERT_EQ(m.state().rip, M::kKernelCode + 1);
  const CpuState& s = m.state();
  EXPECT_EQ(s.cpl, 0);
  EXPECT_EQ(s.gpr[kRcx], M::kUserCode + 2);  // SDM vol. 2 SYSCALL: RCX = next RIP
  EXPECT_EQ(s.gpr[kR11], user_flags);        // R11 = RFLAGS
  EXPECT_EQ(s.rflags, user_flags & ~(kIF | kDF | kTF | kAC));
  // CS and SS caches are fixed values, not read from the GDT.
  EXPECT_EQ(s.seg[kCs].selector, 0x08);
  EXPECT_EQ(s.seg[kCs].base, 0u);
  EXPECT_EQ(s.seg[kCs].limit, 0xffffffffu);
  EXPECT_EQ(s.seg[kCs].attributes, 0xa09b);  // G, L, P, DPL 0, code execute/read accessed
  EXPECT_EQ(s.seg[kSs].selector, 0x10);
  EXPECT_EQ(s.seg[kSs].attributes, 0xc093);  // G, B, P, DPL 0, data read/write accessed
  EXPECT_EQ(s.mode, CpuMode::kLong64);

  // SYSRET: RFLAGS = (R11 & 3C7FD7H) | 2, CS = STAR[63:48]+16 | 3, SS = +8 | 3.
  m.state().gpr[kR11] = 0xffffffff00000cd5ull;
  r = m.RunFrom(M::kKernelCode + 1, 1);
  ASSERT_EQ(r.outcome.reason, StopReason::kInstructionLimit);
  EXPECT_EQ(s.cpl, 3);
  EXPECT_EQ(s.rip, M::kUserCode + 2);
  EXPECT_EQ(s.rflags, (0xffffffff00000cd5ull & 0x3c7fd7) | 2);
  EXPECT_EQ(s.seg[kCs].selector, M::kUserCs);
  EXPECT_EQ(s.seg[kCs].attributes, 0xa0fb);
  EXPECT_EQ(s.seg[kSs].selector, M::kUserSs);
  EXPECT_EQ(s.seg[kSs].attributes, 0xc0f3);
  r = m.RunFrom(s.rip);
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);  // the ud2 after the syscall, at CPL 3
  EXPECT_EQ(r.frame.cs, M::kUserCs);
}

TEST(SystemTest, SysretToCompatibilityModeUsesTheStarBase) {
  M m;
  EnableSyscall(m);
  m.Load(M::kKernelCode, {0x0f, 0x07});  // sysretd
  m.state().gpr[kRcx] = 0xffffffff00060000ull;
  m.state().gpr[kR11] = kFlagsFixed1;
  M::Result r = m.RunFrom(M::kKernelCode, 1);
  ASSERT_EQ(r.outcome.reason, StopReason::kInstructionLimit);
  EXPECT_EQ(m.state().seg[kCs].selector, M::kUserCs32);
  EXPECT_EQ(m.state().seg[kCs].attributes, 0xc0fb);
  EXPECT_EQ(m.state().rip, 0x60000u);  // EIP = ECX
  EXPECT_EQ(m.state().mode, CpuMode::kCompat32);
}

TEST(SystemTest, SysretWithNonCanonicalRcxFaultsAtCplZero) {
  M m;
  EnableSyscall(m);
  m.Load(M::kKernelCode, {0x48, 0x0f, 0x07});
  m.state().gpr[kRcx] = 0x0000800000000000ull;
  M::Result r = m.RunFrom(M::kKernelCode);
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, 0u);
  EXPECT_EQ(r.frame.rip, M::kKernelCode);
  EXPECT_EQ(r.frame.cs, M::kKernelCs);
}

// SDM vol. 3A 4.6.1: with CR4.SMAP, RFLAGS.AC=1 lets explicit supervisor
// accesses reach user pages, never implicit ones (descriptor tables, TSS).
TEST(SystemTest, SmapIgnoresAcForImplicitSupervisorAccesses) {
  M m;
  const uint64_t user_page = M::kData + 0x3000;
  m.SetPteFlags(user_page, M::kPteFlags | 0x4);  // U/S=1
  ASSERT_TRUE(m.cpu().WriteCr4(m.state().cr4 | kCr4SMAP));
  m.cpu().SetRflags(m.state().rflags | kAC);
  uint64_t v = 0;
  EXPECT_TRUE(m.cpu().ReadBytes(user_page, &v, 8));
  m.state().cr2 = 0;
  EXPECT_FALSE(m.cpu().ReadSupervisor(user_page + 8, &v, 8));
  EXPECT_EQ(m.state().cr2, user_page + 8);
  m.state().cr2 = 0;
  EXPECT_FALSE(m.cpu().WriteSupervisor(user_page + 16, &v, 8));
  EXPECT_EQ(m.state().cr2, user_page + 16);
  m.cpu().SetRflags(m.state().rflags & ~kAC);
  EXPECT_FALSE(m.cpu().ReadBytes(user_page, &v, 8));
}

// INS and OUTS need CPL <= IOPL, as IN and OUT do, when the TSS has no I/O
// bitmap (its base past the limit): #GP(0) at CPL 3 with IOPL 0, before any
// port or memory access.
TEST(SystemTest, StringPortIoAtCpl3NeedsIopl) {
  for (uint8_t opcode : {0x6c, 0x6f}) {  // insb, outsd
    M m;
    const uint16_t map_base = 0x68;
    m.memory().CopyIn(M::kTss + 0x66, &map_base, 2);
    m.Load(M::kUserCode, {opcode});
    m.EnterUser(M::kUserStackTop);
    m.state().gpr[kRdi] = M::kUserStackTop - 0x100;
    m.state().gpr[kRsi] = M::kUserStackTop - 0x100;
    M::Result r = m.RunFrom(M::kUserCode);
    EXPECT_EQ(r.outcome.vector, kGeneralProtection) << std::hex << int{opcode};
    EXPECT_EQ(r.frame.error_code, 0u);
    EXPECT_EQ(r.frame.rip, M::kUserCode);
  }
}

// RDPID reads IA32_TSC_AUX at any privilege level, whole in 64-bit mode.
TEST(SystemTest, RdpidReadsTscAuxAtCpl3) {
  M m;
  m.state().tsc_aux = 0x1234567890ull;
  m.Load(M::kUserCode, {0xf3, 0x41, 0x0f, 0xc7, 0xf9, 0xf4});  // rdpid r9; hlt (#GP at CPL 3)
  m.EnterUser(M::kUserStackTop);
  M::Result r = m.RunFrom(M::kUserCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);  // from the HLT after it
  EXPECT_EQ(r.frame.rip, M::kUserCode + 5);
  EXPECT_EQ(m.state().gpr[kR9], 0x1234567890ull);
}

// UD0 and UD1 (with their ModRM), UD2, and RSM outside SMM all raise #UD
// naming themselves.
TEST(SystemTest, Ud0Ud1Ud2RaiseInvalidOpcode) {
  for (const std::vector<uint8_t>& code :
       {std::vector<uint8_t>{0x0f, 0xff, 0xc0}, std::vector<uint8_t>{0x0f, 0xb9, 0x40, 0x08},
        std::vector<uint8_t>{0x0f, 0x0b}, std::vector<uint8_t>{0x0f, 0xaa}}) {
    M m;
    m.Load(M::kCode, code);
    M::Result r = m.RunFrom(M::kCode);
    EXPECT_EQ(r.outcome.vector, kInvalidOpcode) << std::hex << int{code[1]};
    EXPECT_EQ(r.frame.rip, M::kCode);
  }
}

// SYSENTER from ring 3 to IA32_SYSENTER_EIP on IA32_SYSENTER_ESP with flat
// ring-0 CS/SS from IA32_SYSENTER_CS; SYSEXITQ back to RDX on RCX with CS
// and SS 32 and 40 above it, at ring 3.
TEST(SystemTest, SysenterAndSysexit) {
  M m;
  m.state().sysenter_cs = M::kKernelCs;
  m.state().sysenter_esp = M::kRsp0;
  m.state().sysenter_eip = M::kKernelCode;
  m.Load(M::kUserCode, {0x0f, 0x34});                    // sysenter
  m.Load(M::kKernelCode, {0x48, 0x0f, 0x35});            // sysexitq
  m.Load(M::kUserCode + 0x10, {0x0f, 0x0b});             // ud2, where SYSEXIT returns
  m.EnterUser(M::kUserStackTop);
  m.cpu().SetRflags(m.state().rflags | kIF);
  m.state().gpr[kRdx] = M::kUserCode + 0x10;
  m.state().gpr[kRcx] = M::kUserStackTop - 0x40;
  m.state().rip = M::kUserCode;
  m.cpu().Run(1);  // sysenter
  EXPECT_EQ(m.state().cpl, 0);
  EXPECT_EQ(m.state().rip, M::kKernelCode);
  EXPECT_EQ(m.state().gpr[kRsp], M::kRsp0);
  EXPECT_EQ(m.state().seg[kCs].selector, M::kKernelCs);
  EXPECT_EQ(m.state().seg[kSs].selector, M::kKernelCs + 8);
  EXPECT_FALSE(m.state().rflags & kIF);
  M::Result r = m.RunFrom(M::kKernelCode);  // sysexitq, then the UD2 at ring 3
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 0x10);
  EXPECT_EQ(r.frame.cs, M::kKernelCs + 32 + 3u);
  EXPECT_EQ(r.frame.ss, M::kKernelCs + 40 + 3u);
  EXPECT_EQ(r.frame.rsp, M::kUserStackTop - 0x40);
}

TEST(SystemTest, SysenterAndSysexitFaults) {
  {  // a null IA32_SYSENTER_CS
    M m;
    m.Load(M::kUserCode, {0x0f, 0x34});
    m.EnterUser(M::kUserStackTop);
    EXPECT_EQ(m.RunFrom(M::kUserCode).outcome.vector, kGeneralProtection);
  }
  {  // SYSEXIT at ring 3
    M m;
    m.state().sysenter_cs = M::kKernelCs;
    m.Load(M::kUserCode, {0x48, 0x0f, 0x35});
    m.EnterUser(M::kUserStackTop);
    EXPECT_EQ(m.RunFrom(M::kUserCode).outcome.vector, kGeneralProtection);
  }
  {  // the MSRs: a round trip, and a non-canonical IA32_SYSENTER_EIP is #GP(0)
    M m;
    std::vector<uint8_t> code = kWrmsr;
    code.insert(code.end(), kRdmsr.begin(), kRdmsr.end());
    code.push_back(0xf4);
    m.Load(M::kCode, code);
    m.state().gpr[kRcx] = 0x175;
    m.state().gpr[kRax] = 0x89abcdef;
    m.state().gpr[kRdx] = 0xffff8000;
    m.RunFrom(M::kCode);
    EXPECT_EQ(m.state().sysenter_esp, 0xffff800089abcdefull);
    EXPECT_EQ(m.state().gpr[kRax], 0x89abcdefu);
    EXPECT_EQ(m.state().gpr[kRdx], 0xffff8000u);
    m.state().gpr[kRcx] = 0x176;
    m.state().gpr[kRdx] = 0x00008000;
    EXPECT_EQ(m.RunFrom(M::kCode).outcome.vector, kGeneralProtection);
  }
}

TEST(SystemTest, SyscallWithoutSceIsInvalidOpcode) {
  M m;
  m.Load(M::kUserCode, {0x0f, 0x05});
  m.EnterUser(M::kUserStackTop);
  EXPECT_EQ(m.RunFrom(M::kUserCode).outcome.vector, kInvalidOpcode);
}

TEST(SystemTest, SwapgsExchangesGsBaseWithKernelGsBase) {
  M m;
  std::vector<uint8_t> code;
  Wrmsr(code, 0xc0000101, 0x1000);  // IA32_GS_BASE
  Wrmsr(code, 0xc0000102, 0x2000);  // IA32_KERNEL_GS_BASE
  code.insert(code.end(), {
                              0x0f, 0x01, 0xf8,  // swapgs
                              0x65, 0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x00, 0x00,  // mov rax, gs:[8]
                              0xf4,
                          });
  m.Load(M::kCode, code);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().seg[kGs].base, 0x2000u);
  EXPECT_EQ(m.state().kernel_gs_base, 0x1000u);
  EXPECT_EQ(m.state().gpr[kRax], m.Get64(0x2008));  // the GDT's first code descriptor

  M user;
  user.Load(M::kUserCode, {0x0f, 0x01, 0xf8});
  user.EnterUser(M::kUserStackTop);
  M::Result u = user.RunFrom(M::kUserCode);
  EXPECT_EQ(u.outcome.vector, kGeneralProtection);  // SDM vol. 2 SWAPGS: CPL 0 only
}

TEST(SystemTest, IretqToRingThreeAndInterruptBack) {
  M m;
  m.SetGate(kBreakpoint, 3);
  const uint64_t user_rsp = M::kUserStackTop - 0x40;
  std::vector<uint8_t> code = {0x6a, 0x23};  // push user SS
  code.insert(code.end(), {0x68, static_cast<uint8_t>(user_rsp), static_cast<uint8_t>(user_rsp >> 8),
                           static_cast<uint8_t>(user_rsp >> 16), 0x00});  // push user RSP
  code.insert(code.end(), {0x68, 0x93, 0x02, 0x00, 0x00});                // push RFLAGS IF|SF|AF|PF|CF
  code.insert(code.end(), {0x6a, 0x2b});                                  // push user CS
  code.insert(code.end(), {0x68, 0x00, 0x00, 0x06, 0x00});                // push kUserCode
  code.insert(code.end(), {0x48, 0xcf});                                  // iretq
  m.Load(M::kCode, code);
  m.Load(M::kUserCode, {0xcc});  // int3
  M::Result r = m.RunFrom(M::kCode, 6);
  ASSERT_EQ(r.outcome.reason, StopReason::kInstructionLimit);
  EXPECT_EQ(m.state().cpl, 3);
  EXPECT_EQ(m.state().rip, M::kUserCode);
  EXPECT_EQ(m.state().gpr[kRsp], user_rsp);
  EXPECT_EQ(m.state().seg[kCs].selector, M::kUserCs);
  EXPECT_EQ(m.state().seg[kSs].selector, M::kUserSs);
  EXPECT_EQ(m.state().rflags, 0x293u);
  EXPECT_EQ(m.state().mode, CpuMode::kLong64);

  r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kBreakpoint);
  EXPECT_EQ(m.state().cpl, 0);
  EXPECT_EQ(r.frame.address, M::kRsp0 - 40);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 1);
  EXPECT_EQ(r.frame.cs, M::kUserCs);
  EXPECT_EQ(r.frame.rflags, 0x293u);
  EXPECT_EQ(r.frame.rsp, user_rsp);
  EXPECT_EQ(r.frame.ss, M::kUserSs);
}

TEST(SystemTest, IretqCannotRaisePrivilege) {
  M m;
  m.EnterUser(M::kUserStackTop - 0x28);
  // A frame at the user stack that names the kernel CS.
  const uint64_t frame = M::kUserStackTop - 0x28;
  m.Put64(frame, M::kUserCode + 8);
  m.Put64(frame + 8, M::kKernelCs);
  m.Put64(frame + 16, kFlagsFixed1);
  m.Put64(frame + 24, M::kUserStackTop);
  m.Put64(frame + 32, M::kKernelSs);
  m.Load(M::kUserCode, {0x48, 0xcf});
  M::Result r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.cs, M::kUserCs);
}

TEST(SystemTest, MovToControlRegistersChecksReservedBits) {
  struct Case {
    const char* what;
    std::vector<uint8_t> code;
    std::function<uint64_t(const CpuState&)> value;
  };
  const std::vector<uint8_t> to_cr0 = {0x0f, 0x22, 0xc0}, to_cr3 = {0x0f, 0x22, 0xd8},
                             to_cr4 = {0x0f, 0x22, 0xe0}, to_cr8 = {0x44, 0x0f, 0x22, 0xc0};
  const Case faults[] = {
      {"CR0 bit 32", to_cr0, [](const CpuState& s) { return s.cr0 | (uint64_t{1} << 32); }},
      {"CR0.PG without PE", to_cr0, [](const CpuState& s) { return s.cr0 & ~kCr0PE; }},
      {"CR0.NW without CD", to_cr0, [](const CpuState& s) { return s.cr0 | kCr0NW; }},
      {"CR0.PG cleared in 64-bit mode", to_cr0, [](const CpuState& s) { return s.cr0 & ~kCr0PG; }},
      {"CR3 bit 60", to_cr3, [](const CpuState& s) { return s.cr3 | (uint64_t{1} << 60); }},
      {"CR4 reserved bit 12", to_cr4, [](const CpuState& s) { return s.cr4 | (1u << 12); }},
      {"CR4 bit 32", to_cr4, [](const CpuState& s) { return s.cr4 | (uint64_t{1} << 32); }},
      {"CR4.PAE cleared in IA-32e mode", to_cr4, [](const CpuState& s) { return s.cr4 & ~kCr4PAE; }},
      {"CR8 above 15", to_cr8, [](const CpuState&) { return uint64_t{16}; }},
  };
  for (const Case& c : faults) {
    SCOPED_TRACE(c.what);
    M m;
    std::vector<uint8_t> code = c.code;
    code.push_back(0xf4);
    m.Load(M::kCode, code);
    m.state().gpr[kRax] = c.value(m.state());
    const CpuState before = m.state();
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kGeneralProtection);  // SDM vol. 2 MOV CR: #GP(0)
    EXPECT_EQ(r.frame.error_code, 0u);
    EXPECT_EQ(m.state().cr0, before.cr0);
    EXPECT_EQ(m.state().cr3, before.cr3);
    EXPECT_EQ(m.state().cr4, before.cr4);
  }
  // Legal writes take effect; CR8 reads back.
  M m;
  m.Load(M::kCode, {0x0f, 0x22, 0xe0, 0x44, 0x0f, 0x22, 0xc1, 0x44, 0x0f, 0x20, 0xc2, 0xf4});
  m.state().gpr[kRax] = m.state().cr4 | kCr4PGE;
  m.state().gpr[kRcx] = 9;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_TRUE(m.state().cr4 & kCr4PGE);
  EXPECT_EQ(m.state().gpr[kRdx], 9u);
  // At CPL 3 even a read is #GP(0).
  M u;
  u.Load(M::kUserCode, {0x0f, 0x20, 0xc0});
  u.EnterUser(M::kUserStackTop);
  EXPECT_EQ(u.RunFrom(M::kUserCode).outcome.vector, kGeneralProtection);
}

// Runs WRMSR or RDMSR with ECX = msr and EDX:EAX = value.
M::Result RunMsr(M& m, const std::vector<uint8_t>& insn, uint32_t msr, uint64_t value = 0) {
  std::vector<uint8_t> code = insn;
  code.push_back(0xf4);
  m.Load(M::kCode, code);
  m.state().gpr[kRcx] = msr;
  m.state().gpr[kRax] = static_cast<uint32_t>(value);
  m.state().gpr[kRdx] = value >> 32;
  return m.RunFrom(M::kCode);
}

TEST(SystemTest, KnownMsrsReadBackWhatWasWritten) {
  struct Known {
    uint32_t msr;
    uint64_t value;
  };
  const Known known[] = {
      {kMsrStar, 0x0023001000000000ull},  {kMsrLstar, 0xffff800012345678ull},
      {kMsrCstar, 0x0000700000001000ull}, {kMsrFmask, 0x47700},
      {kMsrFsBase, 0xffff8000deadb000ull}, {kMsrGsBase, 0x00007fffffff0000ull},
      {kMsrKernelGsBase, 0xffffffff80000000ull}, {kMsrTscAux, 0x12345678},
      {kMsrPat, 0x0006050407010600ull},  {kMsrEfer, kEferLME | kEferNXE | kEferSCE | kEferLMA},
  };
  for (const Known& k : known) {
    SCOPED_TRACE(k.msr);
    M m;
    ASSERT_EQ(RunMsr(m, kWrmsr, k.msr, k.value).outcome.reason, StopReason::kHaltedForever);
    ASSERT_EQ(RunMsr(m, kRdmsr, k.msr).outcome.reason, StopReason::kHaltedForever);
    EXPECT_EQ(m.state().gpr[kRax], k.value & 0xffffffff);
    EXPECT_EQ(m.state().gpr[kRdx], k.value >> 32);
  }
  // FS_BASE is the base FS-relative accesses use.
  M m;
  RunMsr(m, kWrmsr, kMsrFsBase, 0x3000);
  m.Load(M::kCode, {0x64, 0x48, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, 0xf4});  // mov rax, fs:[0x10]
  m.RunFrom(M::kCode);
  EXPECT_EQ(m.state().gpr[kRax], m.Get64(0x3010));
}

TEST(SystemTest, MsrAccessFaults) {
  struct Bad {
    const char* what;
    std::vector<uint8_t> insn;
    uint32_t msr;
    uint64_t value;
  };
  const uint64_t kNonCanonical = 0x0000800000000000ull;
  const Bad bad[] = {
      {"rdmsr unknown", kRdmsr, 0x12345, 0},
      {"wrmsr unknown", kWrmsr, 0xc0000200, 0},
      {"LSTAR non-canonical", kWrmsr, kMsrLstar, kNonCanonical},
      {"FS_BASE non-canonical", kWrmsr, kMsrFsBase, kNonCanonical},
      {"GS_BASE non-canonical", kWrmsr, kMsrGsBase, kNonCanonical},
      {"KERNEL_GS_BASE non-canonical", kWrmsr, kMsrKernelGsBase, kNonCanonical},
      {"PAT memory type 2", kWrmsr, kMsrPat, 0x0007040600070402ull},
      {"EFER reserved bit", kWrmsr, kMsrEfer, kEferLME | kEferLMA | (1u << 2)},
      {"TSC_AUX high half", kWrmsr, kMsrTscAux, uint64_t{1} << 32},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.what);
    M m;
    M::Result r = RunMsr(m, b.insn, b.msr, b.value);
    ASSERT_EQ(r.outcome.vector, kGeneralProtection);
    EXPECT_EQ(r.frame.error_code, 0u);
  }
  M u;
  u.Load(M::kUserCode, kRdmsr);
  u.EnterUser(M::kUserStackTop);
  u.state().gpr[kRcx] = kMsrStar;
  EXPECT_EQ(u.RunFrom(M::kUserCode).outcome.vector, kGeneralProtection);
}

TEST(SystemTest, RdtscCountsSimulatedCycles) {
  M m;
  std::vector<uint8_t> code = {0x0f, 0x31, 0x89, 0xc6};  // rdtsc; mov esi, eax
  code.insert(code.end(), 10, 0x90);                     // ten nops
  code.insert(code.end(), {0x0f, 0x31, 0xf4});           // rdtsc; hlt
  m.Load(M::kCode, code);
  m.RunFrom(M::kCode);
  // One cycle per retired instruction: rdtsc, mov and ten nops lie between.
  EXPECT_EQ(static_cast<uint32_t>(m.state().gpr[kRax]) - static_cast<uint32_t>(m.state().gpr[kRsi]),
            12u);
  // WRMSR to IA32_TSC moves the counter; it keeps counting from there.
  M w;
  w.Load(M::kCode, {0x0f, 0x30, 0x0f, 0x31, 0xf4});  // wrmsr; rdtsc; hlt
  w.state().gpr[kRcx] = kMsrTsc;
  w.state().gpr[kRax] = 0x89abcdef;
  w.state().gpr[kRdx] = 0x1;
  w.RunFrom(M::kCode);
  EXPECT_EQ((w.state().gpr[kRdx] << 32) | w.state().gpr[kRax], 0x189abcdefull + 1);
}

TEST(SystemTest, UnimplementedInstructionsRaiseUdAndAreCounted) {
  M m;
  m.Load(M::kCode, {0x0f, 0x01, 0xd6});  // xtest (TSX is not implemented)
  for (int i = 1; i <= 2; ++i) {
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
    EXPECT_EQ(r.frame.rip, M::kCode);
    EXPECT_EQ(m.cpu().unimplemented_counts().at("xtest"), static_cast<uint64_t>(i));
  }
  // With --unimplemented=stop the run ends instead, naming the instruction.
  M s;
  s.cpu().set_stop_on_unimplemented(true);
  s.Load(M::kCode, {0x0f, 0x01, 0xd6});
  s.state().rip = M::kCode;
  StopInfo stop = s.cpu().Run(10);
  EXPECT_EQ(stop.reason, StopReason::kUnimplemented);
  EXPECT_NE(stop.detail.find("xtest"), std::string::npos) << stop.detail;
}

// A one-shot event source: `vector` becomes pending at cycle `at`.
class OneShotTimer : public InterruptController {
 public:
  OneShotTimer(uint64_t at, int vector) : at_(at), vector_(vector) {}
  int PendingVector(uint64_t now) override { return !taken_ && now >= at_ ? vector_ : -1; }
  void Acknowledge(int vector) override {
    EXPECT_EQ(vector, vector_);
    taken_ = true;
  }
  uint64_t NextEventCycle() override { return taken_ ? UINT64_MAX : at_; }
  bool taken() const { return taken_; }

 private:
  uint64_t at_;
  int vector_;
  bool taken_ = false;
};

TEST(SystemTest, HltSleepsUntilTheNextInterruptInSimulatedTime) {
  M m;
  constexpr int kVector = 32;
  const uint64_t handler = M::kStubs + 16 * kVector;
  m.SetInterruptGate(kVector, handler);
  m.Load(handler, {0x0f, 0x31, 0xf4});   // rdtsc; hlt (IF is now clear: stops)
  m.Load(M::kCode, {0xfb, 0xf4, 0x90});  // sti; hlt; nop
  OneShotTimer timer(1000, kVector);
  m.cpu().set_interrupt_controller(&timer);
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_TRUE(timer.taken());
  EXPECT_EQ(m.state().rip, handler + 3);
  EXPECT_EQ(m.state().gpr[kRax], 1000u);  // the handler ran at the timer's cycle, not before
  EXPECT_EQ(m.Get64(m.state().gpr[kRsp]), M::kCode + 2);  // interrupted after the HLT
  EXPECT_EQ(m.cpu().instret(), 4u);                      // sti, hlt, rdtsc, hlt
  m.cpu().set_interrupt_controller(nullptr);
}

}  // namespace
}  // namespace x64sim::testing
