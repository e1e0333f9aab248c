// QEMU's isa-debug-exit device: a write of v ends the run with status
// (v << 1) | 1, as in QEMU, except that v = 0 ends it with 0 (QEMU: 1) so
// that a guest can say it succeeded to a shell or a script.
#ifndef X64SIM_SIM_DEBUG_EXIT_H_
#define X64SIM_SIM_DEBUG_EXIT_H_

#include <functional>

#include "sim/port_bus.h"

namespace x64sim {

class DebugExit : public PortDevice {
 public:
  static constexpr uint16_t kPort = 0xf4;
  explicit DebugExit(std::function<void(int status)> on_exit) : on_exit_(std::move(on_exit)) {}
  uint32_t PortIn(uint16_t, int) override { return 0; }
  void PortOut(uint16_t, int, uint32_t value) override {
    on_exit_(value == 0 ? 0 : static_cast<int>(((value << 1) | 1) & 0xff));
  }

 private:
  std::function<void(int)> on_exit_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_DEBUG_EXIT_H_
