// The hook a debugger (sim/gdb_stub) uses to stop execution. While one is
// attached the run loop neither chains blocks nor skips it: before each
// block it asks whether to step that block an instruction at a time
// through StopBefore. With none the loop is the usual chained one and the
// hook costs nothing.
#ifndef X64SIM_CPU_DEBUG_HOOK_H_
#define X64SIM_CPU_DEBUG_HOOK_H_

#include <cstdint>

#include "cpu/decoded_insn.h"

namespace x64sim {

class DebugHook {
 public:
  virtual ~DebugHook() = default;
  // Asked before a block of `count` instructions starting at `rip` runs.
  // False runs it whole, without StopBefore calls.
  virtual bool StepsBlock(uint64_t rip, const DecodedInsn* insns, int count) = 0;
  // Asked before the instruction at `rip` runs, including the first one of
  // an exception or interrupt handler. True ends the run there
  // (StopReason::kDebugger) with nothing of that instruction done.
  virtual bool StopBefore(const DecodedInsn& insn, uint64_t rip) = 0;
  // An exception (vector < 32) or interrupt is about to be delivered; the
  // faulting instruction is at `rip`.
  virtual void OnEvent(uint8_t vector, uint64_t rip) = 0;
};

}  // namespace x64sim

#endif  // X64SIM_CPU_DEBUG_HOOK_H_
