// Virtual-8086 mode (SDM vol. 3A chapter 20, without VME): entered by IRET
// at CPL 0 and by a task switch, left by interrupts and exceptions to a
// ring-0 handler with the segment registers on its stack; real-mode
// segment loads and far transfers; IOPL-sensitive and protected-mode-only
// instructions; port I/O always checked against the TSS bitmap.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "cpu/control_bits.h"
#include "tests/cpu/protected32_machine.h"

namespace x64sim::testing {
namespace {

using L = LongModeMachine;
using R = Ring3Protected32;

constexpr uint16_t kVmCs = 0x5000, kVmSs = 0x6000, kVmDs = 0x7000, kVmEs = 0x7100;
constexpr uint16_t kVmIp = 0x0100, kVmSp = 0x1000;
constexpr uint64_t kHandlers = 0x48000;  // ring 0: HLT at kHandlers + 16 * vector
constexpr uint64_t kRing0Stack = 0x38000;
constexpr uint64_t kIopl3 = 3u << 12;

uint64_t Linear(uint16_t segment, uint16_t offset) { return (uint64_t{segment} << 4) + offset; }

// Ring3Protected32 at ring 0 with a gate to a HLT for every vector (DPL 3,
// so that INT n may use them), about to IRET into virtual-8086 code at
// kVmCs:kVmIp.
struct Vm86 {
  R r;
  L& m = r.m;
  CpuState& s = m.state();

  Vm86() {
    for (int v = 0; v < 0x40; ++v) {
      r.SetGate(v, kHandlers + 16 * v, 3);
      Put(kHandlers + 16 * v, {0xf4});
    }
    Cpu& cpu = m.cpu();
    cpu.LoadSegmentCache(kCs, Segment{R::kCode0, 0, 0xffffffff, 0xcf9b});
    cpu.LoadSegmentCache(kSs, Segment{R::kData0, 0, 0xffffffff, 0xcf93});
    cpu.SetCpl(0);
  }
  void Put(uint64_t linear, const std::vector<uint8_t>& bytes) {
    m.cpu().WriteSupervisor(linear, bytes.data(), static_cast<int>(bytes.size()));
  }
  void Put16(uint64_t linear, uint16_t v) { m.memory().CopyIn(linear, &v, 2); }
  uint32_t Get32(uint64_t linear) { return static_cast<uint32_t>(m.Get64(linear)); }
  uint16_t Get16(uint64_t linear) { return static_cast<uint16_t>(m.Get64(linear)); }

  // IRETD at CPL 0 into `code` at kVmCs:kVmIp with EFLAGS `flags` | VM;
  // runs at most `max` instructions. Returns the vector whose handler's
  // HLT the run stopped at, or -1.
  int Enter(const std::vector<uint8_t>& code, uint64_t flags = 0x2, uint64_t max = 100) {
    Put(Linear(kVmCs, kVmIp), code);
    const uint32_t frame[] = {kVmIp, kVmCs, static_cast<uint32_t>(flags | kVM | 0x2), kVmSp, kVmSs,
                              kVmEs, kVmDs, 0x7200, 0x7300};
    m.memory().CopyIn(kRing0Stack - sizeof(frame), frame, sizeof(frame));
    s.gpr[kRsp] = kRing0Stack - sizeof(frame);
    Put(L::kCode, {0xcf});  // iretd
    s.rip = L::kCode;
    s.halted = false;
    m.cpu().Run(max);
    return Stopped();
  }
  int Stopped() const {
    if (s.rip <= kHandlers || s.rip > kHandlers + 16 * 0x40) return -1;
    return static_cast<int>((s.rip - 1 - kHandlers) / 16);
  }
  // Slot `i` (0: the error code or EIP) of the ring-0 frame of an event
  // taken in virtual-8086 mode.
  uint32_t Frame(int i) { return Get32(s.gpr[kRsp] + 4 * i); }
};

// HLT at CPL 3 is #GP(0): the frame on SS0:ESP0 holds the error code, EIP,
// CS, EFLAGS (VM set), ESP, SS, ES, DS, FS, GS; the handler runs at CPL 0
// with VM clear and DS, ES, FS, GS null.
TEST(Vm86Test, IretEntersAndAFaultLeavesWithTheSegmentsOnTheStack) {
  Vm86 t;
  // mov ax, [0x10] (DS base 0x70000); push ax; hlt
  t.Put16(Linear(kVmDs, 0x10), 0xbeef);
  ASSERT_EQ(t.Enter({0xa1, 0x10, 0x00, 0x50, 0xf4}), kGeneralProtection);
  EXPECT_EQ(t.s.gpr[kRax] & 0xffff, 0xbeefu);
  EXPECT_EQ(t.Get16(Linear(kVmSs, kVmSp - 2)), 0xbeef);
  EXPECT_EQ(t.s.gpr[kRsp], R::kEsp0 - 40u);
  EXPECT_EQ(t.Frame(0), 0u);                 // error code
  EXPECT_EQ(t.Frame(1), kVmIp + 4u);         // the HLT
  EXPECT_EQ(t.Frame(2), kVmCs);
  EXPECT_TRUE(t.Frame(3) & kVM);
  EXPECT_EQ(t.Frame(4), kVmSp - 2u);
  EXPECT_EQ(t.Frame(5), kVmSs);
  EXPECT_EQ(t.Frame(6), kVmEs);
  EXPECT_EQ(t.Frame(7), kVmDs);
  EXPECT_EQ(t.Frame(8), 0x7200u);
  EXPECT_EQ(t.Frame(9), 0x7300u);
  EXPECT_EQ(t.s.cpl, 0);
  EXPECT_FALSE(t.s.rflags & kVM);
  for (SegReg seg : {kDs, kEs, kFs, kGs}) EXPECT_EQ(t.s.seg[seg].selector, 0) << seg;
  EXPECT_EQ(t.s.seg[kSs].selector, R::kData0);
}

TEST(Vm86Test, SegmentLoadsAreSelectorTimesSixteen) {
  Vm86 t;
  t.Put16(0x12342, 0x4321);
  t.Put16(Linear(kVmDs, 0x20), 0x0004);  // far pointer 0x1234:0x0004
  t.Put16(Linear(kVmDs, 0x22), 0x1234);
  // mov ax, 0x1234; mov es, ax; mov bx, [es:2]; lds si, [0x20]; mov cx, [si-2]; hlt
  ASSERT_EQ(t.Enter({0xb8, 0x34, 0x12, 0x8e, 0xc0, 0x26, 0x8b, 0x1e, 0x02, 0x00, 0xc5, 0x36, 0x20,
                     0x00, 0x8b, 0x4c, 0xfe, 0xf4}),
            kGeneralProtection);
  EXPECT_EQ(t.s.gpr[kRbx] & 0xffff, 0x4321u);
  EXPECT_EQ(t.s.gpr[kRcx] & 0xffff, 0x4321u);
  EXPECT_EQ(t.Frame(6), 0x1234u);  // ES
  EXPECT_EQ(t.Frame(7), 0x1234u);  // DS
}

TEST(Vm86Test, OffsetsBeyond64KiBFault) {
  Vm86 t;
  // mov ax, [dword 0x12345] (67h): beyond the segment's 64 KiB
  ASSERT_EQ(t.Enter({0x67, 0xa1, 0x45, 0x23, 0x01, 0x00}), kGeneralProtection);
  EXPECT_EQ(t.Frame(0), 0u);
  EXPECT_EQ(t.Frame(1), kVmIp);
}

// At IOPL 0, PUSHF, POPF, INT n, IRET, CLI and STI are #GP(0); INT3 is not
// IOPL-sensitive and goes through its gate.
TEST(Vm86Test, IoplSensitiveInstructionsFaultBelowIopl3) {
  const std::vector<std::vector<uint8_t>> sensitive = {{0x9c}, {0x9d}, {0xcd, 0x21}, {0xcf}, {0xfa}, {0xfb}};
  for (const std::vector<uint8_t>& code : sensitive) {
    Vm86 t;
    ASSERT_EQ(t.Enter(code), kGeneralProtection) << int{code[0]};
    EXPECT_EQ(t.Frame(0), 0u);
    EXPECT_EQ(t.Frame(1), kVmIp) << int{code[0]};
  }
  Vm86 t;
  ASSERT_EQ(t.Enter({0xcc}), kBreakpoint);
  EXPECT_EQ(t.Frame(0), kVmIp + 1u);  // no error code: EIP after the INT3
  EXPECT_EQ(t.Frame(1), kVmCs);
}

// At IOPL 3 they run: PUSHF pushes FLAGS, POPF cannot change IOPL, INT n
// reaches its ring-0 handler, whose IRETD returns to virtual-8086 mode.
TEST(Vm86Test, AtIopl3InterruptsReturnThroughIretd) {
  Vm86 t;
  t.Put(kHandlers + 16 * 0x21, {0xb9, 0x77, 0, 0, 0, 0xcf});  // mov ecx, 0x77; iretd
  // pushf; pop ax; push 0; popf; int 0x21; mov bx, 0x55; hlt
  ASSERT_EQ(t.Enter({0x9c, 0x58, 0x6a, 0x00, 0x9d, 0xcd, 0x21, 0xbb, 0x55, 0x00, 0xf4}, 0x2 | kIopl3 | kCF),
            kGeneralProtection);
  EXPECT_EQ(t.s.gpr[kRax] & 0xffff, 0x2 | kIopl3 | kCF);
  EXPECT_EQ(t.s.gpr[kRcx], 0x77u);
  EXPECT_EQ(t.s.gpr[kRbx] & 0xffff, 0x55u);
  EXPECT_TRUE(t.Frame(3) & kIopl3);   // POPF kept IOPL
  EXPECT_FALSE(t.Frame(3) & kCF);     // and cleared CF
  EXPECT_EQ(t.Frame(1), kVmIp + 10u);  // back in virtual-8086 mode at the HLT
  EXPECT_EQ(t.Frame(7), kVmDs);
}

TEST(Vm86Test, ProtectedModeInstructionsAreUndefined) {
  const std::vector<std::vector<uint8_t>> undefined = {
      {0x0f, 0x02, 0xc3},  // lar ax, bx
      {0x0f, 0x03, 0xc3},  // lsl ax, bx
      {0x0f, 0x00, 0xe3},  // verr bx
      {0x0f, 0x00, 0xeb},  // verw bx
      {0x63, 0xd8},        // arpl ax, bx
      {0x0f, 0x00, 0xc0},  // sldt ax
      {0x0f, 0x00, 0xc8},  // str ax
      {0x0f, 0x00, 0xd0},  // lldt ax
      {0x0f, 0x00, 0xd8},  // ltr ax
  };
  for (const std::vector<uint8_t>& code : undefined) {
    Vm86 t;
    EXPECT_EQ(t.Enter(code), kInvalidOpcode) << int{code[1]} << " " << int{code[2 % code.size()]};
    EXPECT_EQ(t.Frame(0), kVmIp);
  }
}

// Far CALL, RET and JMP load CS as real mode does; a 32-bit offset beyond
// 64 KiB is #GP(0) before anything is pushed.
TEST(Vm86Test, FarTransfersLoadCsAsRealMode) {
  Vm86 t;
  t.Put(Linear(0x5100, 0x0010), {0xbe, 0x11, 0x00, 0xcb});  // mov si, 0x11; retf
  // call far 0x5100:0x0010; mov di, 0x22; jmp far dword 0x5000:0x10000
  ASSERT_EQ(t.Enter({0x9a, 0x10, 0x00, 0x00, 0x51, 0xbf, 0x22, 0x00, 0x66, 0xea, 0x00, 0x00, 0x01,
                     0x00, 0x00, 0x50}),
            kGeneralProtection);
  EXPECT_EQ(t.s.gpr[kRsi] & 0xffff, 0x11u);
  EXPECT_EQ(t.s.gpr[kRdi] & 0xffff, 0x22u);
  EXPECT_EQ(t.Frame(1), kVmIp + 8u);  // the far JMP
  EXPECT_EQ(t.Frame(2), kVmCs);
  EXPECT_EQ(t.Frame(4), kVmSp);  // the CALL's words popped again
  EXPECT_EQ(t.Get16(Linear(kVmSs, kVmSp - 2)), 0x5000);
  EXPECT_EQ(t.Get16(Linear(kVmSs, kVmSp - 4)), kVmIp + 5);
}

TEST(Vm86Test, FarCallPast64KiBPushesNothing) {
  Vm86 t;
  t.Put16(Linear(kVmSs, kVmSp - 2), 0x1111);
  // call far dword 0x5000:0x10000 (66h)
  ASSERT_EQ(t.Enter({0x66, 0x9a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x50}), kGeneralProtection);
  EXPECT_EQ(t.Frame(1), kVmIp);
  EXPECT_EQ(t.Frame(4), kVmSp);
  EXPECT_EQ(t.Get16(Linear(kVmSs, kVmSp - 2)), 0x1111);
}

// Port I/O consults the TSS's bitmap whatever IOPL is (SDM vol. 3A
// 20.2.8.1): denied at IOPL 3, allowed at IOPL 0 when the bitmap allows.
TEST(Vm86Test, PortIoUsesTheBitmapWhateverIopl) {
  {
    Vm86 t;
    t.Put16(R::kTss32 + 0x66, 0x68);  // the bitmap lies beyond the TSS limit: every port denied
    ASSERT_EQ(t.Enter({0xe4, 0x60}, 0x2 | kIopl3), kGeneralProtection);  // in al, 0x60
    EXPECT_EQ(t.Frame(1), kVmIp);
  }
  Vm86 t;
  t.m.state().tr.limit = 0x80;
  t.Put16(R::kTss32 + 0x66, 0x70);  // bitmap at 0x70: port 0x60's byte (0x7c) and the next clear
  t.Put16(R::kTss32 + 0x7c, 0);
  ASSERT_EQ(t.Enter({0xe4, 0x60, 0xf4}), kGeneralProtection);  // in al, 0x60; hlt
  EXPECT_EQ(t.Frame(1), kVmIp + 2u);  // the IN ran; the HLT faulted
}

// VEX encodings are #UD in virtual-8086 mode (SDM vol. 2A 2.8), AVX and
// BMI alike, even with AVX enabled.
TEST(Vm86Test, VexEncodingsAreUndefined) {
  for (const std::vector<uint8_t>& code : {std::vector<uint8_t>{0xc5, 0xf8, 0x77},  // vzeroupper
                                           std::vector<uint8_t>{0xc4, 0xe2, 0x78, 0xf2, 0xc3}}) {  // andn
    Vm86 t;
    t.m.cpu().WriteCr4(t.s.cr4 | kCr4OSXSAVE | kCr4OSFXSR);
    t.s.xcr0 = kXcr0X87 | kXcr0Sse | kXcr0Avx;
    EXPECT_EQ(t.Enter(code), kInvalidOpcode) << int{code[0]};
    EXPECT_EQ(t.Frame(0), kVmIp);
  }
}

// IRETD into virtual-8086 mode with an EIP past 64 KiB is #GP(0) at the
// IRETD, in ring 0 with nothing changed (SDM vol. 2B IRET).
TEST(Vm86Test, IretWithAnEipPast64KiBFaultsBeforeEntering) {
  Vm86 t;
  const uint32_t frame[] = {0x10000, kVmCs, static_cast<uint32_t>(kVM | 0x2), kVmSp, kVmSs, 0, 0, 0, 0};
  t.m.memory().CopyIn(kRing0Stack - sizeof(frame), frame, sizeof(frame));
  t.s.gpr[kRsp] = kRing0Stack - sizeof(frame);
  t.Put(L::kCode, {0xcf});
  t.s.rip = L::kCode;
  t.m.cpu().Run(10);
  ASSERT_EQ(t.Stopped(), kGeneralProtection);
  EXPECT_FALSE(t.s.rflags & kVM);
  EXPECT_EQ(t.s.cpl, 0);
  EXPECT_EQ(t.Get32(t.s.gpr[kRsp]), 0u);         // error code
  EXPECT_EQ(t.Get32(t.s.gpr[kRsp] + 4), L::kCode);  // the IRETD
  EXPECT_EQ(t.s.gpr[kRsp] + 16, kRing0Stack - sizeof(frame));  // same stack, frame not popped
}

// IRET inside virtual-8086 mode at IOPL 3 pops IP, CS and FLAGS as real
// mode does, keeping IOPL.
TEST(Vm86Test, IretWithinVirtual8086Mode) {
  Vm86 t;
  // push 0x0001 (flags: CF); push 0x5200; push 0x0010; iret
  t.Put(Linear(0x5200, 0x0010), {0x8c, 0xc8, 0xf4});  // mov ax, cs; hlt
  ASSERT_EQ(t.Enter({0x6a, 0x01, 0x68, 0x00, 0x52, 0x6a, 0x10, 0xcf}, 0x2 | kIopl3),
            kGeneralProtection);
  EXPECT_EQ(t.s.gpr[kRax] & 0xffff, 0x5200u);
  EXPECT_EQ(t.Frame(1), 0x12u);
  EXPECT_EQ(t.Frame(2), 0x5200u);
  EXPECT_EQ(t.Frame(3) & (kCF | kIOPL | kVM), kCF | kIOPL | kVM);
  EXPECT_EQ(t.Frame(4), kVmSp);
}

// A far JMP to a TSS whose EFLAGS image has VM set starts a virtual-8086
// task: its selectors become real-mode segments, CPL 3.
TEST(Vm86Test, TaskSwitchToAVirtual8086Task) {
  Vm86 t;
  constexpr uint64_t kTssB = 0x7400;
  constexpr uint16_t kTssBSel = 0x48;
  t.m.Put64(L::kGdt + kTssBSel, 0x67 | (kTssB << 16) | (0x89ull << 40));
  t.s.gdtr.limit = 0x4f;
  t.m.Put64(L::kGdt + 0x40, 0x67 | (uint64_t{R::kTss32} << 16) | (0x8bull << 40));  // TR: busy
  const uint32_t eflags = static_cast<uint32_t>(0x2 | kVM);
  t.m.memory().CopyIn(kTssB + 0x20, &kVmIp, 2);
  t.m.memory().CopyIn(kTssB + 0x24, &eflags, 4);
  const uint32_t sp = kVmSp;
  t.m.memory().CopyIn(kTssB + 0x38, &sp, 4);
  t.m.Put64(kTssB + 4, R::kEsp0 | (uint64_t{R::kData0} << 32));  // its ring-0 stack, ESP0 and SS0
  const uint16_t selectors[6] = {kVmEs, kVmCs, kVmSs, kVmDs, 0, 0};
  for (int i = 0; i < 6; ++i) t.m.memory().CopyIn(kTssB + 0x48 + 4 * i, &selectors[i], 2);
  t.Put(Linear(kVmCs, kVmIp), {0x8c, 0xd8, 0xf4});  // mov ax, ds; hlt
  t.Put(L::kCode, {0xea, 0, 0, 0, 0, kTssBSel, 0});  // jmp far kTssBSel:0
  t.s.rip = L::kCode;
  t.s.gpr[kRsp] = kRing0Stack;
  t.m.cpu().Run(100);
  ASSERT_EQ(t.Stopped(), kGeneralProtection);
  EXPECT_EQ(t.s.tr.selector, kTssBSel);
  EXPECT_EQ(t.s.gpr[kRax] & 0xffff, kVmDs);
  EXPECT_EQ(t.Frame(1), kVmIp + 2u);
  EXPECT_EQ(t.Frame(2), kVmCs);
  EXPECT_TRUE(t.Frame(3) & kVM);
}

// A #GP in virtual-8086 mode through a task gate: the monitor task sees
// the virtual-8086 task's state in its TSS (EFLAGS.VM, real-mode
// selectors), steps its EIP past the HLT and IRETs back, which resumes
// virtual-8086 mode.
TEST(Vm86Test, TaskGateMonitorReturnsToTheVirtual8086Task) {
  Vm86 t;
  constexpr uint64_t kTssB = 0x7400, kMonitor = kHandlers + 0x800;
  constexpr uint16_t kTssBSel = 0x48;
  t.m.Put64(L::kGdt + 0x40, 0x67 | (uint64_t{R::kTss32} << 16) | (0x8bull << 40));  // task A, busy
  t.m.Put64(L::kGdt + kTssBSel, 0x67 | (kTssB << 16) | (0x89ull << 40));
  t.s.gdtr.limit = 0x4f;
  t.m.Put64(Protected32::kIdt32 + 8 * kGeneralProtection, (uint64_t{kTssBSel} << 16) | (0x85ull << 40));
  const uint32_t b_state[] = {static_cast<uint32_t>(kMonitor), 0x2, 0, 0, 0, 0, 0x3c000, 0, 0, 0};
  t.m.memory().CopyIn(kTssB + 0x20, b_state, sizeof(b_state));
  const uint32_t b_selectors[6] = {R::kData0, R::kCode0, R::kData0, R::kData0, R::kData0, R::kData0};
  t.m.memory().CopyIn(kTssB + 0x48, b_selectors, sizeof(b_selectors));
  // The monitor: copy task A's EFLAGS and DS to 0x7500, step its EIP, drop
  // the error code, IRETD (NT: back to task A).
  t.Put(kMonitor, {0xa1, 0x24, 0x70, 0, 0,          // mov eax, [0x7024]
                   0xa3, 0x00, 0x75, 0, 0,          // mov [0x7500], eax
                   0xa1, 0x54, 0x70, 0, 0,          // mov eax, [0x7054]
                   0xa3, 0x04, 0x75, 0, 0,          // mov [0x7504], eax
                   0x83, 0x05, 0x20, 0x70, 0, 0, 1,  // add dword [0x7020], 1
                   0x83, 0xc4, 0x04,                // add esp, 4
                   0xcf});                          // iretd
  // hlt (#GP: to the monitor); mov bx, 0x42; int3
  ASSERT_EQ(t.Enter({0xf4, 0xbb, 0x42, 0x00, 0xcc}), kBreakpoint);
  EXPECT_TRUE(t.Get32(0x7500) & kVM);
  EXPECT_EQ(t.Get32(0x7504), kVmDs);
  EXPECT_EQ(t.s.tr.selector, 0x40);
  EXPECT_EQ(t.s.gpr[kRbx] & 0xffff, 0x42u);
  EXPECT_EQ(t.Frame(0), kVmIp + 5u);  // INT3's frame: virtual-8086 mode again
  EXPECT_EQ(t.Frame(1), kVmCs);
  EXPECT_TRUE(t.Frame(2) & kVM);
}

TEST(Vm86Test, DescribesTheMode) {
  Vm86 t;
  t.Enter({0x90, 0x90, 0xf4}, 0x2, 2);  // IRETD and one NOP
  ASSERT_TRUE(t.s.rflags & kVM);
  EXPECT_EQ(t.m.cpu().ModeName(), "virtual-8086 mode");
  EXPECT_EQ(t.s.cpl, 3);
  EXPECT_EQ(t.s.seg[kCs].base, 0x50000u);
}

}  // namespace
}  // namespace x64sim::testing
