// The fuzzers' machine does what it says in every mode, so that what the
// executor fuzzer finds is about x64sim, not about its harness.
#include "tests/fuzz/fuzz_machine.h"

#include "gtest/gtest.h"
#include "mmu/paging_bits.h"

namespace x64sim::fuzz {
namespace {

constexpr uint64_t kRw = paging::kPteP | paging::kPteRw;
constexpr uint64_t kUserRw = kRw | paging::kPteUs;

FuzzSetup Basic(FuzzMode mode, int cpl, std::vector<uint8_t> code) {
  FuzzSetup s;
  s.mode = mode;
  s.cpl = cpl;
  const uint64_t pte = cpl ? kUserRw : kRw;
  s.code_pte = s.stack_pte = pte;
  for (uint64_t& p : s.data_pte) p = pte;
  s.gpr[kRbx] = FuzzMachine::kDataPages;
  s.code = std::move(code);
  return s;
}

// The stub of vector v is a HLT at 0x4000 + 16 v: after it, RIP is one past.
uint64_t StubRip(int vector) { return 0x4000 + 16 * vector + 1; }

TEST(FuzzMachineTest, LongModeRunsToItsHlt) {
  FuzzMachine m;
  // mov dword [rbx], 0x1234; mov eax, [rbx]; hlt
  m.Setup(Basic(FuzzMode::kLong64, 0, {0xc7, 0x03, 0x34, 0x12, 0, 0, 0x8b, 0x03, 0xf4}));
  StopInfo stop = m.Run(100);
  EXPECT_EQ(stop.reason, StopReason::kHaltedForever) << stop.detail;
  EXPECT_EQ(m.cpu().state.gpr[kRax], 0x1234u);
  EXPECT_EQ(m.cpu().state.rip, FuzzMachine::kCodePage + 9);
  EXPECT_EQ(m.BrokenInvariant(), "");
}

TEST(FuzzMachineTest, UserAccessToSupervisorPageFaults) {
  FuzzMachine m;
  FuzzSetup s = Basic(FuzzMode::kLong64, 3, {0x8b, 0x03});  // mov eax, [rbx]
  s.data_pte[0] = kRw;  // supervisor only
  m.Setup(s);
  m.Run(100);
  EXPECT_EQ(m.cpu().state.rip, StubRip(kPageFault));
  EXPECT_EQ(m.cpu().state.cpl, 0);
  EXPECT_EQ(m.cpu().state.cr2, FuzzMachine::kDataPages);
  EXPECT_EQ(m.BrokenInvariant(), "");
}

// CR0.AM with EFLAGS.AC at CPL 3: a misaligned load is #AC, in 64-bit and
// in virtual-8086 mode, and the fast-path invariant holds after it.
TEST(FuzzMachineTest, AlignmentCheckRaisesAc) {
  for (FuzzMode mode : {FuzzMode::kLong64, FuzzMode::kVm86}) {
    FuzzMachine m;
    // mov eax, [rbx + 1]; in 16-bit code mov ax, [bp + di + 1], with BP = DI = 0
    FuzzSetup s = Basic(mode, 3, {0x8b, 0x43, 0x01});
    s.cr0_am = true;
    s.rflags = kAC | 2;
    m.Setup(s);
    EXPECT_EQ(m.BrokenInvariant(), "");
    m.Run(100);
    EXPECT_EQ(m.cpu().state.rip, StubRip(kAlignmentCheck)) << static_cast<int>(mode);
    EXPECT_EQ(m.BrokenInvariant(), "");
  }
}

TEST(FuzzMachineTest, LegacyFlatModeRuns32BitCode) {
  FuzzMachine m;
  // mov eax, 0x11223344 (B8 id: 5 bytes in 32-bit code, 10 with REX.W in 64)
  m.Setup(Basic(FuzzMode::kLegacyFlat, 0, {0xb8, 0x44, 0x33, 0x22, 0x11, 0x0f, 0x0b}));
  StopInfo stop = m.Run(100);
  EXPECT_EQ(stop.reason, StopReason::kHaltedForever) << stop.detail;
  EXPECT_EQ(m.cpu().state.mode, CpuMode::kProtected32);
  EXPECT_EQ(m.cpu().state.gpr[kRax], 0x11223344u);
  EXPECT_EQ(m.cpu().state.rip, StubRip(kInvalidOpcode));  // the UD2 after it
  EXPECT_EQ(m.BrokenInvariant(), "");
}

// An exception at ring 3 in 32-bit protected mode reaches its ring-0
// handler on the 32-bit TSS's SS0:ESP0, with SS, ESP, EFLAGS, CS and EIP.
TEST(FuzzMachineTest, LegacyRingChangeOnAnExceptionSwitchesStacks) {
  FuzzMachine m;
  m.Setup(Basic(FuzzMode::kLegacyFlat, 3, {0x0f, 0x0b}));
  m.Run(100);
  const CpuState& s = m.cpu().state;
  EXPECT_EQ(s.rip, StubRip(kInvalidOpcode));
  EXPECT_EQ(s.cpl, 0);
  EXPECT_EQ(s.seg[kSs].selector, 0x10);  // the fuzz machine's ring-0 data segment
  EXPECT_EQ(s.gpr[kRsp], 0x7000u - 20);  // its ESP0, less five dwords
}

// x64sim's MMU has no 32-bit or PAE paging without long mode (docs/mmu.md).
TEST(FuzzMachineTest, LegacyPagingStopsSayingSo) {
  FuzzMachine m;
  m.Setup(Basic(FuzzMode::kLegacyPae, 0, {0x90}));
  StopInfo stop = m.Run(100);
  EXPECT_EQ(stop.reason, StopReason::kUnimplemented);
  EXPECT_NE(stop.detail.find("PAE paging"), std::string::npos) << stop.detail;
}

TEST(FuzzMachineTest, CompatibilityModeDeliversThroughThe64BitIdt) {
  FuzzMachine m;
  m.Setup(Basic(FuzzMode::kCompat32, 3, {0xcc}));  // int3 (gate DPL 3)
  m.Run(100);
  EXPECT_EQ(m.cpu().state.mode, CpuMode::kLong64);
  EXPECT_EQ(m.cpu().state.rip, StubRip(kBreakpoint));
}

TEST(FuzzMachineTest, SixteenBitCodeRunsAs16BitCode) {
  FuzzMachine m;
  // mov ax, 0x3344 (B8 iw: 3 bytes in 16-bit code), then UD2
  m.Setup(Basic(FuzzMode::kProtected16, 0, {0xb8, 0x44, 0x33, 0x0f, 0x0b}));
  m.cpu().state.gpr[kRax] = 0x11220000;
  StopInfo stop = m.Run(100);
  EXPECT_EQ(stop.reason, StopReason::kHaltedForever) << stop.detail;
  EXPECT_EQ(m.cpu().state.gpr[kRax], 0x11223344u);  // AX only
  EXPECT_EQ(m.cpu().state.rip, StubRip(kInvalidOpcode));
  EXPECT_EQ(m.BrokenInvariant(), "");
}

TEST(FuzzMachineTest, Vm86ModeRunsAtSegmentFfff) {
  FuzzMachine m;
  // mov ax, 0x3344, then UD2: #UD to the ring-0 stub, leaving VM86
  m.Setup(Basic(FuzzMode::kVm86, 0, {0xb8, 0x44, 0x33, 0x0f, 0x0b}));
  EXPECT_EQ(m.cpu().ModeName(), "virtual-8086 mode");
  EXPECT_EQ(m.cpu().state.cpl, 3);
  EXPECT_EQ(m.BrokenInvariant(), "");
  m.cpu().state.gpr[kRax] = 0;
  m.Run(100);
  EXPECT_EQ(m.cpu().state.gpr[kRax], 0x3344u);
  EXPECT_EQ(m.cpu().state.rip, StubRip(kInvalidOpcode));
  EXPECT_EQ(m.cpu().state.rflags & kVM, 0u);
  EXPECT_EQ(m.BrokenInvariant(), "");
}

TEST(FuzzMachineTest, RealModeRuns) {
  FuzzMachine m;
  m.Setup(Basic(FuzzMode::kReal, 0, {0xb8, 0x44, 0x33, 0xf4}));  // mov ax, 0x3344; hlt
  EXPECT_EQ(m.cpu().ModeName(), "real mode");
  EXPECT_EQ(m.BrokenInvariant(), "");
  StopInfo stop = m.Run(100);
  EXPECT_EQ(stop.reason, StopReason::kHaltedForever) << stop.detail;
  EXPECT_EQ(m.cpu().state.gpr[kRax] & 0xffff, 0x3344u);
  EXPECT_EQ(m.cpu().state.seg[kCs].base, 0xffff0u);
  EXPECT_EQ(m.BrokenInvariant(), "");
}

TEST(FuzzMachineTest, SoftTlbStaysCoherentAcrossAPageTableChange) {
  FuzzMachine m;
  // Read the page, unmap it by rewriting its PTE, INVLPG, read again: the
  // second read must fault, and the soft TLB must not keep the old page.
  // mov eax,[rbx]; mov qword [rcx], 0; invlpg [rbx]; mov eax,[rbx]
  FuzzSetup s = Basic(FuzzMode::kLong64, 0,
                      {0x8b, 0x03, 0x48, 0xc7, 0x01, 0, 0, 0, 0, 0x0f, 0x01, 0x3b, 0x8b, 0x03});
  s.gpr[kRcx] = 0xb000 + (FuzzMachine::kDataPages >> 12) * 8;  // its PTE
  m.Setup(s);
  m.Run(100);
  EXPECT_EQ(m.cpu().state.rip, StubRip(kPageFault));
  EXPECT_EQ(m.BrokenInvariant(), "");
}

}  // namespace
}  // namespace x64sim::fuzz
