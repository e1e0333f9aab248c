// The port I/O space: each access goes to the device that claimed the port,
// at the port's offset within the device's range; the first device to
// claim a port keeps it; unclaimed ports read as all ones, ignore writes
// and are counted.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "sim/port_bus.h"

namespace x64sim {
namespace {

class RecordingDevice : public PortDevice {
 public:
  explicit RecordingDevice(uint32_t reads_as) : reads_as_(reads_as) {}
  uint32_t PortIn(uint16_t offset, int) override {
    ins.push_back(offset);
    return reads_as_;
  }
  void PortOut(uint16_t offset, int, uint32_t value) override {
    outs.push_back({offset, value});
  }
  struct Write {
    uint16_t offset;
    uint32_t value;
    bool operator==(const Write&) const = default;
  };
  std::vector<uint16_t> ins;
  std::vector<Write> outs;

 private:
  uint32_t reads_as_;
};

TEST(PortBusTest, AccessesReachTheClaimingDeviceAtTheirOffset) {
  PortBus bus;
  RecordingDevice pit(0x12), com1(0x34), last(0x56);
  bus.Map(0x40, 4, &pit);
  bus.Map(0x3f8, 8, &com1);
  bus.Map(0xfffe, 2, &last);
  EXPECT_EQ(bus.In(0x43, 1), 0x12u);
  EXPECT_EQ(bus.In(0x3ff, 1), 0x34u);
  EXPECT_EQ(bus.In(0xffff, 2), 0x56u);
  bus.Out(0x40, 1, 7);
  bus.Out(0x3f8, 1, 'x');
  EXPECT_EQ(pit.ins, (std::vector<uint16_t>{3}));
  EXPECT_EQ(com1.ins, (std::vector<uint16_t>{7}));
  EXPECT_EQ(last.ins, (std::vector<uint16_t>{1}));
  EXPECT_EQ(pit.outs, (std::vector<RecordingDevice::Write>{{0, 7}}));
  EXPECT_EQ(com1.outs, (std::vector<RecordingDevice::Write>{{0, 'x'}}));
  EXPECT_EQ(bus.unclaimed_accesses(), 0u);
}

TEST(PortBusTest, UnclaimedPortsReadAllOnesAndAreCounted) {
  PortBus bus;
  RecordingDevice pit(0);
  bus.Map(0x40, 4, &pit);
  EXPECT_EQ(bus.In(0x44, 1), 0xffu);  // just past the range
  EXPECT_EQ(bus.In(0x3f, 2), 0xffffu);
  EXPECT_EQ(bus.In(0x80, 4), 0xffffffffu);
  bus.Out(0x80, 1, 0);
  EXPECT_EQ(bus.unclaimed_accesses(), 4u);
  EXPECT_TRUE(pit.ins.empty());
  EXPECT_TRUE(pit.outs.empty());
}

TEST(PortBusTest, TheFirstDeviceToClaimAPortKeepsIt) {
  PortBus bus;
  RecordingDevice first(1), second(2);
  bus.Map(0x60, 2, &first);
  bus.Map(0x61, 2, &second);
  EXPECT_EQ(bus.In(0x61, 1), 1u);
  EXPECT_EQ(bus.In(0x62, 1), 2u);
  EXPECT_EQ(second.ins, (std::vector<uint16_t>{1}));  // 0x62 is its offset 1
}

}  // namespace
}  // namespace x64sim
