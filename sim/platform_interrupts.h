// What the core asks about interrupts: the local APIC, fed by its own timer
// and by the I/O APIC, and the 8259 pair's INTR, which reaches the CPU
// through LINT0 or an I/O APIC entry in ExtINT mode, or directly while the
// local APIC is globally disabled (IA32_APIC_BASE.EN clear; SDM vol. 3A
// 10.4.3). An ExtINT interrupt's vector comes from the 8259's INTA cycle.
// The timed inputs (HPET, PIT) are brought up to the core's time first; the
// next event is the earliest of theirs, so a halted core sleeps until then
// and a running one checks only then.
#ifndef X64SIM_SIM_PLATFORM_INTERRUPTS_H_
#define X64SIM_SIM_PLATFORM_INTERRUPTS_H_

#include <algorithm>
#include <cstdint>
#include <functional>

#include "cpu/io_bus.h"
#include "sim/hpet.h"
#include "sim/local_apic.h"
#include "sim/pic_pair.h"
#include "sim/pit8254.h"

namespace x64sim {

class PlatformInterrupts : public InterruptController {
 public:
  // `apic_enabled` reads IA32_APIC_BASE.EN.
  PlatformInterrupts(LocalApic& apic, Hpet& hpet, Pit8254& pit, PicPair& pics,
                     std::function<bool()> apic_enabled)
      : apic_(apic), hpet_(hpet), pit_(pit), pics_(pics), apic_enabled_(std::move(apic_enabled)) {}

  int PendingVector(uint64_t now) override;
  void Acknowledge(int vector) override;
  uint64_t NextEventCycle() override {
    return std::min({apic_.NextEventCycle(), hpet_.NextEventCycle(), pit_.NextEventCycle()});
  }

 private:
  LocalApic& apic_;
  Hpet& hpet_;
  Pit8254& pit_;
  PicPair& pics_;
  std::function<bool()> apic_enabled_;
  bool from_pic_ = false;  // the vector PendingVector returned is the 8259's
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PLATFORM_INTERRUPTS_H_
