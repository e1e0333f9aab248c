// Simulated time in the units of the PC's clocks. Simulated time is the
// modelled core's cycle count; the core's clock rate turns it into seconds
// and into the ticks of the PC's fixed-rate clocks. By default the core runs
// at the base clock of the Skylake x64sim models (Core i7-6700: 3.4 GHz,
// Intel ARK); --core-mhz sets another. The 8254 timer's input is the PC's
// 1.193182 MHz crystal divided from 14.31818 MHz (IBM PC technical
// reference). The HPET counts at 100 MHz (a 10 ns period, as QEMU's): an
// exact 34 core cycles a tick at the default clock.
#ifndef X64SIM_SIM_PLATFORM_CLOCK_H_
#define X64SIM_SIM_PLATFORM_CLOCK_H_

#include <cstdint>

namespace x64sim {

inline constexpr uint64_t kPitClockHz = 1'193'182;
inline constexpr uint64_t kHpetClockHz = 100'000'000;
inline constexpr uint64_t kHpetPeriodFs = 1'000'000'000'000'000 / kHpetClockHz;

class PlatformClock {
 public:
  static constexpr uint64_t kDefaultCoreMhz = 3400;
  // The rates --core-mhz accepts: from an early Pentium's to beyond any
  // shipping core's, where the 64-bit cycle counter still lasts decades.
  static constexpr uint64_t kMinCoreMhz = 100;
  static constexpr uint64_t kMaxCoreMhz = 10'000;
  static constexpr bool Accepts(uint64_t core_mhz) { return core_mhz >= kMinCoreMhz && core_mhz <= kMaxCoreMhz; }

  constexpr PlatformClock() = default;
  // `core_mhz` must lie in [kMinCoreMhz, kMaxCoreMhz].
  explicit constexpr PlatformClock(uint64_t core_mhz) : core_hz_(core_mhz * 1'000'000) {}

  uint64_t core_hz() const { return core_hz_; }
  uint64_t core_mhz() const { return core_hz_ / 1'000'000; }

  // Simulated seconds after `cycles` core cycles.
  double Seconds(uint64_t cycles) const { return static_cast<double>(cycles) / static_cast<double>(core_hz_); }

  // PIT input ticks elapsed after `cycles` core cycles, and the first core
  // cycle at which `ticks` have elapsed.
  uint64_t PitTicks(uint64_t cycles) const { return Ticks(cycles, kPitClockHz); }
  uint64_t CycleOfPitTick(uint64_t ticks) const { return CycleOfTick(ticks, kPitClockHz); }

  // The same for the HPET's main counter.
  uint64_t HpetTicks(uint64_t cycles) const { return Ticks(cycles, kHpetClockHz); }
  uint64_t CycleOfHpetTick(uint64_t ticks) const { return CycleOfTick(ticks, kHpetClockHz); }

 private:
  uint64_t Ticks(uint64_t cycles, uint64_t tick_hz) const {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(cycles) * tick_hz / core_hz_);
  }
  uint64_t CycleOfTick(uint64_t ticks, uint64_t tick_hz) const {
    const unsigned __int128 c = (static_cast<unsigned __int128>(ticks) * core_hz_ + tick_hz - 1) / tick_hz;
    return c > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(c);
  }

  uint64_t core_hz_ = kDefaultCoreMhz * 1'000'000;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PLATFORM_CLOCK_H_
