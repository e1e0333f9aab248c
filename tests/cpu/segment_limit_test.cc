// Segment limits and types outside 64-bit mode (SDM vol. 3A 5.3, 5.4): data
// accesses beyond a limit, writes to read-only data, reads of execute-only
// code and accesses through a null selector fault (#GP(0), or #SS(0)
// through SS); expand-down segments; frames pushed on a new stack must fit
// it; string instructions stop at the limit; fetches and branch targets
// beyond CS's limit fault at the instruction; loading a descriptor sets its
// accessed bit. In 64-bit mode none of this applies.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/protected32_machine.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using LM = LongModeMachine;

// A code or data descriptor: `access` is bits 47:40 (P DPL S type), `flags`
// bits 55:52 (G D/B L AVL).
uint64_t Descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
  return (limit & 0xffff) | (uint64_t{base & 0xffffff} << 16) | (uint64_t{access} << 40) |
         (uint64_t{(limit >> 16) & 0xf} << 48) | (uint64_t{flags} << 52) |
         (uint64_t{base >> 24} << 56);
}

constexpr uint8_t kDataRw = 0x92, kDataRo = 0x90, kDataRwDown = 0x96;
constexpr uint8_t kBig = 0x4;  // D/B

// Protected32 with more descriptors from GDT selector 0x20 on, and the
// outcome of a run as the exception frame tells it.
class SegmentLimitTest : public ::testing::Test {
 protected:
  static constexpr uint16_t kSel = 0x20;  // the first added descriptor
  static constexpr uint64_t kWindow = 0x50000;

  void AddDescriptors(const std::vector<uint64_t>& descriptors) {
    for (size_t i = 0; i < descriptors.size(); ++i) p_.m.Put64(LM::kGdt + kSel + 8 * i, descriptors[i]);
    p_.m.state().gdtr = {LM::kGdt, static_cast<uint16_t>(kSel + 8 * descriptors.size() - 1)};
  }

  struct Result {
    int vector = -1;
    uint32_t error_code = 0;
    uint32_t eip = 0;  // the frame's
  };
  Result Run(const std::vector<uint8_t>& code) {
    p_.SetCode(code);
    Result r;
    r.vector = p_.Run();
    if (r.vector < 0) return r;
    const uint64_t esp = p_.m.state().gpr[kRsp];
    const bool has_code = r.vector >= kInvalidTss && r.vector <= kGeneralProtection;
    if (has_code) r.error_code = static_cast<uint32_t>(p_.m.Get64(esp));
    r.eip = static_cast<uint32_t>(p_.m.Get64(esp + (has_code ? 4 : 0)));
    return r;
  }

  uint32_t Get32(uint64_t at) { return static_cast<uint32_t>(p_.m.Get64(at)); }

  Protected32 p_;
};

// mov ax, sel; mov <seg>, ax (8E /r with the segment register in reg).
std::vector<uint8_t> LoadSegment(uint16_t selector, int sreg) {
  return {0x66, 0xb8, static_cast<uint8_t>(selector), static_cast<uint8_t>(selector >> 8), 0x8e,
          static_cast<uint8_t>(0xc0 | (sreg << 3))};
}
void Append(std::vector<uint8_t>& code, const std::vector<uint8_t>& more) {
  code.insert(code.end(), more.begin(), more.end());
}
void Append32(std::vector<uint8_t>& code, uint32_t v) {
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
// mov eax, [disp32] (8B 05) and mov [disp32], eax (89 05), after `prefix`.
std::vector<uint8_t> LoadEax(uint32_t disp, std::vector<uint8_t> prefix = {}) {
  prefix.insert(prefix.end(), {0x8b, 0x05});
  Append32(prefix, disp);
  return prefix;
}
std::vector<uint8_t> StoreEax(uint32_t disp, std::vector<uint8_t> prefix = {}) {
  prefix.insert(prefix.end(), {0x89, 0x05});
  Append32(prefix, disp);
  return prefix;
}

TEST_F(SegmentLimitTest, AnAccessPastAnExpandUpLimitIsGp) {
  AddDescriptors({Descriptor(kWindow, 0xfff, kDataRw, kBig)});
  p_.m.Put64(kWindow + 0xffc, 0x11223344);
  std::vector<uint8_t> code = LoadSegment(kSel, kDs);  // 6 bytes
  Append(code, LoadEax(0xffc));                        // the last whole dword: allowed
  Append(code, LoadEax(0xffd));                        // its last byte past the limit
  const Result r = Run(code);
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.eip, LM::kCode + 12);
  EXPECT_EQ(p_.m.state().gpr[kRax] & 0xffffffff, 0x11223344u);  // read at base + offset
}

TEST_F(SegmentLimitTest, LoadingADescriptorSetsItsAccessedBit) {
  AddDescriptors({Descriptor(kWindow, 0xfff, kDataRw, kBig)});
  ASSERT_EQ((p_.m.Get64(LM::kGdt + kSel) >> 40) & 1, 0u);
  Run(LoadSegment(kSel, kEs));
  EXPECT_EQ(p_.m.Get64(LM::kGdt + kSel), Descriptor(kWindow, 0xfff, kDataRw | 1, kBig));
  EXPECT_EQ(p_.m.state().seg[kEs].attributes & 1, 1);
}

TEST_F(SegmentLimitTest, AWriteToReadOnlyDataIsGpAndAReadIsNot) {
  AddDescriptors({Descriptor(kWindow, 0xffff, kDataRo, kBig)});
  p_.m.Put64(kWindow + 0x10, 0x55);
  std::vector<uint8_t> code = LoadSegment(kSel, kFs);
  Append(code, LoadEax(0x10, {0x64}));   // mov eax, fs:[0x10]
  Append(code, StoreEax(0x10, {0x64}));  // mov fs:[0x10], eax
  const Result r = Run(code);
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.eip, LM::kCode + 13);
  EXPECT_EQ(p_.m.state().gpr[kRax] & 0xffffffff, 0x55u);
}

// Expand-down: offsets above the limit up to 4 GiB - 1 (B = 1) or 64 KiB - 1
// (B = 0) are valid, the limit and below are not.
TEST_F(SegmentLimitTest, ExpandDownSegmentsHoldWhatLiesAboveTheirLimit) {
  AddDescriptors({Descriptor(kWindow, 0xfff, kDataRwDown, kBig), Descriptor(kWindow, 0xfff, kDataRwDown, 0)});
  p_.m.Put64(kWindow + 0x1000, 0x77);
  struct Case {
    uint16_t selector;
    uint32_t offset;
    bool allowed;
  };
  for (const Case& c : {Case{kSel, 0x1000, true}, Case{kSel, 0xfff, false}, Case{kSel, 0xfffffffc, true},
                        Case{kSel, 0xfffffffd, false}, Case{kSel + 8, 0xfffc, true},
                        Case{kSel + 8, 0xfffd, false}, Case{kSel + 8, 0x1000, true},
                        Case{kSel + 8, 0xffe, false}}) {
    SCOPED_TRACE(::testing::Message() << "selector " << c.selector << " offset " << c.offset);
    std::vector<uint8_t> code = LoadSegment(c.selector, kEs);
    Append(code, LoadEax(c.offset, {0x26}));  // mov eax, es:[offset]
    const Result r = Run(code);
    if (c.allowed) {
      EXPECT_EQ(r.vector, -1);
      if (c.offset == 0x1000) {
        EXPECT_EQ(p_.m.state().gpr[kRax] & 0xffffffff, 0x77u);  // base + 0x1000
      }
    } else {
      EXPECT_EQ(r.vector, kGeneralProtection);
      EXPECT_EQ(r.eip, LM::kCode + 6);
    }
  }
}

TEST_F(SegmentLimitTest, ANullSelectorLoadsButItsAccessesAreGp) {
  std::vector<uint8_t> code = LoadSegment(0, kGs);
  Append(code, LoadEax(0, {0x65}));  // mov eax, gs:[0]
  const Result r = Run(code);
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.eip, LM::kCode + 6);
}

// CS may be read through an override when readable, never written; an
// execute-only code segment cannot be read either.
TEST_F(SegmentLimitTest, CodeSegmentsAreNeverWrittenAndExecuteOnlyOnesNeverRead) {
  p_.m.Put64(0x20000, 0x99);
  std::vector<uint8_t> code = LoadEax(0x20000, {0x2e});  // mov eax, cs:[0x20000]
  Append(code, StoreEax(0x20000, {0x2e}));
  Result r = Run(code);
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.eip, LM::kCode + 7);
  EXPECT_EQ(p_.m.state().gpr[kRax] & 0xffffffff, 0x99u);

  p_.m.cpu().LoadSegmentCache(kCs, Segment{0x18, 0, 0xffffffff, 0xcf98});  // execute-only
  r = Run(LoadEax(0x20000, {0x2e}));
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.eip, LM::kCode);
  // CLFLUSH may name an execute-only segment (SDM vol. 2A CLFLUSH).
  std::vector<uint8_t> flush = {0x2e, 0x0f, 0xae, 0x3d};  // clflush cs:[disp32]
  Append32(flush, 0x20000);
  EXPECT_EQ(Run(flush).vector, -1);
}

// Stack references through SS fault with #SS(0): an EBP-based operand at
// or below an expand-down stack's limit (the PUSH above it is allowed).
TEST_F(SegmentLimitTest, StackOperandsPastSsLimitAreSs) {
  AddDescriptors({Descriptor(0, 0x1ffff, kDataRwDown, kBig)});
  std::vector<uint8_t> code = LoadSegment(kSel, kSs);
  code.push_back(0x50);                                     // push eax: at 0x2fffc
  code.insert(code.end(), {0xbd, 0x00, 0x00, 0x01, 0x00});  // mov ebp, 0x10000
  code.insert(code.end(), {0x8b, 0x45, 0x00});              // mov eax, [ebp]
  const Result r = Run(code);
  EXPECT_EQ(r.vector, kStackFault);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.eip, LM::kCode + 12);
}

// Runs the ring-3 code at kCode from the user stack; expects #SS with
// `error_code` delivered to the HLT at `handler` on the ring-0 stack, its
// frame naming the first instruction and the ring-3 ESP as it was.
void ExpectRing3StackFault(Ring3Protected32& p, uint64_t handler, uint32_t error_code) {
  CpuState& s = p.m.state();
  s.rip = LM::kCode;
  s.gpr[kRsp] = Ring3Protected32::kUserEsp;
  p.m.cpu().Run(2);
  EXPECT_EQ(s.rip, handler + 1);
  const uint32_t esp = Ring3Protected32::kEsp0 - 24;
  ASSERT_EQ(s.gpr[kRsp], esp);
  EXPECT_EQ(p.Get32(esp), error_code);
  EXPECT_EQ(p.Get32(esp + 4), LM::kCode);
  EXPECT_EQ(p.Get32(esp + 16), Ring3Protected32::kUserEsp);
}

// A PUSH past SS's limit at ring 3: #SS(0) on the ring-0 stack, with the
// ring-3 ESP as it was.
TEST(SegmentLimitRing3Test, APushPastTheStackLimitIsSsAndLeavesEsp) {
  using P = Ring3Protected32;
  P p;
  const uint64_t handler = LM::kCode + 0x200;
  p.SetGate(kStackFault, handler, 0);
  p.Load(LM::kCode, {0x50});  // push eax: its last byte at 0x2ffff
  p.Load(handler, {0xf4});
  p.m.cpu().LoadSegmentCache(kSs, Segment{P::kData3, 0, 0x2fffe, 0x40f2});
  ExpectRing3StackFault(p, handler, 0);
}

// A call gate's frame on the new stack must fit SS0 whole: with an
// expand-down SS0 that holds an exception's 24-byte frame but not the
// gate's 48 bytes (8 parameters), the CALL is #SS(SS0 selector), raised
// from ring 3 with nothing changed, and delivered on that same stack.
TEST(SegmentLimitRing3Test, ACallGateFrameThatDoesNotFitTheNewStackIsSs) {
  using P = Ring3Protected32;
  P p;
  constexpr uint16_t kStack0 = 0x38;
  p.m.Put64(LM::kGdt + kStack0, Descriptor(0, P::kEsp0 - 40, kDataRwDown, kBig));
  p.m.state().gdtr = {LM::kGdt, kStack0 + 7};
  p.m.Put64(P::kTss32 + 4, P::kEsp0 | (uint64_t{kStack0} << 32));  // ESP0, SS0
  const uint64_t target = LM::kCode + 0x100, handler = LM::kCode + 0x200;
  // A 32-bit call gate, DPL 3, to ring-0 code, copying 8 parameters.
  p.m.Put64(LM::kGdt + P::kGate, (target & 0xffff) | (uint64_t{P::kCode0} << 16) | (8ull << 32) |
                                     (0xecull << 40) | (((target >> 16) & 0xffff) << 48));
  p.SetGate(kStackFault, handler, 0);
  p.Load(LM::kCode, {0x9a, 0x00, 0x00, 0x00, 0x00, P::kGate | 3, 0x00});  // call far gate:0
  p.Load(target, {0xf4});
  p.Load(handler, {0xf4});
  ExpectRing3StackFault(p, handler, kStack0);  // the error code names the new SS
}

// A far CALL checks the room for its return address before the target's
// limit (SDM vol. 2A CALL: #SS(0), then #GP(0)): with both wrong it is #SS,
// raised with nothing changed, and the target descriptor stays unaccessed.
TEST(SegmentLimitRing3Test, FarCallChecksTheStackBeforeTheTargetLimit) {
  using P = Ring3Protected32;
  P p;
  constexpr uint16_t kCode3Small = 0x38;
  p.m.Put64(LM::kGdt + kCode3Small, Descriptor(0, 0x40fff, 0xfa, kBig));  // ring-3 code, not accessed
  p.m.state().gdtr = {LM::kGdt, kCode3Small + 7};
  const uint64_t handler = LM::kCode + 0x200;
  p.SetGate(kStackFault, handler, 0);
  p.SetGate(kGeneralProtection, handler + 0x10, 0);
  // call far 0x3b:0x41000 (one past the limit), with the return address's
  // last byte past SS's limit.
  p.Load(LM::kCode, {0x9a, 0x00, 0x10, 0x04, 0x00, kCode3Small | 3, 0x00});
  p.Load(handler, {0xf4});
  p.Load(handler + 0x10, {0xf4});
  p.m.cpu().LoadSegmentCache(kSs, Segment{P::kData3, 0, 0x2fffe, 0x40f2});
  ExpectRing3StackFault(p, handler, 0);
  EXPECT_EQ((p.m.Get64(LM::kGdt + kCode3Small) >> 40) & 1, 0u);
}

// REP STOSD stores the elements within the limit, then faults at the first
// one past it with EDI and ECX naming it (the instruction can go on).
TEST_F(SegmentLimitTest, RepStosStopsAtTheLimit) {
  AddDescriptors({Descriptor(kWindow, 0x100f, kDataRw, kBig)});
  std::vector<uint8_t> code = LoadSegment(kSel, kEs);
  code.insert(code.end(), {0xbf, 0x00, 0x10, 0x00, 0x00});  // mov edi, 0x1000
  code.insert(code.end(), {0xb9, 0x08, 0x00, 0x00, 0x00});  // mov ecx, 8
  code.insert(code.end(), {0xb8, 0xef, 0xbe, 0xad, 0xde});  // mov eax, 0xdeadbeef
  code.insert(code.end(), {0xf3, 0xab});                    // rep stosd
  const Result r = Run(code);
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.eip, LM::kCode + 21);
  EXPECT_EQ(p_.m.state().gpr[kRdi], 0x1010u);
  EXPECT_EQ(p_.m.state().gpr[kRcx], 4u);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(Get32(kWindow + 0x1000 + 4 * i), 0xdeadbeefu);
  EXPECT_EQ(Get32(kWindow + 0x1010), 0u);
}

// Fetching: an instruction not wholly within CS's limit is #GP(0) at
// itself, whether reached in sequence or where the limit cuts it.
TEST_F(SegmentLimitTest, FetchingPastTheCodeLimitIsGp) {
  const uint32_t limit = static_cast<uint32_t>(LM::kCode) + 1;
  p_.m.cpu().LoadSegmentCache(kCs, Segment{0x18, 0, limit, 0x409a});
  Result r = Run({0x90, 0x90, 0x90});  // the third NOP lies past the limit
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.eip, LM::kCode + 2);

  p_.m.cpu().LoadSegmentCache(kCs, Segment{0x18, 0, limit, 0x409a});  // the #GP's gate loaded a flat CS
  r = Run({0x90, 0xb8, 0x01, 0x00, 0x00, 0x00});  // mov eax, 1 starts within and ends past it
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.eip, LM::kCode + 1);
  EXPECT_NE(p_.m.state().gpr[kRax] & 0xffffffff, 1u);
}

// Near branches to a target past CS's limit fault at the branch, before it
// pushes (CALL) or counts (LOOP); one not taken goes on.
TEST_F(SegmentLimitTest, BranchesBeyondTheCodeLimitFaultAtTheBranch) {
  const uint32_t limit = static_cast<uint32_t>(LM::kCode) + 0x40;
  struct Case {
    const char* name;
    std::vector<uint8_t> code;
    uint32_t branch_at;  // offset of the branch in `code`
  };
  const std::vector<Case> cases = {
      {"jmp rel32", {0xe9, 0x00, 0x02, 0x00, 0x00}, 0},
      {"jmp rel8", {0xeb, 0x7f}, 0},
      {"jz taken", {0x31, 0xc0, 0x0f, 0x84, 0x00, 0x02, 0x00, 0x00}, 2},  // xor eax, eax; jz
      {"call rel32", {0xe8, 0x00, 0x02, 0x00, 0x00}, 0},
      {"loop", {0xb9, 0x05, 0x00, 0x00, 0x00, 0xe2, 0x7f}, 5},       // mov ecx, 5; loop
      {"jmp eax", {0xb8, 0x00, 0x10, 0x04, 0x00, 0xff, 0xe0}, 5},    // mov eax, kCode + 0x1000
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    p_.m.cpu().LoadSegmentCache(kCs, Segment{0x18, 0, limit, 0x409a});
    const Result r = Run(c.code);
    EXPECT_EQ(r.vector, kGeneralProtection);
    EXPECT_EQ(r.error_code, 0u);
    EXPECT_EQ(r.eip, LM::kCode + c.branch_at);
    // The #GP frame lies right below where ESP started: nothing else was pushed.
    EXPECT_EQ(p_.m.state().gpr[kRsp], LM::kStackTop - 16);
    if (c.code[0] == 0xb9) {
      EXPECT_EQ(p_.m.state().gpr[kRcx], 5u);
    }
  }
  // jz not taken: on to the HLT.
  p_.m.cpu().LoadSegmentCache(kCs, Segment{0x18, 0, limit, 0x409a});
  EXPECT_EQ(Run({0x83, 0xc8, 0x01, 0x0f, 0x84, 0x00, 0x02, 0x00, 0x00}).vector, -1);  // or eax, 1; jz
}

// A far JMP to an offset past the target code segment's limit is #GP(0)
// at the JMP, with CS unchanged.
TEST_F(SegmentLimitTest, FarJumpPastTheTargetLimitIsGp) {
  AddDescriptors({Descriptor(0, 0x40fff, 0x9a, kBig)});
  std::vector<uint8_t> code = {0xea};  // jmp far ptr16:32
  Append32(code, 0x41000);
  code.insert(code.end(), {static_cast<uint8_t>(kSel), 0x00});
  Result r = Run(code);
  EXPECT_EQ(r.vector, kGeneralProtection);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.eip, LM::kCode);
  EXPECT_EQ(p_.m.state().seg[kCs].selector, 0x18);
  // CS was not loaded, so its descriptor is not marked accessed.
  EXPECT_EQ((p_.m.Get64(LM::kGdt + kSel) >> 40) & 1, 0u);

  code = {0xea};
  Append32(code, 0x40fff);  // the limit's own byte: a HLT
  code.insert(code.end(), {static_cast<uint8_t>(kSel), 0x00});
  p_.m.Put64(0x40ff8, 0xf400000000000000ull);
  r = Run(code);
  EXPECT_EQ(r.vector, -1);
  EXPECT_EQ(p_.m.state().seg[kCs].selector, kSel);
  EXPECT_EQ(p_.m.state().rip, 0x41000u);
  EXPECT_EQ((p_.m.Get64(LM::kGdt + kSel) >> 40) & 1, 1u);
  EXPECT_EQ(p_.m.state().seg[kCs].attributes & 1, 1);
}

// In 64-bit mode limits and types are not checked (SDM vol. 3A 5.3.1), and
// a descriptor load's accessed-bit write faults like any write.
TEST(SegmentLimit64Test, LimitsDoNotApplyAndTheAccessedBitWriteCanFault) {
  LM m;
  m.cpu().LoadSegmentCache(kDs, Segment{0x10, 0, 0xfff, 0x4090});  // read-only, 4 KiB
  m.Put64(LM::kData + 0x100, 0x1234);
  // mov eax, [kData + 0x100]; mov [kData + 0x100], eax
  LM::Outcome o = m.Run({0x8b, 0x04, 0x25, 0x00, 0x01, 0x10, 0x00, 0x89, 0x04, 0x25, 0x00, 0x01, 0x10, 0x00});
  EXPECT_EQ(o.vector, -1);
  EXPECT_EQ(m.state().gpr[kRax], 0x1234u);

  // GDT entry 0x10 has its accessed bit clear; its page read-only (CR0.WP).
  // The handlers' code descriptor is marked accessed already, as an OS with
  // a read-only GDT must mark them: else the #PF's delivery faults too.
  m.Put64(LM::kGdt + 8, m.Get64(LM::kGdt + 8) | 1ull << 40);
  m.SetPteFlags(LM::kGdt, 0x1);
  o = m.Run({0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8});  // mov ax, 0x10; mov ds, ax
  EXPECT_EQ(o.vector, kPageFault);
  EXPECT_EQ(o.error_code, 0x3u);  // present, write, supervisor
  EXPECT_EQ(o.fault_rip, LM::kCode + 4);
  EXPECT_EQ(m.state().cr2, LM::kGdt + 0x10 + 5);
  m.SetPteFlags(LM::kGdt, LM::kPteFlags);
  EXPECT_EQ(m.Run({0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8}).vector, -1);
  EXPECT_EQ((m.Get64(LM::kGdt + 0x10) >> 40) & 1, 1u);
}

// Event delivery from compatibility mode reads the IDT, GDT and TSS and
// writes the frame at 64-bit addresses: with all of them in the high half,
// neither a 32-bit truncation nor a segment check may touch them.
TEST(SegmentLimit64Test, DeliveryFromCompatibilityModeUsesHighHalfTables) {
  using S = SystemMachine;
  S m;
  constexpr uint64_t kHigh = 0xffffffff80000000ull;
  constexpr uint64_t kPdptHigh = 0x200000, kPdHigh = 0x201000, kPtHigh = 0x202000;
  m.Put64(S::kPml4 + 511 * 8, kPdptHigh | 3);
  m.Put64(kPdptHigh + 510 * 8, kPdHigh | 3);
  m.Put64(kPdHigh, kPtHigh | 3);
  for (uint64_t page = 0; page < 0x30; ++page) m.Put64(kPtHigh + 8 * page, (page << 12) | 3);
  m.state().gdtr.base = kHigh + S::kGdt;
  m.state().idtr.base = kHigh + S::kIdt;
  m.state().tr.base = kHigh + S::kTss;
  m.Put64(S::kTss + 4, kHigh + S::kRsp0);
  m.SetGate(kInvalidOpcode, 0);
  m.Load(S::kUserCode, {0x0f, 0x0b});  // ud2
  m.cpu().LoadSegmentCache(kCs, Segment{S::kUserCs32, 0, 0xffffffff, 0xcffb});
  m.cpu().LoadSegmentCache(kSs, Segment{S::kUserSs, 0, 0xffffffff, 0xcff3});
  m.cpu().SetCpl(3);
  ASSERT_EQ(m.state().mode, CpuMode::kCompat32);
  m.state().gpr[kRsp] = S::kUserStackTop;
  m.RunFrom(S::kUserCode);
  ASSERT_EQ(m.state().rip, S::kStubs + 16 * kInvalidOpcode + 1);
  const uint64_t frame = kHigh + S::kRsp0 - 40;
  ASSERT_EQ(m.state().gpr[kRsp], frame);
  EXPECT_EQ(m.Get64(S::kRsp0 - 40), S::kUserCode);  // RIP, read at the frame's physical address
  EXPECT_EQ(m.Get64(S::kRsp0 - 32), S::kUserCs32);
  EXPECT_EQ(m.Get64(S::kRsp0 - 16), S::kUserStackTop);
  // The handler's code descriptor was marked accessed through the high GDT.
  EXPECT_EQ((m.Get64(S::kGdt + 8) >> 40) & 1, 1u);
}

}  // namespace
}  // namespace x64sim::testing
