// The CPU's soft TLB (the fast path's translation cache) against the
// architectural rules it must not bend.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

void Append(std::vector<uint8_t>& code, std::initializer_list<uint8_t> bytes) {
  code.insert(code.end(), bytes);
}

void Append32(std::vector<uint8_t>& code, uint32_t v) {
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// mov qword ptr [address], imm32
void StoreImm(std::vector<uint8_t>& code, uint32_t address, uint32_t value) {
  Append(code, {0x48, 0xc7, 0x04, 0x25});
  Append32(code, address);
  Append32(code, value);
}

// Two identity-mapped pages 4 MiB apart share a soft-TLB slot and the same
// host addend. A non-global page's write permission must not outlive a CR3
// write because a global page filled the slot after it (SDM vol. 3A 4.10.4.1:
// a CR3 write invalidates every non-global translation).
TEST(SoftTlbTest, NonGlobalTagsDoNotSurviveCr3WritesBesideAGlobalPage) {
  LongModeMachine m;
  constexpr uint32_t kNonGlobal = 0x200000;
  constexpr uint32_t kGlobal = kNonGlobal + (4u << 20);
  constexpr uint32_t kNonGlobalPte = LongModeMachine::kPageTables + (kNonGlobal >> 12) * 8;
  m.cpu().WriteCr4(m.state().cr4 | kCr4PGE);
  m.SetPteFlags(kGlobal, 0x101);  // present, read-only, global
  std::vector<uint8_t> code;
  StoreImm(code, kNonGlobal, 1);                         // fills the slot: read + write
  Append(code, {0x48, 0x8b, 0x04, 0x25});                // mov rax, [kGlobal]: same slot
  Append32(code, kGlobal);
  StoreImm(code, kNonGlobalPte, 0);                      // unmap kNonGlobal (TLBs keep it)
  Append(code, {0x0f, 0x20, 0xd9, 0x0f, 0x22, 0xd9});    // mov rcx, cr3; mov cr3, rcx
  const uint64_t faulting = LongModeMachine::kCode + code.size();
  StoreImm(code, kNonGlobal, 2);                         // must walk, and fault
  LongModeMachine::Outcome out = m.Run(code);
  EXPECT_EQ(out.vector, kPageFault);
  EXPECT_EQ(out.error_code, 0x2u);  // write to a not-present page, CPL 0
  EXPECT_EQ(out.fault_rip, faulting);
  EXPECT_EQ(m.Get64(kNonGlobal), 1u);
}

// An access crossing from one page into the next, both in the fast path,
// still reads and writes each page where it maps: here two linear pages
// side by side map to physical pages far apart.
TEST(SoftTlbTest, AccessesCrossingPagesFindEachPage) {
  LongModeMachine m;
  constexpr uint32_t kFirst = 0x300000, kSecond = kFirst + 0x1000;
  constexpr uint64_t kSecondPhys = 0x500000;
  m.MapPage(kSecond, kSecondPhys);
  m.Put64(kFirst + 0xff8, 0x4433221100000000);
  m.Put64(kFirst + 0x1000, 0xaaaaaaaaaaaaaaaa);  // the first page's physical neighbour
  m.Put64(kSecondPhys, 0x0000000088776655);
  std::vector<uint8_t> code;
  Append(code, {0x48, 0x8b, 0x04, 0x25});  // mov rax, [kFirst]: both pages in the fast path
  Append32(code, kFirst);
  Append(code, {0x48, 0x8b, 0x04, 0x25});  // mov rax, [kSecond]
  Append32(code, kSecond);
  Append(code, {0x48, 0x8b, 0x14, 0x25});  // mov rdx, [kFirst + 0xffc]
  Append32(code, kFirst + 0xffc);
  Append(code, {0x48, 0xb9, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01});  // mov rcx, imm64
  Append(code, {0x48, 0x89, 0x0c, 0x25});  // mov [kFirst + 0xffe], rcx
  Append32(code, kFirst + 0xffe);
  Append(code, {0x81, 0x04, 0x25});  // add dword [kFirst + 0xffd], 0x100
  Append32(code, kFirst + 0xffd);
  Append32(code, 0x100);
  LongModeMachine::Outcome out = m.Run(code);
  ASSERT_EQ(out.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRdx], 0x8877665544332211u);
  // After the store the bytes from kFirst + 0xffd are 22 08 07 06 05 04 03
  // 02 01; the ADD adds 1 to the second of them.
  EXPECT_EQ(m.Get64(kFirst + 0xff8), 0x0709221100000000u);
  EXPECT_EQ(m.Get64(kSecondPhys), 0x0000010203040506u);
  EXPECT_EQ(m.Get64(kFirst + 0x1000), 0xaaaaaaaaaaaaaaaau);
}

}  // namespace
}  // namespace x64sim::testing
