// The PC's port I/O space: devices claim port ranges.
#ifndef X64SIM_SIM_PORT_BUS_H_
#define X64SIM_SIM_PORT_BUS_H_

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
  void Map(uint16_t base, uint16_t count, PortDevice* device) {
    ranges_.push_back({base, count, device});
  }
  // Unclaimed ports read as all ones and ignore writes, as on a PC.
  uint32_t In(uint16_t port, int size) override {
    for (const Range& r : ranges_) {
      if (static_cast<uint16_t>(port - r.base) < r.count) return r.device->PortIn(port - r.base, size);
    }
    ++unclaimed_accesses_;
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  }
  void Out(uint16_t port, int size, uint32_t value) override {
    for (const Range& r : ranges_) {
      if (static_cast<uint16_t>(port - r.base) < r.count) {
        r.device->PortOut(port - r.base, size, value);
        return;
      }
    }
    ++unclaimed_accesses_;
  }
  uint64_t unclaimed_accesses() const { return unclaimed_accesses_; }

  // The devices serialise themselves; the bus has only its counter.
  void Serialize(StateArchive& ar) { ar(unclaimed_accesses_); }

 private:
  struct Range {
    uint16_t base;
    uint16_t count;
    PortDevice* device;
  };
  std::vector<Range> ranges_;
  uint64_t unclaimed_accesses_ = 0;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PORT_BUS_H_
