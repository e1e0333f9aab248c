// Simulated time in the units of the PC's clocks. The modelled core runs at
// the base clock of the Skylake it describes (Core i7-6700: 3.4 GHz, Intel
// ARK); the 8254 timer's input is the PC's 1.193182 MHz crystal divided
// from 14.31818 MHz (IBM PC technical reference). The HPET counts at
// 100 MHz (a 10 ns period, as QEMU's): an exact 34 core cycles a tick.
#ifndef X64SIM_SIM_PLATFORM_CLOCK_H_
#define X64SIM_SIM_PLATFORM_CLOCK_H_

#include <cstdint>

namespace x64sim {

inline constexpr uint64_t kCoreClockHz = 3'400'000'000;
inline constexpr uint64_t kPitClockHz = 1'193'182;
inline constexpr uint64_t kHpetClockHz = 100'000'000;
inline constexpr uint64_t kHpetPeriodFs = 1'000'000'000'000'000 / kHpetClockHz;

// PIT input ticks elapsed after `cycles` core cycles.
inline uint64_t PitTicks(uint64_t cycles) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(cycles) * kPitClockHz / kCoreClockHz);
}

// The first core cycle at which `ticks` PIT input ticks have elapsed.
inline uint64_t CycleOfPitTick(uint64_t ticks) {
  const unsigned __int128 c =
      (static_cast<unsigned __int128>(ticks) * kCoreClockHz + kPitClockHz - 1) / kPitClockHz;
  return c > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(c);
}

// HPET main-counter ticks elapsed after `cycles` core cycles, and the first
// cycle at which `ticks` have elapsed.
inline uint64_t HpetTicks(uint64_t cycles) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(cycles) * kHpetClockHz / kCoreClockHz);
}
inline uint64_t CycleOfHpetTick(uint64_t ticks) {
  const unsigned __int128 c =
      (static_cast<unsigned __int128>(ticks) * kCoreClockHz + kHpetClockHz - 1) / kHpetClockHz;
  return c > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(c);
}

}  // namespace x64sim

#endif  // X64SIM_SIM_PLATFORM_CLOCK_H_
