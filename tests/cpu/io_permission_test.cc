// The I/O permission bitmap (cpu/io_permission.cc, SDM vol. 1 18.5): at
// CPL > IOPL, IN, OUT, INS and OUTS run only when the TSS's bitmap clears
// the bit of every port they touch; otherwise #GP(0) before any device
// access. In 64-bit mode (64-bit TSS) and in 32-bit protected mode (32-bit
// TSS).
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/protected32_machine.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr uint16_t kMapOffset = 0x68;  // right after the fixed TSS fields
constexpr uint32_t kMapBytes = 0x20;   // ports 0-0xff

// Gives the TSS at `tss` a bitmap denying ports 0-0xff, then the all-ones
// byte the SDM asks for; the TSS limit ends on that byte.
void AddBitmap(LongModeMachine& m, Segment& tr, uint64_t tss) {
  m.memory().CopyIn(tss + 0x66, &kMapOffset, 2);
  const std::vector<uint8_t> ones(kMapBytes + 1, 0xff);
  m.memory().CopyIn(tss + kMapOffset, ones.data(), ones.size());
  tr.limit = kMapOffset + kMapBytes;
}

void AllowPort(LongModeMachine& m, uint64_t tss, uint16_t port) {
  const uint64_t at = tss + kMapOffset + port / 8;
  uint8_t byte;
  m.memory().CopyOut(at, &byte, 1);
  byte = static_cast<uint8_t>(byte & ~(1u << (port % 8)));
  m.memory().CopyIn(at, &byte, 1);
}

// Runs `code` at ring 3 with IOPL `iopl`. Back in ring 3 the HLT after the
// code is #GP too: the frame's RIP tells whether the I/O instruction faulted.
M::Result RunUser(M& m, const std::vector<uint8_t>& code, int iopl = 0) {
  std::vector<uint8_t> bytes = code;
  bytes.push_back(0xf4);
  m.Load(M::kUserCode, bytes);
  m.EnterUser(M::kUserStackTop);
  m.cpu().SetRflags(0x2 | (static_cast<uint64_t>(iopl) << 12));
  return m.RunFrom(M::kUserCode);
}

TEST(IoPermissionTest, ClearBitAllowsAndSetBitFaults) {
  M m;
  AddBitmap(m, m.state().tr, M::kTss);
  AllowPort(m, M::kTss, 0x80);
  M::Result r = RunUser(m, {0xe6, 0x80});  // out 0x80, al
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 2);  // the HLT: OUT went through
  ASSERT_EQ(m.ports().outs.size(), 1u);
  EXPECT_EQ(m.ports().outs[0].port, 0x80);

  r = RunUser(m, {0xe4, 0x81});  // in al, 0x81: its bit is set
  ASSERT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.error_code, 0u);
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_TRUE(m.ports().ins.empty());
}

// A 4-byte access checks four bits, here across a byte boundary of the map.
TEST(IoPermissionTest, EveryByteOfTheAccessIsChecked) {
  M m;
  AddBitmap(m, m.state().tr, M::kTss);
  for (uint16_t port : {0x7e, 0x7f, 0x80}) AllowPort(m, M::kTss, port);
  m.state().gpr[kRdx] = 0x7e;
  M::Result r = RunUser(m, {0xed});  // in eax, dx: ports 0x7e-0x81
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_TRUE(m.ports().ins.empty());
  AllowPort(m, M::kTss, 0x81);
  r = RunUser(m, {0xed});
  EXPECT_EQ(r.frame.rip, M::kUserCode + 1);
  ASSERT_EQ(m.ports().ins.size(), 1u);
  EXPECT_EQ(m.ports().ins[0].size, 4);
}

// The map's two bytes must lie within the TSS limit: port 0xff reads the
// byte of ports 0xf8-0xff and the all-ones byte after it; port 0x100's
// pair ends past the limit, which faults whatever memory holds.
TEST(IoPermissionTest, BytesBeyondTheLimitCountAsSet) {
  M m;
  AddBitmap(m, m.state().tr, M::kTss);
  AllowPort(m, M::kTss, 0xff);
  const uint8_t zero = 0;
  m.memory().CopyIn(M::kTss + kMapOffset + kMapBytes, &zero, 1);  // the byte that ends the map
  m.memory().CopyIn(M::kTss + kMapOffset + kMapBytes + 1, &zero, 1);  // past the limit
  m.state().gpr[kRdx] = 0xff;
  M::Result r = RunUser(m, {0xee});  // out dx, al
  EXPECT_EQ(r.frame.rip, M::kUserCode + 1);
  m.state().gpr[kRdx] = 0x100;
  r = RunUser(m, {0xee});
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_EQ(r.frame.error_code, 0u);
  EXPECT_EQ(m.ports().outs.size(), 1u);
}

// A map base at or past the limit: no bitmap, every port faults.
TEST(IoPermissionTest, NoBitmapDeniesEveryPort) {
  M m;
  m.memory().CopyIn(M::kTss + 0x66, &kMapOffset, 2);  // the TSS's limit is 0x67
  M::Result r = RunUser(m, {0xe6, 0x80});
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_TRUE(m.ports().outs.empty());
}

// CPL <= IOPL: the bitmap is not read.
TEST(IoPermissionTest, IoplAtCplSkipsTheBitmap) {
  M m;
  M::Result r = RunUser(m, {0xe6, 0x80}, 3);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 2);
  EXPECT_EQ(m.ports().outs.size(), 1u);
}

// OUTS and INS check the map once, before the first element.
TEST(IoPermissionTest, StringPortInstructions) {
  M m;
  AddBitmap(m, m.state().tr, M::kTss);
  AllowPort(m, M::kTss, 0x20);
  m.state().gpr[kRsi] = M::kUserCode;
  m.state().gpr[kRdx] = 0x21;
  M::Result r = RunUser(m, {0x6e});  // outsb
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_EQ(m.state().gpr[kRsi], M::kUserCode);
  m.state().gpr[kRdx] = 0x20;
  m.state().gpr[kRcx] = 2;
  r = RunUser(m, {0xf3, 0x6e});  // rep outsb
  EXPECT_EQ(r.frame.rip, M::kUserCode + 2);
  EXPECT_EQ(m.ports().outs.size(), 2u);
  m.state().gpr[kRdi] = M::kUserStackTop - 16;
  m.state().gpr[kRdx] = 0x1f;
  r = RunUser(m, {0x66, 0x6d});  // insw: ports 0x1f and 0x20
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_TRUE(m.ports().ins.empty());
}

// 32-bit protected mode at ring 3 with a 32-bit TSS: the same map.
TEST(IoPermissionTest, Protected32UsesThe32BitTss) {
  using P = Ring3Protected32;
  P p;
  CpuState& s = p.m.state();
  AddBitmap(p.m, s.tr, P::kTss32);
  AllowPort(p.m, P::kTss32, 0x60);
  const uint64_t handler = LongModeMachine::kCode + 0x200;
  p.SetGate(kGeneralProtection, handler, 0);
  p.Load(handler, {0xeb, 0xfe});  // jmp $
  p.Load(LongModeMachine::kCode, {0xe4, 0x60, 0xe4, 0x61});  // in al, 0x60; in al, 0x61
  s.rip = LongModeMachine::kCode;
  s.gpr[kRsp] = P::kUserEsp;
  p.m.cpu().Run(3);
  EXPECT_EQ(s.rip, handler);
  EXPECT_EQ(p.Get32(P::kEsp0 - 24), 0u);  // the error code
  EXPECT_EQ(p.Get32(P::kEsp0 - 20), LongModeMachine::kCode + 2);  // the second IN
  ASSERT_EQ(p.m.ports().ins.size(), 1u);
  EXPECT_EQ(p.m.ports().ins[0].port, 0x60);
}

}  // namespace
}  // namespace x64sim::testing
