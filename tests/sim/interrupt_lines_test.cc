// The PC's shared interrupt lines (sim/interrupt_lines.h): each ISA line
// and I/O APIC input is the wired-OR of its sources, reaching the 8259 pair
// and the I/O APIC only when its level changes; pulses are edges only on a
// low line; a disconnected source's level comes back when it reconnects;
// and the lines' state survives a checkpoint.
#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "gtest/gtest.h"
#include "sim/interrupt_lines.h"
#include "sim/io_apic.h"
#include "sim/pic_pair.h"

namespace x64sim {
namespace {

constexpr uint64_t kLevelTriggered = 1 << 15;

// The lines between an 8259 pair (both chips programmed, every input
// unmasked, the master level-sensed so its IRR shows IRQ0-7's levels) and
// an I/O APIC whose input n delivers vector 0x40 + n, recorded.
class InterruptLinesTest : public ::testing::Test {
 protected:
  InterruptLinesTest() {
    io_.set_deliver([this](const ApicMessage& m) {
      pins_.push_back(m.vector - 0x40);
      return true;
    });
    for (int pin = 0; pin < IoApic::kEntries; ++pin) SetEntry(pin, 0);
    for (Pic8259* pic : {&pics_.master(), &pics_.slave()}) {
      const bool master = pic == &pics_.master();
      pic->PortOut(0, 1, master ? 0x19 : 0x11);  // ICW1 (the master with LTIM)
      pic->PortOut(1, 1, master ? 0x20 : 0x28);
      pic->PortOut(1, 1, master ? 0x04 : 0x02);
      pic->PortOut(1, 1, 0x01);
      pic->PortOut(1, 1, 0x00);
    }
  }
  void SetEntry(int pin, uint64_t flags) {
    io_.MmioWrite(0x00, 4, 0x10 + 2 * pin);
    io_.MmioWrite(0x10, 4, (0x40 + pin) | flags);
  }

  IoApic io_;
  PicPair pics_{[] {}, [] {}};
  InterruptLines lines_{pics_, io_};
  std::vector<int> pins_;
};

TEST_F(InterruptLinesTest, ALineSharedByTwoLevelSourcesStaysHighUntilBothLowerIt) {
  SetEntry(5, kLevelTriggered);
  lines_.SetIsaIrq(kPitSource, 5, true);
  lines_.SetIsaIrq(kHpetSource, 5, true);
  EXPECT_EQ(pins_, std::vector<int>{5}) << "one rising edge, one message until the EOI";
  EXPECT_EQ(pics_.master().requests(), 0x20);
  lines_.SetIsaIrq(kPitSource, 5, false);
  EXPECT_TRUE(lines_.isa_irq_high(5)) << "the other source still holds it";
  EXPECT_TRUE(lines_.io_apic_input_high(5));
  EXPECT_EQ(pics_.master().requests(), 0x20) << "the 8259's input stays high";
  io_.EndOfInterrupt(0x45);
  EXPECT_EQ(pins_.size(), 2u) << "still asserted after the EOI: delivered again";
  lines_.SetIsaIrq(kPitSource, 5, false);
  EXPECT_TRUE(lines_.isa_irq_high(5)) << "lowering twice changes nothing";
  lines_.SetIsaIrq(kHpetSource, 5, false);
  EXPECT_FALSE(lines_.isa_irq_high(5));
  EXPECT_EQ(pics_.master().requests(), 0x00);
  io_.EndOfInterrupt(0x45);
  EXPECT_EQ(pins_.size(), 2u) << "low: nothing more";
}

TEST_F(InterruptLinesTest, AnIsaLineAndADeviceShareTheIoApicInputItIsRoutedTo) {
  lines_.SetIsaIrq(kPitSource, 0, true);  // IRQ0 enters on input 2
  lines_.SetIoApicInput(kHpetSource, 2, true);
  lines_.SetIsaIrq(kPitSource, 0, false);
  EXPECT_TRUE(lines_.io_apic_input_high(2));
  lines_.SetIoApicInput(kHpetSource, 2, false);
  EXPECT_FALSE(lines_.io_apic_input_high(2));
  EXPECT_EQ(pins_, std::vector<int>{2}) << "edge-triggered: the one rising edge";
}

TEST_F(InterruptLinesTest, APulseIsAnEdgeOnlyOnALowLine) {
  lines_.PulseIsaIrq(8);
  EXPECT_EQ(pins_, std::vector<int>{8});
  EXPECT_EQ(pics_.slave().requests(), 0x01) << "slave IR0 latched the pulse";
  EXPECT_FALSE(lines_.isa_irq_high(8)) << "and the line is low again";
  pics_.Acknowledge();
  lines_.SetIsaIrq(kPitSource, 8, true);
  pics_.slave().PortOut(0, 1, 0x20);
  pics_.master().PortOut(0, 1, 0x20);
  pics_.Acknowledge();
  pics_.slave().PortOut(0, 1, 0x20);
  pics_.master().PortOut(0, 1, 0x20);
  const size_t before = pins_.size();
  lines_.PulseIsaIrq(8);
  lines_.PulseIoApicInput(8);
  EXPECT_EQ(pins_.size(), before) << "a line held high sees no edge";
  EXPECT_EQ(pics_.slave().requests(), 0x00);
}

TEST_F(InterruptLinesTest, ADisconnectedSourceKeepsItsLevelForWhenItReconnects) {
  lines_.SetIsaIrq(kPitSource, 0, true);
  lines_.ConnectIsaSource(kPitSource, false);
  EXPECT_FALSE(lines_.isa_irq_high(0));
  EXPECT_FALSE(lines_.io_apic_input_high(2));
  lines_.SetIsaIrq(kHpetSource, 0, true);
  lines_.SetIsaIrq(kPitSource, 0, false);
  lines_.SetIsaIrq(kPitSource, 0, true);
  EXPECT_EQ(pins_, (std::vector<int>{2, 2})) << "the PIT's second edge did not reach the line";
  lines_.SetIsaIrq(kHpetSource, 0, false);
  lines_.ConnectIsaSource(kPitSource, true);
  EXPECT_TRUE(lines_.isa_irq_high(0));
  EXPECT_EQ(pins_, (std::vector<int>{2, 2, 2})) << "reconnecting a high output is a rising edge";
}

TEST_F(InterruptLinesTest, TheSourcesOfEachLineSurviveACheckpoint) {
  lines_.SetIsaIrq(kPitSource, 0, true);
  lines_.ConnectIsaSource(kPitSource, false);
  lines_.SetIsaIrq(kHpetSource, 8, true);
  lines_.SetIoApicInput(kHpetSource, 20, true);
  lines_.SetIoApicInput(kPicIntrSource, 20, true);
  StateArchive save = StateArchive::ForSaving();
  lines_.Serialize(save);

  IoApic io;
  PicPair pics{[] {}, [] {}};
  InterruptLines restored{pics, io};
  StateArchive load = StateArchive::ForLoading(save.bytes());
  restored.Serialize(load);
  ASSERT_TRUE(load.ok()) << load.error();
  EXPECT_TRUE(load.consumed());
  for (int irq = 0; irq < 16; ++irq) EXPECT_EQ(restored.isa_irq_high(irq), lines_.isa_irq_high(irq)) << irq;
  for (int pin = 0; pin < IoApic::kEntries; ++pin) {
    EXPECT_EQ(restored.io_apic_input_high(pin), lines_.io_apic_input_high(pin)) << pin;
  }
  restored.SetIoApicInput(kHpetSource, 20, false);
  EXPECT_TRUE(restored.io_apic_input_high(20)) << "its other source still holds input 20";
  restored.SetIsaIrq(kHpetSource, 8, false);
  EXPECT_FALSE(restored.io_apic_input_high(8));
  restored.ConnectIsaSource(kPitSource, true);
  EXPECT_TRUE(restored.isa_irq_high(0)) << "the disconnected PIT's level was kept";
  EXPECT_TRUE(restored.io_apic_input_high(2));

  StateArchive truncated = StateArchive::ForLoading(std::string_view(save.bytes()).substr(0, 10));
  restored.Serialize(truncated);
  EXPECT_FALSE(truncated.ok()) << "a short section is refused";
}

}  // namespace
}  // namespace x64sim
