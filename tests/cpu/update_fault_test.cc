// The load of a read-modify-write instruction is a write access: ADD, INC,
// XCHG, CMPXCHG, BTS, a shift... with a memory destination fault on a page
// they could not write before reading anything, and the #PF error code has
// W set (SDM vol. 3A 4.7) -- 0x6 at CPL 3 on a not-present page, 0x7 on a
// read-only one. CMP, TEST, BT and MUL only read their memory operand.
//
// Each case runs natively too, on a page the host maps PROT_NONE or
// PROT_READ (Linux reports the hardware's error code in REG_ERR), and the
// host must agree.
#include <signal.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "mmu/paging_bits.h"
#include "tests/cpu/native_runner.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr uint64_t kMemoryWord = 0x0102030405060708;
constexpr uint64_t kRaxValue = 5;  // differs from the memory word: CMPXCHG's compare fails
constexpr uint64_t kRcxValue = 3;

// Every instruction addresses [rsi].
struct Case {
  const char* name;
  std::vector<uint8_t> insn;
  bool updates;  // writes its memory operand back
};

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"add dword [rsi], 1", {0x83, 0x06, 0x01}, true},
      {"add [rsi], eax", {0x01, 0x06}, true},
      {"or byte [rsi], al", {0x08, 0x06}, true},
      {"adc [rsi], rax", {0x48, 0x11, 0x06}, true},
      {"and word [rsi], 0x7f", {0x66, 0x83, 0x26, 0x7f}, true},
      {"inc dword [rsi]", {0xff, 0x06}, true},
      {"neg qword [rsi]", {0x48, 0xf7, 0x1e}, true},
      {"not byte [rsi]", {0xf6, 0x16}, true},
      {"shl dword [rsi], 1", {0xd1, 0x26}, true},
      {"rol word [rsi], 3", {0x66, 0xc1, 0x06, 0x03}, true},
      {"shld [rsi], eax, 4", {0x0f, 0xa4, 0x06, 0x04}, true},
      {"bts dword [rsi], 3", {0x0f, 0xba, 0x2e, 0x03}, true},
      {"btr [rsi], ecx", {0x0f, 0xb3, 0x0e}, true},
      {"xchg [rsi], rax", {0x48, 0x87, 0x06}, true},
      {"xadd [rsi], eax", {0x0f, 0xc1, 0x06}, true},
      {"cmpxchg [rsi], ecx (compare fails)", {0x0f, 0xb1, 0x0e}, true},
      {"lock cmpxchg8b [rsi]", {0xf0, 0x0f, 0xc7, 0x0e}, true},
      {"lock cmpxchg16b [rsi]", {0xf0, 0x48, 0x0f, 0xc7, 0x0e}, true},
      {"cmp dword [rsi], 1", {0x83, 0x3e, 0x01}, false},
      {"test [rsi], eax", {0x85, 0x06}, false},
      {"bt dword [rsi], 3", {0x0f, 0xba, 0x26, 0x03}, false},
      {"bt [rsi], ecx", {0x0f, 0xa3, 0x0e}, false},
      {"mul dword [rsi]", {0xf7, 0x26}, false},
  };
  return *cases;
}

enum class Page { kNotPresent, kReadOnly };

// The #PF error code the SDM gives a CPL 3 access, or -1 for none.
long Expected(const Case& c, Page page) {
  const long write = c.updates ? 0x2 : 0x0;
  if (page == Page::kNotPresent) return 0x4 | write;
  return c.updates ? 0x7 : -1;
}

// The error code the host's #PF reported, or -1 if the instruction ran.
long HostErrorCode(const Case& c, Page page) {
  void* data = mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) return -2;
  std::memcpy(data, &kMemoryWord, sizeof(kMemoryWord));
  mprotect(data, kPageSize, page == Page::kReadOnly ? PROT_READ : PROT_NONE);
  RegisterImage image = {};
  image.rsi = reinterpret_cast<uint64_t>(data);
  image.rax = kRaxValue;
  image.rcx = kRcxValue;
  image.rflags = 0x2;
  const NativeFault fault = RunCatchingFaults(NativeCode(c.insn), &image);
  munmap(data, kPageSize);
  return fault.signal == SIGSEGV && fault.vector == kPageFault ? fault.error_code : -1;
}

// Runs the case at CPL 3 in x64sim on M::kData mapped with `pte_flags`,
// followed by a HLT (#GP at CPL 3 when the instruction ran).
M::Result RunAtCpl3(M& m, const Case& c, uint64_t pte_flags) {
  m.Put64(M::kData, kMemoryWord);
  m.SetPteFlags(M::kData, pte_flags);
  std::vector<uint8_t> code = c.insn;
  code.push_back(0xf4);
  m.Load(M::kUserCode, code);
  m.EnterUser(M::kUserStackTop);
  m.state().gpr[kRsi] = M::kData;
  m.state().gpr[kRax] = kRaxValue;
  m.state().gpr[kRcx] = kRcxValue;
  return m.RunFrom(M::kUserCode);
}

TEST(UpdateFaultTest, ReadModifyWriteFaultsAsAWrite) {
  for (Page page : {Page::kNotPresent, Page::kReadOnly}) {
    for (const Case& c : Cases()) {
      SCOPED_TRACE(::testing::Message()
                   << c.name << (page == Page::kReadOnly ? " on a read-only page" : " on a not-present page"));
      M m;
      const M::Result r = RunAtCpl3(m, c, page == Page::kReadOnly ? 0x5 : 0x4);  // user; P=0 or R/W=0
      const long expected = Expected(c, page);
      if (expected < 0) {
        EXPECT_EQ(r.outcome.vector, kGeneralProtection) << "ran to the HLT";
        EXPECT_EQ(r.frame.rip, M::kUserCode + c.insn.size());
      } else {
        EXPECT_EQ(r.outcome.vector, kPageFault);
        EXPECT_EQ(r.frame.error_code, static_cast<uint64_t>(expected));
        EXPECT_EQ(r.frame.rip, M::kUserCode);
        EXPECT_EQ(m.state().cr2, M::kData);
        EXPECT_EQ(m.state().gpr[kRax], kRaxValue) << "nothing committed";
        EXPECT_EQ(m.state().gpr[kRcx], kRcxValue);
      }
      EXPECT_EQ(m.Get64(M::kData), kMemoryWord);
      EXPECT_EQ(HostErrorCode(c, page), expected) << "the host disagrees";
    }
  }
}

// A page whose dirty flag is clear gets it from the update's load, as from
// any write; a CMP leaves it clear (SDM vol. 3A 4.8).
TEST(UpdateFaultTest, UpdateSetsTheDirtyFlag) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    M m;
    RunAtCpl3(m, c, 0x7);  // user, writable, accessed and dirty clear
    const uint64_t pte = m.Get64(M::kPageTables + (M::kData >> kPageShift) * 8);
    EXPECT_TRUE(pte & paging::kPteA);
    EXPECT_EQ((pte & paging::kPteD) != 0, c.updates);
  }
}

}  // namespace
}  // namespace x64sim::testing
