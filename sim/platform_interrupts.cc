#include "sim/platform_interrupts.h"

namespace x64sim {

// The APIC's own vectors come first; an ExtINT one is not subject to its
// priorities. The INTA cycle itself runs in Acknowledge, so that the
// vector is the one the 8259 gives then.
int PlatformInterrupts::PendingVector(uint64_t now) {
  hpet_.Update(now);
  pit_.Update(now);
  from_pic_ = false;
  const bool apic_on = apic_enabled_();
  if (apic_on) {
    const int vector = apic_.PendingVector(now);
    if (vector >= 0) return vector;
  }
  const bool intr = pics_.Interrupt();
  if (apic_on ? !apic_.TakesExtInt(intr) : !intr) return -1;
  from_pic_ = true;
  return pics_.PeekVector();
}

void PlatformInterrupts::Acknowledge(int vector) {
  if (!from_pic_) {
    apic_.Acknowledge(vector);
    return;
  }
  apic_.AcknowledgeExtInt();
  pics_.Acknowledge();
}

}  // namespace x64sim
