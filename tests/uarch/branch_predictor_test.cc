#include "uarch/branch_predictor.h"

#include "gtest/gtest.h"

namespace x64sim {
namespace {

BranchPredictorConfig Config(int pht, int btb, int ras, int history = 8) {
  BranchPredictorConfig c;
  c.kind = DirectionPredictor::kGshare;
  c.history_bits = history;
  c.pht_entries = pht;
  c.btb_entries = btb;
  c.ras_entries = ras;
  return c;
}

// Found by tests/fuzz:uarch_fuzzer (corpus/uarch_fuzzer/tiny_predictor):
// folding the history into a zero-bit index never ended.
TEST(BranchPredictorTest, OneEntryTablesPredictAndTerminate) {
  BranchPredictor p(Config(1, 1, 1));
  // An always-taken loop branch: weakly not taken at first, then learnt.
  EXPECT_TRUE(p.Resolve(BranchKind::kConditional, 0x1000, 0x1002, 0x0f00));
  EXPECT_FALSE(p.Resolve(BranchKind::kConditional, 0x1000, 0x1002, 0x0f00));
  EXPECT_FALSE(p.Resolve(BranchKind::kConditional, 0x1000, 0x1002, 0x0f00));
  p.Resolve(BranchKind::kDirectCall, 0x2000, 0x2005, 0x3000);
  EXPECT_FALSE(p.Resolve(BranchKind::kReturn, 0x3000, 0x3001, 0x2005));
  EXPECT_EQ(p.predicted[static_cast<int>(BranchKind::kConditional)], 3u);
  EXPECT_EQ(p.mispredicted[static_cast<int>(BranchKind::kConditional)], 1u);
}

TEST(BranchPredictorTest, ReturnStackWrapsLikeHardware) {
  BranchPredictor p(Config(16, 16, 2));
  // Three nested calls on a two-entry stack: the outermost return address
  // is overwritten, so the last return is mispredicted.
  p.Resolve(BranchKind::kDirectCall, 0x100, 0x105, 0x1000);
  p.Resolve(BranchKind::kDirectCall, 0x1000, 0x1005, 0x2000);
  p.Resolve(BranchKind::kDirectCall, 0x2000, 0x2005, 0x3000);
  EXPECT_FALSE(p.Resolve(BranchKind::kReturn, 0x3000, 0x3001, 0x2005));
  EXPECT_FALSE(p.Resolve(BranchKind::kReturn, 0x2010, 0x2011, 0x1005));
  EXPECT_TRUE(p.Resolve(BranchKind::kReturn, 0x1010, 0x1011, 0x105));
}

TEST(BranchPredictorTest, IndirectTargetsAreLearnt) {
  BranchPredictor p(Config(16, 64, 4));
  // One target again and again: once the path history has settled, every
  // jump is predicted; a new target is not.
  EXPECT_TRUE(p.Resolve(BranchKind::kIndirectJump, 0x400, 0x402, 0x5000));
  for (int i = 0; i < 8; ++i) p.Resolve(BranchKind::kIndirectJump, 0x400, 0x402, 0x5000);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(p.Resolve(BranchKind::kIndirectJump, 0x400, 0x402, 0x5000));
  EXPECT_TRUE(p.Resolve(BranchKind::kIndirectJump, 0x400, 0x402, 0x6000));
}

}  // namespace
}  // namespace x64sim
