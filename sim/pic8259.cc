#include "sim/pic8259.h"

namespace x64sim {

int Pic8259::HighestOf(uint8_t bits) const {
  for (int p = 0; p < 8; ++p) {
    const int ir = (lowest_priority_ + 1 + p) & 7;
    if ((bits >> ir) & 1) return ir;
  }
  return -1;
}

// Fully nested: a request is served only above the highest level in service.
int Pic8259::HighestRequest() const {
  const int request = HighestOf(irr_ & ~imr_);
  if (request < 0) return -1;
  const int serving = HighestOf(isr_);
  return serving < 0 || Priority(request) < Priority(serving) ? request : -1;
}

// Edge-sensed inputs latch a request on the rising edge; in both modes the
// request is gated by the input, so it vanishes when the input falls
// (datasheet, "Edge and Level Triggered Modes", and the priority cell).
void Pic8259::SetInput(int ir, bool level) {
  const uint8_t bit = static_cast<uint8_t>(1u << ir);
  const bool was = lines_ & bit;
  if (level == was) return;
  lines_ = level ? lines_ | bit : lines_ & ~bit;
  if (!level || level_triggered_) {
    irr_ = level ? irr_ | bit : irr_ & ~bit;
  } else {
    irr_ |= bit;
  }
  Changed();
}

// The datasheet ("Edge and Level Triggered Modes") asks an input to stay
// high until the first INTA pulse, in either mode, for its request to be
// served; a pulse of no width cannot, so x64sim takes it as meeting that
// hold time: the request is latched as on a rising edge, with the input
// low again after the INTA cycle. It is one request in either mode,
// cleared by the INTA that serves it or by ICW1.
void Pic8259::PulseInput(int ir) {
  const uint8_t bit = static_cast<uint8_t>(1u << ir);
  if (lines_ & bit) return;  // no edge on a line already high
  irr_ |= bit;
  Changed();
}

int Pic8259::Acknowledge() {
  const int ir = HighestRequest();
  if (ir < 0) return kSpuriousIr;  // no ISR bit is set for the default IR7
  const uint8_t bit = static_cast<uint8_t>(1u << ir);
  // A level input keeps requesting while high; an edge's or a pulse's
  // request is served.
  if (!level_triggered_ || !(lines_ & bit)) irr_ &= ~bit;
  if (auto_eoi_) {
    if (rotate_on_auto_eoi_) lowest_priority_ = ir;
  } else {
    isr_ |= bit;
  }
  Changed();
  return ir;
}

uint32_t Pic8259::PortIn(uint16_t offset, int size) {
  if (size != 1) return size == 4 ? 0xffffffffu : 0xffffu;
  if (before_access_) before_access_();
  if (offset == 1) return imr_;
  if (poll_) {
    // The poll word: bit 7 set if a level requests, bits 2:0 its number;
    // the read acknowledges it as INTA would.
    poll_ = false;
    if (!Interrupt()) return 0;
    return 0x80u | static_cast<uint32_t>(Acknowledge());
  }
  return read_isr_ ? isr_ : irr_;
}

void Pic8259::PortOut(uint16_t offset, int size, uint32_t value) {
  if (size != 1) return;
  if (before_access_) before_access_();
  const uint8_t v = static_cast<uint8_t>(value);
  if (offset == 0) {
    Command(v);
  } else {
    switch (init_step_) {
      case 2:  // ICW2: vector base (bits 7:3)
        vector_base_ = v & 0xf8;
        vector_base_set_ = true;
        init_step_ = single_ ? (needs_icw4_ ? 4 : 0) : 3;
        break;
      case 3:  // ICW3: a master's cascaded inputs (a slave's ID is not needed)
        cascade_ = v;
        init_step_ = needs_icw4_ ? 4 : 0;
        break;
      case 4:  // ICW4: bit 1 AEOI (8086 mode assumed, buffering irrelevant)
        auto_eoi_ = v & 0x02;
        init_step_ = 0;
        break;
      default:  // OCW1: the interrupt mask
        imr_ = v;
    }
  }
  Changed();
}

void Pic8259::Command(uint8_t v) {
  if (v & 0x10) {
    // ICW1: the mask and ISR clear, IR7 gets the lowest priority, reads
    // return the IRR, and an edge-sensed input needs a new rising edge;
    // without ICW4 its functions are zero.
    needs_icw4_ = v & 0x01;
    single_ = v & 0x02;
    level_triggered_ = v & 0x08;
    imr_ = 0;
    isr_ = 0;
    irr_ = level_triggered_ ? lines_ : 0;
    cascade_ = 0;
    lowest_priority_ = 7;
    read_isr_ = false;
    poll_ = false;
    auto_eoi_ = false;
    rotate_on_auto_eoi_ = false;
    init_step_ = 2;
  } else if (v & 0x08) {
    // OCW3: RR (bit 1) with RIS (bit 0) selects the register read; P (bit 2)
    // makes the next read a poll.
    if (v & 0x02) read_isr_ = v & 0x01;
    poll_ = v & 0x04;
  } else {
    Operation2(v);
  }
}

// OCW2 bits 7:5 (R, SL, EOI); bits 2:0 name a level for the specific forms.
void Pic8259::Operation2(uint8_t v) {
  const int level = v & 7;
  switch (v >> 5) {
    case 0: rotate_on_auto_eoi_ = false; break;
    case 4: rotate_on_auto_eoi_ = true; break;
    case 1:  // non-specific EOI: the highest level in service
    case 5: {  // ... and that level becomes the lowest priority
      const int ir = HighestOf(isr_);
      if (ir < 0) break;
      isr_ &= static_cast<uint8_t>(~(1u << ir));
      if (v >> 5 == 5) lowest_priority_ = ir;
      break;
    }
    case 3: isr_ &= static_cast<uint8_t>(~(1u << level)); break;  // specific EOI
    case 7:  // rotate on specific EOI
      isr_ &= static_cast<uint8_t>(~(1u << level));
      lowest_priority_ = level;
      break;
    case 6: lowest_priority_ = level; break;  // set priority
    default: break;  // 2: no operation
  }
}

}  // namespace x64sim
