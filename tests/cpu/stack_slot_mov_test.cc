// MOV between a register and [base + displacement] in 64-bit mode, PUSH
// r64 and POP r64 (cpu/ops_data.cc), and CALL rel32 and RET
// (cpu/ops_control.cc) have handlers whose fast path is the soft TLB alone
// and whose other cases (a page not in the fast path, an access crossing a
// page, a fault, a store into decoded code) go to Read, Write, Push64 and
// Pop64. Each case here ends in a known state.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"
#include "tests/cpu/test_code.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

struct Execution {
  M machine;
  M::Result result;

  explicit Execution(std::vector<uint8_t> code) {
    code.push_back(0xf4);  // hlt
    machine.Load(M::kCode, code);
    // Faults on a bad stack are delivered on IST1's.
    machine.SetGate(kPageFault, 0, 1);
    machine.SetGate(kStackFault, 0, 1);
    result = machine.RunFrom(M::kCode);
  }
  uint64_t Reg(int r) { return machine.state().gpr[r]; }
};

TEST(StackSlotMovTest, LoadsAndStoresOfBothSizes) {
  std::vector<uint8_t> code;
  MovImm64(code, kRbp, M::kData + 0x100);
  MovImm64(code, kRax, 0x1122334455667788);
  code.insert(code.end(), {0x48, 0x89, 0x45, 0xf8});               // mov [rbp-8], rax
  MovImm64(code, kRcx, ~0ull);
  code.insert(code.end(), {0x8b, 0x4d, 0xf8});                     // mov ecx, [rbp-8]
  code.insert(code.end(), {0x48, 0x8b, 0x55, 0xf8});               // mov rdx, [rbp-8]
  code.insert(code.end(), {0x89, 0x8d, 0x00, 0x01, 0x00, 0x00});   // mov [rbp+0x100], ecx
  code.insert(code.end(), {0x48, 0x8b, 0xb5, 0xfc, 0x00, 0x00, 0x00});  // mov rsi, [rbp+0xfc]
  Execution run(code);
  ASSERT_EQ(run.result.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(run.result.outcome.vector, -1);
  EXPECT_EQ(run.Reg(kRcx), 0x55667788u) << "a 32-bit load clears the upper half";
  EXPECT_EQ(run.Reg(kRdx), 0x1122334455667788u);
  EXPECT_EQ(run.machine.Get64(M::kData + 0xf8), 0x1122334455667788u);
  EXPECT_EQ(run.machine.Get64(M::kData + 0x200) & 0xffffffff, 0x55667788u);
  EXPECT_EQ(run.Reg(kRsi), 0x5566778800000000u) << "RAM starts zeroed";
}

// An access that crosses into the next page takes the slow path, which
// reads and writes both parts.
TEST(StackSlotMovTest, AccessesCrossingAPage) {
  std::vector<uint8_t> code;
  MovImm64(code, kRbx, M::kData + kPageSize - 16);
  MovImm64(code, kRax, 0x0102030405060708);
  code.insert(code.end(), {0x48, 0x89, 0x43, 0x0c});  // mov [rbx+12], rax: 4 bytes on each page
  code.insert(code.end(), {0x48, 0x8b, 0x53, 0x0c});  // mov rdx, [rbx+12]
  code.insert(code.end(), {0x8b, 0x4b, 0x0e});        // mov ecx, [rbx+14]
  Execution run(code);
  EXPECT_EQ(run.result.outcome.vector, -1);
  EXPECT_EQ(run.Reg(kRdx), 0x0102030405060708u);
  EXPECT_EQ(run.Reg(kRcx), 0x03040506u);
  EXPECT_EQ(run.machine.Get64(M::kData + kPageSize - 4), 0x0102030405060708u);
}

// A load and a store at an unmapped page fault at the instruction, with
// CR2 and the error code of a supervisor read or write of a not-present
// page (SDM vol. 3A 4.7), the destination unchanged.
TEST(StackSlotMovTest, FaultsAreExact) {
  for (const bool store : {false, true}) {
    SCOPED_TRACE(store ? "store" : "load");
    std::vector<uint8_t> code;
    MovImm64(code, kRbx, M::kRamBytes - 0x20);
    MovImm64(code, kRdx, 0x5a5a5a5a5a5a5a5a);
    const uint64_t at = M::kCode + code.size();
    if (store) {
      code.insert(code.end(), {0x89, 0x53, 0x20});        // mov [rbx+0x20], edx
    } else {
      code.insert(code.end(), {0x48, 0x8b, 0x53, 0x28});  // mov rdx, [rbx+0x28]
    }
    Execution run(code);
    EXPECT_EQ(run.result.outcome.vector, kPageFault);
    EXPECT_EQ(run.result.outcome.fault_rip, at);
    EXPECT_EQ(run.result.outcome.error_code, store ? 0x2u : 0x0u);
    EXPECT_EQ(run.machine.state().cr2, M::kRamBytes + (store ? 0 : 8));
    EXPECT_EQ(run.Reg(kRdx), 0x5a5a5a5a5a5a5a5au);
  }
}

// A store into the block that is running changes the instruction after
// it, which then runs as written.
TEST(StackSlotMovTest, StoreIntoDecodedCodeTakesEffect) {
  std::vector<uint8_t> code;
  MovImm64(code, kRbx, 0);  // patched below with the address of `mov ecx, 0`
  const size_t rbx_imm = code.size() - 8;
  code.insert(code.end(), {0xb8, 0x2a, 0x00, 0x00, 0x00});  // mov eax, 42
  code.insert(code.end(), {0x89, 0x43, 0x01});              // mov [rbx+1], eax
  const uint64_t target = M::kCode + code.size();
  code.insert(code.end(), {0xb9, 0x00, 0x00, 0x00, 0x00});  // mov ecx, 0
  for (int i = 0; i < 8; ++i) code[rbx_imm + i] = static_cast<uint8_t>(target >> (8 * i));
  Execution run(code);
  EXPECT_EQ(run.result.outcome.vector, -1);
  EXPECT_EQ(run.Reg(kRcx), 42u);
}

// PUSH RSP stores RSP as it was before the push; POP RSP leaves RSP
// holding the value popped (SDM vol. 2B, PUSH and POP).
TEST(StackSlotMovTest, PushAndPopOfRsp) {
  std::vector<uint8_t> code;
  MovImm64(code, kRsp, M::kData + 0x800);
  code.push_back(0x54);  // push rsp
  code.push_back(0x5b);  // pop rbx
  code.insert(code.end(), {0x48, 0x83, 0xec, 0x08});  // sub rsp, 8
  MovImm64(code, kRax, 0x1234);
  code.insert(code.end(), {0x48, 0x89, 0x04, 0x24});  // mov [rsp], rax
  code.push_back(0x5c);  // pop rsp
  Execution run(code);
  EXPECT_EQ(run.result.outcome.vector, -1);
  EXPECT_EQ(run.Reg(kRbx), M::kData + 0x800);
  EXPECT_EQ(run.Reg(kRsp), 0x1234u);
}

// A push onto and a pop from an unmapped page fault with RSP and the
// register as they were; a non-canonical RSP is #SS(0) (SDM vol. 3A 6.15).
TEST(StackSlotMovTest, PushAndPopFaultsAreExact) {
  struct Case {
    const char* name;
    uint64_t rsp;
    uint8_t opcode;  // push rdx or pop rdx
    int vector;
    uint32_t error_code;
  };
  const Case cases[] = {
      {"push, page fault", M::kRamBytes + 8, 0x52, kPageFault, 0x2},
      {"pop, page fault", M::kRamBytes, 0x5a, kPageFault, 0x0},
      {"push, non-canonical", 0x8000000000000008, 0x52, kStackFault, 0},
      {"pop, non-canonical", 0x8000000000000000, 0x5a, kStackFault, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<uint8_t> code;
    MovImm64(code, kRdx, 0x5a5a5a5a5a5a5a5a);
    MovImm64(code, kRsp, c.rsp);
    const uint64_t at = M::kCode + code.size();
    code.push_back(c.opcode);
    Execution run(code);
    EXPECT_EQ(run.result.outcome.vector, c.vector);
    EXPECT_EQ(run.result.outcome.fault_rip, at);
    EXPECT_EQ(run.result.outcome.error_code, c.error_code);
    EXPECT_EQ(run.result.frame.rsp, c.rsp) << "RSP as before the instruction";
    EXPECT_EQ(run.Reg(kRdx), 0x5a5a5a5a5a5a5a5au);
  }
}

// CALL rel32 and RET (imm16) with the stack page in the fast path (the
// PUSH before them puts it there): the return address pushed and popped,
// RET 8 releasing the word under it.
TEST(StackSlotMovTest, CallAndRetThroughTheFastPath) {
  std::vector<uint8_t> code;
  MovImm64(code, kRsp, M::kData + 0x800);
  code.push_back(0x50);  // push rax
  code.push_back(0xe8);  // call f
  Append(code, 4, 4);
  const uint64_t return_rip = M::kCode + code.size();
  code.insert(code.end(), {0x48, 0x89, 0xe2});        // mov rdx, rsp
  code.push_back(0xf4);                               // hlt
  code.insert(code.end(), {0x48, 0x8b, 0x0c, 0x24});  // f: mov rcx, [rsp]
  code.insert(code.end(), {0xc2, 0x08, 0x00});        // ret 8
  Execution run(code);
  ASSERT_EQ(run.result.outcome.vector, -1);
  EXPECT_EQ(run.machine.state().rip, return_rip + 4);
  EXPECT_EQ(run.Reg(kRcx), return_rip);
  EXPECT_EQ(run.Reg(kRdx), M::kData + 0x800);
}

// A RET popping a non-canonical address is #GP(0) at the RET with RSP as
// it was, even when the stack page is in the fast path; CALL and RET on a
// stack they cannot use fault as PUSH and POP do, RSP unchanged.
TEST(StackSlotMovTest, CallAndRetFaultsAreExact) {
  struct Case {
    const char* name;
    uint64_t rsp;
    bool push_first;  // a non-canonical return address, pushed before the RET
    uint8_t opcode;   // call rel32 or ret
    int vector;
    uint32_t error_code;
  };
  const Case cases[] = {
      {"ret, non-canonical target", M::kData + 0x800, true, 0xc3, kGeneralProtection, 0},
      {"call, page fault", M::kRamBytes + 8, false, 0xe8, kPageFault, 0x2},
      {"ret, page fault", M::kRamBytes, false, 0xc3, kPageFault, 0x0},
      {"call, non-canonical RSP", 0x8000000000000008, false, 0xe8, kStackFault, 0},
      {"ret, non-canonical RSP", 0x8000000000000000, false, 0xc3, kStackFault, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<uint8_t> code;
    MovImm64(code, kRsp, c.rsp);
    uint64_t rsp = c.rsp;
    if (c.push_first) {
      MovImm64(code, kRax, 0x0000800000000000);
      code.push_back(0x50);  // push rax
      rsp -= 8;
    }
    const uint64_t at = M::kCode + code.size();
    code.push_back(c.opcode);
    if (c.opcode == 0xe8) Append(code, 0, 4);
    Execution run(code);
    EXPECT_EQ(run.result.outcome.vector, c.vector);
    EXPECT_EQ(run.result.outcome.fault_rip, at);
    EXPECT_EQ(run.result.outcome.error_code, c.error_code);
    EXPECT_EQ(run.result.frame.rsp, rsp) << "RSP as before the instruction";
  }
}

}  // namespace
}  // namespace x64sim::testing
