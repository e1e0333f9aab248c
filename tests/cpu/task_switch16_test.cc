// 16-bit TSSs (SDM vol. 3A 7.6, figure 7-10) in 32-bit protected mode:
// task switches to and from a 16-bit task, which saves and loads words,
// keeps CR3 and has no FS or GS; an exception's error code pushed as a
// word; LTR of a 16-bit TSS; and the inner stack SSn:SPn a 16-bit TSS in
// TR gives an interrupt that changes privilege.
#include <cstdint>
#include <vector>

#include "cpu/control_bits.h"
#include "gtest/gtest.h"
#include "tests/cpu/protected32_machine.h"

namespace x64sim::testing {
namespace {

using L = LongModeMachine;

constexpr uint16_t kTssA = 0x20, kTssB = 0x28, kTaskGate = 0x30, kCode16 = 0x38, kData16 = 0x40;
constexpr uint64_t kTssABase = 0x7000, kTssBBase = 0x7100;
constexpr uint64_t kCode16Base = L::kCode, kData16Base = 0x20000;
constexpr uint16_t kTaskBIp = 0x200, kTaskBSp = 0x8000;

uint64_t Tss32Descriptor(uint64_t base, bool busy) {
  return 0x67 | (base << 16) | (uint64_t{busy ? 0x8bu : 0x89u} << 40);
}
uint64_t Tss16Descriptor(uint64_t base, bool busy, uint32_t limit = 0x2b) {
  return limit | (base << 16) | (uint64_t{busy ? 0x83u : 0x81u} << 40);
}

// Task A (32-bit TSS, running) and task B (16-bit TSS, available), whose
// state is 16-bit code and a 16-bit stack and data segment.
struct Tasks16 {
  Protected32 p;
  L& m = p.m;
  CpuState& s = m.state();

  Tasks16() {
    m.Put64(L::kGdt + kTssA, Tss32Descriptor(kTssABase, true));
    m.Put64(L::kGdt + kTssB, Tss16Descriptor(kTssBBase, false));
    m.Put64(L::kGdt + kTaskGate, (uint64_t{kTssB} << 16) | (0x85ull << 40));
    m.Put64(L::kGdt + kCode16, 0x00009b000000ffffull | (kCode16Base << 16));
    m.Put64(L::kGdt + kData16, 0x000093000000ffffull | (kData16Base << 16));
    s.gdtr = {L::kGdt, kData16 + 7};
    s.tr = Segment{kTssA, kTssABase, 0x67, 0x8b};
    Put16(kTssBBase + 0x0e, kTaskBIp);
    Put16(kTssBBase + 0x10, 0x2 | kCF);
    for (uint32_t r = 0; r < 8; ++r) Put16(kTssBBase + 0x12 + 2 * r, static_cast<uint16_t>(0xb0 + r));
    Put16(kTssBBase + 0x1a, kTaskBSp);
    for (uint32_t r = 0; r < 4; ++r) Put16(kTssBBase + 0x22 + 2 * r, r == kCs ? kCode16 : kData16);
    Put16(kTssBBase + 0x2a, 0);  // no LDT
  }
  void Put16(uint64_t at, uint16_t v) { m.memory().CopyIn(at, &v, 2); }
  uint16_t Get16(uint64_t at) { return static_cast<uint16_t>(m.Get64(at)); }
  uint32_t Get32(uint64_t at) { return static_cast<uint32_t>(m.Get64(at)); }
  void LoadTaskB(const std::vector<uint8_t>& code) {
    m.cpu().WriteSupervisor(kCode16Base + kTaskBIp, code.data(), static_cast<int>(code.size()));
  }
  int TssType(uint16_t selector) { return static_cast<int>(m.Get64(L::kGdt + selector) >> 40) & 0xf; }
  // Runs task A's code from kCode with a few registers set.
  int Run(const std::vector<uint8_t>& code) {
    p.SetCode(code);
    s.gpr[kRax] = 0x123400a0;
    s.gpr[kRbx] = 0x123400a3;
    return p.Run();
  }
};

const std::vector<uint8_t> kCallTssB = {0x9a, 0, 0, 0, 0, kTssB, 0};  // call far kTssB:0

TEST(Tss16Test, CallLoadsWordsAndRuns16BitCode) {
  Tasks16 t;
  t.LoadTaskB({0xb8, 0x34, 0x12, 0xf4});  // mov ax, 0x1234 (16-bit code); hlt
  ASSERT_EQ(t.Run(kCallTssB), -1);
  CpuState& s = t.s;
  EXPECT_EQ(s.tr.selector, kTssB);
  EXPECT_EQ(s.tr.attributes & 0xf, 0x3);  // a busy 16-bit TSS
  EXPECT_EQ(s.rip, kTaskBIp + 4u);
  EXPECT_EQ(s.gpr[kRax], 0xffff1234u);  // upper words of a 16-bit task's registers: ones
  EXPECT_EQ(s.gpr[kRcx], 0xffff00b1u);
  EXPECT_EQ(s.gpr[kRsp], 0xffff0000u | kTaskBSp);
  EXPECT_EQ(s.rflags, 0x2 | kCF | kNT);
  EXPECT_EQ(s.seg[kCs].selector, kCode16);
  EXPECT_EQ(s.seg[kSs].base, kData16Base);
  EXPECT_EQ(s.seg[kFs].selector, 0);  // no FS or GS in a 16-bit TSS: null
  EXPECT_EQ(s.seg[kGs].selector, 0);
  EXPECT_TRUE(s.cr0 & kCr0TS);
  EXPECT_EQ(t.Get16(kTssBBase), kTssA);  // the back link
  EXPECT_EQ(t.TssType(kTssB), 0x3);
  EXPECT_EQ(t.TssType(kTssA), 0xb);
  // Task A's state went to its 32-bit TSS in full.
  EXPECT_EQ(t.Get32(kTssABase + 0x20), L::kCode + 7);
  EXPECT_EQ(t.Get32(kTssABase + 0x28), 0x123400a0u);
}

// IRET with NT from the 16-bit task: its state is saved as words (IP
// after the IRET, SI, FLAGS without NT) and task A resumes.
TEST(Tss16Test, IretFromA16BitTaskSavesWords) {
  Tasks16 t;
  t.Put16(kTssBBase + 0x2c, 0x5a5a);  // past the TSS's fields: never written
  t.LoadTaskB({0xbe, 0x55, 0x00, 0xcf});  // mov si, 0x55; iret
  ASSERT_EQ(t.Run(kCallTssB), -1);
  CpuState& s = t.s;
  EXPECT_EQ(s.tr.selector, kTssA);
  EXPECT_EQ(s.rip, L::kCode + 8);  // after the HLT that follows the CALL
  EXPECT_EQ(s.gpr[kRax], 0x123400a0u);
  EXPECT_EQ(s.seg[kCs].selector, 0x18);
  EXPECT_EQ(t.Get16(kTssBBase + 0x0e), kTaskBIp + 4);
  EXPECT_EQ(t.Get16(kTssBBase + 0x1e), 0x55);
  EXPECT_EQ(t.Get16(kTssBBase + 0x10) & kNT, 0u);
  EXPECT_EQ(t.Get16(kTssBBase + 0x10) & kCF, kCF);
  EXPECT_EQ(t.Get16(kTssBBase + 0x24), kCode16);  // CS saved
  EXPECT_EQ(t.Get16(kTssBBase + 0x28), kData16);  // DS, the last field saved
  EXPECT_EQ(t.Get16(kTssBBase + 0x2c), 0x5a5a);
  EXPECT_EQ(t.TssType(kTssB), 0x1);
  EXPECT_EQ(t.TssType(kTssA), 0xb);
}

TEST(Tss16Test, LimitBelow0x2bIsInvalidTss) {
  Tasks16 t;
  t.m.Put64(L::kGdt + kTssB, Tss16Descriptor(kTssBBase, false, 0x2a));
  ASSERT_EQ(t.Run(kCallTssB), kInvalidTss);
  EXPECT_EQ(t.Get32(t.s.gpr[kRsp]), kTssB);
  EXPECT_EQ(t.s.tr.selector, kTssA);
}

// A #GP through a task gate to the 16-bit task: its error code is pushed
// as a word on the new task's stack (SDM vol. 3A 6.12.2).
TEST(Tss16Test, ErrorCodeGoesOnThe16BitTaskStackAsAWord) {
  Tasks16 t;
  t.m.Put64(Protected32::kIdt32 + 8 * kGeneralProtection, (uint64_t{kTssB} << 16) | (0x85ull << 40));
  t.LoadTaskB({0xf4});
  // mov ax, 0x48; mov ds, ax: beyond the GDT's limit, #GP(0x48)
  ASSERT_EQ(t.Run({0x66, 0xb8, 0x48, 0x00, 0x8e, 0xd8}), -1);
  EXPECT_EQ(t.s.tr.selector, kTssB);
  EXPECT_EQ(t.s.gpr[kRsp], 0xffff0000u | (kTaskBSp - 2));
  EXPECT_EQ(t.Get16(kData16Base + kTaskBSp - 2), 0x48);
  EXPECT_EQ(t.Get32(kTssABase + 0x20), L::kCode + 4);  // the faulting MOV
}

TEST(Tss16Test, LtrLoadsA16BitTss) {
  Tasks16 t;
  // mov ax, kTssB; ltr ax
  ASSERT_EQ(t.Run({0x66, 0xb8, kTssB, 0x00, 0x0f, 0x00, 0xd8}), -1);
  EXPECT_EQ(t.s.tr.selector, kTssB);
  EXPECT_EQ(t.s.tr.limit, 0x2bu);
  EXPECT_EQ(t.TssType(kTssB), 0x3);
}

// At ring 3 with a 16-bit TSS in TR, an interrupt gate to ring 0 switches
// to SS0:SP0 from offsets 4 and 2.
TEST(Tss16Test, InnerStackFromA16BitTss) {
  Ring3Protected32 r;
  constexpr uint64_t kTss16 = 0x7200;
  r.m.Put64(L::kGdt + 0x40, Tss16Descriptor(kTss16, true));
  r.m.state().gdtr.limit = 0x47;
  r.m.state().tr = Segment{0x40, kTss16, 0x2b, 0x83};
  uint16_t sp0 = 0x9000, ss0 = Ring3Protected32::kData0;
  r.m.memory().CopyIn(kTss16 + 2, &sp0, 2);
  r.m.memory().CopyIn(kTss16 + 4, &ss0, 2);
  constexpr uint64_t kHandler = L::kCode + 0x100;
  r.SetGate(0x40, kHandler, 3);
  r.Load(kHandler, {0xf4});
  r.Load(L::kCode, {0xcd, 0x40});  // int 0x40
  r.m.state().rip = L::kCode;
  r.m.state().gpr[kRsp] = Ring3Protected32::kUserEsp;
  r.m.cpu().Run(100);
  EXPECT_EQ(r.m.state().rip, kHandler + 1);
  EXPECT_EQ(r.m.state().cpl, 0);
  EXPECT_EQ(r.m.state().gpr[kRsp], sp0 - 20u);  // SS, ESP, EFLAGS, CS, EIP
  EXPECT_EQ(r.Get32(sp0 - 20u), L::kCode + 2);
  EXPECT_EQ(r.Get32(sp0 - 8u), Ring3Protected32::kUserEsp);
}

}  // namespace
}  // namespace x64sim::testing
