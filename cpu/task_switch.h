// Hardware task switches in legacy protected mode (SDM vol. 3A 7.3): far
// CALL or JMP to a TSS or task gate, IRET with NT = 1, and an interrupt or
// exception through a task gate in the IDT.
#ifndef X64SIM_CPU_TASK_SWITCH_H_
#define X64SIM_CPU_TASK_SWITCH_H_

#include <cstdint>
#include <optional>

#include "cpu/cpu.h"

namespace x64sim {

// kInterrupt nests like kCall: the new task links back and runs with NT set.
enum class TaskSwitchSource : uint8_t { kCall, kJmp, kIret, kInterrupt };

// What switches tasks, and where the outgoing task resumes.
struct TaskSwitchCause {
  TaskSwitchSource source;
  uint32_t return_eip;            // saved in the outgoing task's TSS
  const DecodedInsn* insn;        // the CALL, JMP or IRET; null for an event
  uint32_t ext = 0;               // an event's EXT bit, in the error codes of its faults
  std::optional<uint32_t> error_code;  // an exception's, pushed on the new task's stack
};

// Switches from the task in TR to the one whose TSS (32- or 16-bit) `tss_selector`
// names, after the checks of the instruction or gate (done by the caller).
// TR names the new task once the switch is committed: a fault from then on
// belongs to the new task.
Flow SwitchTask(Cpu& cpu, uint16_t tss_selector, const TaskSwitchCause& cause);

}  // namespace x64sim

#endif  // X64SIM_CPU_TASK_SWITCH_H_
