// What the core asks about interrupts: the local APIC, fed by its own timer
// and by the I/O APIC, whose timed input (the HPET) is brought up to the
// core's time first. The next event is the earliest of theirs, so a halted
// core sleeps until then and a running one checks only then.
#ifndef X64SIM_SIM_PLATFORM_INTERRUPTS_H_
#define X64SIM_SIM_PLATFORM_INTERRUPTS_H_

#include <algorithm>
#include <cstdint>

#include "cpu/io_bus.h"
#include "sim/hpet.h"
#include "sim/local_apic.h"

namespace x64sim {

class PlatformInterrupts : public InterruptController {
 public:
  PlatformInterrupts(LocalApic& apic, Hpet& hpet) : apic_(apic), hpet_(hpet) {}

  int PendingVector(uint64_t now) override {
    hpet_.Update(now);
    return apic_.PendingVector(now);
  }
  void Acknowledge(int vector) override { apic_.Acknowledge(vector); }
  uint64_t NextEventCycle() override { return std::min(apic_.NextEventCycle(), hpet_.NextEventCycle()); }

 private:
  LocalApic& apic_;
  Hpet& hpet_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PLATFORM_INTERRUPTS_H_
