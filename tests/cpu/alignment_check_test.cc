// Alignment checking (SDM vol. 3A 6.15, interrupt 17): #AC(0) for an
// unaligned data access at CPL 3 while CR0.AM and EFLAGS.AC are both set,
// by the alignments of table 6-7; never for fetches or implicit supervisor
// accesses; after a page fault of the same access.
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

constexpr uint64_t kUserData = M::kUserStackTop - kPageSize + 0x100;  // a user page, 256-aligned

// A CPL-3 machine with CR0.AM and EFLAGS.AC set and RBX at `address`, gates
// to the HLT stubs for the exceptions these tests may meet.
class AlignmentCheckTest : public ::testing::Test {
 protected:
  AlignmentCheckTest() {
    for (int v : {kAlignmentCheck, kPageFault, kGeneralProtection, kInvalidOpcode, kStackFault}) {
      m_.SetGate(v, 0);
    }
    m_.cpu().WriteCr0(m_.state().cr0 | kCr0AM);
  }

  // Back at CPL 3 (the last run ended in a ring-0 stub) with `flags` set.
  void EnterUser(uint64_t rsp = M::kUserStackTop, uint64_t flags = kAC) {
    m_.EnterUser(rsp);
    m_.cpu().SetRflags((m_.state().rflags & ~kAC) | flags);
  }
  // Runs `code` (then HLT, which #GPs at CPL 3) with RBX = `address` at
  // CPL 3 with EFLAGS.AC set: the vector it stopped on.
  M::Result RunWith(std::vector<uint8_t> code, uint64_t address) {
    EnterUser();
    return RunAsIs(std::move(code), address);
  }
  M::Result RunAsIs(std::vector<uint8_t> code, uint64_t address) {
    code.push_back(0xf4);
    m_.Load(M::kUserCode, code);
    m_.state().gpr[kRbx] = address;
    return m_.RunFrom(M::kUserCode);
  }
  // #AC at the first instruction, or the #GP of the final HLT if it passed.
  bool FaultsAc(std::vector<uint8_t> code, uint64_t address) {
    M::Result r = RunWith(std::move(code), address);
    if (r.outcome.vector == kAlignmentCheck) {
      EXPECT_EQ(r.frame.error_code, 0u);
      EXPECT_EQ(r.frame.rip, M::kUserCode);  // a fault: nothing retired
      EXPECT_EQ(r.frame.cs, M::kUserCs);
      return true;
    }
    EXPECT_EQ(r.outcome.vector, kGeneralProtection) << "unexpected vector";
    return false;
  }

  M m_;
};

const std::vector<uint8_t> kLoadByte = {0x8a, 0x03},           // mov al, [rbx]
    kLoadWord = {0x66, 0x8b, 0x03},                            // mov ax, [rbx]
    kLoadDword = {0x8b, 0x03},                                 // mov eax, [rbx]
    kLoadQword = {0x48, 0x8b, 0x03},                           // mov rax, [rbx]
    kStoreDword = {0x89, 0x03};                                // mov [rbx], eax

TEST_F(AlignmentCheckTest, EachSizeAsksItsNaturalAlignment) {
  EXPECT_FALSE(FaultsAc(kLoadByte, kUserData + 1));
  EXPECT_FALSE(FaultsAc(kLoadWord, kUserData + 2));
  EXPECT_TRUE(FaultsAc(kLoadWord, kUserData + 1));
  EXPECT_FALSE(FaultsAc(kLoadDword, kUserData + 4));
  EXPECT_TRUE(FaultsAc(kLoadDword, kUserData + 2));
  EXPECT_FALSE(FaultsAc(kLoadQword, kUserData + 8));
  EXPECT_TRUE(FaultsAc(kLoadQword, kUserData + 4));
}

TEST_F(AlignmentCheckTest, AFaultingStoreWritesNothing) {
  m_.Put64(kUserData, 0x1122334455667788ull);
  m_.state().gpr[kRax] = 0xaabbccdd;
  EXPECT_TRUE(FaultsAc(kStoreDword, kUserData + 1));
  EXPECT_EQ(m_.Get64(kUserData), 0x1122334455667788ull);
  EXPECT_FALSE(FaultsAc(kStoreDword, kUserData + 4));
  EXPECT_EQ(m_.Get64(kUserData), 0xaabbccdd55667788ull);
}

TEST_F(AlignmentCheckTest, NeedsAmAcAndCpl3) {
  EnterUser(M::kUserStackTop, /*flags=*/0);
  EXPECT_EQ(RunAsIs(kLoadDword, kUserData + 1).outcome.vector, kGeneralProtection);  // the HLT
  EXPECT_TRUE(FaultsAc(kLoadDword, kUserData + 1));

  // CR0.AM clear (written at CPL 0, where the last run ended).
  m_.cpu().WriteCr0(m_.state().cr0 & ~kCr0AM);
  EXPECT_FALSE(FaultsAc(kLoadDword, kUserData + 1));

  // CPL 0 with both set: ring-0 code is never checked.
  m_.cpu().WriteCr0(m_.state().cr0 | kCr0AM);
  m_.cpu().SetRflags(m_.state().rflags | kAC);
  m_.Load(M::kKernelCode, {0x8b, 0x03, 0xf4});  // mov eax, [rbx]; hlt
  m_.state().gpr[kRbx] = kUserData + 1;
  M::Result r = m_.RunFrom(M::kKernelCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m_.state().rip, M::kKernelCode + 3);
}

TEST_F(AlignmentCheckTest, PopfTurnsCheckingOnAndOffWithinABlock) {
  EnterUser(M::kUserStackTop, /*flags=*/0);
  // The first load also fills the fast path for the page.
  const std::vector<uint8_t> set_ac = {
      0x8b, 0x43, 0x03,                          // mov eax, [rbx+3]: unchecked yet
      0x9c,                                      // pushfq
      0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00,  // or dword [rsp], AC
      0x9d,                                      // popfq
      0x8b, 0x43, 0x03,                          // mov eax, [rbx+3]: #AC
  };
  m_.Load(M::kUserCode, set_ac);
  m_.state().gpr[kRbx] = kUserData;
  M::Result r = m_.RunFrom(M::kUserCode);
  ASSERT_EQ(r.outcome.vector, kAlignmentCheck);
  EXPECT_EQ(r.frame.rip, M::kUserCode + 12);
  EXPECT_TRUE(r.frame.rflags & kAC);

  const std::vector<uint8_t> clear_ac = {
      0x9c,                                      // pushfq
      0x81, 0x24, 0x24, 0xff, 0xff, 0xfb, 0xff,  // and dword [rsp], ~AC
      0x9d,                                      // popfq
      0x8b, 0x43, 0x03,                          // mov eax, [rbx+3]: unchecked
      0xf4,
  };
  EnterUser();
  m_.Load(M::kUserCode, clear_ac);
  r = m_.RunFrom(M::kUserCode);
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);  // the HLT
  EXPECT_EQ(r.frame.rip, M::kUserCode + 12);
}

TEST_F(AlignmentCheckTest, SysretWithAcInR11TurnsCheckingOn) {
  m_.cpu().WriteEfer(kEferLME | kEferNXE | kEferSCE);
  m_.state().star = (uint64_t{0x18} << 48) | (uint64_t{0x08} << 32);  // SYSRET: CS 0x2b, SS 0x23
  m_.Load(M::kKernelCode, {0x48, 0x0f, 0x07});                         // sysretq
  m_.Load(M::kUserCode, {0x8b, 0x03});                                 // mov eax, [rbx]
  m_.state().gpr[kRcx] = M::kUserCode;
  m_.state().gpr[kR11] = kFlagsFixed1 | kAC;
  m_.state().gpr[kRbx] = kUserData + 1;
  M::Result r = m_.RunFrom(M::kKernelCode);
  ASSERT_EQ(r.outcome.vector, kAlignmentCheck);
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_EQ(r.frame.cs, M::kUserCs);
}

TEST_F(AlignmentCheckTest, StackAccessesAreChecked) {
  EnterUser(M::kUserStackTop - 0x100 + 4);  // 4 mod 8
  M::Result r = RunAsIs({0x50}, 0);         // push rax
  ASSERT_EQ(r.outcome.vector, kAlignmentCheck);
  EXPECT_EQ(r.frame.rsp, M::kUserStackTop - 0x100 + 4);  // RSP unchanged
}

TEST_F(AlignmentCheckTest, APageFaultComesFirst) {
  const uint64_t absent = 0x400000;
  m_.MapPage(absent, absent, 0);  // not present
  M::Result r = RunWith(kLoadDword, absent + 1);
  ASSERT_EQ(r.outcome.vector, kPageFault);
  EXPECT_EQ(m_.state().cr2, absent + 1);
}

TEST_F(AlignmentCheckTest, ImplicitSupervisorAccessesAreNotChecked) {
  // A copy of the GDT at an odd address: loading DS at CPL 3 reads the
  // descriptor there, which alignment checking must let through.
  const uint64_t odd_gdt = M::kData + 0x1001;
  std::vector<uint8_t> gdt(0x48);
  m_.memory().CopyOut(M::kGdt, gdt.data(), gdt.size());
  m_.memory().CopyIn(odd_gdt, gdt.data(), gdt.size());
  m_.state().gdtr = {odd_gdt, 0x47};
  m_.state().gpr[kRax] = M::kUserSs;
  M::Result r = RunWith({0x8e, 0xd8}, 0);  // mov ds, ax
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);  // the HLT
  EXPECT_EQ(r.frame.rip, M::kUserCode + 2);
  EXPECT_EQ(m_.state().seg[kDs].selector, M::kUserSs);
}

TEST_F(AlignmentCheckTest, RepStringStopsAtTheFirstElement) {
  // rep movsw to an odd destination: nothing moves, RCX and RDI stay.
  m_.state().gpr[kRcx] = 4;
  m_.state().gpr[kRsi] = kUserData;
  m_.state().gpr[kRdi] = kUserData + 0x41;
  M::Result r = RunWith({0xf3, 0x66, 0xa5}, 0);
  ASSERT_EQ(r.outcome.vector, kAlignmentCheck);
  EXPECT_EQ(m_.state().gpr[kRcx], 4u);
  EXPECT_EQ(m_.state().gpr[kRdi], kUserData + 0x41);
}

// Table 6-7's structures: what the instruction stores, not each field;
// SGDT is checked field by field, as the host does.
TEST_F(AlignmentCheckTest, StructuresAskTheirOwnAlignment) {
  const std::vector<uint8_t> sgdt = {0x0f, 0x01, 0x03};  // sgdt [rbx]: limit, then 8-byte base
  m_.Put64(kUserData, 0);
  m_.Put64(kUserData + 8, 0);
  EXPECT_TRUE(FaultsAc(sgdt, kUserData + 4));
  EXPECT_EQ(m_.Get64(kUserData), 0u);  // nothing written
  EXPECT_EQ(m_.Get64(kUserData + 8), 0u);
  EXPECT_FALSE(FaultsAc(sgdt, kUserData + 6));
  EXPECT_EQ(m_.Get64(kUserData) >> 48, m_.state().gdtr.limit);
  EXPECT_EQ(m_.Get64(kUserData + 8), m_.state().gdtr.base);
  const std::vector<uint8_t> fnstenv = {0xd9, 0x33};  // 28 bytes, asks 4
  EXPECT_FALSE(FaultsAc(fnstenv, kUserData + 4));
  EXPECT_TRUE(FaultsAc(fnstenv, kUserData + 2));
  const std::vector<uint8_t> fnstenv16 = {0x66, 0xd9, 0x33};  // 14 bytes, asks 2
  EXPECT_FALSE(FaultsAc(fnstenv16, kUserData + 2));
  EXPECT_TRUE(FaultsAc(fnstenv16, kUserData + 1));
  const std::vector<uint8_t> fld80 = {0xdb, 0x2b};  // fld tbyte [rbx], asks 8
  EXPECT_FALSE(FaultsAc(fld80, kUserData + 8));
  EXPECT_TRUE(FaultsAc(fld80, kUserData + 4));
  // lfs ax, [rbx]: an m16:16 far pointer asks 2, m16:32 asks 4.
  m_.Put64(kUserData + 0x20, uint64_t{M::kUserSs} << 32 | M::kUserSs << 16);
  EXPECT_FALSE(FaultsAc({0x66, 0x0f, 0xb4, 0x03}, kUserData + 0x22));
  EXPECT_TRUE(FaultsAc({0x66, 0x0f, 0xb4, 0x03}, kUserData + 0x21));
  EXPECT_TRUE(FaultsAc({0x0f, 0xb4, 0x03}, kUserData + 0x22));
}

// 16-byte vector accesses are left unchecked (the SDM lets a processor
// check MOVUPS or not); MOVAPS's own #GP is unchanged.
TEST_F(AlignmentCheckTest, VectorAccessesOf16BytesAreNotChecked) {
  m_.cpu().WriteCr4(m_.state().cr4 | kCr4OSFXSR);
  EXPECT_FALSE(FaultsAc({0x0f, 0x10, 0x03}, kUserData + 1));  // movups xmm0, [rbx]
  M::Result r = RunWith({0x0f, 0x28, 0x03}, kUserData + 8);   // movaps xmm0, [rbx]
  EXPECT_EQ(r.outcome.vector, kGeneralProtection);
  EXPECT_EQ(r.frame.rip, M::kUserCode);
  EXPECT_TRUE(FaultsAc({0x66, 0x0f, 0xd6, 0x03}, kUserData + 4));  // movq [rbx], xmm0: 8
}

// A checkpoint taken at CPL 3 with checking on loads with it on: the loaded
// core also keeps data accesses off the fast path, and checks them.
TEST_F(AlignmentCheckTest, ACheckpointKeepsCheckingOn) {
  EnterUser();
  ASSERT_EQ(m_.cpu().SoftTlbIncoherence(), "");
  StateArchive out = StateArchive::ForSaving();
  m_.cpu().SerializeArchitecture(out, /*model_state_follows=*/false);

  M loaded;
  loaded.SetGate(kAlignmentCheck, 0);
  loaded.SetGate(kGeneralProtection, 0);
  loaded.Load(M::kUserCode, {0x8b, 0x03, 0xf4});  // mov eax, [rbx]; hlt
  StateArchive in = StateArchive::ForLoading(out.bytes());
  loaded.cpu().SerializeArchitecture(in, /*model_state_follows=*/false);
  ASSERT_TRUE(in.ok()) << in.error();
  EXPECT_EQ(loaded.cpu().SoftTlbIncoherence(), "");
  loaded.state().gpr[kRbx] = kUserData + 2;
  EXPECT_EQ(loaded.RunFrom(M::kUserCode).outcome.vector, kAlignmentCheck);
}

}  // namespace
}  // namespace x64sim::testing
