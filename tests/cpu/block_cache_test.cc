// The decoded-block cache: blocks are decoded once and reused, and any
// store to a page holding decoded code drops them, so self-modifying code
// sees its new bytes — in the block that is running, in another cached
// block, and through a second linear mapping of the same physical page.
// An instruction that crosses a page is cached too, and depends on both
// pages: a store into the second or a new mapping of it is seen; a branch
// reaches it without the run loop.
// The cache's memory is bounded: two blocks that share a table slot are each
// decoded once, and a guest that decodes more code than the bound drops the
// whole cache and goes on.
#include <vector>

#include "checkpoint/state_archive.h"
#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

using M = LongModeMachine;

// Appends a rel32 that reaches `target` from the end of the 4 bytes, for code at `base`.
void Rel32(std::vector<uint8_t>& code, uint64_t base, uint64_t target) {
  uint32_t rel = static_cast<uint32_t>(target - (base + code.size() + 4));
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(rel >> (8 * i)));
}

TEST(BlockCacheTest, LoopIsDecodedOnce) {
  M m;
  // mov ecx, 1000; L: dec ecx; jnz L; hlt
  M::Outcome o = m.Run({0xb9, 0xe8, 0x03, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xfc});
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRcx], 0u);
  EXPECT_LE(m.cpu().blocks_decoded(), 4u);  // not one per iteration
}

TEST(BlockCacheTest, StoreIntoTheRunningBlockChangesWhatRunsNext) {
  M m;
  // mov byte [rip+1], 2   ; patches the immediate of the next instruction
  // mov eax, 1            ; executes as mov eax, 2
  std::vector<uint8_t> code = {0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x02,
                               0xb8, 0x01, 0x00, 0x00, 0x00};
  uint64_t invalidations = m.cpu().code_invalidations();
  M::Outcome o = m.Run(code);
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRax], 2u);
  EXPECT_GT(m.cpu().code_invalidations(), invalidations);
}

// mov rdi, at; mov byte [rdi], value
std::vector<uint8_t> StoreByte(uint64_t at, uint8_t value) {
  std::vector<uint8_t> code = {0x48, 0xbf};
  for (int i = 0; i < 8; ++i) code.push_back(static_cast<uint8_t>(at >> (8 * i)));
  code.insert(code.end(), {0xc6, 0x07, value});
  return code;
}

// main: call F; mov ebx, eax; <patch F's immediate to 2 via `store`>; call F; hlt
// F (on the next page): mov eax, 1; ret
std::vector<uint8_t> CallPatchCall(uint64_t f, const std::vector<uint8_t>& store) {
  std::vector<uint8_t> code = {0xe8};
  Rel32(code, M::kCode, f);
  code.insert(code.end(), {0x89, 0xc3});
  code.insert(code.end(), store.begin(), store.end());
  code.push_back(0xe8);
  Rel32(code, M::kCode, f);
  return code;
}

TEST(BlockCacheTest, StoreIntoAnotherCachedBlockIsSeen) {
  M m;
  const uint64_t f = M::kCode + 0x1000;
  std::vector<uint8_t> fn = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3};
  for (size_t i = 0; i < fn.size(); ++i) m.cpu().WriteSupervisor(f + i, &fn[i], 1);
  M::Outcome o = m.Run(CallPatchCall(f, StoreByte(f + 1, 2)));
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRbx], 1u);  // the first call ran the original F
  EXPECT_EQ(m.state().gpr[kRax], 2u);  // the second the patched one
}

TEST(BlockCacheTest, StoreThroughAnotherLinearAliasIsSeen) {
  M m;
  const uint64_t f = M::kCode + 0x1000;
  const uint64_t alias = 0x900000;  // a second linear address for F's physical page
  m.Put64(M::kPageTables + (alias >> kPageShift) * 8, f | M::kPteFlags);
  m.cpu().Invlpg(alias);
  std::vector<uint8_t> fn = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3};
  for (size_t i = 0; i < fn.size(); ++i) m.cpu().WriteSupervisor(f + i, &fn[i], 1);
  M::Outcome o = m.Run(CallPatchCall(f, StoreByte(alias + 1, 3)));
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRbx], 1u);
  EXPECT_EQ(m.state().gpr[kRax], 3u);
}

TEST(BlockCacheTest, CodeIsKeyedByPhysicalPage) {
  // The same physical code reached through two linear addresses runs the same.
  M m;
  const uint64_t f = M::kCode + 0x2000;
  const uint64_t alias = 0x980000;
  m.Put64(M::kPageTables + (alias >> kPageShift) * 8, f | M::kPteFlags);
  m.cpu().Invlpg(alias);
  std::vector<uint8_t> fn = {0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3};
  for (size_t i = 0; i < fn.size(); ++i) m.cpu().WriteSupervisor(f + i, &fn[i], 1);
  std::vector<uint8_t> code = {0xe8};
  Rel32(code, M::kCode, f);
  code.insert(code.end(), {0x89, 0xc3, 0x31, 0xc0, 0xe8});  // mov ebx, eax; xor eax, eax; call alias
  Rel32(code, M::kCode, alias);
  M::Outcome o = m.Run(code);
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRbx], 7u);
  EXPECT_EQ(m.state().gpr[kRax], 7u);
}

// 0x40000 and 0x50001 share a slot of the direct-mapped block table (Cpu's
// BlockSlot: key ^ key >> 16, low 16 bits). Stepping one instruction a run
// makes every block start go through the table.
TEST(BlockCacheTest, BlocksSharingATableSlotAreDecodedOnce) {
  M m;
  constexpr uint64_t kCallee = 0x50001;
  const uint8_t ret = 0xc3;
  m.memory().CopyIn(kCallee, &ret, 1);
  std::vector<uint8_t> code = {0xe8};  // L: call kCallee; jmp L
  Rel32(code, M::kCode, kCallee);
  code.insert(code.end(), {0xeb, 0xf9});
  m.Run(code, 1);
  const uint64_t decoded = m.cpu().blocks_decoded();
  const uint64_t instret = m.cpu().instret();
  for (int i = 0; i < 300; ++i) m.cpu().Run(1);
  EXPECT_EQ(m.cpu().instret() - instret, 300u);
  EXPECT_LE(m.cpu().blocks_decoded() - decoded, 2u);  // not one per visit
}

// 1.1 M one-byte NOPs are more decoded instructions than the cache keeps
// (Cpu::kMaxCachedInsns, 2^20): it is emptied once, and the run goes on.
TEST(BlockCacheTest, DecodingPastTheBoundDropsTheCacheAndGoesOn) {
  M m;
  constexpr uint64_t kNops = 0x100000, kNopBytes = 0x110000;
  std::vector<uint8_t> nops(kNopBytes, 0x90);
  nops.push_back(0xf4);
  m.memory().CopyIn(kNops, nops.data(), nops.size());
  std::vector<uint8_t> code = {0xe9};  // jmp kNops
  Rel32(code, M::kCode, kNops);
  M::Outcome o = m.Run(code, 2'000'000);
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().rip, kNops + kNopBytes + 1);
  EXPECT_EQ(m.cpu().block_cache_drops(), 1u);
}

// A link made before a CR3 write is followed afterwards only if the fast
// path translates its target to the same physical code now: here the page
// holding F and G is remapped, then CR3 reloaded; G's call fills the fast
// path with the new frame, and the call to F must run the new frame's F.
TEST(BlockCacheTest, LinkFromAnotherAddressSpaceFollowsTheNewMapping) {
  M m;
  const uint64_t fn_page = M::kCode + 0x3000, other = M::kCode + 0x6000;
  const uint8_t f_one[] = {0xbb, 0x01, 0x00, 0x00, 0x00, 0xc3};  // F: mov ebx, 1; ret
  const uint8_t f_two[] = {0xbb, 0x02, 0x00, 0x00, 0x00, 0xc3};
  const uint8_t ret = 0xc3;  // G
  m.memory().CopyIn(fn_page, f_one, sizeof(f_one));
  m.memory().CopyIn(other, f_two, sizeof(f_two));
  m.memory().CopyIn(fn_page + 0x100, &ret, 1);
  m.memory().CopyIn(other + 0x100, &ret, 1);
  const uint64_t pte = M::kPageTables + (fn_page >> kPageShift) * 8;
  // mov r8, cr3; xor edx, edx; mov ecx, 2
  std::vector<uint8_t> code = {0x41, 0x0f, 0x20, 0xd8, 0x31, 0xd2, 0xb9, 0x02, 0x00, 0x00, 0x00};
  const size_t loop = code.size();
  code.push_back(0xe8);  // L: call G; call F; add edx, ebx
  Rel32(code, M::kCode, fn_page + 0x100);
  code.push_back(0xe8);
  Rel32(code, M::kCode, fn_page);
  code.insert(code.end(), {0x01, 0xda, 0x48, 0xbf});  // mov rdi, pte; mov rax, other | flags
  for (int i = 0; i < 8; ++i) code.push_back(static_cast<uint8_t>(pte >> (8 * i)));
  code.insert(code.end(), {0x48, 0xb8});
  for (int i = 0; i < 8; ++i) code.push_back(static_cast<uint8_t>((other | M::kPteFlags) >> (8 * i)));
  // mov [rdi], rax; mov cr3, r8; dec ecx; jnz L
  code.insert(code.end(), {0x48, 0x89, 0x07, 0x41, 0x0f, 0x22, 0xd8, 0xff, 0xc9, 0x75});
  code.push_back(static_cast<uint8_t>(loop - (code.size() + 1)));
  ASSERT_EQ(m.Run(code).reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRdx], 3u);  // F from the first frame, then from the second
}

// F: mov eax, 0x44332211; ret, placed so that the MOV crosses from one page
// into the next after its first immediate byte.
constexpr uint64_t kStraddler = M::kCode + 0x2000 - 2;

void PutStraddler(M& m, uint64_t at, uint32_t value) {
  const uint8_t fn[] = {0xb8, static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8),
                        static_cast<uint8_t>(value >> 16), static_cast<uint8_t>(value >> 24), 0xc3};
  m.memory().CopyIn(at, fn, sizeof(fn));
}

// mov ecx, 1000; L: call F; dec ecx; jnz L
std::vector<uint8_t> CallStraddlerThousandTimes() {
  std::vector<uint8_t> code = {0xb9, 0xe8, 0x03, 0x00, 0x00, 0xe8};
  Rel32(code, M::kCode, kStraddler);
  code.insert(code.end(), {0xff, 0xc9, 0x75, 0xf7});
  return code;
}

TEST(BlockCacheTest, InstructionCrossingAPageIsDecodedOnce) {
  M m;
  PutStraddler(m, kStraddler, 0x44332211);
  M::Outcome o = m.Run(CallStraddlerThousandTimes());
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRax], 0x44332211u);
  EXPECT_LE(m.cpu().blocks_decoded(), 6u);  // not one per call
}

// A branch to a crossing instruction enters it without the run loop while
// the fast path maps its second page as when it was decoded. Each of the
// 1000 iterations runs four blocks: the CALL, F's crossing MOV, F's RET
// (entered from the loop, as the MOV's block ends without a branch) and
// DEC+JNZ; the CALL, the RET and the JNZ chain.
TEST(BlockCacheTest, CallToACrossingInstructionChains) {
  M m;
  PutStraddler(m, kStraddler, 0x44332211);
  ASSERT_EQ(m.Run(CallStraddlerThousandTimes()).reason, StopReason::kHaltedForever);
  EXPECT_GT(m.cpu().chained_blocks(), 2900u);  // 2 per iteration if the CALL went to the loop
}

TEST(BlockCacheTest, StoreIntoTheSecondPageOfACrossingInstructionIsSeen) {
  M m;
  PutStraddler(m, kStraddler, 0x44332211);
  // The immediate's third byte, in the second page.
  M::Outcome o = m.Run(CallPatchCall(kStraddler, StoreByte(kStraddler + 3, 0x99)));
  ASSERT_EQ(o.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRbx], 0x44332211u);
  EXPECT_EQ(m.state().gpr[kRax], 0x44992211u);
}

TEST(BlockCacheTest, CrossingInstructionFollowsANewMappingOfItsSecondPage) {
  M m;
  const uint64_t second = kStraddler + 2;  // the page F's MOV ends in
  const uint64_t other = M::kCode + 0x5000;  // another frame, holding other bytes
  PutStraddler(m, kStraddler, 0x44332211);
  const uint8_t rest[] = {0x77, 0x66, 0x55, 0xc3};
  m.memory().CopyIn(other, rest, sizeof(rest));
  std::vector<uint8_t> code = {0xe8};  // call F
  Rel32(code, M::kCode, kStraddler);
  ASSERT_EQ(m.Run(code).reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRax], 0x44332211u);
  m.MapPage(second, other);
  ASSERT_EQ(m.Run(code).reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRax], 0x55667711u);
  m.MapPage(second, second);
  ASSERT_EQ(m.Run(code).reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.state().gpr[kRax], 0x44332211u);
}

// A checkpoint keeps the crossing block, with the page it ends in: a core
// that loads the caches runs it again without decoding it.
TEST(BlockCacheTest, CrossingInstructionSurvivesACheckpoint) {
  std::vector<uint8_t> code = {0xe8};  // call F
  Rel32(code, M::kCode, kStraddler);
  M saved;
  PutStraddler(saved, kStraddler, 0x44332211);
  ASSERT_EQ(saved.Run(code).reason, StopReason::kHaltedForever);
  StateArchive out = StateArchive::ForSaving();
  saved.cpu().SerializeCaches(out);

  M loaded;
  PutStraddler(loaded, kStraddler, 0x44332211);
  loaded.memory().CopyIn(M::kCode, code.data(), code.size());
  const uint8_t hlt = 0xf4;
  loaded.memory().CopyIn(M::kCode + code.size(), &hlt, 1);
  StateArchive in = StateArchive::ForLoading(out.bytes());
  loaded.cpu().SerializeCaches(in);
  ASSERT_TRUE(in.ok()) << in.error();
  const uint64_t decoded = loaded.cpu().blocks_decoded();
  loaded.state().rip = M::kCode;
  loaded.state().gpr[kRsp] = M::kStackTop;
  ASSERT_EQ(loaded.cpu().Run(100).reason, StopReason::kHaltedForever);
  EXPECT_EQ(loaded.state().gpr[kRax], 0x44332211u);
  EXPECT_EQ(loaded.cpu().blocks_decoded(), decoded);
}

TEST(BlockCacheTest, CrossingIntoAnUnmappedPageFaultsEachTime) {
  M m;
  PutStraddler(m, kStraddler, 0x44332211);
  std::vector<uint8_t> code = {0xe8};  // call F
  Rel32(code, M::kCode, kStraddler);
  ASSERT_EQ(m.Run(code).reason, StopReason::kHaltedForever);
  m.SetPteFlags(kStraddler + 2, 0);  // not present
  M::Outcome o = m.Run(code);
  EXPECT_EQ(o.vector, kPageFault);
  EXPECT_EQ(o.fault_rip, kStraddler);
  EXPECT_EQ(m.state().cr2, kStraddler + 2);
  EXPECT_EQ(o.error_code, 0x10u);  // an instruction fetch from a not-present page
}

}  // namespace
}  // namespace x64sim::testing
