// Watches the CPU's privilege transitions for tools (the timeline): the
// rare instructions and deliveries that enter and leave a more privileged
// level. Called on the simulation thread, after the transition is
// committed; nothing an observer does may change the guest's state. With
// none attached the cost is one pointer test per transition.
#ifndef X64SIM_CPU_EVENT_OBSERVER_H_
#define X64SIM_CPU_EVENT_OBSERVER_H_

#include <cstdint>

namespace x64sim {

class CpuEventObserver {
 public:
  virtual ~CpuEventObserver() = default;
  // SYSCALL: the registers other than RCX and R11 are still the caller's.
  virtual void OnSyscall(int from_cpl) = 0;
  // An exception, INT n or external interrupt reached its handler.
  virtual void OnDelivery(int from_cpl, uint8_t vector, bool software, uint32_t error_code) = 0;
  // SYSRET or IRET completed, to `to_cpl`.
  virtual void OnReturn(int to_cpl) = 0;
};

}  // namespace x64sim

#endif  // X64SIM_CPU_EVENT_OBSERVER_H_
