#include "sim/pic8259.h"

namespace x64sim {

uint32_t Pic8259::PortIn(uint16_t offset, int size) {
  if (size != 1) return size == 4 ? 0xffffffffu : 0xffffu;
  if (offset == 1) return imr_;
  return read_isr_ ? isr_ : irr_;
}

void Pic8259::PortOut(uint16_t offset, int size, uint32_t value) {
  if (size != 1) return;
  const uint8_t v = static_cast<uint8_t>(value);
  if (offset == 0) {
    if (v & 0x10) {
      // ICW1: starts initialisation; the mask and the ISR clear.
      needs_icw4_ = v & 0x01;
      single_ = v & 0x02;
      imr_ = 0;
      isr_ = 0;
      read_isr_ = false;
      init_step_ = 2;
    } else if (v & 0x08) {
      // OCW3: bit 1 set selects the register bit 0 names (IRR or ISR).
      if (v & 0x02) read_isr_ = v & 0x01;
    } else {
      // OCW2: a non-specific (0x20) or specific (0x60 | level) EOI clears
      // the in-service bit; rotation commands are not modelled.
      const int command = v >> 5;
      if (command == 1 && isr_ != 0) isr_ &= static_cast<uint8_t>(isr_ - 1);  // highest priority: lowest bit
      if (command == 3) isr_ &= static_cast<uint8_t>(~(1u << (v & 7)));
    }
    return;
  }
  switch (init_step_) {
    case 2:  // ICW2: vector base (bits 7:3)
      vector_base_ = v & 0xf8;
      vector_base_set_ = true;
      init_step_ = single_ ? (needs_icw4_ ? 4 : 0) : 3;
      return;
    case 3:  // ICW3: cascade wiring, recorded by no one
      init_step_ = needs_icw4_ ? 4 : 0;
      return;
    case 4:  // ICW4: 8086 mode, auto-EOI, buffering
      init_step_ = 0;
      return;
    default:  // OCW1: the interrupt mask
      imr_ = v;
  }
}

}  // namespace x64sim
