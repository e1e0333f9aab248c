// Channel 0's output of the 8254 (datasheet 231164, "Mode Definitions"),
// edge by edge at the PIT input tick it falls on, scheduled as the core
// cycle of that tick.
#include <cstdint>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "sim/pit8254.h"
#include "sim/platform_clock.h"

namespace x64sim {
namespace {

constexpr PlatformClock kClock;  // the default 3.4 GHz core

class PitOutputTest : public ::testing::Test {
 protected:
  // Programs channel 0 at PIT tick now_ (LSB then MSB): counting starts
  // on the next tick.
  void Program(int mode, uint16_t count) {
    pit_.PortOut(3, 1, static_cast<uint32_t>(3 << 4 | mode << 1));
    pit_.PortOut(0, 1, count & 0xff);
    pit_.PortOut(0, 1, count >> 8);
  }
  // Runs the machine's schedule to PIT tick `tick`: Update at each
  // scheduled edge up to it, recording (tick, level) of each change.
  void RunTo(uint64_t tick) {
    while (pit_.NextEventCycle() <= kClock.CycleOfPitTick(tick)) {
      const uint64_t cycle = pit_.NextEventCycle();
      now_ = kClock.PitTicks(cycle);
      pit_.Update(cycle);
    }
    now_ = tick;
  }
  std::vector<std::pair<uint64_t, bool>> edges_;
  uint64_t now_ = 1000;
  int changed_ = 0;
  Pit8254 pit_{kClock, [this] { return now_; }, [this](bool level) { edges_.emplace_back(now_, level); },
               [this] { ++changed_; }};
};

using Edges = std::vector<std::pair<uint64_t, bool>>;

TEST_F(PitOutputTest, ModeZeroRisesAtTerminalCountOnce) {
  Program(0, 10);
  EXPECT_TRUE(edges_.empty()) << "low from the control word on";
  EXPECT_EQ(pit_.NextEventCycle(), kClock.CycleOfPitTick(1011));
  RunTo(100000);
  EXPECT_EQ(edges_, (Edges{{1011, true}}));
  EXPECT_EQ(pit_.NextEventCycle(), UINT64_MAX) << "the count wraps but OUT stays high";
  Program(0, 10);  // a new control word sets OUT low
  EXPECT_EQ(edges_.back(), (std::pair<uint64_t, bool>{100000, false}));
  EXPECT_GT(changed_, 0);
}

TEST_F(PitOutputTest, ModeTwoPulsesLowForOneTickEachPeriod) {
  Program(2, 100);
  EXPECT_EQ(edges_, (Edges{{1000, true}})) << "high from the control word on";
  EXPECT_EQ(pit_.NextEventCycle(), kClock.CycleOfPitTick(1100));
  pit_.Update(kClock.CycleOfPitTick(1100) - 1);
  EXPECT_EQ(edges_.size(), 1u) << "not before its tick";
  RunTo(1301);
  EXPECT_EQ(edges_, (Edges{{1000, true},
                           {1100, false},
                           {1101, true},
                           {1200, false},
                           {1201, true},
                           {1300, false},
                           {1301, true}}));
}

TEST_F(PitOutputTest, ModeThreeIsASquareWaveHighForTheLongerHalf) {
  Program(3, 9);
  RunTo(1019);
  EXPECT_EQ(edges_, (Edges{{1000, true}, {1006, false}, {1010, true}, {1015, false}, {1019, true}}));
}

TEST_F(PitOutputTest, MissedEdgesFoldIntoOneRisingEdge) {
  Program(2, 100);
  edges_.clear();
  now_ = 1550;
  pit_.Update(kClock.CycleOfPitTick(1550));  // five periods late, OUT high again
  EXPECT_EQ(edges_, (Edges{{1550, false}, {1550, true}}));
  EXPECT_EQ(pit_.NextEventCycle(), kClock.CycleOfPitTick(1600));
}

TEST_F(PitOutputTest, OtherChannelsAndGateModesDriveNoEdges) {
  pit_.PortOut(3, 1, 2 << 6 | 3 << 4 | 3 << 1);  // channel 2, mode 3
  pit_.PortOut(2, 1, 10);
  pit_.PortOut(2, 1, 0);
  EXPECT_EQ(pit_.NextEventCycle(), UINT64_MAX);
  Program(1, 10);  // mode 1 waits for a gate edge
  EXPECT_EQ(pit_.NextEventCycle(), UINT64_MAX);
  EXPECT_TRUE(pit_.output0());
}

// The CPU polls channel 0 by latching its count (seL4 does for tens of
// millions of reads at boot): writes that leave the next edge where it was
// must not make the CPU look at its events again; one that moves it must.
TEST_F(PitOutputTest, OnlyWritesThatMoveTheNextEdgeSignalAChange) {
  Program(2, 100);
  const int after_programming = changed_;
  EXPECT_GT(after_programming, 0);
  now_ = 1050;
  pit_.PortOut(3, 1, 0);  // latch channel 0
  EXPECT_EQ(pit_.PortIn(0, 1), 51u);  // 49 ticks since counting began at 1001
  EXPECT_EQ(pit_.PortIn(0, 1), 0u);
  pit_.PortOut(3, 1, 2 << 6 | 3 << 4 | 3 << 1);  // channel 2's control word
  EXPECT_EQ(changed_, after_programming);
  // The control word stops the count (no next edge), the low byte leaves
  // it stopped, the high byte starts it from tick 1051: two changes.
  Program(2, 40);
  EXPECT_EQ(changed_, after_programming + 2);
  EXPECT_EQ(pit_.NextEventCycle(), kClock.CycleOfPitTick(1090));
}

}  // namespace
}  // namespace x64sim
