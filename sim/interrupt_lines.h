// The PC's interrupt wiring between the devices that raise interrupts and
// the two controllers. ISA IRQ lines 0-15 are each the wired-OR of the
// devices driving them and reach the 8259 pair (IRQ n on the master's or
// the slave's IR n mod 8) and the I/O APIC (isa_irq_routing.h). Each of
// the I/O APIC's 24 inputs is the wired-OR of the ISA line routed to it and
// of the devices wired to the input itself (the HPET's Tn_INT_ROUTE_CNF
// routes, the 8259 master's INTR on input 0). A controller hears of a line
// only when its level changes. An edge-triggered source's event is a
// pulse, high and at once low again; it reaches the controllers only on a
// line no source holds high, since on a line already high it is no edge.
#ifndef X64SIM_SIM_INTERRUPT_LINES_H_
#define X64SIM_SIM_INTERRUPT_LINES_H_

#include <cstdint>

#include "checkpoint/state_archive.h"
#include "sim/io_apic.h"
#include "sim/pic_pair.h"
#include "sim/wired_or_lines.h"

namespace x64sim {

// The sources of the lines, one bit each in a line's mask of holders.
enum LineSource : int {
  kPitSource,      // channel 0's output, on IRQ0
  kHpetSource,     // the HPET's level-triggered timers
  kIsaSource,      // an ISA line, on the I/O APIC input it is routed to
  kPicIntrSource,  // the 8259 master's INTR, on I/O APIC input 0
};

class InterruptLines {
 public:
  InterruptLines(PicPair& pics, IoApic& io_apic) : pics_(pics), io_apic_(io_apic) {}
  InterruptLines(const InterruptLines&) = delete;
  InterruptLines& operator=(const InterruptLines&) = delete;

  // `source` holds ISA line `irq` high or lets it go.
  void SetIsaIrq(LineSource source, int irq, bool high) {
    if (isa_.Set(source, irq, high)) ForwardIsa(1u << irq);
  }
  // The ISA lines `source` holds high become those in the mask `irqs`.
  void DriveIsaIrqs(LineSource source, uint32_t irqs) { ForwardIsa(isa_.Drive(source, irqs)); }
  // Connects `source` to its ISA lines or disconnects it from them.
  void ConnectIsaSource(LineSource source, bool connected) {
    ForwardIsa(isa_.Connect(source, connected));
  }
  void PulseIsaIrq(int irq);

  void SetIoApicInput(LineSource source, int pin, bool high) {
    if (io_apic_inputs_.Set(source, pin, high)) io_apic_.SetLine(pin, high);
  }
  void DriveIoApicInputs(LineSource source, uint32_t pins) {
    ForwardIoApic(io_apic_inputs_.Drive(source, pins));
  }
  void PulseIoApicInput(int pin) {
    if (!io_apic_inputs_.high(pin)) io_apic_.Pulse(pin);
  }

  bool isa_irq_high(int irq) const { return isa_.high(irq); }
  bool io_apic_input_high(int pin) const { return io_apic_inputs_.high(pin); }

  void Serialize(StateArchive& ar) { ar(isa_, io_apic_inputs_); }

 private:
  // Passes the levels of the lines in the mask `changed` on.
  void ForwardIsa(uint32_t changed);
  void ForwardIoApic(uint32_t changed);

  PicPair& pics_;
  IoApic& io_apic_;
  WiredOrLines isa_;
  WiredOrLines io_apic_inputs_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_INTERRUPT_LINES_H_
