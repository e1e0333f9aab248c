// The PC's two 8259As: the master at ports 0x20-0x21 takes IRQ0-7, the
// slave at 0xA0-0xA1 IRQ8-15, its INT output driving the master's IR2. The
// INTA cycle asks the master, and the slave when the master serves a
// cascaded input (ICW3), for the vector.
#ifndef X64SIM_SIM_PIC_PAIR_H_
#define X64SIM_SIM_PIC_PAIR_H_

#include <cstdint>
#include <functional>

#include "sim/pic8259.h"

namespace x64sim {

class PicPair {
 public:
  static constexpr int kCascadeInput = 2;

  // `before_access` runs before each port access; `changed` after anything
  // that may move the master's INT output.
  PicPair(std::function<void()> before_access, std::function<void()> changed);
  PicPair(const PicPair&) = delete;
  PicPair& operator=(const PicPair&) = delete;

  // ISA interrupt line `irq` (0-15) driven to `level`.
  void SetIrq(int irq, bool level);
  // A zero-width pulse on ISA line `irq` (Pic8259::PulseInput).
  void PulseIrq(int irq);
  // INTR, the master's INT output.
  bool Interrupt() const { return master_.Interrupt(); }
  // The vector an INTA cycle now would return, and the cycle itself.
  uint8_t PeekVector() const;
  uint8_t Acknowledge();

  Pic8259& master() { return master_; }
  Pic8259& slave() { return slave_; }

 private:
  std::function<void()> changed_;
  Pic8259 master_;
  Pic8259 slave_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PIC_PAIR_H_
