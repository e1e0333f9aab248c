// COM1: a 16550 UART with enough behaviour for polled console output.
#ifndef X64SIM_SIM_UART16550_H_
#define X64SIM_SIM_UART16550_H_

#include <cstdint>
#include <functional>

#include "checkpoint/state_archive.h"
#include "sim/port_bus.h"

namespace x64sim {

class Uart16550 : public PortDevice {
 public:
  static constexpr uint16_t kCom1Base = 0x3f8;
  explicit Uart16550(std::function<void(uint8_t)> output) : output_(std::move(output)) {}

  uint32_t PortIn(uint16_t offset, int size) override;
  void PortOut(uint16_t offset, int size, uint32_t value) override;

  void Serialize(StateArchive& ar) { ar(ier_, lcr_, mcr_, scratch_, divisor_); }

 private:
  std::function<void(uint8_t)> output_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scratch_ = 0;
  uint16_t divisor_ = 1;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_UART16550_H_
