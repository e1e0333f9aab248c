// The PC's two 8259A interrupt controllers (Intel 8259A datasheet, 231468),
// master at ports 0x20-0x21 and slave at 0xA0-0xA1: the ICW1-ICW4
// initialisation sequence (vector base, cascade, mode), OCW1 (the mask,
// readable), OCW2 (EOI) and OCW3 (reading IRR or ISR). Kernels that use
// the local and I/O APICs, as seL4 does, remap and mask both; no device
// raises a line through them yet (docs/platform.md).
#ifndef X64SIM_SIM_PIC8259_H_
#define X64SIM_SIM_PIC8259_H_

#include <cstdint>

#include "checkpoint/state_archive.h"
#include "sim/port_bus.h"

namespace x64sim {

class Pic8259 : public PortDevice {
 public:
  static constexpr uint16_t kMasterBase = 0x20;
  static constexpr uint16_t kSlaveBase = 0xa0;

  uint32_t PortIn(uint16_t offset, int size) override;
  void PortOut(uint16_t offset, int size, uint32_t value) override;

  uint8_t mask() const { return imr_; }
  uint8_t vector_base() const { return vector_base_; }
  bool initialised() const { return init_step_ == 0 && vector_base_set_; }

  void Serialize(StateArchive& ar) {
    ar(imr_, irr_, isr_, vector_base_, vector_base_set_, read_isr_, needs_icw4_, single_);
    ar.Bounded(init_step_, 4, "PIC initialisation step");
  }

 private:
  uint8_t imr_ = 0xff;  // masked until programmed (the BIOS leaves it so too)
  uint8_t irr_ = 0;
  uint8_t isr_ = 0;
  uint8_t vector_base_ = 0;
  bool vector_base_set_ = false;
  bool read_isr_ = false;  // OCW3: which register a command-port read returns
  bool needs_icw4_ = false;
  bool single_ = false;
  int init_step_ = 0;  // 0: operating; 2, 3, 4: the ICW expected next
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PIC8259_H_
