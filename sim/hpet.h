// The High Precision Event Timer (IA-PC HPET specification 1.0a) at MMIO
// 0xFED00000: a 64-bit main counter at 100 MHz (platform_clock.h) counting
// simulated time, and three comparators, each one-shot or periodic, 64- or
// 32-bit, edge- or level-triggered, raising the I/O APIC input its
// Tn_INT_ROUTE_CNF names (among those Intel's chipsets allow), or under
// legacy replacement timer 0 on ISA IRQ0 and timer 1 on
// IRQ8, which reach the 8259 pair and the I/O APIC alike, the PIT then
// disconnected from IRQ0. The lines are shared (sim/interrupt_lines.h): an
// edge-triggered timer pulses its line, a level-triggered one holds it
// high. Front-side-bus (MSI) delivery is not modelled: its
// capability bit reads 0. Events are scheduled: the machine asks
// NextEventCycle when the next comparator match falls and calls Update
// then; nothing is polled per instruction.
#ifndef X64SIM_SIM_HPET_H_
#define X64SIM_SIM_HPET_H_

#include <array>
#include <cstdint>
#include <functional>

#include "checkpoint/state_archive.h"
#include "mmu/physical_memory.h"
#include "sim/interrupt_lines.h"
#include "sim/platform_clock.h"

namespace x64sim {

class Hpet : public MmioDevice {
 public:
  static constexpr uint64_t kBase = 0xfed00000;
  static constexpr int kTimers = 3;
  // The I/O APIC inputs timer n may be routed to (Tn_INT_ROUTE_CAP), as on
  // Intel's ICH6 and later chipsets (ICH6 datasheet 20.1.5; PCH datasheets,
  // "Interrupt Mapping"): timers 0 and 1 inputs 20-23, timer 2 also 11.
  // None shares an input with the PIT or the RTC: a driver that takes the
  // first allowed input gets one of its own.
  static constexpr uint32_t RouteCapability(int n) { return n < 2 ? 0x00f0'0000 : 0x00f0'0800; }
  // The capabilities register's low 32 bits, which the ACPI HPET table's
  // event timer block ID repeats (spec 2.3.4, 3.2.4): revision 1, the last
  // timer's index, 64-bit counter, legacy replacement capable, Intel's PCI
  // vendor ID.
  static constexpr uint32_t kBlockId =
      0x8086'0000 | 1u << 15 | 1u << 13 | (kTimers - 1) << 8 | 0x01;

  // `now` reads simulated time in core cycles, which `clock` relates to the
  // counter's ticks; `changed` is called after a write, since one may move
  // the next event.
  Hpet(PlatformClock clock, std::function<uint64_t()> now, InterruptLines& lines, std::function<void()> changed)
      : clock_(clock), now_(std::move(now)), lines_(lines), changed_(std::move(changed)) {}

  uint64_t MmioRead(uint64_t offset, int size) override;
  void MmioWrite(uint64_t offset, int size, uint64_t value) override;

  // Raises the interrupts of every comparator match up to core cycle `now`.
  void Update(uint64_t now);
  // The core cycle of the next match that raises an interrupt, or UINT64_MAX.
  uint64_t NextEventCycle() const;

  void Serialize(StateArchive& ar) {
    ar(enabled_, legacy_routing_, status_, counter_, counter_tick_, timers_);
  }

 private:
  static constexpr uint64_t kNever = UINT64_MAX;
  struct Timer {
    uint64_t config = 0;  // the writable Tn_*_CNF bits
    uint64_t comparator = ~0ull;
    uint64_t period = 0;  // a periodic timer's increment
    uint64_t next_tick = kNever;  // absolute tick of the next match

    void Serialize(StateArchive& ar) { ar(config, comparator, period, next_tick); }
  };

  uint64_t Counter(uint64_t tick) const;
  uint64_t Width(int n) const;  // all ones in the comparator's width
  bool Legacy(int n) const { return legacy_routing_ && n < 2; }  // timer n drives an ISA line
  int Route(int n) const;  // the ISA line (Legacy) or else the I/O APIC input timer n drives
  uint64_t ReadRegister(uint64_t reg, uint64_t tick) const;
  // Writes the bits of `mask` in register `reg`.
  void WriteRegister(uint64_t reg, uint64_t value, uint64_t mask, uint64_t tick);
  void WriteGeneralConfig(uint64_t value, uint64_t tick);
  void WriteTimerConfig(int n, uint64_t value);
  void WriteComparator(int n, uint64_t value, uint64_t mask, uint64_t tick);
  void Arm(int n, uint64_t tick);  // the next match from the counter at `tick`
  void Fire(int n);
  void DriveLevelLines();  // the lines of level-triggered timers

  PlatformClock clock_;
  std::function<uint64_t()> now_;
  InterruptLines& lines_;
  std::function<void()> changed_;
  bool enabled_ = false;         // ENABLE_CNF
  bool legacy_routing_ = false;  // LEG_RT_CNF: timers 0 and 1 take IRQ0 and IRQ8
  uint32_t status_ = 0;          // Tn_INT_STS (level-triggered timers)
  uint64_t counter_ = 0;         // the main counter's value at counter_tick_
  uint64_t counter_tick_ = 0;
  std::array<Timer, kTimers> timers_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_HPET_H_
