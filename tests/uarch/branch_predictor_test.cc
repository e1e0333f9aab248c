#include "uarch/branch_predictor.h"

#include <cstdint>
#include <string>

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

BranchPredictorConfig TageConfig(int tables = 4) {
  BranchPredictorConfig c = Config(1024, 64, 8, 64);
  c.kind = DirectionPredictor::kTage;
  c.tage_tables = tables;
  c.tage_entries = 1024;
  c.tage_tag_bits = 11;
  c.tage_min_history = 4;  // histories 4, 10, 25, 64
  return c;
}

// Outcomes of a reproducible coin.
class Coin {
 public:
  bool Flip() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return (state_ >> 63) != 0;
  }

 private:
  uint64_t state_ = 1;
};

// Mispredictions of an always-taken branch that follows an unpredictable
// one, over `rounds` rounds of the pair.
uint64_t SteadyAfterRandomMisses(BranchPredictor& p, int rounds) {
  Coin coin;
  uint64_t misses = 0;
  for (int i = 0; i < rounds; ++i) {
    const bool heads = coin.Flip();
    p.Resolve(BranchKind::kConditional, 0x4000, 0x4002, heads ? 0x4100 : 0x4002);
    misses += p.Resolve(BranchKind::kConditional, 0x4200, 0x4202, 0x4000);
  }
  return misses;
}

// Random outcomes fill the history with patterns never seen before: gshare
// with a long history over a large table (the old zen4 model's 32K
// counters and 32 outcomes) keeps finding untrained counters for the
// steady branch, TAGE predicts it from its bimodal table.
TEST(BranchPredictorTest, TageIgnoresHistoryABranchDoesNotNeed) {
  BranchPredictor tage(TageConfig());
  BranchPredictor gshare(Config(32768, 64, 8, 32));
  const uint64_t tage_misses = SteadyAfterRandomMisses(tage, 20000);
  const uint64_t gshare_misses = SteadyAfterRandomMisses(gshare, 20000);
  EXPECT_LT(tage_misses, 20u);
  EXPECT_GT(gshare_misses, 1000u);
}

// A loop of 40 iterations: its exit needs 40 outcomes of history, which
// only the longest table (64) holds. Once learnt, nothing is mispredicted.
// Four tables (every shipped model's, looked up unrolled) and five.
void ExpectLongLoopLearnt(int tables) {
  BranchPredictor p(TageConfig(tables));
  auto run_loop = [&p] {
    uint64_t misses = 0;
    for (int i = 1; i <= 40; ++i) {
      misses += p.Resolve(BranchKind::kConditional, 0x5000, 0x5002, i < 40 ? 0x4f00 : 0x5002);
    }
    return misses;
  };
  uint64_t first = 0;
  for (int r = 0; r < 5; ++r) first += run_loop();
  EXPECT_GE(first, 1u);  // the exit, at least once
  for (int r = 0; r < 200; ++r) run_loop();
  uint64_t late = 0;
  for (int r = 0; r < 100; ++r) late += run_loop();
  EXPECT_EQ(late, 0u) << tables << " tables";
}

TEST(BranchPredictorTest, TageLearnsALongLoop) {
  ExpectLongLoopLearnt(4);
  ExpectLongLoopLearnt(5);
}

// The predictor's state saved and loaded predicts exactly as the original.
TEST(BranchPredictorTest, TageStateRoundTrips) {
  BranchPredictor a(TageConfig());
  SteadyAfterRandomMisses(a, 5000);
  StateArchive save = StateArchive::ForSaving();
  a.Serialize(save);
  BranchPredictor b(TageConfig());
  StateArchive load = StateArchive::ForLoading(save.bytes());
  b.Serialize(load);
  ASSERT_TRUE(load.ok()) << load.error();
  EXPECT_TRUE(load.consumed());
  Coin coin;
  for (int i = 0; i < 5000; ++i) {
    const uint64_t target = coin.Flip() ? 0x6100 : 0x6002;
    const uint64_t rip = 0x6000 + 16 * static_cast<uint64_t>(i % 7);
    ASSERT_EQ(a.Resolve(BranchKind::kConditional, rip, rip + 2, target),
              b.Resolve(BranchKind::kConditional, rip, rip + 2, target))
        << "branch " << i;
  }
}

// A loaded entry outside the counters' ranges is refused.
TEST(BranchPredictorTest, TageRefusesImpossibleEntries) {
  BranchPredictor a(TageConfig());
  StateArchive save = StateArchive::ForSaving();
  a.Serialize(save);
  std::string bytes = save.bytes();
  // From the end: the branch count (8 bytes), the alternate-prediction
  // counter (4), then 4 x 1024 entries of tag (2), counter (1), useful (1).
  const size_t first_entry = bytes.size() - 8 - 4 - 4 * 1024 * 4;
  bytes[first_entry + 2] = 9;  // the counter's range is -4..3
  BranchPredictor b(TageConfig());
  StateArchive load = StateArchive::ForLoading(bytes);
  b.Serialize(load);
  EXPECT_FALSE(load.ok());
}

}  // namespace
}  // namespace x64sim
