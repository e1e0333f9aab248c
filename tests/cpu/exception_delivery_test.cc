// Exception and interrupt delivery through the 64-bit IDT (SDM vol. 3A ch. 6):
// vectors, the frame with SS:RSP, its 16-byte alignment, error codes, CR2,
// the switch to TSS.RSP0, IST stacks, #DF, triple fault, and the INT n gate
// DPL check.
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr uint8_t kUd2[] = {0x0f, 0x0b};

TEST(ExceptionDeliveryTest, DivideErrorFrameHoldsSsRspAndIsSixteenByteAligned) {
  M m;
  m.Load(M::kCode, {0xf7, 0xf1});  // div ecx
  m.state().gpr[kRcx] = 0;
  m.state().rflags = kFlagsFixed1 | kCF | kZF;
  const uint64_t rsp = M::kStackTop - 8;  // not 16-byte aligned
  m.state().gpr[kRsp] = rsp;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDivideError);
  EXPECT_EQ(r.frame.rip, M::kCode);  // a fault reports the faulting instruction
  EXPECT_EQ(r.frame.cs, M::kKernelCs);
  EXPECT_EQ(r.frame.rflags, kFlagsFixed1 | kCF | kZF | kRF);  // faults push RF = 1 (SDM vol. 3B 17.3.1.1)
  EXPECT_EQ(r.frame.rsp, rsp);  // SDM vol. 3A 6.14.2: SS:RSP pushed even without a stack switch
  EXPECT_EQ(r.frame.ss, M::kKernelSs);
  // SDM vol. 3A 6.14.2: RSP is aligned down to 16 bytes before the frame is pushed.
  EXPECT_EQ(r.frame.address, (rsp & ~uint64_t{15}) - 40);
}

// Code in a page mapped to a physical address with no RAM or device behind
// it reads as all ones, as data reads there do: FF FF is the reserved
// FF /7, so the fetch ends in #UD at that address, not in a stopped machine.
TEST(ExceptionDeliveryTest, CodeWithNothingBehindItIsInvalidOpcode) {
  M m;
  constexpr uint64_t kUnbacked = 0x980000;
  m.MapPage(kUnbacked, uint64_t{1} << 36);  // far above the machine's RAM
  M::Result r = m.RunFrom(kUnbacked);
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
  EXPECT_EQ(r.frame.rip, kUnbacked);
}

TEST(ExceptionDeliveryTest, PageFaultErrorCodesAndCr2) {
  struct Case {
    const char* what;
    bool user;
    std::vector<uint8_t> code;
    uint64_t pte_flags;
    uint64_t error_code;  // SDM vol. 3A 4.7: P W/R U/S RSVD I/D
  };
  const uint64_t kTarget = M::kData + 0x3123;
  const uint64_t kNx = uint64_t{1} << 63;
  const Case cases[] = {
      {"supervisor read, not present", false, {0x8b, 0x00}, 0, 0x0},     // mov eax, [rax]
      {"supervisor write, not present", false, {0xc6, 0x00, 0x01}, 0, 0x2},  // mov byte [rax], 1
      {"user read of a supervisor page", true, {0x8b, 0x00}, 0x3, 0x5},
      {"user write to a read-only page", true, {0xc6, 0x00, 0x01}, 0x5, 0x7},
      {"user write, not present", true, {0xc6, 0x00, 0x01}, 0x4, 0x6},
      {"fetch from an NX page", false, {0xff, 0xe0}, 0x3 | kNx, 0x11},  // jmp rax
      {"reserved bit set", false, {0x8b, 0x00}, 0x3 | (uint64_t{1} << 51), 0x9},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    M m;
    m.SetPteFlags(kTarget, c.pte_flags);
    const uint64_t code = c.user ? M::kUserCode : M::kCode;
    m.Load(code, c.code);
    m.state().gpr[kRax] = kTarget;
    if (c.user) m.EnterUser(M::kUserStackTop);
    M::Result r = m.RunFrom(code);
    ASSERT_EQ(r.outcome.vector, kPageFault);
    EXPECT_EQ(r.frame.error_code, c.error_code);
    EXPECT_EQ(m.state().cr2, kTarget);
    // An instruction fetch faults at the target; a data access at the instruction.
    EXPECT_EQ(r.frame.rip, c.code[0] == 0xff ? kTarget : code);
  }
}

TEST(ExceptionDeliveryTest, PrivilegeChangeSwitchesToTssRsp0) {
  M m;
  m.Load(M::kUserCode, {kUd2[0], kUd2[1]});
  const uint64_t user_rsp = M::kUserStackTop - 0x18;
  m.EnterUser(user_rsp);
  m.state().rflags = kFlagsFixed1 | kIF;
  M::Result r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
  EXPECT_EQ(r.frame.address, M::kRsp0 - 40);
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_EQ(r.frame.cs, M::kUserCs);
  EXPECT_EQ(r.frame.rsp, user_rsp);
  EXPECT_EQ(r.frame.ss, M::kUserSs);
  EXPECT_EQ(r.frame.rflags, kFlagsFixed1 | kIF | kRF);  // #UD is a fault: RF = 1
  EXPECT_EQ(m.state().cpl, 0);
  EXPECT_EQ(m.state().seg[kCs].selector, M::kKernelCs);
  // SDM vol. 3A 6.14.2: the new SS is a null selector with RPL = new CPL.
  EXPECT_EQ(m.state().seg[kSs].selector, 0);
  EXPECT_FALSE(m.state().rflags & kIF);  // an interrupt gate clears IF
}

TEST(ExceptionDeliveryTest, TrapGateKeepsInterruptsEnabled) {
  M m;
  m.SetGate(kInvalidOpcode, 0, 0, /*trap=*/true);
  m.Load(M::kCode, {kUd2[0], kUd2[1]});
  m.state().rflags = kFlagsFixed1 | kIF;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
  EXPECT_TRUE(m.state().rflags & kIF);
}

TEST(ExceptionDeliveryTest, IstStackIsUsedWithoutPrivilegeChangeAndAligned) {
  M m;
  m.SetGate(kInvalidOpcode, 0, /*ist=*/1);
  m.Put64(M::kTss + 0x24, M::kIst1 + 8);  // misaligned IST pointer
  m.Load(M::kCode, {kUd2[0], kUd2[1]});
  m.state().gpr[kRsp] = M::kStackTop;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
  EXPECT_EQ(r.frame.address, M::kIst1 - 40);
  EXPECT_EQ(r.frame.rsp, M::kStackTop);
  EXPECT_EQ(r.frame.ss, M::kKernelSs);
}

TEST(ExceptionDeliveryTest, PageFaultWhileDeliveringPageFaultIsDoubleFault) {
  M m;
  m.SetGate(kDoubleFault, 0, /*ist=*/1);  // the #DF handler gets a good stack
  const uint64_t bad_stack = M::kData + 0x8000;
  m.SetPteFlags(bad_stack - 8, 0);
  m.SetPteFlags(M::kData, 0);
  m.Load(M::kCode, {0x8b, 0x00});  // mov eax, [rax]
  m.state().gpr[kRax] = M::kData;
  m.state().gpr[kRsp] = bad_stack;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDoubleFault);
  EXPECT_EQ(r.frame.error_code, 0u);  // SDM vol. 3A 6.15: #DF pushes 0
  EXPECT_EQ(r.frame.address, M::kIst1 - 48);
  EXPECT_EQ(r.frame.rip, M::kCode);
  EXPECT_EQ(r.frame.rsp, bad_stack);
}

TEST(ExceptionDeliveryTest, NotPresentPageFaultGateIsDoubleFault) {
  M m;
  m.SetGate(kPageFault, 0, 0, false, /*present=*/false);
  m.SetPteFlags(M::kData, 0);
  m.Load(M::kCode, {0x8b, 0x00});
  m.state().gpr[kRax] = M::kData;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kDoubleFault);
  EXPECT_EQ(r.frame.rip, M::kCode);
}

TEST(ExceptionDeliveryTest, BenignFaultFollowedByPageFaultIsDeliveredSerially) {
  // SDM vol. 3A table 6-5: #UD (benign) then #PF is handled as the #PF.
  M m;
  const uint64_t bad_stack = M::kData + 0x8000;
  m.SetPteFlags(bad_stack - 8, 0);
  m.SetGate(kPageFault, 0, /*ist=*/1);
  m.Load(M::kCode, {kUd2[0], kUd2[1]});
  m.state().gpr[kRsp] = bad_stack;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kPageFault);
  EXPECT_EQ(r.frame.error_code, 0x2u);  // supervisor write, not present
  // CR2 names the first push of the #UD frame, SS's slot.
  EXPECT_EQ(m.state().cr2, bad_stack - 8);
}

TEST(ExceptionDeliveryTest, FrameCrossingIntoAnUnmappedPageFaultsAtTheFirstSlotThere) {
  // SS and RSP fit in the mapped page above; RFLAGS is the first push below.
  M m;
  const uint64_t stack_top = M::kData + 0x8010;
  m.SetPteFlags(M::kData + 0x7000, 0);
  m.SetGate(kPageFault, 0, /*ist=*/1);
  m.Load(M::kCode, {kUd2[0], kUd2[1]});
  m.state().gpr[kRsp] = stack_top;
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kPageFault);
  EXPECT_EQ(r.frame.error_code, 0x2u);
  EXPECT_EQ(m.state().cr2, M::kData + 0x7ff8);
  EXPECT_EQ(m.Get64(M::kData + 0x8008), m.state().seg[kSs].selector);  // already pushed
}

TEST(ExceptionDeliveryTest, FaultDeliveringDoubleFaultIsTripleFault) {
  M m;
  m.SetGate(kPageFault, 0, 0, false, false);
  m.SetGate(kDoubleFault, 0, 0, false, false);
  m.SetPteFlags(M::kData, 0);
  m.Load(M::kCode, {0x8b, 0x00});
  m.state().gpr[kRax] = M::kData;
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kTripleFault);
  EXPECT_EQ(r.outcome.vector, -1);
}

TEST(ExceptionDeliveryTest, IntNChecksTheGateDpl) {
  {
    // SDM vol. 3A 6.12.1.1: INT n at CPL 3 through a DPL 0 gate is #GP(vector*8+2).
    M m;
    m.Load(M::kUserCode, {0xcc});  // int3
    m.EnterUser(M::kUserStackTop);
    M::Result r = m.RunFrom(M::kUserCode);
    ASSERT_EQ(r.outcome.vector, kGeneralProtection);
    EXPECT_EQ(r.frame.error_code, 3u * 8 + 2);
    EXPECT_EQ(r.frame.rip, M::kUserCode);
  }
  {
    // Through a DPL 3 gate it is delivered as a trap: the frame holds the next RIP.
    M m;
    m.SetGate(kBreakpoint, 3);
    m.Load(M::kUserCode, {0xcd, 0x03});  // int 3
    m.EnterUser(M::kUserStackTop);
    M::Result r = m.RunFrom(M::kUserCode);
    ASSERT_EQ(r.outcome.vector, kBreakpoint);
    EXPECT_EQ(r.frame.rip, M::kUserCode + 2);
    EXPECT_EQ(r.frame.cs, M::kUserCs);
    EXPECT_EQ(r.frame.address, M::kRsp0 - 40);
  }
  {
    // A vector past the IDT limit is #GP(vector*8+2) (software: EXT = 0).
    M m;
    m.Load(M::kCode, {0xcd, 0x80});  // int 0x80
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kGeneralProtection);
    EXPECT_EQ(r.frame.error_code, 0x80u * 8 + 2);
  }
  {
    // Hardware exceptions ignore the gate DPL: #UD at CPL 3 through a DPL 0 gate.
    M m;
    m.Load(M::kUserCode, {kUd2[0], kUd2[1]});
    m.EnterUser(M::kUserStackTop);
    EXPECT_EQ(m.RunFrom(M::kUserCode).outcome.vector, kInvalidOpcode);
  }
}

// A gate to a conforming code segment keeps the privilege (SDM vol. 2A
// INT n: an intra-privilege interrupt): from ring 3 the handler runs at
// CPL 3 on the same stack, CS with RPL 3, and the descriptor is marked
// accessed as CS is loaded.
TEST(ExceptionDeliveryTest, ConformingHandlerRunsAtTheCurrentPrivilege) {
  M m;
  constexpr uint16_t kConforming = 0x48;
  m.Put64(M::kGdt + kConforming, 0x00af9c000000ffffull);  // 64-bit code, conforming, DPL 0, not accessed
  m.state().gdtr = {M::kGdt, kConforming + 7};
  m.SetGate(kBreakpoint, 3);
  const uint64_t gate = m.Get64(M::kIdt + 16 * kBreakpoint);
  m.Put64(M::kIdt + 16 * kBreakpoint, (gate & ~0xffff0000ull) | uint64_t{kConforming} << 16);
  m.Load(M::kUserCode, {0xcd, 0x03});  // int 3
  const uint64_t user_rsp = M::kUserStackTop - 0x10;
  m.EnterUser(user_rsp);
  m.RunFrom(M::kUserCode, /*max_instructions=*/1);  // the INT only: stopped at the handler
  ASSERT_EQ(m.state().rip, M::kStubs + 16 * kBreakpoint);
  EXPECT_EQ(m.state().cpl, 3);
  EXPECT_EQ(m.state().seg[kCs].selector, kConforming | 3);
  EXPECT_EQ(m.state().seg[kSs].selector, M::kUserSs);
  const uint64_t rsp = m.state().gpr[kRsp];
  EXPECT_EQ(rsp, user_rsp - 40);
  EXPECT_EQ(m.Get64(rsp), M::kUserCode + 2);  // the frame's RIP
  EXPECT_EQ((m.Get64(M::kGdt + kConforming) >> 40) & 1, 1u);
}

TEST(ExceptionDeliveryTest, GeneralProtectionErrorCodeNamesTheSelector) {
  M m;
  m.Load(M::kCode, {0x8e, 0xd8});  // mov ds, eax
  m.state().gpr[kRax] = 0x1238;    // past the GDT limit
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, 0x1238u);
}

TEST(ExceptionDeliveryTest, Rsp0IsAlignedDownToSixteenBytes) {
  M m;
  m.Put64(M::kTss + 4, M::kRsp0 + 8);
  m.Load(M::kUserCode, {kUd2[0], kUd2[1]});
  m.EnterUser(M::kUserStackTop);
  M::Result r = m.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kInvalidOpcode);
  EXPECT_EQ(r.frame.address, M::kRsp0 - 40);
}

TEST(ExceptionDeliveryTest, NonCanonicalAddressesFault) {
  const uint64_t kNonCanonical = 0x0000800000000000ull;
  {
    // SDM vol. 3A 6.15 (#GP): a non-canonical data reference is #GP(0).
    M m;
    m.Load(M::kCode, {0x48, 0x8b, 0x01});  // mov rax, [rcx]
    m.state().gpr[kRcx] = kNonCanonical;
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kGeneralProtection);
    EXPECT_EQ(r.frame.error_code, 0u);
  }
  {
    // ... and a non-canonical stack reference is #SS(0) (handled on IST1,
    // since the faulting RSP cannot hold a frame).
    M m;
    m.SetGate(kStackFault, 0, /*ist=*/1);
    m.Load(M::kCode, {0x50});  // push rax
    m.state().gpr[kRsp] = kNonCanonical + 8;
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kStackFault);
    EXPECT_EQ(r.frame.error_code, 0u);
    EXPECT_EQ(r.frame.rsp, kNonCanonical + 8);
    EXPECT_EQ(r.frame.rip, M::kCode);
  }
  {
    // A stack read whose last byte is past the canonical boundary is #SS(0) too.
    M m;
    m.SetGate(kStackFault, 0, /*ist=*/1);
    m.Load(M::kCode, {0x58});  // pop rax
    m.state().gpr[kRsp] = kNonCanonical - 4;
    M::Result r = m.RunFrom(M::kCode);
    ASSERT_EQ(r.outcome.vector, kStackFault);
    EXPECT_EQ(r.frame.error_code, 0u);
    EXPECT_EQ(r.frame.rsp, kNonCanonical - 4);
  }
}

TEST(ExceptionDeliveryTest, PageCrossingAccessReportsTheMissingPage) {
  M m;
  const uint64_t second = M::kData + 0x5000;
  m.SetPteFlags(second, 0);
  m.Load(M::kCode, {0x48, 0x89, 0x01});  // mov [rcx], rax
  m.state().gpr[kRcx] = second - 4;
  uint64_t before = m.Get64(second - 8);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kPageFault);
  EXPECT_EQ(r.frame.error_code, 0x2u);
  EXPECT_EQ(m.state().cr2, second);
  EXPECT_EQ(m.Get64(second - 8), before);  // nothing of the store was written
}

}  // namespace
}  // namespace x64sim::testing
