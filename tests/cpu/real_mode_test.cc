// Real-address mode (CR0.PE = 0; SDM vol. 3A 20.1, vol. 2A INT n, IRET,
// CALL, JMP, RET): base = selector * 16 with the limit and attributes a
// protected-mode load left ("unreal mode"), limit checks only, events
// through the interrupt vector table with FLAGS, CS and IP pushed as words
// and no error code, the protected-mode-only instructions #UD, and the
// SDM's way in from protected mode and back.
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

using L = LongModeMachine;

// LongModeMachine taken to real mode: CS 0x4000 (L::kCode), SS 0x2000 (SP
// 0 below L::kStackTop), DS = ES = 0, all with 64 KiB limits; the IVT at 0
// sends vector v to the HLT at 0:L::kStubs + 16 v.
class RealModeTest : public ::testing::Test {
 protected:
  static constexpr uint16_t kCodeSegment = L::kCode >> 4;
  static constexpr uint16_t kStackSegment = 0x2000;
  static constexpr uint64_t kStackBase = uint64_t{kStackSegment} << 4;

  RealModeTest() {
    Cpu& cpu = m_.cpu();
    cpu.LoadSegmentCache(kCs, Segment{8, 0, 0xffffffff, 0xcf9a});  // leave 64-bit mode first
    cpu.WriteCr0(kCr0ET | kCr0NE);
    cpu.WriteEfer(0);
    cpu.WriteCr4(kCr4OSFXSR | kCr4OSXMMEXCPT);
    for (SegReg r : {kDs, kEs, kFs, kGs}) cpu.LoadSegmentCache(r, Segment{0, 0, 0xffff, 0x93});
    for (uint64_t v = 0; v < 32; ++v) {
      Put16(4 * v, L::kStubs + 16 * v);
      Put16(4 * v + 2, 0);
    }
    m_.state().idtr = {0, 0x3ff};
  }

  struct Result {
    int vector = -1;  // the IVT stub it stopped in, or -1
    uint16_t ip = 0, cs = 0, flags = 0;  // the frame's words
  };
  // Runs `code` (then HLT) from CS:0 with SS:SP = 0x2000:0.
  Result Run(std::vector<uint8_t> code) {
    code.push_back(0xf4);
    m_.cpu().WriteSupervisor(L::kCode, code.data(), static_cast<int>(code.size()));
    m_.cpu().LoadSegmentCache(kCs, Segment{kCodeSegment, L::kCode, 0xffff, 0x9b});
    m_.cpu().LoadSegmentCache(kSs, Segment{kStackSegment, kStackBase, 0xffff, 0x93});
    CpuState& s = m_.state();
    s.rip = 0;
    s.gpr[kRsp] = 0;
    s.halted = false;
    m_.cpu().Run(1000);
    Result r;
    if (s.seg[kCs].base == 0 && s.rip > L::kStubs && s.rip <= L::kStubs + 32 * 16) {
      r.vector = static_cast<int>((s.rip - 1 - L::kStubs) / 16);
      const uint64_t frame = kStackBase + (s.gpr[kRsp] & 0xffff);
      r.ip = Get16(frame);
      r.cs = Get16(frame + 2);
      r.flags = Get16(frame + 4);
    }
    return r;
  }

  void Put16(uint64_t at, uint64_t v) {
    const uint16_t w = static_cast<uint16_t>(v);
    m_.memory().CopyIn(at, &w, 2);
  }
  uint16_t Get16(uint64_t at) {
    uint16_t w;
    m_.memory().CopyOut(at, &w, 2);
    return w;
  }

  L m_;
};

TEST_F(RealModeTest, SegmentLoadsSetTheBaseAndKeepTheCache) {
  Put16(0x10010, 0xbeef);
  // mov ax, 0x1000; mov ds, ax; mov ax, [0x10]
  Result r = Run({0xb8, 0x00, 0x10, 0x8e, 0xd8, 0xa1, 0x10, 0x00});
  EXPECT_EQ(r.vector, -1);
  EXPECT_EQ(m_.state().mode, CpuMode::kReal);
  EXPECT_EQ(m_.state().gpr[kRax] & 0xffff, 0xbeefu);
  const Segment& ds = m_.state().seg[kDs];
  EXPECT_EQ(ds.selector, 0x1000);
  EXPECT_EQ(ds.base, 0x10000u);
  EXPECT_EQ(ds.limit, 0xffffu);
  EXPECT_EQ(ds.attributes, 0x93);
}

TEST_F(RealModeTest, ANullSegmentBecomesUsableAgain) {
  m_.cpu().LoadSegmentCache(kDs, Segment{0, 0, 0, 0});  // as a null selector leaves it
  Put16(0x10010, 0xcafe);
  // mov ax, 0x1000; mov ds, ax; mov ax, [0x10]
  Result r = Run({0xb8, 0x00, 0x10, 0x8e, 0xd8, 0xa1, 0x10, 0x00});
  EXPECT_EQ(r.vector, -1);
  EXPECT_EQ(m_.state().gpr[kRax] & 0xffff, 0xcafeu);
  EXPECT_EQ(m_.state().seg[kDs].limit, 0xffffu);
}

TEST_F(RealModeTest, UnrealModeReachesPast64KiB) {
  // A 4-GiB limit left by protected mode survives a real-mode load.
  m_.cpu().LoadSegmentCache(kFs, Segment{0, 0, 0xffffffff, 0xcf93});
  const uint64_t far_away = 0x200000;
  m_.Put64(far_away, 0x11223344);
  m_.state().gpr[kRsi] = far_away;
  // xor ax, ax; mov fs, ax; mov eax, fs:[esi]
  Result r = Run({0x31, 0xc0, 0x8e, 0xe0, 0x64, 0x66, 0x67, 0x8b, 0x06});
  EXPECT_EQ(r.vector, -1);
  EXPECT_EQ(static_cast<uint32_t>(m_.state().gpr[kRax]), 0x11223344u);
  EXPECT_EQ(m_.state().seg[kFs].limit, 0xffffffffu);
}

TEST_F(RealModeTest, LimitViolationsFaultThroughTheIvtWithoutAnErrorCode) {
  // mov ax, [0xffff]: the word's second byte lies past DS's limit.
  Result r = Run({0xa1, 0xff, 0xff});
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.ip, 0);
  EXPECT_EQ(r.cs, kCodeSegment);
  EXPECT_EQ(m_.state().gpr[kRsp] & 0xffff, 0x10000u - 6);  // three words, no error code
  // mov bp, 0xffff; mov ax, [bp+0]: through SS, #SS.
  r = Run({0xbd, 0xff, 0xff, 0x8b, 0x46, 0x00});
  EXPECT_EQ(r.vector, kStackFault);
  EXPECT_EQ(r.ip, 3);
  // Writes through CS are allowed in real mode: mov cs:[0x100], ax.
  m_.state().gpr[kRax] = 0x4242;
  r = Run({0x2e, 0xa3, 0x00, 0x01});
  EXPECT_EQ(r.vector, -1);
  EXPECT_EQ(Get16(L::kCode + 0x100), 0x4242);
}

TEST_F(RealModeTest, IntPushesFlagsCsIpAndIretReturns) {
  // IVT[0x30] -> CS:0x80: pushf; pop bx; iret.
  Put16(0x30 * 4, 0x80);
  Put16(0x30 * 4 + 2, kCodeSegment);
  const std::vector<uint8_t> handler = {0x9c, 0x5b, 0xcf};
  m_.cpu().WriteSupervisor(L::kCode + 0x80, handler.data(), 3);
  m_.cpu().SetRflags(kFlagsFixed1 | kIF | kAC);
  // int 0x30; pushf; pop cx
  Result r = Run({0xcd, 0x30, 0x9c, 0x59});
  EXPECT_EQ(r.vector, -1);
  const CpuState& s = m_.state();
  EXPECT_EQ(s.gpr[kRbx] & (kIF | kAC), 0u);                   // cleared in the handler
  EXPECT_EQ(s.gpr[kRcx] & 0xffff, (kFlagsFixed1 | kIF) & 0xffff);  // FLAGS restored
  EXPECT_FALSE(s.rflags & kAC);  // a 16-bit IRET restores FLAGS' 16 bits only
  EXPECT_EQ(s.gpr[kRsp] & 0xffff, 0u);
  EXPECT_EQ(s.rip, 5u);
}

TEST_F(RealModeTest, FaultsAndTrapsReportTheirIp) {
  // xor cx, cx; div cx: #DE at the DIV.
  Result r = Run({0x31, 0xc9, 0xf7, 0xf1});
  EXPECT_EQ(r.vector, kDivideError);
  EXPECT_EQ(r.ip, 2);
  // int3: a trap, past the instruction.
  r = Run({0x90, 0xcc});
  EXPECT_EQ(r.vector, kBreakpoint);
  EXPECT_EQ(r.ip, 2);
  // No room for the frame (SP = 3 under a 64-KiB limit): #SS before any
  // word is written, then #DF and a triple fault.
  m_.cpu().LoadSegmentCache(kCs, Segment{kCodeSegment, L::kCode, 0xffff, 0x9b});
  m_.cpu().LoadSegmentCache(kSs, Segment{kStackSegment, kStackBase, 0xffff, 0x93});
  const std::vector<uint8_t> int30 = {0xcd, 0x30};
  m_.cpu().WriteSupervisor(L::kCode, int30.data(), 2);
  Put16(kStackBase + 1, 0x5a5a);
  m_.state().rip = 0;
  m_.state().gpr[kRsp] = 3;
  m_.state().halted = false;
  EXPECT_EQ(m_.cpu().Run(100).reason, StopReason::kTripleFault);
  EXPECT_EQ(Get16(kStackBase + 1), 0x5a5a);
  // An IVT entry beyond IDTR.limit is #GP, delivered through IVT[13].
  m_.state().idtr.limit = 0x3f;  // vectors 0-15
  r = Run({0xcd, 0x20});
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.ip, 0);
}

TEST_F(RealModeTest, ProtectedModeInstructionsAreUndefined) {
  const std::vector<std::vector<uint8_t>> forms = {
      {0x0f, 0x02, 0xc3},        // lar ax, bx
      {0x0f, 0x03, 0xc3},        // lsl ax, bx
      {0x0f, 0x00, 0xc0},        // sldt ax
      {0x0f, 0x00, 0xc8},        // str ax
      {0x0f, 0x00, 0xd0},        // lldt ax
      {0x0f, 0x00, 0xd8},        // ltr ax
      {0x0f, 0x00, 0xe0},        // verr ax
      {0x0f, 0x00, 0xe8},        // verw ax
      {0x63, 0xd8},              // arpl ax, bx
      {0xc5, 0xf8, 0x77},        // vzeroupper
  };
  for (const auto& form : forms) {
    Result r = Run(form);
    EXPECT_EQ(r.vector, kInvalidOpcode) << std::hex << int{form[0]} << " " << int{form[1]};
    EXPECT_EQ(r.ip, 0);
  }
}

TEST_F(RealModeTest, FarTransfers) {
  // call far 0x4010:0 -> mov bx, 7; retf; then jmp far beyond CS's limit.
  const std::vector<uint8_t> callee = {0xbb, 0x07, 0x00, 0xcb};
  m_.cpu().WriteSupervisor(L::kCode + 0x100, callee.data(), 4);
  Result r = Run({0x9a, 0x00, 0x00, 0x10, 0x40,                      // call far 0x4010:0
                  0x66, 0xea, 0x00, 0x00, 0x01, 0x00, 0x00, 0x40});  // jmp far 0x4000:0x10000
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.ip, 5);
  EXPECT_EQ(m_.state().gpr[kRbx] & 0xffff, 7u);
  EXPECT_EQ(r.cs, kCodeSegment);  // back from the RETF
}

// SDM vol. 3A 9.9.2: through a 16-bit code segment, clear PE, far jump to a
// real-mode segment; an INT there; then PE again and a far jump to 32-bit
// code.
TEST_F(RealModeTest, FromProtectedModeAndBack) {
  Cpu& cpu = m_.cpu();
  m_.Put64(L::kGdt + 0x18, 0x00cf9a000000ffffull);  // 32-bit flat code
  m_.Put64(L::kGdt + 0x20, 0x00009a040000ffffull);  // 16-bit code at 0x40000, 64 KiB
  m_.Put64(L::kGdt + 0x28, 0x000092000000ffffull);  // 16-bit data at 0, 64 KiB
  m_.state().gdtr = {L::kGdt, 0x2f};
  cpu.WriteCr0(kCr0PE | kCr0ET | kCr0NE);
  cpu.LoadSegmentCache(kCs, Segment{0x18, 0, 0xffffffff, 0xcf9b});
  cpu.LoadSegmentCache(kSs, Segment{0x10, 0, 0xffffffff, 0xcf93});
  ASSERT_EQ(m_.state().mode, CpuMode::kProtected32);
  Put16(0x30 * 4, 0x80);  // IVT[0x30] -> 0x4000:0x80: inc bx; iret
  Put16(0x30 * 4 + 2, kCodeSegment);
  const std::vector<uint8_t> code = {
      0xea, 0x07, 0x00, 0x00, 0x00, 0x20, 0x00,  // 32: jmp far 0x20:7
      0xb8, 0x28, 0x00, 0x8e, 0xd8,              // 16: mov ax, 0x28; mov ds, ax
      0x8e, 0xc0, 0x8e, 0xd0,                    //     mov es, ax; mov ss, ax
      0x0f, 0x20, 0xc0, 0x24, 0xfe, 0x0f, 0x22, 0xc0,  // clear CR0.PE
      0xea, 0x1d, 0x00, 0x00, 0x40,              //     jmp far 0x4000:0x1d
      0xb8, 0x00, 0x20, 0x8e, 0xd0,              // real: mov ax, 0x2000; mov ss, ax
      0xbb, 0x34, 0x12, 0xcd, 0x30,              //     mov bx, 0x1234; int 0x30
      0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0,  // set CR0.PE
      0x66, 0xea, 0x37, 0x00, 0x04, 0x00, 0x18, 0x00,  // jmp far 0x18:0x40037
      0xf4,                                      // 32: hlt
  };
  std::vector<uint8_t> image(0x82, 0);
  std::memcpy(image.data(), code.data(), code.size());
  image[0x80] = 0x43;  // inc bx
  image[0x81] = 0xcf;  // iret
  cpu.WriteSupervisor(L::kCode, image.data(), static_cast<int>(image.size()));
  CpuState& s = m_.state();
  s.rip = L::kCode;
  s.gpr[kRsp] = 0x30000;
  cpu.Run(100);
  EXPECT_EQ(s.mode, CpuMode::kProtected32);
  EXPECT_EQ(s.seg[kCs].selector, 0x18);
  EXPECT_EQ(s.rip, L::kCode + 0x38);  // after the HLT
  EXPECT_EQ(s.gpr[kRbx] & 0xffff, 0x1235u);
  EXPECT_EQ(s.seg[kSs].selector, kStackSegment);  // real-mode SS, still loaded
  EXPECT_EQ(s.seg[kSs].base, kStackBase);
}

}  // namespace
}  // namespace x64sim::testing
