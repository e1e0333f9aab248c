// Hardware task switches in legacy protected mode (SDM vol. 3A 7.3): far
// CALL or JMP to a TSS or task gate, and IRET with NT = 1.
#ifndef X64SIM_CPU_TASK_SWITCH_H_
#define X64SIM_CPU_TASK_SWITCH_H_

#include <cstdint>

#include "cpu/cpu.h"

namespace x64sim {

enum class TaskSwitchSource : uint8_t { kCall, kJmp, kIret };

// Switches from the task in TR to the one whose 32-bit TSS `tss_selector`
// names, after the privilege checks of the instruction (done by the caller);
// `in` is the instruction (EIP saved is the next one's).
Flow SwitchTask(Cpu& cpu, const DecodedInsn& in, uint16_t tss_selector, TaskSwitchSource source);

}  // namespace x64sim

#endif  // X64SIM_CPU_TASK_SWITCH_H_
