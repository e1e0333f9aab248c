// The 8259A (datasheet 231468) and the PC's cascaded pair: requests,
// masking, priority and its rotation, EOI, auto-EOI, level sensing, the
// INTA vector, spurious IR7, zero-width pulses, IRR/ISR reads and polling.
#include <cstdint>

#include "gtest/gtest.h"
#include "sim/pic8259.h"
#include "sim/pic_pair.h"

namespace x64sim {
namespace {

// ICW1-ICW4 on one chip: `icw1` extra bits (LTIM 0x08, SNGL 0x02), ICW3,
// ICW4 (AEOI 0x02).
void Initialise(Pic8259& pic, uint8_t base, uint8_t icw3, uint8_t icw4, uint8_t icw1 = 0) {
  pic.PortOut(0, 1, 0x11u | icw1);
  pic.PortOut(1, 1, base);
  if (!(icw1 & 0x02)) pic.PortOut(1, 1, icw3);
  pic.PortOut(1, 1, icw4);
}

uint8_t ReadIsr(Pic8259& pic) {
  pic.PortOut(0, 1, 0x0b);
  return static_cast<uint8_t>(pic.PortIn(0, 1));
}
uint8_t ReadIrr(Pic8259& pic) {
  pic.PortOut(0, 1, 0x0a);
  return static_cast<uint8_t>(pic.PortIn(0, 1));
}

TEST(Pic8259Test, EdgeRequestIsServedByPriorityAndNestsUntilEoi) {
  Pic8259 pic;
  Initialise(pic, 0x20, 0x00, 0x01, 0x02);
  pic.SetInput(3, true);
  pic.SetInput(5, true);
  EXPECT_EQ(ReadIrr(pic), 0x28);
  ASSERT_TRUE(pic.Interrupt());
  EXPECT_EQ(pic.Selected(), 3) << "lower IR numbers have higher priority";
  EXPECT_EQ(pic.Vector(pic.Acknowledge()), 0x23);
  EXPECT_EQ(ReadIsr(pic), 0x08);
  EXPECT_EQ(ReadIrr(pic), 0x20) << "INTA clears the edge request";
  EXPECT_FALSE(pic.Interrupt()) << "IR5 waits below IR3 in service";
  pic.SetInput(1, true);
  EXPECT_TRUE(pic.Interrupt()) << "a higher level nests";
  EXPECT_EQ(pic.Acknowledge(), 1);
  pic.PortOut(0, 1, 0x20);  // non-specific EOI: the highest in service, IR1
  EXPECT_EQ(ReadIsr(pic), 0x08);
  pic.PortOut(0, 1, 0x63);  // specific EOI for IR3
  EXPECT_EQ(ReadIsr(pic), 0x00);
  EXPECT_EQ(pic.Acknowledge(), 5);
  pic.SetInput(3, false);
  pic.SetInput(3, true);
  EXPECT_EQ(pic.Selected(), 3) << "a new rising edge requests again";
}

TEST(Pic8259Test, MaskedInputsDoNotInterruptButStayRequested) {
  Pic8259 pic;
  Initialise(pic, 0x20, 0x00, 0x01, 0x02);
  pic.PortOut(1, 1, 0x01);  // OCW1: mask IR0
  pic.SetInput(0, true);
  EXPECT_FALSE(pic.Interrupt());
  EXPECT_EQ(ReadIrr(pic), 0x01);
  pic.PortOut(1, 1, 0x00);
  EXPECT_TRUE(pic.Interrupt());
}

TEST(Pic8259Test, VanishedRequestReadsAsSpuriousIr7WithNothingInService) {
  Pic8259 pic;
  Initialise(pic, 0x08, 0x00, 0x01, 0x02);
  pic.SetInput(4, true);
  pic.SetInput(4, false);  // gone before INTA
  EXPECT_EQ(pic.Vector(pic.Acknowledge()), 0x0f);
  EXPECT_EQ(ReadIsr(pic), 0x00);
}

TEST(Pic8259Test, LevelTriggeredInputRequestsAgainAfterEoiWhileHigh) {
  Pic8259 pic;
  Initialise(pic, 0x20, 0x00, 0x01, 0x02 | 0x08);
  pic.SetInput(6, true);
  EXPECT_EQ(pic.Acknowledge(), 6);
  EXPECT_FALSE(pic.Interrupt());
  pic.PortOut(0, 1, 0x20);
  EXPECT_TRUE(pic.Interrupt()) << "still high";
  pic.SetInput(6, false);
  EXPECT_FALSE(pic.Interrupt());
}

// x64sim's reading of the hold time for a pulse of no width (pic8259.cc):
// one request, served by one INTA, in either sensing mode.
TEST(Pic8259Test, ZeroWidthPulseIsOneRequestServedOnce) {
  Pic8259 pic;
  Initialise(pic, 0x20, 0x00, 0x01, 0x02);
  pic.PulseInput(4);
  pic.PulseInput(4);
  EXPECT_EQ(ReadIrr(pic), 0x10) << "latched although the input is low again";
  EXPECT_EQ(pic.Acknowledge(), 4) << "not spurious";
  EXPECT_EQ(ReadIrr(pic), 0x00) << "two pulses before the INTA are one request";
  pic.PortOut(0, 1, 0x20);
  EXPECT_FALSE(pic.Interrupt());
  pic.SetInput(4, true);
  pic.PulseInput(4);
  EXPECT_EQ(pic.Acknowledge(), 4) << "the rising edge's request";
  pic.PortOut(0, 1, 0x20);
  EXPECT_FALSE(pic.Interrupt()) << "a pulse on a line already high is no edge";

  Pic8259 level;
  Initialise(level, 0x20, 0x00, 0x01, 0x02 | 0x08);
  level.PulseInput(6);
  EXPECT_EQ(level.Acknowledge(), 6);
  level.PortOut(0, 1, 0x20);
  EXPECT_FALSE(level.Interrupt()) << "level-sensed: the pulse is over after its INTA";
}

TEST(Pic8259Test, AutoEoiLeavesNothingInService) {
  Pic8259 pic;
  Initialise(pic, 0x20, 0x00, 0x03, 0x02);
  pic.SetInput(2, true);
  EXPECT_EQ(pic.Acknowledge(), 2);
  EXPECT_EQ(ReadIsr(pic), 0x00);
  pic.SetInput(7, true);
  EXPECT_TRUE(pic.Interrupt()) << "no in-service level blocks IR7";
}

TEST(Pic8259Test, RotationMovesTheLowestPriority) {
  Pic8259 pic;
  Initialise(pic, 0x20, 0x00, 0x01, 0x02);
  pic.SetInput(1, true);
  pic.SetInput(4, true);
  EXPECT_EQ(pic.Acknowledge(), 1);
  pic.PortOut(0, 1, 0xa0);  // rotate on non-specific EOI: IR1 becomes the lowest
  pic.SetInput(1, false);
  pic.SetInput(1, true);
  EXPECT_EQ(pic.Selected(), 4) << "IR2 is now the highest priority, then 3, 4";
  pic.PortOut(0, 1, 0xc5);  // set priority: IR5 lowest, IR6 highest
  pic.SetInput(6, true);
  EXPECT_EQ(pic.Selected(), 6);
}

TEST(Pic8259Test, PollReadAcknowledges) {
  Pic8259 pic;
  Initialise(pic, 0x20, 0x00, 0x01, 0x02);
  pic.PortOut(0, 1, 0x0c);  // OCW3: poll
  EXPECT_EQ(pic.PortIn(0, 1), 0x00u) << "nothing requests";
  pic.SetInput(5, true);
  pic.PortOut(0, 1, 0x0c);
  EXPECT_EQ(pic.PortIn(0, 1), 0x85u);
  EXPECT_EQ(ReadIsr(pic), 0x20);
}

TEST(PicPairTest, SlaveRequestCascadesThroughMasterIr2) {
  int changes = 0;
  PicPair pics([] {}, [&changes] { ++changes; });
  Initialise(pics.master(), 0x20, 0x04, 0x01);
  Initialise(pics.slave(), 0x28, 0x02, 0x01);
  pics.SetIrq(12, true);
  EXPECT_TRUE(pics.Interrupt());
  EXPECT_GT(changes, 0);
  EXPECT_EQ(pics.PeekVector(), 0x2c);
  EXPECT_EQ(pics.Acknowledge(), 0x2c);
  EXPECT_EQ(ReadIsr(pics.master()), 0x04);
  EXPECT_EQ(ReadIsr(pics.slave()), 0x10);
  pics.SetIrq(0, true);
  EXPECT_EQ(pics.Acknowledge(), 0x20) << "IR0 above the cascade in service";
  pics.SetIrq(9, true);
  EXPECT_FALSE(pics.Interrupt()) << "the master holds IR2 in service (not special fully nested)";
  pics.slave().PortOut(0, 1, 0x20);
  pics.master().PortOut(0, 1, 0x20);  // IR0
  EXPECT_FALSE(pics.Interrupt()) << "IR2 is still in service at the master";
  pics.master().PortOut(0, 1, 0x20);  // IR2
  EXPECT_TRUE(pics.Interrupt()) << "INT rises again: the slave's IR1";
  EXPECT_EQ(pics.Acknowledge(), 0x29);
}

TEST(PicPairTest, MaskedAtResetAndAfterAKernelMasksAll) {
  PicPair pics([] {}, [] {});
  pics.SetIrq(0, true);
  EXPECT_FALSE(pics.Interrupt()) << "masked until programmed";
  Initialise(pics.master(), 0x20, 0x04, 0x01);
  pics.master().PortOut(1, 1, 0xff);
  pics.SetIrq(0, false);
  pics.SetIrq(0, true);
  EXPECT_FALSE(pics.Interrupt());
}

}  // namespace
}  // namespace x64sim
