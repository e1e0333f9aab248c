// cpu/ops_segments.cc on SystemMachine's GDT: LAR, LSL, VERR, VERW at ring
// 0 and ring 3, LSS and LFS, SMSW and LMSW; PUSH and POP of segment
// registers (cpu/ops_data.cc) in 64-bit and 32-bit protected mode.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/protected32_machine.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

struct Answer {
  bool zf;
  uint64_t rax;
};

// Runs `code` (which reads its selector from CX) at the current privilege
// and returns ZF and RAX (preset to a marker).
Answer Ask(M& m, const std::vector<uint8_t>& code, uint16_t selector, bool user = false) {
  const uint64_t at = user ? M::kUserCode : M::kCode;
  std::vector<uint8_t> program = code;
  program.insert(program.end(), {0x0f, 0x0b});  // ud2: stop where the state can be read
  m.Load(at, program);
  if (user) m.EnterUser(M::kUserStackTop);
  m.state().gpr[kRcx] = selector;
  m.state().gpr[kRax] = 0x5a5a5a5a5a5a5a5aull;
  m.cpu().SetRflags(m.state().rflags & ~kZF);
  m.RunFrom(at);
  return {(m.state().rflags & kZF) != 0, m.state().gpr[kRax]};
}

const std::vector<uint8_t> kLar = {0x0f, 0x02, 0xc1};   // lar eax, ecx
const std::vector<uint8_t> kLsl = {0x0f, 0x03, 0xc1};   // lsl eax, ecx
const std::vector<uint8_t> kVerr = {0x0f, 0x00, 0xe1};  // verr cx
const std::vector<uint8_t> kVerw = {0x0f, 0x00, 0xe9};  // verw cx
constexpr uint64_t kMarker = 0x5a5a5a5a5a5a5a5aull;

TEST(SegmentOpsTest, LarGivesAccessRightsOfWhatItMaySee) {
  M m;
  // User code64 (0x00affa000000ffff): bits 8-23 of the high dword, masked.
  Answer a = Ask(m, kLar, M::kUserCs);
  EXPECT_TRUE(a.zf);
  EXPECT_EQ(a.rax, 0x00a0fa00u);  // a 32-bit destination clears the upper half
  // The 64-bit TSS is a system descriptor LAR accepts in IA-32e mode.
  a = Ask(m, kLar, M::kTssSel);
  EXPECT_TRUE(a.zf);
  EXPECT_EQ(a.rax, (m.Get64(M::kGdt + M::kTssSel) >> 32) & 0x00f0ff00);
  // Null, beyond the GDT, and LDT selectors: ZF = 0, the register untouched.
  for (uint16_t bad : {0x0000, 0x0003, 0x0100, M::kUserCs | 4}) {
    a = Ask(m, kLar, bad);
    EXPECT_FALSE(a.zf) << bad;
    EXPECT_EQ(a.rax, kMarker) << bad;
  }
  // The upper half of the TSS descriptor (type 0) is no descriptor LAR takes.
  EXPECT_FALSE(Ask(m, kLar, M::kTssSel + 8).zf);
}

TEST(SegmentOpsTest, LarAtRing3SeesOnlyDescriptorsOfItsPrivilege) {
  M m;
  EXPECT_FALSE(Ask(m, kLar, M::kKernelCs, /*user=*/true).zf);
  M n;
  EXPECT_TRUE(Ask(n, kLar, M::kUserSs, /*user=*/true).zf);
  M o;
  // RPL 3 on a DPL-0 segment hides it even at ring 0.
  EXPECT_FALSE(Ask(o, kLar, M::kKernelSs | 3).zf);
}

TEST(SegmentOpsTest, LslGivesTheByteGranularLimit) {
  M m;
  Answer a = Ask(m, kLsl, M::kKernelSs);  // G = 1, limit 0xfffff
  EXPECT_TRUE(a.zf);
  EXPECT_EQ(a.rax, 0xffffffffu);
  a = Ask(m, kLsl, M::kTssSel);
  EXPECT_TRUE(a.zf);
  EXPECT_EQ(a.rax, 0x67u);
  EXPECT_FALSE(Ask(m, kLsl, 0).zf);
}

TEST(SegmentOpsTest, VerrAndVerw) {
  M m;
  EXPECT_TRUE(Ask(m, kVerr, M::kKernelSs).zf);
  EXPECT_TRUE(Ask(m, kVerw, M::kKernelSs).zf);
  EXPECT_TRUE(Ask(m, kVerr, M::kKernelCs).zf);   // execute/read code
  EXPECT_FALSE(Ask(m, kVerw, M::kKernelCs).zf);  // code is never writable
  EXPECT_FALSE(Ask(m, kVerr, M::kTssSel).zf);
  EXPECT_FALSE(Ask(m, kVerw, M::kTssSel).zf);
  M u;
  EXPECT_FALSE(Ask(u, kVerw, M::kKernelSs, /*user=*/true).zf);
}

// LSS with REX.W takes a 64-bit offset; LFS with a system selector is
// #GP(selector) and changes neither register.
TEST(SegmentOpsTest, LoadFarPointers) {
  M m;
  const uint64_t pointer = M::kData;
  m.Put64(pointer, 0x0000000000012340ull);
  m.Put64(pointer + 8, M::kKernelSs);
  m.state().gpr[kRax] = pointer;
  m.Load(M::kCode, {0x48, 0x0f, 0xb2, 0x20, 0xf4});  // lss rsp, [rax]; hlt
  m.RunFrom(M::kCode);
  EXPECT_EQ(m.state().gpr[kRsp], 0x12340u);
  EXPECT_EQ(m.state().seg[kSs].selector, M::kKernelSs);

  M n;
  n.Put64(pointer, 0x11111111);
  n.Put64(pointer + 4, M::kTssSel);
  n.state().gpr[kRax] = pointer;
  n.state().gpr[kRbx] = 0x77;
  n.Load(M::kCode, {0x0f, 0xb4, 0x18});  // lfs ebx, [rax]
  M::Result r = n.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, M::kTssSel);
  EXPECT_EQ(n.state().gpr[kRbx], 0x77u);
}

TEST(SegmentOpsTest, SmswAndLmsw) {
  M m;
  m.Load(M::kCode, {0x0f, 0x01, 0xe0, 0xf4});  // smsw eax; hlt
  m.RunFrom(M::kCode);
  EXPECT_EQ(m.state().gpr[kRax], m.state().cr0 & 0xffffffff);
  // LMSW sets TS and cannot clear PE.
  m.state().gpr[kRax] = kCr0TS;  // PE clear in the source
  m.Load(M::kCode, {0x0f, 0x01, 0xf0, 0xf4});  // lmsw ax; hlt
  m.RunFrom(M::kCode);
  EXPECT_TRUE(m.state().cr0 & kCr0TS);
  EXPECT_TRUE(m.state().cr0 & kCr0PE);
  EXPECT_TRUE(m.state().cr0 & kCr0PG);
  // At ring 3: #GP(0).
  m.Load(M::kUserCode, {0x0f, 0x01, 0xf0});
  m.EnterUser(M::kUserStackTop);
  EXPECT_EQ(m.RunFrom(M::kUserCode).outcome.vector, kGeneralProtection);
}

// PUSH FS/GS move RSP by the operand size (8, or 2 with 66) and write the
// selector alone: a Skylake leaves the slot's upper bytes (SDM vol. 2B PUSH).
TEST(SegmentOpsTest, PushSegmentWritesTheSelectorAloneInItsSlot) {
  M m;
  constexpr uint64_t kTop = M::kData + 0x8000;
  for (uint64_t a = kTop - 32; a < kTop; a += 8) m.Put64(a, 0xcccccccccccccccc);
  m.Load(M::kCode, {0x0f, 0xa0, 0x0f, 0xa8, 0x66, 0x0f, 0xa0, 0x0f, 0x0b});  // push fs; push gs; push fs (16-bit); ud2
  m.state().gpr[kRsp] = kTop;
  EXPECT_EQ(m.RunFrom(M::kCode).frame.rsp, kTop - 18) << "RSP at the UD2";
  EXPECT_EQ(m.Get64(kTop - 8), 0xcccccccccccc0000ull | m.state().seg[kFs].selector);
  EXPECT_EQ(m.Get64(kTop - 16), 0xcccccccccccc0000ull | m.state().seg[kGs].selector);
  EXPECT_EQ(m.Get64(kTop - 24) >> 48, m.state().seg[kFs].selector) << "the 2-byte push";
}

// POP FS loads the popped selector with MOV's checks; a selector past the
// GDT's limit is #GP(selector) and leaves RSP and FS as they were.
TEST(SegmentOpsTest, PopSegmentLoadsWithMovsChecksAndUndoesTheStackOnAFault) {
  M m;
  constexpr uint64_t kTop = M::kData + 0x8000;
  m.Put64(kTop - 16, M::kKernelSs);
  m.Put64(kTop - 8, 0x0ff0);
  m.Load(M::kCode, {0x0f, 0xa1, 0x0f, 0xa1, 0x0f, 0x0b});  // pop fs; pop fs; ud2
  m.state().gpr[kRsp] = kTop - 16;
  m.cpu().LoadSegmentCache(kFs, Segment{});
  const M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.outcome.error_code, 0x0ff0u);
  EXPECT_EQ(r.frame.rip, M::kCode + 2) << "the second POP faults";
  EXPECT_EQ(m.state().seg[kFs].selector, M::kKernelSs) << "the first one loaded FS";
  EXPECT_EQ(r.frame.rsp, kTop - 8) << "the faulting POP left RSP";
}

// 32-bit protected mode: PUSH CS/DS/SS/ES and POP DS/ES/SS, 4-byte slots
// holding the selector in their low word.
TEST(SegmentOpsTest, LegacyPushAndPopOfSegmentRegisters) {
  Protected32 p;
  constexpr uint64_t kTop = LongModeMachine::kStackTop;
  p.m.Put64(kTop - 8, 0xcccccccccccccccc);
  p.SetCode({0x1e, 0x0e, 0x07});  // push ds; push cs; pop es
  ASSERT_EQ(p.Run(), -1);
  EXPECT_EQ(p.m.state().seg[kEs].selector, 0x18) << "a readable code segment";
  EXPECT_EQ(p.m.state().gpr[kRsp], kTop - 4);
  EXPECT_EQ(p.m.Get64(kTop - 8), 0xcccc0010'cccc0018ull);
  p.SetCode({0x16, 0x06, 0x1f, 0x17});  // push ss; push es; pop ds; pop ss
  ASSERT_EQ(p.Run(), -1);
  EXPECT_EQ(p.m.state().seg[kDs].selector, 0x18);
  EXPECT_EQ(p.m.state().seg[kSs].selector, 0x10);
  EXPECT_EQ(p.m.state().gpr[kRsp], kTop);
}

// POP SS, as MOV SS, holds a single-step trap back for one instruction
// (SDM vol. 3A 6.8.3): the #DB comes after the NOP that follows.
TEST(SegmentOpsTest, PopSsDelaysTheSingleStepTrap) {
  for (const bool pop_ss : {true, false}) {
    Protected32 p;
    p.m.Put64(LongModeMachine::kStackTop, 0x10);
    p.SetCode({static_cast<uint8_t>(pop_ss ? 0x17 : 0x58), 0x90});  // pop ss or pop eax; nop
    p.m.cpu().SetRflags(p.m.state().rflags | kTF);
    uint64_t eip = 0;
    ASSERT_EQ(p.Run(&eip), kDebug);
    EXPECT_EQ(eip, LongModeMachine::kCode + (pop_ss ? 2 : 1)) << pop_ss;
  }
}

}  // namespace
}  // namespace x64sim::testing
