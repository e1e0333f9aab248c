#include "sim/interrupt_lines.h"

#include "sim/isa_irq_routing.h"

namespace x64sim {

void InterruptLines::PulseIsaIrq(int irq) {
  if (isa_.high(irq)) return;
  pics_.PulseIrq(irq);
  PulseIoApicInput(IoApicPinOfIsaIrq(irq));
}

// The 8259 first, then the I/O APIC, as one wire reaches both.
void InterruptLines::ForwardIsa(uint32_t changed) {
  for (int irq = 0; changed != 0; ++irq, changed >>= 1) {
    if (!(changed & 1)) continue;
    const bool high = isa_.high(irq);
    pics_.SetIrq(irq, high);
    SetIoApicInput(kIsaSource, IoApicPinOfIsaIrq(irq), high);
  }
}

void InterruptLines::ForwardIoApic(uint32_t changed) {
  for (int pin = 0; changed != 0; ++pin, changed >>= 1) {
    if (changed & 1) io_apic_.SetLine(pin, io_apic_inputs_.high(pin));
  }
}

}  // namespace x64sim
