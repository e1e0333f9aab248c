// The HPET against the IA-PC HPET specification 1.0a: its capabilities,
// the main counter in simulated time, one-shot and periodic comparators in
// 64- and 32-bit mode, edge and level interrupts on the I/O APIC input each
// routes to, and the legacy replacement route.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "sim/hpet.h"
#include "sim/interrupt_lines.h"
#include "sim/io_apic.h"
#include "sim/pic_pair.h"
#include "sim/platform_clock.h"

namespace x64sim {
namespace {

constexpr PlatformClock kClock;  // the default 3.4 GHz core

constexpr uint64_t kConfig = 0x10, kStatus = 0x20, kCounter = 0xf0;
constexpr uint64_t TimerConfig(int n) { return 0x100 + 0x20 * n; }
constexpr uint64_t Comparator(int n) { return 0x108 + 0x20 * n; }
// Tn_CONFIG bits (2.3.8).
constexpr uint64_t kLevel = 1 << 1, kIntEnable = 1 << 2, kPeriodic = 1 << 3, kValSet = 1 << 6,
                   kMode32 = 1 << 8;
constexpr uint64_t Route(int pin) { return static_cast<uint64_t>(pin) << 9; }

// An HPET on an I/O APIC whose every input delivers vector 0x40 + pin
// (edge-triggered unless made level), recording the pins.
class HpetTest : public ::testing::Test {
 protected:
  HpetTest() {
    io_.set_deliver([this](const ApicMessage& m) {
      pins_.push_back(m.vector - 0x40);
      return true;
    });
    for (int pin = 0; pin < IoApic::kEntries; ++pin) SetEntry(pin, 0);
  }
  void SetEntry(int pin, uint64_t flags) {
    io_.MmioWrite(0x00, 4, 0x10 + 2 * pin);
    io_.MmioWrite(0x10, 4, (0x40 + pin) | flags);
  }
  uint64_t Read(uint64_t reg) { return hpet_.MmioRead(reg, 8); }
  void Write(uint64_t reg, uint64_t value) { hpet_.MmioWrite(reg, 8, value); }
  // Runs simulated time to `tick` the way the machine does: to each
  // scheduled event in turn, then to `tick`.
  void RunTo(uint64_t tick) {
    const uint64_t end = kClock.CycleOfHpetTick(tick);
    while (hpet_.NextEventCycle() <= end) {
      now_ = std::max(now_, hpet_.NextEventCycle());
      hpet_.Update(now_);
    }
    now_ = end;
    hpet_.Update(now_);
  }
  uint64_t Tick() const { return kClock.HpetTicks(now_); }

  uint64_t now_ = 0;
  int changes_ = 0;
  IoApic io_;
  PicPair pics_{[] {}, [] {}};
  InterruptLines lines_{pics_, io_};
  Hpet hpet_{kClock, [this] { return now_; }, lines_, [this] { ++changes_; }};
  std::vector<int> pins_;
};

TEST_F(HpetTest, CapabilitiesAsTheSpecificationLaysThemOut) {
  const uint64_t caps = Read(0x000);
  EXPECT_EQ(caps >> 32, 10'000'000u) << "COUNTER_CLK_PERIOD: 10 ns in femtoseconds";
  EXPECT_EQ((caps >> 16) & 0xffff, 0x8086u) << "VENDOR_ID";
  EXPECT_TRUE(caps & (1 << 15)) << "LEG_RT_CAP";
  EXPECT_TRUE(caps & (1 << 13)) << "COUNT_SIZE_CAP: 64-bit";
  EXPECT_EQ((caps >> 8) & 0x1f, 2u) << "NUM_TIM_CAP: the last timer's index";
  EXPECT_EQ(caps & 0xff, 1u) << "REV_ID";
  EXPECT_EQ(static_cast<uint32_t>(caps), Hpet::kBlockId);
  for (int n = 0; n < Hpet::kTimers; ++n) {
    const uint64_t c = Read(TimerConfig(n));
    EXPECT_TRUE(c & (1 << 4)) << "Tn_PER_INT_CAP";
    EXPECT_TRUE(c & (1 << 5)) << "Tn_SIZE_CAP";
    EXPECT_FALSE(c & (1 << 15)) << "Tn_FSB_INT_DEL_CAP: no FSB delivery";
    EXPECT_EQ(c >> 32, n < 2 ? 0x00f00000u : 0x00f00800u) << "Tn_INT_ROUTE_CAP: pins 20-23, timer 2 also 11";
  }
  // 32-bit accesses read either half.
  EXPECT_EQ(hpet_.MmioRead(0x004, 4), 10'000'000u);
  EXPECT_EQ(hpet_.MmioRead(TimerConfig(2) + 4, 4), 0x00f00800u);
  Write(TimerConfig(0), (1 << 15) | (1 << 14) | (1 << 4));
  EXPECT_EQ(Read(TimerConfig(0)) & 0xffff, (1u << 4) | (1u << 5)) << "capability bits read-only";
}

TEST_F(HpetTest, MainCounterCountsSimulatedTimeOnlyWhileEnabled) {
  now_ = kClock.CycleOfHpetTick(1000);
  EXPECT_EQ(Read(kCounter), 0u) << "halted at reset";
  Write(kConfig, 1);
  now_ = kClock.CycleOfHpetTick(1250);
  EXPECT_EQ(Read(kCounter), 250u);
  EXPECT_EQ(kClock.HpetTicks(kClock.core_hz()), 100'000'000u) << "100 MHz";
  Write(kConfig, 0);
  now_ = kClock.CycleOfHpetTick(5000);
  EXPECT_EQ(Read(kCounter), 250u) << "halted";
  Write(kCounter, 0xffff'ffff'ffff'fff0ull);
  Write(kConfig, 1);
  now_ = kClock.CycleOfHpetTick(5020);
  EXPECT_EQ(Read(kCounter), 4u) << "wraps at 64 bits";
  EXPECT_EQ(Read(kConfig), 1u);
  EXPECT_GT(changes_, 0) << "writes tell the machine";
}

TEST_F(HpetTest, OneShotComparatorFiresOnceWhenTheCounterReachesIt) {
  Write(kConfig, 1);
  Write(TimerConfig(2), kIntEnable | Route(20));
  Write(Comparator(2), 500);
  EXPECT_EQ(hpet_.NextEventCycle(), kClock.CycleOfHpetTick(500)) << "scheduled, not polled";
  RunTo(499);
  EXPECT_TRUE(pins_.empty());
  RunTo(500);
  EXPECT_EQ(pins_, std::vector<int>{20});
  RunTo(100'000);
  EXPECT_EQ(pins_.size(), 1u) << "one-shot";
  EXPECT_EQ(hpet_.NextEventCycle(), UINT64_MAX);
  // A comparator the counter has passed matches only after a 64-bit wrap.
  Write(Comparator(2), 50);
  EXPECT_EQ(hpet_.NextEventCycle(), UINT64_MAX);
  // Disabled interrupts: no event at all.
  Write(TimerConfig(2), Route(20));
  Write(Comparator(2), 200'000);
  EXPECT_EQ(hpet_.NextEventCycle(), UINT64_MAX);
  RunTo(300'000);
  EXPECT_EQ(pins_.size(), 1u);
}

TEST_F(HpetTest, PeriodicComparatorAddsItsPeriodAfterEachMatch) {
  Write(kConfig, 1);
  Write(TimerConfig(0), kIntEnable | kPeriodic | kValSet | Route(23));
  Write(Comparator(0), 1000);  // with Tn_VAL_SET_CNF: the comparator
  EXPECT_EQ(Read(TimerConfig(0)) & kValSet, 0u) << "clears itself";
  Write(Comparator(0), 300);  // then the period
  EXPECT_EQ(Read(Comparator(0)), 1000u);
  RunTo(1000);
  EXPECT_EQ(pins_.size(), 1u);
  EXPECT_EQ(Read(Comparator(0)), 1300u);
  RunTo(1899);
  EXPECT_EQ(pins_.size(), 3u) << "at 1300 and 1600";
  // Periods missed between updates are one interrupt; the comparator keeps step.
  hpet_.Update(kClock.CycleOfHpetTick(3000));
  EXPECT_EQ(pins_.size(), 4u);
  EXPECT_EQ(Read(Comparator(0)), 3100u);
  EXPECT_EQ(hpet_.NextEventCycle(), kClock.CycleOfHpetTick(3100));
}

TEST_F(HpetTest, LevelTriggeredTimerHoldsItsLineUntilStatusIsCleared) {
  SetEntry(21, 1 << 15);  // level-triggered at the I/O APIC too
  Write(kConfig, 1);
  Write(TimerConfig(1), kLevel | kIntEnable | Route(21));
  Write(Comparator(1), 100);
  RunTo(100);
  EXPECT_EQ(pins_, std::vector<int>{21});
  EXPECT_EQ(Read(kStatus), 1u << 1) << "T1_INT_STS";
  io_.EndOfInterrupt(0x40 + 21);  // the line is still asserted: again
  EXPECT_EQ(pins_.size(), 2u);
  Write(kStatus, 0);
  EXPECT_EQ(Read(kStatus), 1u << 1) << "writing 0 has no effect";
  Write(kStatus, 1u << 1);
  EXPECT_EQ(Read(kStatus), 0u);
  io_.EndOfInterrupt(0x40 + 21);
  EXPECT_EQ(pins_.size(), 2u) << "the line is low";
  // With the interrupt disabled the status still records the match.
  Write(TimerConfig(1), kLevel | Route(21));
  Write(Comparator(1), 200);
  RunTo(250);
  EXPECT_EQ(Read(kStatus), 1u << 1);
  EXPECT_EQ(pins_.size(), 2u);
}

TEST_F(HpetTest, LegacyReplacementRoutesTimersZeroAndOneToIrq0AndIrq8) {
  Write(kConfig, 1 | 2);
  Write(TimerConfig(0), kIntEnable | Route(20));
  Write(TimerConfig(1), kIntEnable | Route(20));
  Write(TimerConfig(2), kIntEnable | Route(20));
  Write(Comparator(0), 10);
  Write(Comparator(1), 20);
  Write(Comparator(2), 30);
  RunTo(40);
  EXPECT_EQ(pins_, (std::vector<int>{2, 8, 20})) << "IRQ0 on I/O APIC input 2; timer 2 as routed";
  EXPECT_EQ(Read(kConfig), 3u);
}

TEST_F(HpetTest, RoutesOutsideTheCapabilityAreNotTaken) {
  Write(TimerConfig(0), Route(21));
  Write(TimerConfig(0), Route(2));  // the PIT's input: not for timer 0
  EXPECT_EQ((Read(TimerConfig(0)) >> 9) & 0x1f, 21u);
  Write(TimerConfig(0), Route(11));
  EXPECT_EQ((Read(TimerConfig(0)) >> 9) & 0x1f, 21u);
  Write(TimerConfig(2), Route(11));
  EXPECT_EQ((Read(TimerConfig(2)) >> 9) & 0x1f, 11u) << "timer 2 may take input 11";
}

TEST_F(HpetTest, ThirtyTwoBitModeComparesTheLowHalfAndWraps) {
  Write(kCounter, 0xffff'ff00ull);
  Write(kConfig, 1);
  Write(TimerConfig(1), kIntEnable | kMode32 | Route(22));
  hpet_.MmioWrite(Comparator(1), 4, 0x10);  // past the 32-bit wrap
  hpet_.MmioWrite(Comparator(1) + 4, 4, 0xffff'ffff);  // the high half is ignored
  EXPECT_EQ(Read(Comparator(1)), 0x10u);
  RunTo(0x110 - 1);
  EXPECT_TRUE(pins_.empty());
  RunTo(0x110);
  EXPECT_EQ(pins_, std::vector<int>{22});
  EXPECT_EQ(Read(kCounter), 0x1'0000'0010ull) << "the main counter itself is 64-bit";
  EXPECT_EQ(hpet_.NextEventCycle(), kClock.CycleOfHpetTick(0x110 + (1ull << 32))) << "again after a 32-bit wrap";
}

TEST_F(HpetTest, DisablingTheCounterStopsEveryTimer) {
  Write(kConfig, 1);
  Write(TimerConfig(0), kIntEnable | Route(20));
  Write(Comparator(0), 100);
  Write(kConfig, 0);
  EXPECT_EQ(hpet_.NextEventCycle(), UINT64_MAX);
  RunTo(1000);
  EXPECT_TRUE(pins_.empty());
  Write(kConfig, 1);  // resumes at the count it stopped at: 0
  RunTo(1100);
  EXPECT_EQ(pins_, std::vector<int>{20});
}

}  // namespace
}  // namespace x64sim
