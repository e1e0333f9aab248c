// Port I/O space (IN/OUT), implemented by the machine.
#ifndef X64SIM_CPU_IO_BUS_H_
#define X64SIM_CPU_IO_BUS_H_

#include <cstdint>

namespace x64sim {

class IoBus {
 public:
  virtual ~IoBus() = default;
  virtual uint32_t In(uint16_t port, int size) = 0;
  virtual void Out(uint16_t port, int size, uint32_t value) = 0;
};

// Interrupt sources outside the core (local APIC). All times are simulated
// cycles.
class InterruptController {
 public:
  virtual ~InterruptController() = default;
  // Highest-priority vector ready for delivery at `now`, or -1.
  virtual int PendingVector(uint64_t now) = 0;
  // The core has started delivering `vector`.
  virtual void Acknowledge(int vector) = 0;
  // The earliest cycle at which PendingVector may change by itself, or
  // UINT64_MAX if it never will.
  virtual uint64_t NextEventCycle() = 0;
};

}  // namespace x64sim

#endif  // X64SIM_CPU_IO_BUS_H_
