// Device interrupts from pin to vector: the I/O APIC's edge and level
// inputs, polarity, mask and remote IRR (82093AA datasheet), the local
// APIC's acceptance, TMR and EOI broadcast (SDM vol. 3A ch. 10), and the
// HPET's comparators raising them (IA-PC HPET 1.0a).
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "sim/hpet.h"
#include "sim/io_apic.h"
#include "sim/local_apic.h"
#include "sim/platform_clock.h"

namespace x64sim {
namespace {

constexpr uint64_t kMasked = 1ull << 16, kLevel = 1ull << 15, kActiveLow = 1ull << 13,
                   kRemoteIrr = 1ull << 14;

void WriteEntry(IoApic& a, int pin, uint64_t entry) {
  a.MmioWrite(0x00, 4, 0x11 + 2 * pin);
  a.MmioWrite(0x10, 4, entry >> 32);
  a.MmioWrite(0x00, 4, 0x10 + 2 * pin);
  a.MmioWrite(0x10, 4, entry & 0xffffffff);
}

// An I/O APIC whose messages are recorded.
class IoApicDeliveryTest : public ::testing::Test {
 protected:
  IoApicDeliveryTest() {
    io_.set_deliver([this](const ApicMessage& m) {
      sent_.push_back(m);
      return true;
    });
  }
  IoApic io_;
  std::vector<ApicMessage> sent_;
};

TEST_F(IoApicDeliveryTest, EdgeEntriesDeliverOnTheAssertingEdgeUnlessMasked) {
  WriteEntry(io_, 2, 0x30);  // edge, active high, unmasked, destination 0
  io_.SetLine(2, true);
  io_.SetLine(2, true);  // no new edge
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].vector, 0x30);
  EXPECT_FALSE(sent_[0].level);
  EXPECT_EQ(sent_[0].destination, 0);
  io_.SetLine(2, false);
  EXPECT_EQ(sent_.size(), 1u) << "the falling edge of an active-high pin";
  // Active low: the falling edge asserts; a pulse delivers once in either polarity.
  WriteEntry(io_, 2, kActiveLow | 0x31);
  io_.Pulse(2);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].vector, 0x31);
  WriteEntry(io_, 2, 0x32);
  io_.Pulse(2);
  EXPECT_EQ(sent_.size(), 3u);
  // An edge on a masked pin is lost, not held until the unmask.
  WriteEntry(io_, 2, kMasked | 0x33);
  io_.Pulse(2);
  WriteEntry(io_, 2, 0x33);
  EXPECT_EQ(sent_.size(), 3u);
  EXPECT_EQ(io_.redirection(2) & kRemoteIrr, 0u) << "edge entries have no remote IRR";
}

TEST_F(IoApicDeliveryTest, LevelEntriesDeliverOncePerEoiWhileAsserted) {
  WriteEntry(io_, 9, kMasked | kLevel | 0x41 | 3ull << 56);
  io_.SetLine(9, true);
  EXPECT_TRUE(sent_.empty()) << "masked";
  WriteEntry(io_, 9, kLevel | 0x41 | 3ull << 56);  // the unmask delivers the asserted line
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_TRUE(sent_[0].level);
  EXPECT_EQ(sent_[0].destination, 3);
  EXPECT_NE(io_.redirection(9) & kRemoteIrr, 0u);
  io_.EndOfInterrupt(0x42);  // another vector: nothing
  EXPECT_EQ(sent_.size(), 1u);
  io_.EndOfInterrupt(0x41);  // still asserted: again
  EXPECT_EQ(sent_.size(), 2u);
  io_.SetLine(9, false);
  io_.EndOfInterrupt(0x41);
  EXPECT_EQ(sent_.size(), 2u);
  EXPECT_EQ(io_.redirection(9) & kRemoteIrr, 0u);
  // Active low, level: a pin driven low is asserted.
  WriteEntry(io_, 10, kLevel | kActiveLow | 0x50);
  EXPECT_EQ(sent_.size(), 3u);
  io_.SetLine(10, true);
  io_.EndOfInterrupt(0x50);
  EXPECT_EQ(sent_.size(), 3u);
}

TEST_F(IoApicDeliveryTest, FixedLowestPriorityAndExtIntModesDeliver) {
  WriteEntry(io_, 3, 0x100 | 0x60);  // lowest priority
  io_.Pulse(3);
  WriteEntry(io_, 3, 0x200 | 0x62);  // SMI: not modelled
  io_.Pulse(3);
  WriteEntry(io_, 3, 0x700 | 0x61);  // ExtINT: the 8259 gives the vector
  io_.Pulse(3);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].vector, 0x60);
  EXPECT_FALSE(sent_[0].ext_int);
  EXPECT_TRUE(sent_[1].ext_int);
}

class LocalApicInterruptTest : public ::testing::Test {
 protected:
  LocalApicInterruptTest() {
    apic_.set_eoi_broadcast([this](uint8_t v) { eois_.push_back(v); });
    apic_.MmioWrite(0xf0, 4, 0x1ff);  // software enabled
  }
  uint32_t Read(uint64_t reg) { return static_cast<uint32_t>(apic_.MmioRead(reg, 4)); }
  LocalApic apic_{[] { return uint64_t{0}; }, [] {}};
  std::vector<uint8_t> eois_;
};

TEST_F(LocalApicInterruptTest, AcceptsItsDestinationAndDeliversByPriority) {
  EXPECT_FALSE(apic_.Accept({0x40, false, false, 1})) << "physical destination 1 is not APIC 0";
  EXPECT_TRUE(apic_.Accept({0x40, false, false, 0}));
  EXPECT_TRUE(apic_.Accept({0x51, true, false, 0xff})) << "broadcast";
  EXPECT_EQ(Read(0x200 + 0x20), 1u << 0 | 1u << 17) << "IRR: 0x40 and 0x51";
  EXPECT_EQ(Read(0x180 + 0x20), 1u << 17) << "TMR: 0x51 level-triggered";
  EXPECT_EQ(apic_.PendingVector(0), 0x51);
  apic_.Acknowledge(0x51);
  EXPECT_EQ(apic_.PendingVector(0), -1) << "0x40 is below the in-service class 5";
  apic_.MmioWrite(0xb0, 4, 0);  // EOI: 0x51 is level-triggered, so broadcast
  EXPECT_EQ(eois_, std::vector<uint8_t>{0x51});
  apic_.MmioWrite(0x80, 4, 0x40);  // TPR class 4 holds 0x40 back
  EXPECT_EQ(apic_.PendingVector(0), -1);
  apic_.MmioWrite(0x80, 4, 0);
  EXPECT_EQ(apic_.PendingVector(0), 0x40);
  apic_.Acknowledge(0x40);
  apic_.MmioWrite(0xb0, 4, 0);
  EXPECT_EQ(eois_.size(), 1u) << "edge-triggered: no broadcast";
  // Logical flat model: a bit of the destination names logical ID 2.
  apic_.MmioWrite(0xd0, 4, 0x02000000);
  EXPECT_TRUE(apic_.Accept({0x60, false, true, 0x03}));
  EXPECT_FALSE(apic_.Accept({0x61, false, true, 0x04}));
  EXPECT_TRUE(apic_.Accept({0x05, false, false, 0}));
  EXPECT_EQ(Read(0x280), 1u << 6) << "ESR: received illegal vector";
}

TEST(InterruptPathTest, AnIoApicLevelInterruptEndsWithTheLocalApicEoi) {
  LocalApic apic([] { return uint64_t{0}; }, [] {});
  apic.MmioWrite(0xf0, 4, 0x1ff);
  IoApic io;
  io.set_deliver([&](const ApicMessage& m) { return apic.Accept(m); });
  apic.set_eoi_broadcast([&](uint8_t v) { io.EndOfInterrupt(v); });
  WriteEntry(io, 11, kLevel | 0x70);
  io.SetLine(11, true);
  ASSERT_EQ(apic.PendingVector(0), 0x70);
  apic.Acknowledge(0x70);
  io.SetLine(11, false);  // the handler quietens the device
  apic.MmioWrite(0xb0, 4, 0);
  EXPECT_EQ(io.redirection(11) & kRemoteIrr, 0u);
  EXPECT_EQ(apic.PendingVector(0), -1);
}

}  // namespace
}  // namespace x64sim
