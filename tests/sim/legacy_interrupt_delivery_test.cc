// The legacy interrupt path of the PC as the core sees it: the PIT's IRQ0
// through the 8259 pair or the I/O APIC's input 2, the 8259's INTR through
// LVT LINT0 or an I/O APIC entry in ExtINT mode, or straight to the CPU
// while the local APIC is globally disabled (SDM vol. 3A 10.4.3, 10.5.1).
#include <cstdint>

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

constexpr uint32_t kLvtLint0 = 0x350, kSvr = 0xf0, kTpr = 0x80;
constexpr uint32_t kExtInt = 7u << 8, kMasked = 1u << 16;

// The machine's wiring (sim/machine.cc) with the core's clock in now_.
class LegacyInterruptTest : public ::testing::Test {
 protected:
  LegacyInterruptTest() {
    io_.set_deliver([this](const ApicMessage& m) { return apic_.Accept(m); });
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
  Hpet hpet_{[this] { return now_; }, lines_, [] {}};
  Pit8254 pit_{[this] { return PitTicks(now_); },
               [this](bool level) { lines_.SetIsaIrq(kPitSource, 0, level); }, [] {}};
  PlatformInterrupts interrupts_{apic_, hpet_, pit_, pics_, [this] { return apic_enabled_; }};
};

TEST_F(LegacyInterruptTest, WithTheApicGloballyDisabledThe8259InterruptsTheCpu) {
  apic_enabled_ = false;
  ProgramPitMode2(100);  // loaded at tick 1: low at 100, rising at 101
  InitialiseMaster(0xfe);
  EXPECT_EQ(interrupts_.PendingVector(0), -1);
  EXPECT_EQ(interrupts_.NextEventCycle(), CycleOfPitTick(100));
  EXPECT_EQ(interrupts_.PendingVector(CycleOfPitTick(100)), -1) << "the falling edge";
  EXPECT_EQ(interrupts_.NextEventCycle(), CycleOfPitTick(101));
  ASSERT_EQ(interrupts_.PendingVector(CycleOfPitTick(101)), 0x20);
  interrupts_.Acknowledge(0x20);
  EXPECT_EQ(pics_.master().in_service(), 0x01);
  EXPECT_EQ(interrupts_.PendingVector(CycleOfPitTick(250)), -1) << "IR0 in service";
  pics_.master().PortOut(0, 1, 0x20);
  EXPECT_EQ(interrupts_.PendingVector(CycleOfPitTick(250)), 0x20) << "the next period's edge";
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
  EXPECT_EQ(interrupts_.PendingVector(CycleOfPitTick(100)), -1);
  EXPECT_EQ(interrupts_.PendingVector(CycleOfPitTick(101)), 0x40);
  interrupts_.Acknowledge(0x40);
  EXPECT_EQ(pics_.master().requests(), 0x01) << "the 8259 saw the edge but IR0 is masked";
  EXPECT_EQ(interrupts_.PendingVector(CycleOfPitTick(101)), -1);
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

}  // namespace
}  // namespace x64sim
