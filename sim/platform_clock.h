// Simulated time in the units of the PC's clocks. The modelled core runs at
// the base clock of the Skylake it describes (Core i7-6700: 3.4 GHz, Intel
// ARK); the 8254 timer's input is the PC's 1.193182 MHz crystal divided
// from 14.31818 MHz (IBM PC technical reference).
#ifndef X64SIM_SIM_PLATFORM_CLOCK_H_
#define X64SIM_SIM_PLATFORM_CLOCK_H_

#include <cstdint>

namespace x64sim {

inline constexpr uint64_t kCoreClockHz = 3'400'000'000;
inline constexpr uint64_t kPitClockHz = 1'193'182;

// PIT input ticks elapsed after `cycles` core cycles.
inline uint64_t PitTicks(uint64_t cycles) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(cycles) * kPitClockHz / kCoreClockHz);
}

}  // namespace x64sim

#endif  // X64SIM_SIM_PLATFORM_CLOCK_H_
