// The 8254 programmable interval timer (Intel 8254 datasheet, 231164),
// ports 0x40-0x43, counting in simulated time: its 1.193182 MHz input is
// counted against the core clock (platform_clock.h), so a kernel that
// calibrates its TSC or APIC timer against it sees the modelled clock.
// Modes 0 (interrupt on terminal count), 2 (rate generator) and 3 (square
// wave); latch and read-back commands; LSB, MSB and LSB-then-MSB access.
// BCD counting and modes 1, 4, 5 count in binary as mode 0, their output
// held high (modes 1 and 5 wait for a gate edge the PC never gives). Channel
// 0's output drives IRQ0: its edges are scheduled, the machine asking
// NextEventCycle when the next falls and calling Update then, as for the
// HPET; nothing is polled per instruction. A count written while counting
// restarts the count at once in every mode.
#ifndef X64SIM_SIM_PIT8254_H_
#define X64SIM_SIM_PIT8254_H_

#include <array>
#include <cstdint>
#include <functional>

#include "checkpoint/state_archive.h"
#include "sim/platform_clock.h"
#include "sim/port_bus.h"

namespace x64sim {

class Pit8254 : public PortDevice {
 public:
  static constexpr uint16_t kBase = 0x40;
  // `now_pit_ticks` reads simulated time in PIT input ticks; `clock`
  // relates them to core cycles. `out0` is called with channel 0's output
  // level whenever it changes; `changed` after a write, since one may move
  // the next edge.
  Pit8254(PlatformClock clock, std::function<uint64_t()> now_pit_ticks, std::function<void(bool)> out0,
          std::function<void()> changed)
      : clock_(clock), now_(std::move(now_pit_ticks)), out0_(std::move(out0)), changed_(std::move(changed)) {}

  uint32_t PortIn(uint16_t offset, int size) override;
  void PortOut(uint16_t offset, int size, uint32_t value) override;

  // The counter's value now (0 reads as the full count, 65536, in binary).
  uint32_t Count(int channel) const;

  // Drives channel 0's output through its edges up to core cycle `now`.
  void Update(uint64_t now);
  // The core cycle of channel 0's next output edge, or UINT64_MAX.
  uint64_t NextEventCycle() const;
  bool output0() const { return out0_level_; }

  void Serialize(StateArchive& ar) { ar(channels_, out0_level_, out0_next_tick_); }

 private:
  enum Access : uint8_t { kLatch = 0, kLow = 1, kHigh = 2, kLowHigh = 3 };
  struct Channel {
    Access access = kLowHigh;
    uint8_t mode = 0;
    uint32_t reload = 0x10000;  // the count written; 0 means 65536
    uint64_t loaded_at = 0;     // PIT tick the count was loaded
    bool counting = false;
    bool write_high_next = false;  // LSB-then-MSB: the next write is the MSB
    bool read_high_next = false;
    uint8_t pending_low = 0;
    bool latched = false;
    uint16_t latch = 0;

    bool Output(uint64_t tick) const;
    // The first tick after `tick` at which the output changes, or UINT64_MAX.
    uint64_t NextChange(uint64_t tick) const;

    void Serialize(StateArchive& ar) {
      ar.Bounded(access, kLowHigh, "PIT access mode");
      ar(mode, reload, loaded_at, counting, write_high_next, read_high_next, pending_low, latched,
         latch);
    }
  };

  void Command(uint8_t value);
  uint8_t ReadData(Channel& c, int index);
  void WriteData(Channel& c, uint8_t value);
  void Advance(uint64_t tick);  // Update, in PIT ticks
  // After a write to channel 0 at `tick`: its output takes the new state.
  void Reprogrammed0(uint64_t tick);

  PlatformClock clock_;
  std::function<uint64_t()> now_;
  std::function<void(bool)> out0_;
  std::function<void()> changed_;
  std::array<Channel, 3> channels_;
  bool out0_level_ = false;             // channel 0's output as last driven
  uint64_t out0_next_tick_ = UINT64_MAX;  // the tick of its next change
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PIT8254_H_
