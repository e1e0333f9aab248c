// The hook a timing model or tracer uses to watch execution. The run loop is
// instantiated twice, with and without it, so a disabled observer costs
// nothing per instruction.
#ifndef X64SIM_CPU_RETIRE_OBSERVER_H_
#define X64SIM_CPU_RETIRE_OBSERVER_H_

#include <cstdint>

#include "cpu/decoded_insn.h"

namespace x64sim {

class RetireObserver {
 public:
  virtual ~RetireObserver() = default;
  // `rip` is the instruction's address; `next_rip` where execution goes
  // next, so a branch's outcome is next_rip != rip + insn.length.
  virtual void OnRetire(const DecodedInsn& insn, uint64_t rip, uint64_t next_rip) = 0;
  // An exception or interrupt was delivered.
  virtual void OnEvent(uint8_t vector, uint64_t rip) = 0;
};

}  // namespace x64sim

#endif  // X64SIM_CPU_RETIRE_OBSERVER_H_
