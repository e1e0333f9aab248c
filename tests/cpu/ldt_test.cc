// The LDT (SDM vol. 3A 3.4.2, 3.5.1; vol. 2A LLDT, SLDT): LLDT loads LDTR
// from a GDT descriptor (16 bytes in IA-32e mode), and selectors with TI = 1
// name descriptors in it for segment loads, far transfers and LAR; faults
// carry the selector with its TI bit as the error code.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/protected32_machine.h"

namespace x64sim::testing {
namespace {

using M = LongModeMachine;

constexpr uint64_t kLdt = M::kData;
constexpr uint16_t kLdtSel = 0x28;  // after Protected32's 32-bit code segment at 0x18
constexpr uint16_t kLdtData = 0x0c, kLdtMissing = 0x14;  // TI = 1, entries 1 and 2
constexpr uint64_t kDataBase = 0x12345000;
constexpr uint64_t kLdtData32 = 0x12cf92345000ffffull;  // data, base kDataBase, DPL 0

// An LDT descriptor (type 2) for a table of `entries` at kLdt; in IA-32e
// mode also its upper half.
uint64_t LdtDescriptor(int entries, bool present = true) {
  return (entries * 8 - 1) | ((kLdt & 0xffffff) << 16) | (uint64_t{present ? 0x82u : 0x02u} << 40) |
         ((kLdt >> 24 & 0xff) << 56);
}

// A 64-bit machine with the LDT descriptor at kLdtSel and an LDT holding a
// data segment (entry 1) and a not-present one (entry 2).
void SetUpLdt64(M& m, int upper_type = 0) {
  m.Put64(M::kGdt + kLdtSel, LdtDescriptor(3));
  m.Put64(M::kGdt + kLdtSel + 8, (kLdt >> 32) | (uint64_t(upper_type) << 40));
  m.state().gdtr = {M::kGdt, kLdtSel + 15};
  m.Put64(kLdt + 8, kLdtData32);
  m.Put64(kLdt + 16, kLdtData32 & ~(1ull << 47));
}

const std::vector<uint8_t> kLldtAx = {0x0f, 0x00, 0xd0};
const std::vector<uint8_t> kSldtEbx = {0x0f, 0x00, 0xc3};
const std::vector<uint8_t> kMovDsCx = {0x8e, 0xd9};

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(LdtTest, LldtThenADataSegmentFromTheLdt) {
  M m;
  SetUpLdt64(m);
  m.state().gpr[kRax] = kLdtSel;
  m.state().gpr[kRcx] = kLdtData;
  M::Outcome o = m.Run(Concat({kLldtAx, kSldtEbx, kMovDsCx}));
  ASSERT_EQ(o.vector, -1);
  EXPECT_EQ(m.state().ldtr.selector, kLdtSel);
  EXPECT_EQ(m.state().ldtr.base, kLdt);
  EXPECT_EQ(m.state().ldtr.limit, 23u);
  EXPECT_EQ(m.state().gpr[kRbx], kLdtSel);
  EXPECT_EQ(m.state().seg[kDs].selector, kLdtData);
  EXPECT_EQ(m.state().seg[kDs].base, kDataBase);
}

TEST(LdtTest, LdtSegmentFaultsCarryTheTiBit) {
  M m;
  SetUpLdt64(m);
  // With LDTR null, any TI = 1 selector is #GP(selector).
  m.state().gpr[kRcx] = kLdtData | 3;
  M::Outcome o = m.Run(kMovDsCx);
  EXPECT_EQ(o.vector, kGeneralProtection);
  EXPECT_EQ(o.error_code, kLdtData);
  m.state().gpr[kRax] = kLdtSel;
  m.state().gpr[kRcx] = kLdtMissing;
  o = m.Run(Concat({kLldtAx, kMovDsCx}));
  EXPECT_EQ(o.vector, kSegmentNotPresent);
  EXPECT_EQ(o.error_code, kLdtMissing);
  m.state().gpr[kRcx] = 0x1c;  // entry 3: past the LDT's limit
  o = m.Run(kMovDsCx);
  EXPECT_EQ(o.vector, kGeneralProtection);
  EXPECT_EQ(o.error_code, 0x1cu);
  m.state().gpr[kRcx] = kLdtMissing;
  o = m.Run({0x8e, 0xd1});  // mov ss, cx: not present is #SS
  EXPECT_EQ(o.vector, kStackFault);
  EXPECT_EQ(o.error_code, kLdtMissing);
}

TEST(LdtTest, LldtChecks) {
  M m;
  SetUpLdt64(m);
  m.state().gpr[kRax] = kLdtSel | 4;  // TI = 1: LLDT takes GDT selectors only
  M::Outcome o = m.Run(kLldtAx);
  EXPECT_EQ(o.vector, kGeneralProtection);
  EXPECT_EQ(o.error_code, kLdtSel | 4u);
  m.state().gpr[kRax] = 0x10;  // a data segment
  o = m.Run(kLldtAx);
  EXPECT_EQ(o.vector, kGeneralProtection);
  EXPECT_EQ(o.error_code, 0x10u);
  m.Put64(M::kGdt + kLdtSel, LdtDescriptor(3, false));
  m.state().gpr[kRax] = kLdtSel;
  o = m.Run(kLldtAx);
  EXPECT_EQ(o.vector, kSegmentNotPresent);
  EXPECT_EQ(o.error_code, kLdtSel);
  // A null selector leaves LDTR unusable.
  m.state().gpr[kRax] = 0;
  o = m.Run(kLldtAx);
  EXPECT_EQ(o.vector, -1);
  EXPECT_EQ(m.state().ldtr.selector, 0);
}

// In IA-32e mode the descriptor's upper half needs a type field of 0, and
// the whole 16 bytes must lie within the GDT's limit.
TEST(LdtTest, LldtSixteenByteDescriptor) {
  M m;
  SetUpLdt64(m, 0x2);
  m.state().gpr[kRax] = kLdtSel;
  M::Outcome o = m.Run(kLldtAx);
  EXPECT_EQ(o.vector, kGeneralProtection);
  EXPECT_EQ(o.error_code, kLdtSel);
  SetUpLdt64(m);
  m.state().gdtr.limit = kLdtSel + 7;
  o = m.Run(kLldtAx);
  EXPECT_EQ(o.vector, kGeneralProtection);
  EXPECT_EQ(o.error_code, kLdtSel);
}

TEST(LdtTest, LarSeesLdtDescriptors) {
  M m;
  SetUpLdt64(m);
  m.state().gpr[kRax] = kLdtSel;
  m.state().gpr[kRcx] = kLdtData;
  M::Outcome o = m.Run(Concat({kLldtAx, {0x0f, 0x02, 0xd1}}));  // lar edx, ecx
  ASSERT_EQ(o.vector, -1);
  EXPECT_TRUE(m.state().rflags & kZF);
  EXPECT_EQ(m.state().gpr[kRdx], (kLdtData32 >> 32) & 0x00f0ff00);
}

// 32-bit protected mode: an 8-byte LDT descriptor; a far JMP to a code
// segment in the LDT, and a far CALL through a call gate in the LDT.
TEST(LdtTest, Protected32FarTransfersThroughTheLdt) {
  Protected32 p;
  LongModeMachine& m = p.m;
  m.Put64(M::kGdt + kLdtSel, LdtDescriptor(3));
  m.state().gdtr = {M::kGdt, kLdtSel + 7};
  constexpr uint16_t kLdtCode = 0x0c, kLdtGate = 0x14;
  m.Put64(kLdt + 8, 0x00cf9a000000ffffull);  // code32, DPL 0
  const uint32_t jmp_target = M::kCode + 0x100, gate_target = M::kCode + 0x200;
  m.Put64(kLdt + 16, (gate_target & 0xffff) | (uint64_t{kLdtCode} << 16) | (0x8cull << 40) |
                         (uint64_t{gate_target >> 16} << 48));
  m.state().gpr[kRax] = kLdtSel;
  auto le32 = [](uint32_t v) {
    return std::vector<uint8_t>{uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
  };
  p.SetCode(Concat({kLldtAx, {0xea}, le32(jmp_target), {kLdtCode, 0}}));  // jmp far 0x0c:jmp_target
  const std::vector<uint8_t> at_jmp_target = Concat({{0x9a}, le32(0), {kLdtGate, 0}, {0xf4}});  // call far gate; hlt
  m.cpu().WriteSupervisor(jmp_target, at_jmp_target.data(), static_cast<int>(at_jmp_target.size()));
  const uint8_t hlt = 0xf4;
  m.cpu().WriteSupervisor(gate_target, &hlt, 1);
  ASSERT_EQ(p.Run(), -1);
  CpuState& s = m.state();
  EXPECT_EQ(s.rip, gate_target + 1);
  EXPECT_EQ(s.seg[kCs].selector, kLdtCode);
  EXPECT_EQ(s.gpr[kRsp], M::kStackTop - 8);
  EXPECT_EQ(m.Get64(M::kStackTop - 8) & 0xffffffff, jmp_target + 7);  // the return EIP
  EXPECT_EQ(m.Get64(M::kStackTop - 4) & 0xffff, kLdtCode);
}

}  // namespace
}  // namespace x64sim::testing
