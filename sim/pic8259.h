// One 8259A programmable interrupt controller (Intel 8259A datasheet,
// 231468): eight inputs IR0-7, edge- or level-sensed (ICW1 LTIM), held in
// the IRR, masked by the IMR (OCW1) and served by priority against the ISR
// (fully nested; the lowest priority rotates by OCW2). An INTA cycle
// (Acknowledge) sets the ISR bit of the highest request, or, in auto-EOI
// mode (ICW4), leaves it clear; a request that vanished before it reads as
// IR7 with no ISR bit set (spurious). Specific and non-specific EOI (OCW2),
// IRR/ISR reads and poll mode (OCW3). The PC's pair, master at 0x20 and
// slave at 0xA0 cascaded on IR2, is sim/pic_pair.h. Special mask mode,
// special fully nested mode and the 8080 call sequence are not modelled.
#ifndef X64SIM_SIM_PIC8259_H_
#define X64SIM_SIM_PIC8259_H_

#include <cstdint>
#include <functional>

#include "checkpoint/state_archive.h"
#include "sim/port_bus.h"

namespace x64sim {

class Pic8259 : public PortDevice {
 public:
  static constexpr uint16_t kMasterBase = 0x20;
  static constexpr uint16_t kSlaveBase = 0xa0;
  static constexpr int kSpuriousIr = 7;

  uint32_t PortIn(uint16_t offset, int size) override;
  void PortOut(uint16_t offset, int size, uint32_t value) override;

  // `before_access` runs before each port access (bringing the inputs up
  // to date); `changed` after any change that may move the INT output.
  void set_hooks(std::function<void()> before_access, std::function<void()> changed) {
    before_access_ = std::move(before_access);
    changed_ = std::move(changed);
  }

  // A device drives input `ir` to `level`.
  void SetInput(int ir, bool level);
  // A zero-width pulse on input `ir` while it is low, an edge-triggered
  // device's event: one request, kept until the INTA cycle serves it.
  void PulseInput(int ir);
  // The INT output: an unmasked request above every in-service level.
  bool Interrupt() const { return HighestRequest() >= 0; }
  // The IR level an INTA cycle now would serve (kSpuriousIr if none requests).
  int Selected() const {
    const int ir = HighestRequest();
    return ir < 0 ? kSpuriousIr : ir;
  }
  // The INTA cycle: serves Selected().
  int Acknowledge();
  // ICW2's vector base plus `ir`: the byte the second INTA pulse returns.
  uint8_t Vector(int ir) const { return static_cast<uint8_t>(vector_base_ | ir); }
  // ICW3 of a master: whether a slave's INT drives input `ir`.
  bool Cascaded(int ir) const { return !single_ && ((cascade_ >> ir) & 1); }

  uint8_t mask() const { return imr_; }
  uint8_t requests() const { return irr_; }
  uint8_t in_service() const { return isr_; }
  uint8_t vector_base() const { return vector_base_; }
  bool initialised() const { return init_step_ == 0 && vector_base_set_; }

  void Serialize(StateArchive& ar) {
    ar(imr_, irr_, isr_, lines_, vector_base_, vector_base_set_, cascade_, read_isr_, poll_,
       needs_icw4_, single_, level_triggered_, auto_eoi_, rotate_on_auto_eoi_);
    ar.Bounded(lowest_priority_, 7, "PIC lowest priority");
    ar.Bounded(init_step_, 4, "PIC initialisation step");
  }

 private:
  int Priority(int ir) const { return (ir - lowest_priority_ - 1) & 7; }  // 0 is the highest
  int HighestOf(uint8_t bits) const;  // the IR of highest priority in `bits`, or -1
  int HighestRequest() const;
  void Command(uint8_t v);    // a write to the even port: ICW1, OCW2, OCW3
  void Operation2(uint8_t v);  // OCW2: EOI and rotation
  void Changed() const {
    if (changed_) changed_();
  }

  std::function<void()> before_access_;
  std::function<void()> changed_;
  uint8_t imr_ = 0xff;  // masked until programmed (the BIOS leaves it so too)
  uint8_t irr_ = 0;
  uint8_t isr_ = 0;
  uint8_t lines_ = 0;  // the IR inputs' levels
  uint8_t vector_base_ = 0;
  bool vector_base_set_ = false;
  uint8_t cascade_ = 0;  // ICW3
  bool read_isr_ = false;  // OCW3: which register a command-port read returns
  bool poll_ = false;      // OCW3 P: the next command-port read is a poll
  bool needs_icw4_ = false;
  bool single_ = false;
  bool level_triggered_ = false;  // ICW1 LTIM
  bool auto_eoi_ = false;         // ICW4 AEOI
  bool rotate_on_auto_eoi_ = false;
  int lowest_priority_ = 7;
  int init_step_ = 0;  // 0: operating; 2, 3, 4: the ICW expected next
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PIC8259_H_
