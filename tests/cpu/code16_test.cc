// 16-bit protected-mode code: a code segment with D = 0 gives 16-bit
// default operand and address sizes, which 66h and 67h switch to 32 (SDM
// vol. 3A 3.4.5, vol. 1 3.6). Two kinds of test: what 16-bit code does,
// and a self-differential sweep that runs each instruction as 16-bit code
// and, with 66h and 67h toggled, as 32-bit code, which must agree.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "tests/cpu/protected32_machine.h"

namespace x64sim::testing {
namespace {

constexpr uint64_t kCodeBase = 0x40000;   // both code segments'
constexpr uint64_t kDataBase = 0x100000;  // DS, ES and SS
constexpr uint16_t kCode16 = 0x20, kCode32 = 0x28, kData16 = 0x30, kFlatCode16 = 0x38;
constexpr uint16_t kFarTarget = 0x0100;  // the IP far pointers in memory name

// Protected32 with 64 KiB code and data segments: 16-bit code (0x20),
// 32-bit code (0x28) over the same bytes, 16-bit data (0x30, B = 0) and a
// 16-bit code segment with a 4 GiB limit (0x38).
class Code16Machine : public Protected32 {
 public:
  Code16Machine() {
    m.Put64(LongModeMachine::kGdt + kCode16, 0x00009b040000ffffull);
    m.Put64(LongModeMachine::kGdt + kCode32, 0x00409b040000ffffull);
    m.Put64(LongModeMachine::kGdt + kData16, 0x000093100000ffffull);
    m.Put64(LongModeMachine::kGdt + kFlatCode16, 0x008f9b000000ffffull);
    m.state().gdtr = {LongModeMachine::kGdt, 0x3f};
    for (SegReg r : {kDs, kEs, kSs}) {
      m.cpu().LoadSegmentCache(r, Segment{kData16, kDataBase, 0xffff, 0x0093});
    }
  }

  void UseCode(uint16_t selector) {
    const Segment code16{kCode16, kCodeBase, 0xffff, 0x009b};
    const Segment code32{kCode32, kCodeBase, 0xffff, 0x409b};
    const Segment flat16{kFlatCode16, 0, 0xffffffff, 0x809b};
    m.cpu().LoadSegmentCache(kCs, selector == kCode16   ? code16
                                  : selector == kCode32 ? code32
                                                        : flat16);
  }
  // Code bytes at CS offset `ip` (the CS of UseCode(kCode16/kCode32)).
  void Put(uint64_t ip, const std::vector<uint8_t>& bytes) {
    m.cpu().WriteSupervisor(kCodeBase + ip, bytes.data(), static_cast<int>(bytes.size()));
  }
  uint16_t Word(uint64_t offset) { return static_cast<uint16_t>(m.Get64(kDataBase + offset)); }
  void PutWord(uint64_t offset, uint16_t v) { m.memory().CopyIn(kDataBase + offset, &v, 2); }
  StopInfo RunFrom(uint64_t ip, uint64_t max_instructions = 1000) {
    m.state().rip = ip;
    m.state().halted = false;
    return m.cpu().Run(max_instructions);
  }
  CpuState& s() { return m.state(); }
};

// ---- What 16-bit code does ------------------------------------------------

TEST(Code16Test, OperandAndAddressSizesDefaultTo16Bits) {
  Code16Machine t;
  t.UseCode(kCode16);
  // mov ax, 0x1234; mov [bx+si+2], ax; mov ecx, 0x89abcdef (66h); hlt
  t.Put(0, {0xb8, 0x34, 0x12, 0x89, 0x40, 0x02, 0x66, 0xb9, 0xef, 0xcd, 0xab, 0x89, 0xf4});
  t.s().gpr[kRax] = 0xaaaa0000;
  t.s().gpr[kRbx] = 0xffff0100;  // BX = 0x100: the high half plays no part
  t.s().gpr[kRsi] = 0x00010010;
  t.RunFrom(0);
  EXPECT_EQ(t.s().gpr[kRax], 0xaaaa1234u);
  EXPECT_EQ(t.Word(0x112), 0x1234);
  EXPECT_EQ(t.s().gpr[kRcx], 0x89abcdefu);
  EXPECT_EQ(t.s().rip, 13u);  // after the HLT
}

TEST(Code16Test, BpBasedAddressesUseSsAnd16BitStackUsesSp) {
  Code16Machine t;
  t.UseCode(kCode16);
  Segment stack{kData16, kDataBase + 0x10000, 0xffff, 0x0093};  // a second 64 KiB
  t.m.cpu().LoadSegmentCache(kSs, stack);
  // mov ax, [bp+2]; push ax; hlt
  t.Put(0, {0x8b, 0x46, 0x02, 0x50, 0xf4});
  t.s().gpr[kRbp] = 0x5555fffe;  // BP + 2 wraps to 0 in the address size
  t.s().gpr[kRsp] = 0x77770000;  // SP 0: the push wraps to 0xfffe
  t.m.Put64(kDataBase + 0x10000, 0xbeef);
  t.RunFrom(0);
  EXPECT_EQ(t.s().gpr[kRax] & 0xffff, 0xbeefu);
  EXPECT_EQ(t.s().gpr[kRsp], 0x7777fffeu);
  EXPECT_EQ(t.Word(0x1fffe), 0xbeef);
}

TEST(Code16Test, NearBranchesWrapIpAndPushWords) {
  Code16Machine t;
  t.UseCode(kCode16);
  // at 0x10: call 0xfff0 (rel16 0xffdd wraps past 64 KiB): pushes IP 0x13
  t.Put(0x10, {0xe8, 0xdd, 0xff});
  t.Put(0xfff0, {0xf4});
  t.s().gpr[kRsp] = 0x100;
  t.RunFrom(0x10);
  EXPECT_EQ(t.s().rip, 0xfff1u);
  EXPECT_EQ(t.s().gpr[kRsp], 0xfeu);
  EXPECT_EQ(t.Word(0xfe), 0x13);
}

TEST(Code16Test, SameBytesDecodeByCsD) {
  Code16Machine t;
  // mov (e)ax, imm; hlt -- as 32-bit code B8 takes four bytes of immediate
  t.Put(0, {0xb8, 0x34, 0x12, 0xf4, 0x90, 0xf4});
  t.UseCode(kCode32);
  t.s().gpr[kRax] = 0;
  t.RunFrom(0);
  EXPECT_EQ(t.s().gpr[kRax], 0x90f41234u);
  EXPECT_EQ(t.s().rip, 6u);
  // The block decoded as 32-bit code is not reused for 16-bit code.
  t.UseCode(kCode16);
  t.s().gpr[kRax] = 0;
  t.RunFrom(0);
  EXPECT_EQ(t.s().gpr[kRax], 0x1234u);
  EXPECT_EQ(t.s().rip, 4u);
  EXPECT_NE(t.m.cpu().DescribeInstructionAt(0).find("16-bit protected mode"), std::string::npos);
  EXPECT_NE(t.m.cpu().DescribeInstructionAt(0).find("mov ax, 0x1234"), std::string::npos)
      << t.m.cpu().DescribeInstructionAt(0);
}

// Far jumps between 16- and 32-bit code: each side decodes its own way,
// including a loop in a 4 GiB 16-bit segment, whose blocks may be linked.
TEST(Code16Test, FarJumpsBetween16And32BitCode) {
  Code16Machine t;
  t.UseCode(kCode32);
  const uint64_t flat16 = 0x4000;  // CS 0x38 has base 0; IP below 64 KiB
  // 32-bit: jmp far 0x38:flat16
  std::vector<uint8_t> to16 = {0xea, 0, 0, 0, 0, kFlatCode16, 0};
  for (int i = 0; i < 4; ++i) to16[1 + i] = static_cast<uint8_t>(flat16 >> (8 * i));
  t.Put(0, to16);
  // 16-bit: mov cx, 1000; inc ax; loop -3; jmp far dword 0x28:0x2000
  // (66h: a 32-bit offset)
  t.m.cpu().WriteSupervisor(flat16, std::vector<uint8_t>{0xb9, 0xe8, 0x03, 0x40, 0xe2, 0xfd, 0x66,
                                                         0xea, 0x00, 0x20, 0, 0, kCode32, 0}
                                        .data(),
                            14);
  t.Put(0x2000, {0x05, 0, 0, 1, 0, 0xf4});  // add eax, 0x10000; hlt
  t.s().gpr[kRax] = 0x0000ffff;
  t.s().gpr[kRcx] = 0x12340000;
  t.RunFrom(0, 100000);
  // INC AX wraps within AX; the loop counts CX only.
  EXPECT_EQ(t.s().gpr[kRax], 0x103e7u);
  EXPECT_EQ(t.s().gpr[kRcx], 0x12340000u);
  EXPECT_EQ(t.s().seg[kCs].selector, kCode32);
  EXPECT_EQ(t.s().rip, 0x2006u);
}

// An exception in 16-bit code goes through the 32-bit IDT's 32-bit gate:
// the frame holds the 16-bit code's CS and IP as doublewords.
TEST(Code16Test, ExceptionFrom16BitCodeThroughA32BitGate) {
  Code16Machine t;
  t.UseCode(kCode16);
  Segment flat_stack{0x10, 0, 0xffffffff, 0xcf93};
  t.m.cpu().LoadSegmentCache(kSs, flat_stack);
  t.Put(0x20, {0x0f, 0x0b});  // ud2
  t.s().gpr[kRsp] = 0x8000;
  t.RunFrom(0x20);
  EXPECT_EQ(t.s().rip, LongModeMachine::kStubs + 16 * kInvalidOpcode + 1);
  EXPECT_EQ(t.s().gpr[kRsp], 0x8000u - 12);
  EXPECT_EQ(t.m.Get64(0x8000 - 12) & 0xffffffff, 0x20u);    // EIP
  EXPECT_EQ(t.m.Get64(0x8000 - 8) & 0xffffffff, kCode16);   // CS
}

// LEAVE and ENTER on a 16-bit stack move SP and BP only; on a 32-bit
// stack ESP (SDM vol. 2A ENTER, LEAVE: by the stack size).
TEST(Code16Test, LeaveAndEnterFollowTheStackSize) {
  Code16Machine t;
  t.UseCode(kCode16);
  t.Put(0, {0xc9, 0xf4});  // leave; hlt
  t.s().gpr[kRbp] = 0x12340100;
  t.s().gpr[kRsp] = 0x56780800;
  t.PutWord(0x100, 0x0abc);
  t.RunFrom(0);
  EXPECT_EQ(t.s().gpr[kRsp], 0x56780102u);  // SP <- BP, then the pop
  EXPECT_EQ(t.s().gpr[kRbp], 0x12340abcu);
  t.m.cpu().LoadSegmentCache(kSs, Segment{kData16, kDataBase, 0xffff, 0x4093});  // B = 1
  t.s().gpr[kRbp] = 0x00000100;
  t.s().gpr[kRsp] = 0x00000800;
  t.RunFrom(0);
  EXPECT_EQ(t.s().gpr[kRsp], 0x102u);  // ESP <- EBP
  // enter 4, 0 on a 16-bit stack: push BP, BP <- SP, SP -= 4
  t.m.cpu().LoadSegmentCache(kSs, Segment{kData16, kDataBase, 0xffff, 0x0093});
  t.Put(0, {0xc8, 0x04, 0x00, 0x00, 0xf4});
  t.s().gpr[kRbp] = 0x11110222;
  t.s().gpr[kRsp] = 0x22220800;
  t.RunFrom(0);
  EXPECT_EQ(t.Word(0x7fe), 0x0222);
  EXPECT_EQ(t.s().gpr[kRbp], 0x111107feu);
  EXPECT_EQ(t.s().gpr[kRsp], 0x222207fau);
}

// ---- Self-differential sweep -----------------------------------------------

// `insn` as 32-bit code means: operand- and address-size prefixes toggled.
std::vector<uint8_t> As32BitCode(const std::vector<uint8_t>& insn) {
  size_t n = 0;
  bool has66 = false, has67 = false;
  std::vector<uint8_t> other;
  for (; n < insn.size(); ++n) {
    const uint8_t b = insn[n];
    if (b == 0x66) {
      has66 = true;
    } else if (b == 0x67) {
      has67 = true;
    } else if (b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x26 || b == 0x2e || b == 0x36 ||
               b == 0x3e || b == 0x64 || b == 0x65) {
      other.push_back(b);
    } else {
      break;
    }
  }
  std::vector<uint8_t> out;
  if (!has66) out.push_back(0x66);
  if (!has67) out.push_back(0x67);
  out.insert(out.end(), other.begin(), other.end());
  out.insert(out.end(), insn.begin() + static_cast<std::ptrdiff_t>(n), insn.end());
  return out;
}

struct Snapshot {
  uint64_t gpr[8];
  uint64_t rip, rflags;
  uint16_t selectors[6];
  std::vector<uint8_t> data;
  bool operator==(const Snapshot&) const = default;
};

constexpr uint64_t kEnd = 0x40;  // both encodings end here

// Runs `code` as 16-bit code, or as 32-bit code if `big`, from the setup
// `seed` gives, on a 16-bit stack or, if `big_stack`, a 32-bit one (SS.B);
// returns what it left. The code segment is all HLT but for the
// instruction, so any branch target stops the run.
Snapshot RunOnce(bool big, bool big_stack, const std::vector<uint8_t>& code, uint32_t seed) {
  Code16Machine t;
  std::vector<uint8_t> halts(0x10000, 0xf4);
  t.m.memory().CopyIn(kCodeBase, halts.data(), halts.size());
  // One selector in both runs, so that far transfers push and load the
  // same one: 0x20 is 32-bit code in the 32-bit run.
  if (big) {
    t.m.Put64(LongModeMachine::kGdt + kCode16, 0x00409b040000ffffull);
    t.m.cpu().LoadSegmentCache(kCs, Segment{kCode16, kCodeBase, 0xffff, 0x409b});
  } else {
    t.UseCode(kCode16);
  }
  t.Put(kEnd - code.size(), code);
  std::mt19937 rng(seed);
  std::vector<uint8_t> data(0x10000);
  for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
  t.m.memory().CopyIn(kDataBase, data.data(), data.size());
  for (int r = 0; r < 8; ++r) t.s().gpr[r] = rng();
  auto set16 = [&](int r, uint16_t v) { t.s().gpr[r] = (t.s().gpr[r] & ~0xffffull) | v; };
  set16(kRbx, 0x200);
  set16(kRsp, 0x800);
  set16(kRbp, 0x700);
  set16(kRcx, 5);
  if (big_stack) {  // ESP's upper half counts: keep it within the 64 KiB
    t.s().gpr[kRsp] = 0x800;
    t.m.cpu().LoadSegmentCache(kSs, Segment{kData16, kDataBase, 0xffff, 0x4093});
  }
  // Far pointers and an IRET frame where [BX] and [SS:SP] point, a data
  // selector at [BX + 4].
  for (uint64_t at : {0x200, 0x800}) {
    t.PutWord(at, kFarTarget);
    t.PutWord(at + 2, kCode16);
    t.PutWord(at + 4, kData16);
  }
  t.m.cpu().SetRflags(kFlagsFixed1 | (rng() & (kCF | kPF | kAF | kZF | kSF | kOF | kDF)));
  t.RunFrom(kEnd - code.size(), 1000);
  Snapshot out;
  std::copy(t.s().gpr, t.s().gpr + 8, out.gpr);
  out.rip = t.s().rip;
  out.rflags = t.s().rflags;
  for (int r = 0; r < 6; ++r) out.selectors[r] = t.s().seg[r].selector;
  out.data.resize(0x10000);
  t.m.memory().CopyOut(kDataBase, out.data.data(), out.data.size());
  return out;
}

// The vector of the exception the run ended in (at its stub's HLT), or -1.
int ExceptionTaken(const Snapshot& s) {
  constexpr uint64_t kStubs = LongModeMachine::kStubs;
  if (s.rip <= kStubs || s.rip > kStubs + 32 * 16) return -1;
  return static_cast<int>((s.rip - 1 - kStubs) / 16);
}

// 16-bit encodings of general-purpose instructions that depend on the
// operand or address size: addressing forms, the stack, branches, strings.
const std::vector<std::vector<uint8_t>> kSweep = {
    {0x01, 0xd8},                          // add ax, bx
    {0x03, 0x00},                          // add ax, [bx+si]
    {0x03, 0x42, 0x10},                    // add ax, [bp+si+0x10] (SS)
    {0x2b, 0x01},                          // sub ax, [bx+di]
    {0x33, 0x03},                          // xor ax, [bp+di]
    {0x0b, 0x04},                          // or ax, [si]
    {0x23, 0x05},                          // and ax, [di]
    {0x13, 0x46, 0xfe},                    // adc ax, [bp-2]
    {0x1b, 0x87, 0x34, 0x12},              // sbb ax, [bx+0x1234]
    {0x8b, 0x0e, 0x34, 0x12},              // mov cx, [0x1234]
    {0xa1, 0x00, 0x02},                    // mov ax, [0x200]
    {0xa3, 0x10, 0x02},                    // mov [0x210], ax
    {0x66, 0x03, 0x00},                    // add eax, [bx+si]
    {0x67, 0x03, 0x04, 0x33},              // add ax, [ebx+esi] (67h)
    {0x83, 0xc0, 0x05},                    // add ax, 5
    {0x05, 0x34, 0x12},                    // add ax, 0x1234
    {0x66, 0x05, 0x78, 0x56, 0x34, 0x12},  // add eax, 0x12345678
    {0xc7, 0x07, 0x34, 0x12},              // mov word [bx], 0x1234
    {0x81, 0x2f, 0x01, 0x80},              // sub word [bx], 0x8001
    {0x26, 0x8b, 0x07},                    // mov ax, es:[bx]
    {0x8d, 0x40, 0x08},                    // lea ax, [bx+si+8]
    {0x66, 0x8d, 0x42, 0xf0},              // lea eax, [bp+si-0x10]
    {0x8c, 0xd8},                          // mov ax, ds
    {0x8e, 0x5f, 0x04},                    // mov ds, [bx+4]
    {0x50}, {0x58}, {0x66, 0x50}, {0x66, 0x5b},   // push/pop (e)ax, pop (e)bx
    {0x68, 0x34, 0x12}, {0x6a, 0xff},      // push imm16, push imm8
    {0x9c}, {0x9d}, {0x66, 0x9c},          // pushf, popf, pushfd
    {0x60}, {0x61}, {0x66, 0x60},          // pusha, popa, pushad
    {0xff, 0x37}, {0x8f, 0x07},            // push [bx], pop [bx]
    {0x1e}, {0x06}, {0x07},                // push ds, push es, pop es
    {0xc8, 0x08, 0x00, 0x00},              // enter 8, 0
    {0xc8, 0x04, 0x00, 0x02},              // enter 4, 2
    {0xc9},                                // leave
    {0xeb, 0x10}, {0xeb, 0x80},            // jmp short (forward, wrapping back)
    {0xe9, 0x00, 0x01}, {0xe9, 0x00, 0xf0},  // jmp rel16
    {0x74, 0x05}, {0x75, 0x05},            // jz, jnz
    {0x0f, 0x84, 0x00, 0x10},              // jz rel16
    {0xe8, 0x00, 0x01},                    // call rel16
    {0xff, 0xd3}, {0xff, 0x17},            // call bx, call [bx]
    {0xff, 0xe3}, {0xff, 0x27},            // jmp bx, jmp [bx]
    {0xc3}, {0xc2, 0x04, 0x00},            // ret, ret 4
    {0xe2, 0x10}, {0xe1, 0x10}, {0xe0, 0x10}, {0xe3, 0x10},  // loop(e/ne), jcxz
    {0x67, 0xe2, 0x10},                    // loop with ECX
    {0x9a, 0x00, 0x01, kCode16, 0x00},     // call far 0x20:0x100
    {0xea, 0x00, 0x01, kCode16, 0x00},     // jmp far 0x20:0x100
    {0xff, 0x1f}, {0xff, 0x2f},            // call far [bx], jmp far [bx]
    {0xcb}, {0xca, 0x02, 0x00},            // retf, retf 2
    {0xcf},                                // iret
    {0xcc},                                // int3 (through a 32-bit gate)
    {0xa4}, {0xa5}, {0x66, 0xa5},          // movsb, movsw, movsd
    {0xf3, 0xa4}, {0xf3, 0xa5},            // rep movsb, rep movsw
    {0xaa}, {0xf3, 0xab}, {0xac}, {0xad},  // stosb, rep stosw, lodsb, lodsw
    {0xa6}, {0xf3, 0xa6}, {0xf2, 0xae},    // cmpsb, repe cmpsb, repne scasb
    {0x26, 0xa4},                          // movsb from es:si
    {0xd7},                                // xlat
    {0xf7, 0xe3}, {0xf7, 0xeb},            // mul bx, imul bx
    {0xf7, 0x37},                          // div word [bx]
    {0x69, 0xc3, 0x34, 0x12},              // imul ax, bx, 0x1234
    {0x0f, 0xaf, 0x07},                    // imul ax, [bx]
    {0xd1, 0xe0}, {0xc1, 0xe8, 0x03}, {0xd3, 0xf8},  // shl, shr, sar
    {0x0f, 0xa4, 0xd8, 0x04},              // shld ax, bx, 4
    {0x0f, 0xad, 0xd8},                    // shrd ax, bx, cl
    {0x0f, 0xa3, 0x07},                    // bt [bx], ax (bit offset in AX)
    {0x0f, 0xab, 0x37},                    // bts [bx], si
    {0x98}, {0x99}, {0x66, 0x98}, {0x66, 0x99},  // cbw, cwd, cwde, cdq
    {0x86, 0xc3}, {0x87, 0x07},            // xchg al, bl; xchg ax, [bx]
    {0xf0, 0x0f, 0xc1, 0x07},              // lock xadd [bx], ax
    {0x0f, 0xb1, 0x0f},                    // cmpxchg [bx], cx
    {0x0f, 0xbe, 0xc3}, {0x0f, 0xb7, 0x07},  // movsx ax, bl; movzx ax, [bx]
    {0x66, 0x0f, 0xbf, 0x07},              // movsx eax, word [bx]
    {0x0f, 0xbc, 0xc3}, {0x0f, 0xbd, 0x07},  // bsf ax, bx; bsr ax, [bx]
    {0xf3, 0x0f, 0xb8, 0xc3},              // popcnt ax, bx
    {0x0f, 0x44, 0x07},                    // cmovz ax, [bx]
    {0x0f, 0x94, 0x07},                    // setz [bx]
    {0x40}, {0x4b}, {0xfe, 0x07},          // inc ax, dec bx, inc byte [bx]
    {0xf7, 0x1f}, {0xf6, 0x17},            // neg word [bx], not byte [bx]
    {0x9f}, {0x9e},                        // lahf, sahf
    {0xc4, 0x1f}, {0xc5, 0x37},            // les bx, [bx]; lds si, [bx]
    {0x0f, 0xb2, 0x37},                    // lss si, [bx]
};

TEST(Code16Test, SixteenBitCodeMatches32BitCodeWithSizePrefixesToggled) {
  int runs = 0, faulted = 0;
  for (const std::vector<uint8_t>& insn : kSweep) {
    const std::vector<uint8_t> other = As32BitCode(insn);
    for (uint32_t seed = 1; seed <= 4; ++seed) {
      const bool big_stack = seed > 2;
      const Snapshot as16 = RunOnce(false, big_stack, insn, seed);
      Snapshot as32 = RunOnce(true, big_stack, other, seed);
      std::string hex;
      for (uint8_t b : insn) hex += absl::StrFormat(" %02x", b);
      // An encoding both runs refuse would match without proving anything.
      EXPECT_NE(ExceptionTaken(as16), kInvalidOpcode) << hex << " seed " << seed;
      EXPECT_EQ(as16.rip, as32.rip) << hex << " seed " << seed;
      EXPECT_EQ(as16.rflags, as32.rflags) << hex << " seed " << seed;
      for (int r = 0; r < 8; ++r) EXPECT_EQ(as16.gpr[r], as32.gpr[r]) << hex << " gpr " << r;
      for (int r = 0; r < 6; ++r) EXPECT_EQ(as16.selectors[r], as32.selectors[r]) << hex << " seg " << r;
      const int vector = ExceptionTaken(as32);
      faulted += vector >= 0;
      if (vector >= 0 && vector != kDebug && vector != kBreakpoint && vector != kOverflow) {
        // A fault's frame names the faulting instruction, which starts
        // earlier in the 32-bit run by the prefixes it has more (a trap's
        // names the next one, at the same place in both).
        const uint16_t sp = static_cast<uint16_t>(as32.gpr[kRsp]);
        const bool error_code = vector == kDoubleFault ||
                                (vector >= kInvalidTss && vector <= kPageFault) ||
                                vector == kAlignmentCheck;
        uint32_t eip;
        std::memcpy(&eip, &as32.data[sp + (error_code ? 4 : 0)], 4);
        eip += static_cast<uint32_t>(other.size() - insn.size());
        std::memcpy(&as32.data[sp + (error_code ? 4 : 0)], &eip, 4);
      }
      EXPECT_TRUE(as16.data == as32.data) << hex << " seed " << seed << ": memory differs";
      ++runs;
    }
  }
  EXPECT_EQ(runs, 4 * static_cast<int>(kSweep.size()));
  // Most of the sweep runs to completion (a sweep of faults would prove little).
  EXPECT_LT(faulted, runs / 8) << faulted << " of " << runs << " runs ended in an exception";
}

}  // namespace
}  // namespace x64sim::testing
