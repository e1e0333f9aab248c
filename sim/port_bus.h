// The PC's port I/O space: devices claim port ranges.
#ifndef X64SIM_SIM_PORT_BUS_H_
#define X64SIM_SIM_PORT_BUS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "checkpoint/state_archive.h"
#include "cpu/io_bus.h"

namespace x64sim {

class PortDevice {
 public:
  virtual ~PortDevice() = default;
  virtual uint32_t PortIn(uint16_t offset, int size) = 0;
  virtual void PortOut(uint16_t offset, int size, uint32_t value) = 0;
};

class PortBus : public IoBus {
 public:
  // Claims ports base .. base + count - 1 that no device has claimed yet
  // (for at most 255 devices).
  void Map(uint16_t base, uint16_t count, PortDevice* device) {
    ranges_.push_back({base, device});
    const auto index = static_cast<uint8_t>(ranges_.size());
    for (uint32_t port = base; port < uint32_t{base} + count && port <= 0xffff; ++port) {
      if (owner_[port] == 0) owner_[port] = index;
    }
  }
  // Unclaimed ports read as all ones and ignore writes, as on a PC.
  uint32_t In(uint16_t port, int size) override {
    if (const uint8_t i = owner_[port]; i != 0) {
      const Range& r = ranges_[i - 1];
      return r.device->PortIn(port - r.base, size);
    }
    ++unclaimed_accesses_;
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  }
  void Out(uint16_t port, int size, uint32_t value) override {
    if (const uint8_t i = owner_[port]; i != 0) {
      const Range& r = ranges_[i - 1];
      r.device->PortOut(port - r.base, size, value);
      return;
    }
    ++unclaimed_accesses_;
  }
  uint64_t unclaimed_accesses() const { return unclaimed_accesses_; }

  // The devices serialise themselves; the bus has only its counter.
  void Serialize(StateArchive& ar) { ar(unclaimed_accesses_); }

 private:
  struct Range {
    uint16_t base;
    PortDevice* device;
  };
  std::vector<Range> ranges_;
  // Which range claims each port, as its index + 1 (0: none): an access
  // costs one lookup, however many devices there are (seL4 polls the PIT
  // tens of millions of times at boot).
  std::array<uint8_t, 0x10000> owner_{};
  uint64_t unclaimed_accesses_ = 0;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PORT_BUS_H_
