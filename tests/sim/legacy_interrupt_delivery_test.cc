// The legacy interrupt path of the PC as the core sees it: the PIT's IRQ0
// through the 8259 pair or the I/O APIC's input 2, the 8259's INTR through
// LVT LINT0 or an I/O APIC entry in ExtINT mode, or straight to the CPU
// while the local APIC is globally disabled (SDM vol. 3A 10.4.3, 10.5.1);
// the HPET's legacy replacement taking IRQ0 and IRQ8 on both controllers,
// and a PIT left counting beside an HPET timer on its own input.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "sim/hpet.h"
#include "sim/interrupt_lines.h"
#include "sim/io_apic.h"
#include "sim/local_apic.h"
#include "sim/pic_pair.h"
#include "sim/pit8254.h"
#include "sim/platform_clock.h"
#include "sim/platform_interrupts.h"

namespace x64sim {
namespace {

constexpr PlatformClock kClock;  // the default 3.4 GHz core

constexpr uint32_t kLvtLint0 = 0x350, kSvr = 0xf0, kTpr = 0x80;
constexpr uint32_t kExtInt = 7u << 8, kMasked = 1u << 16;

// The machine's wiring (sim/machine.cc) with the core's clock in now_.
class LegacyInterruptTest : public ::testing::Test {
 protected:
  LegacyInterruptTest() {
    io_.set_deliver([this](const ApicMessage& m) { return apic_.Accept(m); });
    apic_.set_eoi_broadcast([this](uint8_t vector) { io_.EndOfInterrupt(vector); });
    apic_.MmioWrite(kSvr, 4, 0x1ff);  // software enabled
  }
  void InitialiseMaster(uint8_t mask) {
    Pic8259& m = pics_.master();
    m.PortOut(0, 1, 0x11);
    m.PortOut(1, 1, 0x20);
    m.PortOut(1, 1, 0x04);
    m.PortOut(1, 1, 0x01);
    m.PortOut(1, 1, mask);
  }
  void ProgramPitMode2(uint16_t count) {
    pit_.PortOut(3, 1, 0x34);
    pit_.PortOut(0, 1, count & 0xff);
    pit_.PortOut(0, 1, count >> 8);
  }
  void InitialiseSlave(uint8_t mask) {
    Pic8259& s = pics_.slave();
    s.PortOut(0, 1, 0x11);
    s.PortOut(1, 1, 0x28);
    s.PortOut(1, 1, 0x02);
    s.PortOut(1, 1, 0x01);
    s.PortOut(1, 1, mask);
  }
  void WriteHpet(uint64_t reg, uint64_t value) { hpet_.MmioWrite(reg, 8, value); }
  uint64_t ReadHpet(uint64_t reg) { return hpet_.MmioRead(reg, 8); }
  // Runs the clock to `end` event by event as the core does, taking every
  // interrupt as it comes and ending it: an EOI to the local APIC for the
  // I/O APIC's vectors (0x40 up), to the 8259s for theirs. Returns how many
  // of each vector were taken.
  std::vector<int> TakeUntil(uint64_t end) {
    std::vector<int> taken(256);
    for (;;) {
      const int vector = interrupts_.PendingVector(now_);
      if (vector >= 0) {
        interrupts_.Acknowledge(vector);
        ++taken[vector];
        if (vector >= 0x40) {
          apic_.MmioWrite(0xb0, 4, 0);
        } else {
          if (vector >= 0x28) pics_.slave().PortOut(0, 1, 0x20);
          pics_.master().PortOut(0, 1, 0x20);
        }
        continue;
      }
      if (now_ == end) return taken;
      now_ = std::min(end, std::max(now_, interrupts_.NextEventCycle()));
    }
  }
  void WriteEntry(int pin, uint64_t entry) {
    io_.MmioWrite(0x00, 4, 0x11 + 2 * pin);
    io_.MmioWrite(0x10, 4, entry >> 32);
    io_.MmioWrite(0x00, 4, 0x10 + 2 * pin);
    io_.MmioWrite(0x10, 4, entry & 0xffffffff);
  }

  uint64_t now_ = 0;
  bool apic_enabled_ = true;
  LocalApic apic_{[this] { return now_; }, [] {}};
  IoApic io_;
  PicPair pics_{[] {}, [this] { lines_.SetIoApicInput(kPicIntrSource, 0, pics_.Interrupt()); }};
  InterruptLines lines_{pics_, io_};
  Hpet hpet_{kClock, [this] { return now_; }, lines_, [] {}};
  Pit8254 pit_{kClock, [this] { return kClock.PitTicks(now_); },
               [this](bool level) { lines_.SetIsaIrq(kPitSource, 0, level); }, [] {}};
  PlatformInterrupts interrupts_{apic_, hpet_, pit_, pics_, [this] { return apic_enabled_; }};
};

TEST_F(LegacyInterruptTest, WithTheApicGloballyDisabledThe8259InterruptsTheCpu) {
  apic_enabled_ = false;
  ProgramPitMode2(100);  // loaded at tick 1: low at 100, rising at 101
  InitialiseMaster(0xfe);
  EXPECT_EQ(interrupts_.PendingVector(0), -1);
  EXPECT_EQ(interrupts_.NextEventCycle(), kClock.CycleOfPitTick(100));
  EXPECT_EQ(interrupts_.PendingVector(kClock.CycleOfPitTick(100)), -1) << "the falling edge";
  EXPECT_EQ(interrupts_.NextEventCycle(), kClock.CycleOfPitTick(101));
  ASSERT_EQ(interrupts_.PendingVector(kClock.CycleOfPitTick(101)), 0x20);
  interrupts_.Acknowledge(0x20);
  EXPECT_EQ(pics_.master().in_service(), 0x01);
  EXPECT_EQ(interrupts_.PendingVector(kClock.CycleOfPitTick(250)), -1) << "IR0 in service";
  pics_.master().PortOut(0, 1, 0x20);
  EXPECT_EQ(interrupts_.PendingVector(kClock.CycleOfPitTick(250)), 0x20) << "the next period's edge";
}

TEST_F(LegacyInterruptTest, Lint0InExtIntModeTakesThe8259VectorAboveTheTpr) {
  InitialiseMaster(0xfe);
  pics_.SetIrq(0, true);
  EXPECT_EQ(interrupts_.PendingVector(0), -1) << "LINT0 masked at reset";
  apic_.MmioWrite(kLvtLint0, 4, kExtInt);
  apic_.MmioWrite(kTpr, 4, 0xf0);
  ASSERT_EQ(interrupts_.PendingVector(0), 0x20);
  interrupts_.Acknowledge(0x20);
  EXPECT_EQ(pics_.master().in_service(), 0x01);
  EXPECT_EQ(apic_.MmioRead(0x110, 4), 0u) << "nothing in the APIC's ISR";
  apic_.MmioWrite(kLvtLint0, 4, kExtInt | kMasked);
  pics_.master().PortOut(0, 1, 0x20);
  pics_.SetIrq(0, false);
  pics_.SetIrq(0, true);
  EXPECT_EQ(interrupts_.PendingVector(0), -1) << "masked LINT0";
}

TEST_F(LegacyInterruptTest, Irq0ReachesIoApicInput2AndTheApicVectorsComeFirst) {
  InitialiseMaster(0xff);  // masked, as our kernel and seL4 leave it
  apic_.MmioWrite(kLvtLint0, 4, kExtInt);
  WriteEntry(2, 0x40);  // fixed, edge, active high, APIC 0
  ProgramPitMode2(100);
  EXPECT_EQ(interrupts_.PendingVector(0), 0x40) << "the control word's rising edge";
  interrupts_.Acknowledge(0x40);
  apic_.MmioWrite(0xb0, 4, 0);  // EOI
  EXPECT_EQ(interrupts_.PendingVector(kClock.CycleOfPitTick(100)), -1);
  EXPECT_EQ(interrupts_.PendingVector(kClock.CycleOfPitTick(101)), 0x40);
  interrupts_.Acknowledge(0x40);
  EXPECT_EQ(pics_.master().requests(), 0x01) << "the 8259 saw the edge but IR0 is masked";
  EXPECT_EQ(interrupts_.PendingVector(kClock.CycleOfPitTick(101)), -1);
}

TEST_F(LegacyInterruptTest, IoApicExtIntEntryCarriesThe8259Interrupt) {
  InitialiseMaster(0xfe);
  WriteEntry(0, kExtInt);  // edge, APIC 0
  pics_.SetIrq(0, true);
  ASSERT_EQ(interrupts_.PendingVector(0), 0x20);
  interrupts_.Acknowledge(0x20);
  EXPECT_EQ(interrupts_.PendingVector(0), -1);
  // A request that vanishes before the INTA cycle reads as IR7.
  pics_.master().PortOut(0, 1, 0x20);
  pics_.SetIrq(0, false);
  pics_.SetIrq(0, true);
  pics_.SetIrq(0, false);
  EXPECT_EQ(interrupts_.PendingVector(0), 0x27);
  interrupts_.Acknowledge(0x27);
  EXPECT_EQ(pics_.master().in_service(), 0x00);
}

// HPET register offsets and Tn_CONFIG bits (HPET 1.0a 2.3.1, 2.3.8).
constexpr uint64_t kHpetConfig = 0x10, kHpetStatus = 0x20;
constexpr uint64_t HpetTimerConfig(int n) { return 0x100 + 0x20 * n; }
constexpr uint64_t HpetComparator(int n) { return 0x108 + 0x20 * n; }
constexpr uint64_t kEnableCnf = 1, kLegacyCnf = 2;
constexpr uint64_t kTnLevel = 1 << 1, kTnEnable = 1 << 2, kTnPeriodic = 1 << 3, kTnValSet = 1 << 6;
constexpr uint64_t HpetRoute(int pin) { return static_cast<uint64_t>(pin) << 9; }
constexpr uint64_t kIoApicActiveLow = 1 << 13;

TEST_F(LegacyInterruptTest, HpetTimer1InLegacyModeRaisesIrq8OnTheSlaveAndIoApicInput8) {
  InitialiseMaster(0xfb);  // the cascade input only
  InitialiseSlave(0xfe);   // IRQ8
  apic_.MmioWrite(kLvtLint0, 4, kExtInt);
  WriteEntry(8, 0x48);  // fixed, edge
  WriteEntry(20, 0x54);
  WriteHpet(HpetTimerConfig(1), kTnEnable | kTnPeriodic | kTnValSet | HpetRoute(20));
  WriteHpet(HpetComparator(1), 1000);
  WriteHpet(HpetComparator(1), 1000);
  WriteHpet(kHpetConfig, kEnableCnf | kLegacyCnf);
  const std::vector<int> taken = TakeUntil(kClock.CycleOfHpetTick(3500));
  EXPECT_EQ(taken[0x28], 3) << "slave IR0, once per period";
  EXPECT_EQ(taken[0x48], 3) << "I/O APIC input 8, once per period";
  EXPECT_EQ(taken[0x54], 0) << "not on its Tn_INT_ROUTE_CNF pin";
  EXPECT_EQ(taken[0x20], 0) << "nor on IRQ0";
}

// LEG_RT_CNF set while timer 0 counts, then cleared: IRQ0 goes to the HPET
// and back to the PIT, and the timer's pulses follow.
TEST_F(LegacyInterruptTest, LegacyReplacementTakesIrq0MidCountAndHandsItBack) {
  ProgramPitMode2(1000);  // rising edges at PIT ticks 1001, 2001, ...
  InitialiseMaster(0xfe);
  apic_.MmioWrite(kLvtLint0, 4, kExtInt);
  WriteEntry(2, 0x42);
  WriteEntry(20, 0x54);
  WriteHpet(HpetTimerConfig(0), kTnEnable | kTnPeriodic | kTnValSet | HpetRoute(20));
  WriteHpet(HpetComparator(0), 100'000);  // one match every 100,000 HPET ticks
  WriteHpet(HpetComparator(0), 100'000);
  WriteHpet(kHpetConfig, kEnableCnf);
  // A PIT tick is 83.8 HPET ticks: its edges fall at HPET ticks 83,893,
  // 167,703, 251,513, 335,322, 419,132, 502,941, 586,751, 670,561, 754,370.
  std::vector<int> taken = TakeUntil(kClock.CycleOfHpetTick(250'000));
  EXPECT_EQ(taken[0x20], 2) << "the PIT through the 8259";
  EXPECT_EQ(taken[0x42], 2) << "the PIT on input 2";
  EXPECT_EQ(taken[0x54], 2) << "the HPET on its route";

  WriteHpet(kHpetConfig, kEnableCnf | kLegacyCnf);
  EXPECT_FALSE(lines_.isa_irq_high(0)) << "the PIT's high output is cut off";
  taken = TakeUntil(kClock.CycleOfHpetTick(550'000));
  EXPECT_EQ(taken[0x20], 3) << "the HPET's matches at 300k, 400k and 500k, none of the PIT's";
  EXPECT_EQ(taken[0x42], 3);
  EXPECT_EQ(taken[0x54], 0);

  // The PIT's output is high at 550k: reconnecting it is a rising edge on
  // IRQ0, one interrupt at once, as the multiplexer's switch would give.
  WriteHpet(kHpetConfig, kEnableCnf);
  taken = TakeUntil(kClock.CycleOfHpetTick(790'000));
  EXPECT_EQ(taken[0x20], 1 + 3) << "the switch, then the PIT's edges";
  EXPECT_EQ(taken[0x42], 1 + 3);
  EXPECT_EQ(taken[0x54], 2) << "the HPET back on its route at 600k and 700k";
}

// A level-triggered timer holding IRQ0 lets go of it when LEG_RT_CNF
// clears, and holds its routed input instead: no line is left stuck high.
TEST_F(LegacyInterruptTest, LevelTimerMovesItsLineWithLegacyReplacement) {
  WriteHpet(HpetTimerConfig(0), kTnLevel | kTnEnable | HpetRoute(20));
  WriteHpet(HpetComparator(0), 10);
  WriteHpet(kHpetConfig, kEnableCnf | kLegacyCnf);
  TakeUntil(kClock.CycleOfHpetTick(20));
  EXPECT_TRUE(lines_.isa_irq_high(0));
  EXPECT_TRUE(lines_.io_apic_input_high(2));
  WriteHpet(kHpetConfig, kEnableCnf);
  EXPECT_FALSE(lines_.isa_irq_high(0)) << "the PIT, never programmed, drives it low";
  EXPECT_FALSE(lines_.io_apic_input_high(2));
  EXPECT_TRUE(lines_.io_apic_input_high(20));
  WriteHpet(kHpetConfig, kEnableCnf | kLegacyCnf);
  EXPECT_TRUE(lines_.isa_irq_high(0));
  EXPECT_FALSE(lines_.io_apic_input_high(20));
  WriteHpet(kHpetStatus, 1);
  EXPECT_FALSE(lines_.isa_irq_high(0)) << "status cleared";
  EXPECT_FALSE(lines_.io_apic_input_high(20));
}

// sel4test's HPET driver routes timer 0 to the first input its capability
// allows, edge-triggered and active low, and cannot stop the PIT, which the
// kernel left counting in mode 2 with its output high. The chipset keeps the
// two apart (timer 0 may not take input 2), so every match is heard.
TEST_F(LegacyInterruptTest, HpetTimer0NeverSharesThePitInput) {
  ProgramPitMode2(1000);  // output high but for one tick a period
  const uint64_t capability = ReadHpet(HpetTimerConfig(0)) >> 32;
  const int pin = std::countr_zero(capability);
  ASSERT_NE(pin, 2) << "Tn_INT_ROUTE_CAP offers the PIT's input";
  WriteEntry(pin, 0x54 | kIoApicActiveLow);
  WriteHpet(HpetTimerConfig(0), kTnEnable | kTnPeriodic | kTnValSet | HpetRoute(pin));
  WriteHpet(HpetComparator(0), 100'000);
  WriteHpet(HpetComparator(0), 100'000);
  WriteHpet(kHpetConfig, kEnableCnf);
  const std::vector<int> taken = TakeUntil(kClock.CycleOfHpetTick(350'000));
  EXPECT_TRUE(lines_.io_apic_input_high(2)) << "the PIT holds its own input";
  EXPECT_EQ(taken[0x54], 3) << "the matches at 100k, 200k and 300k";
}

}  // namespace
}  // namespace x64sim
