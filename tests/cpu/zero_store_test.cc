// Stores of zero leave memory that is zero already unwritten
// (mmu/ram_store.h): MOV [mem], 0 has a handler of its own, and fill
// loops, REP STOS and the slow path of every store compare first. What the
// guest sees must not change: memory, the dirty bit, faults, stores into
// decoded code. What the host sees does: RAM the guest only clears stays
// unbacked.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"
#include "tests/cpu/test_code.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

M::Result RunCode(M& machine, std::vector<uint8_t> code, uint64_t max_instructions = 10000) {
  code.push_back(0xf4);  // hlt
  machine.Load(M::kCode, code);
  return machine.RunFrom(M::kCode, max_instructions);
}

TEST(ZeroStoreTest, ClearsEachSizeAndNothingElse) {
  M m;
  for (uint64_t a = M::kData; a < M::kData + 64; a += 8) m.Put64(a, ~0ull);
  std::vector<uint8_t> code;
  MovImm64(code, kRbx, M::kData);
  code.insert(code.end(), {0xc6, 0x43, 0x01, 0x00});                          // mov byte [rbx+1], 0
  code.insert(code.end(), {0x66, 0xc7, 0x43, 0x09, 0x00, 0x00});              // mov word [rbx+9], 0
  code.insert(code.end(), {0xc7, 0x43, 0x11, 0x00, 0x00, 0x00, 0x00});        // mov dword [rbx+17], 0
  code.insert(code.end(), {0x48, 0xc7, 0x43, 0x19, 0x00, 0x00, 0x00, 0x00});  // mov qword [rbx+25], 0
  const M::Result r = RunCode(m, code);
  ASSERT_EQ(r.outcome.vector, -1);
  EXPECT_EQ(m.Get64(M::kData), 0xffffffffffff00ffu);
  EXPECT_EQ(m.Get64(M::kData + 8), 0xffffffffff0000ffu);
  EXPECT_EQ(m.Get64(M::kData + 16), 0xffffff00000000ffu);
  EXPECT_EQ(m.Get64(M::kData + 24), 0x00000000000000ffu);
  EXPECT_EQ(m.Get64(M::kData + 32), 0xffffffffffffff00u);
}

// A zero written over zero is still a write: it sets the dirty bit, and a
// page that forbids writing faults with a write's error code (SDM vol. 3A
// 4.7, 4.8), whatever the memory holds.
TEST(ZeroStoreTest, AZeroOverZeroIsStillAWrite) {
  const uint64_t page = M::kData + 0x3000;
  const uint64_t pte = M::kPageTables + (page >> kPageShift) * 8;
  struct Case {
    const char* name;
    uint64_t pte_flags;
    int vector;
    uint32_t error_code;
  };
  const Case cases[] = {
      {"writable", 0x3, -1, 0},
      {"read-only", 0x1, kPageFault, 0x3},
      {"not present", 0x2, kPageFault, 0x2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    M m;
    m.SetGate(kPageFault, 0, 1);
    m.SetPteFlags(page, c.pte_flags);
    std::vector<uint8_t> code;
    MovImm64(code, kRbx, page + 0x40);
    const uint64_t at = M::kCode + code.size();
    code.insert(code.end(), {0x48, 0xc7, 0x03, 0x00, 0x00, 0x00, 0x00});  // mov qword [rbx], 0
    const M::Result r = RunCode(m, code);
    EXPECT_EQ(r.outcome.vector, c.vector);
    if (c.vector < 0) {
      EXPECT_EQ(m.Get64(pte) & 0x60, 0x60u) << "accessed and dirty";
    } else {
      EXPECT_EQ(r.outcome.fault_rip, at);
      EXPECT_EQ(r.outcome.error_code, c.error_code);
      EXPECT_EQ(m.state().cr2, page + 0x40);
    }
  }
}

// Zeroing bytes of decoded code changes the instruction they belong to:
// here the immediate of the MOV that follows, which then loads 0.
TEST(ZeroStoreTest, ClearingDecodedCodeTakesEffect) {
  M m;
  std::vector<uint8_t> code;
  MovImm64(code, kRbx, 0);  // patched below with the address of `mov ecx, 42`
  const size_t rbx_imm = code.size() - 8;
  code.insert(code.end(), {0xc7, 0x43, 0x01, 0x00, 0x00, 0x00, 0x00});  // mov dword [rbx+1], 0
  const uint64_t target = M::kCode + code.size();
  code.insert(code.end(), {0xb9, 0x2a, 0x00, 0x00, 0x00});  // mov ecx, 42
  for (int i = 0; i < 8; ++i) code[rbx_imm + i] = static_cast<uint8_t>(target >> (8 * i));
  const M::Result r = RunCode(m, code);
  EXPECT_EQ(r.outcome.vector, -1);
  EXPECT_EQ(m.state().gpr[kRcx], 0u);
}

// The host's resident memory, in bytes.
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Whether reading RAM never written maps the host's shared zero page
// rather than allocating: always for small pages, and for transparent huge
// pages unless the host turned the huge zero page off.
bool ReadsOfFreshMemoryAreFree() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/use_zero_page");
  std::string v;
  return !(f >> v) || v != "0";
}

// Clears [kStart, kEnd) three ways, each of which compilers and libraries
// use: a loop of MOV [mem], 0 (run a page at a time), REP STOSQ, and the
// same loop stepped one instruction at a time; or fills it with ones.
constexpr uint64_t kStart = 2 << 20, kEnd = M::kRamBytes;  // 14 MiB, 2 MiB-aligned

std::vector<uint8_t> FillLoop(uint8_t value) {
  std::vector<uint8_t> code;
  MovImm64(code, kRdi, kStart);
  MovImm64(code, kRcx, kEnd);
  const size_t loop = code.size();
  code.insert(code.end(), {0x48, 0xc7, 0x07, value, 0, 0, 0});  // mov qword [rdi], value
  code.insert(code.end(), {0x48, 0x83, 0xc7, 0x08});            // add rdi, 8
  code.insert(code.end(), {0x48, 0x39, 0xcf});                  // cmp rdi, rcx
  code.insert(code.end(), {0x75, static_cast<uint8_t>(loop - code.size() - 2)});  // jne loop
  return code;
}

std::vector<uint8_t> RepStos() {
  std::vector<uint8_t> code;
  MovImm64(code, kRdi, kStart);
  MovImm64(code, kRcx, (kEnd - kStart) / 8);
  code.insert(code.end(), {0x31, 0xc0});              // xor eax, eax
  code.insert(code.end(), {0xf3, 0x48, 0xab});        // rep stosq
  return code;
}

TEST(ZeroStoreTest, ClearingFreshRamLeavesItUnbacked) {
  if (!ReadsOfFreshMemoryAreFree()) GTEST_SKIP() << "the host allocates on reads of fresh memory";
  constexpr uint64_t kBytes = kEnd - kStart;
  constexpr uint64_t kSteps = 4 * kBytes / 8 + 100;
  struct Case {
    const char* name;
    std::vector<uint8_t> code;
    bool stepped;
  };
  const Case cases[] = {
      {"MOV [mem], 0 loop", FillLoop(0), false},
      {"REP STOSQ", RepStos(), false},
      {"MOV [mem], 0 loop, stepped", FillLoop(0), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    M m;
    SteppingObserver observer;
    if (c.stepped) m.cpu().set_retire_observer(&observer);
    const uint64_t before = ResidentBytes();
    const M::Result r = RunCode(m, c.code, kSteps);
    ASSERT_EQ(r.outcome.vector, -1);
    ASSERT_EQ(m.state().gpr[kRdi], kEnd);
    EXPECT_LT(ResidentBytes() - before, kBytes / 4);
    EXPECT_EQ(m.Get64(kStart), 0u);
    EXPECT_EQ(m.Get64(kEnd - 8), 0u);
  }
  // The measure can tell: filling with ones backs it all.
  M m;
  const uint64_t before = ResidentBytes();
  const M::Result r = RunCode(m, FillLoop(1), kSteps);
  ASSERT_EQ(r.outcome.vector, -1);
  EXPECT_GE(ResidentBytes() - before, kBytes);
  EXPECT_EQ(m.Get64(kEnd - 8), 1u);
}

}  // namespace
}  // namespace x64sim::testing
