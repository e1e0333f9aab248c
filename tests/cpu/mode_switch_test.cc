// The switch from 32-bit protected mode to long mode as a multiboot kernel
// does it (SDM vol. 3A 9.8.5): CR4.PAE, CR3, EFER.LME, then CR0.PG turns on
// IA-32e mode (EFER.LMA) in compatibility mode, and a far jump to a 64-bit
// code segment enters 64-bit mode.
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

// Puts the machine in 32-bit protected mode with paging off, CPL 0.
void ResetToProtectedMode(M& m) {
  Cpu& cpu = m.cpu();
  cpu.LoadSegmentCache(kCs, Segment{M::kKernelCs32, 0, 0xffffffff, 0xcf9b});
  cpu.WriteCr0(kCr0PE | kCr0ET | kCr0NE);
  cpu.WriteEfer(0);
  cpu.WriteCr4(kCr4OSFXSR);
  cpu.WriteCr3(0);
}

TEST(ModeSwitchTest, ProtectedModeToLongMode) {
  M m;
  ResetToProtectedMode(m);
  ASSERT_EQ(m.state().mode, CpuMode::kProtected32);
  ASSERT_FALSE(m.state().efer & kEferLMA);
  const uint64_t target = M::kCode + 0x100;
  std::vector<uint8_t> code = {
      0x0f, 0x20, 0xe0,              // mov eax, cr4
      0x83, 0xc8, 0x20,              // or eax, CR4.PAE
      0x0f, 0x22, 0xe0,              // mov cr4, eax
      0xb8, 0x00, 0x80, 0x00, 0x00,  // mov eax, kPml4
      0x0f, 0x22, 0xd8,              // mov cr3, eax
      0xb9, 0x80, 0x00, 0x00, 0xc0,  // mov ecx, IA32_EFER
      0x0f, 0x32,                    // rdmsr
      0x0d, 0x00, 0x01, 0x00, 0x00,  // or eax, EFER.LME
      0x0f, 0x30,                    // wrmsr
      0x0f, 0x20, 0xc0,              // mov eax, cr0
      0x0d, 0x00, 0x00, 0x00, 0x80,  // or eax, CR0.PG
      0x0f, 0x22, 0xc0,              // mov cr0, eax
      0xea,                          // jmp 0x08:target
  };
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(target >> (8 * i)));
  code.insert(code.end(), {0x08, 0x00});
  static_assert(M::kPml4 == 0x8000);
  m.Load(M::kCode, code);
  // mov rax, imm64 (only meaningful in 64-bit mode); hlt
  m.Load(target, {0x48, 0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0xf4});

  M::Result r = m.RunFrom(M::kCode, 12);  // up to and including mov cr0, eax
  ASSERT_EQ(r.outcome.reason, StopReason::kInstructionLimit);
  EXPECT_TRUE(m.state().efer & kEferLMA);
  EXPECT_TRUE(m.state().cr0 & kCr0PG);
  EXPECT_TRUE(m.state().cr4 & kCr4PAE);
  EXPECT_EQ(m.state().mode, CpuMode::kCompat32);  // IA-32e mode, still a 32-bit CS

  r = m.RunFrom(m.state().rip);
  ASSERT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().mode, CpuMode::kLong64);
  EXPECT_EQ(m.state().seg[kCs].selector, M::kKernelCs);
  EXPECT_EQ(m.state().gpr[kRax], 0x123456789abcdef0ull);
  EXPECT_EQ(m.state().rip, target + 11);
}

TEST(ModeSwitchTest, SixteenBitBranchWrapsIpOutsideLongMode) {
  // SDM vol. 2A Jcc: with a 16-bit operand size the target is truncated to
  // 16 bits, so `jz rel16` at 0x40002 lands at 0x0017, not 0x40017.
  M m;
  ResetToProtectedMode(m);
  m.Load(0x17, {0xf4});  // hlt
  m.Load(0x40017, {0xf4});
  // xor eax, eax; jz rel16 +0x10 (66 0f 84)
  m.Load(M::kCode, {0x31, 0xc0, 0x66, 0x0f, 0x84, 0x10, 0x00});
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().rip, 0x18u);
}

TEST(ModeSwitchTest, PagingWithoutLongModeStaysProtected) {
  // Without EFER.LME, CR0.PG with PAE is 32-bit PAE paging, not IA-32e mode.
  M m;
  ResetToProtectedMode(m);
  m.cpu().WriteCr4(kCr4OSFXSR | kCr4PAE);
  m.Load(M::kCode, {0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0});
  M::Result r = m.RunFrom(M::kCode, 3);
  ASSERT_EQ(r.outcome.reason, StopReason::kInstructionLimit);
  EXPECT_TRUE(m.state().cr0 & kCr0PG);
  EXPECT_FALSE(m.state().efer & kEferLMA);
  EXPECT_EQ(m.state().mode, CpuMode::kProtected32);
}

TEST(ModeSwitchTest, LeavingLongModeNeedsCompatibilityMode) {
  // SDM vol. 3A 9.8.5.4: clearing CR0.PG from 64-bit code is #GP(0).
  M m;
  m.Load(M::kCode, {0x0f, 0x20, 0xc0, 0x25, 0xff, 0xff, 0xff, 0x7f, 0x0f, 0x22, 0xc0});
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_TRUE(m.state().efer & kEferLMA);
  EXPECT_TRUE(m.state().cr0 & kCr0PG);
}

}  // namespace
}  // namespace x64sim::testing
