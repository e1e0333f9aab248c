// Memory operands of 64-bit code whose address needs no general computation
// (AddressForm in cpu/decoded_insn.h): [base + displacement], which
// Cpu::Linear adds up first, and the scalar SSE moves' handlers for it and
// for [RIP + displacement]. Operands with an index or through FS or GS keep
// the general computation. Each reaches the bytes the architecture says,
// and a fault in any of them is reported exactly.
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"
#include "tests/cpu/test_code.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

uint64_t XmmLow(M& m, int r) {
  uint64_t v;
  std::memcpy(&v, m.state().sse.xmm[r], 8);
  return v;
}

// Appends a RIP-relative disp32 that reaches `target` from the end of an
// instruction with `after` more bytes after the displacement.
void RipDisp(std::vector<uint8_t>& code, uint64_t target, int after = 0) {
  const uint64_t next = M::kCode + code.size() + 4 + after;
  Append(code, target - next, 4);
}

TEST(AddressFormTest, ScalarSseMovesOfEachForm) {
  M m;
  const uint64_t constant = M::kCode + 0x800;
  m.Put64(constant, 0x400921fb54442d18);  // pi
  std::vector<uint8_t> code;
  MovImm64(code, kRbp, M::kData + 0x100);
  MovImm64(code, kRcx, 0);
  code.insert(code.end(), {0xf2, 0x0f, 0x10, 0x05});  // movsd xmm0, [rip + constant]
  RipDisp(code, constant);
  code.insert(code.end(), {0xf2, 0x0f, 0x11, 0x45, 0xf8});        // movsd [rbp-8], xmm0
  code.insert(code.end(), {0xf3, 0x0f, 0x10, 0x4d, 0xf8});        // movss xmm1, [rbp-8]
  code.insert(code.end(), {0xf3, 0x0f, 0x7e, 0x55, 0xf8});        // movq xmm2, [rbp-8]
  code.insert(code.end(), {0x66, 0x0f, 0x7e, 0x4d, 0xf0});        // movd [rbp-16], xmm1
  code.insert(code.end(), {0xf2, 0x0f, 0x10, 0x5c, 0xcd, 0xf8});  // movsd xmm3, [rbp+rcx*8-8]
  code.insert(code.end(), {0x66, 0x0f, 0xd6, 0x15});              // movq [rip + constant + 8], xmm2
  RipDisp(code, constant + 8);
  code.push_back(0xf4);
  m.Load(M::kCode, code);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  ASSERT_EQ(r.outcome.vector, -1);
  EXPECT_EQ(XmmLow(m, 0), 0x400921fb54442d18u);
  EXPECT_EQ(m.Get64(M::kData + 0xf8), 0x400921fb54442d18u);
  EXPECT_EQ(XmmLow(m, 1), 0x54442d18u) << "MOVSS from memory zeroes the rest";
  EXPECT_EQ(XmmLow(m, 2), 0x400921fb54442d18u);
  EXPECT_EQ(m.Get64(M::kData + 0xf0) & 0xffffffff, 0x54442d18u);
  EXPECT_EQ(XmmLow(m, 3), 0x400921fb54442d18u);
  EXPECT_EQ(m.Get64(constant + 8), 0x400921fb54442d18u);
}

TEST(AddressFormTest, FsAndGsOperandsAddTheirBase) {
  M m;
  constexpr uint64_t kFsBase = 0x1000, kGsBase = 0x2000;
  m.Put64(M::kData + kFsBase + 8, 0x1111222233334444);
  m.Put64(M::kData + kGsBase + 16, 0x5555666677778888);
  std::vector<uint8_t> code;
  Wrmsr(code, 0xc0000100, kFsBase);  // IA32_FS_BASE
  Wrmsr(code, 0xc0000101, kGsBase);  // IA32_GS_BASE
  MovImm64(code, kRbx, M::kData);
  code.insert(code.end(), {0x64, 0x48, 0x8b, 0x43, 0x08});        // mov rax, fs:[rbx+8]
  code.insert(code.end(), {0x65, 0xf2, 0x0f, 0x10, 0x43, 0x10});  // movsd xmm0, gs:[rbx+16]
  code.insert(code.end(), {0x64, 0x48, 0x89, 0x43, 0x18});        // mov fs:[rbx+24], rax
  code.push_back(0xf4);
  m.Load(M::kCode, code);
  M::Result r = m.RunFrom(M::kCode);
  ASSERT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  ASSERT_EQ(r.outcome.vector, -1);
  EXPECT_EQ(m.state().gpr[kRax], 0x1111222233334444u);
  EXPECT_EQ(XmmLow(m, 0), 0x5555666677778888u);
  EXPECT_EQ(m.Get64(M::kData + kFsBase + 24), 0x1111222233334444u);
  EXPECT_EQ(m.Get64(M::kData + 24), 0u) << "not without the base";
}

TEST(AddressFormTest, FaultsOfEachFormAreExact) {
  struct Case {
    const char* name;
    std::vector<uint8_t> insn;  // addresses M::kRamBytes + 8 from RBX = M::kRamBytes - 8
    uint32_t error_code;
  };
  const std::vector<Case> cases = {
      {"movsd xmm0, [rbx+16]", {0xf2, 0x0f, 0x10, 0x43, 0x10}, 0x0},
      {"movsd [rbx+16], xmm0", {0xf2, 0x0f, 0x11, 0x43, 0x10}, 0x2},
      {"add rax, [rbx+16]", {0x48, 0x03, 0x43, 0x10}, 0x0},
      {"mov dword [rbx+16], 5", {0xc7, 0x43, 0x10, 0x05, 0x00, 0x00, 0x00}, 0x2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    M m;
    std::vector<uint8_t> code;
    MovImm64(code, kRbx, M::kRamBytes - 8);
    MovImm64(code, kRax, 7);
    const uint64_t at = M::kCode + code.size();
    code.insert(code.end(), c.insn.begin(), c.insn.end());
    code.push_back(0xf4);
    m.Load(M::kCode, code);
    M::Result r = m.RunFrom(M::kCode);
    EXPECT_EQ(r.outcome.vector, kPageFault);
    EXPECT_EQ(r.outcome.fault_rip, at);
    EXPECT_EQ(r.outcome.error_code, c.error_code);
    EXPECT_EQ(m.state().cr2, M::kRamBytes + 8);
    EXPECT_EQ(m.state().gpr[kRax], 7u);
  }
}

}  // namespace
}  // namespace x64sim::testing
