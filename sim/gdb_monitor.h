// The stub's `monitor` commands that only look at the machine: how an
// address translates and why it faults, the TLBs, the statistics, simulated
// time and physical memory. They read; they never change what the guest
// sees next (no TLB fill, no accessed/dirty bit written).
#ifndef X64SIM_SIM_GDB_MONITOR_H_
#define X64SIM_SIM_GDB_MONITOR_H_

#include <string>
#include <string_view>

#include "sim/machine.h"

namespace x64sim {

// Runs `monitor COMMAND` into `output`; false if this module does not know
// the command (the stub has a few of its own).
bool RunMonitorCommand(Machine& machine, std::string_view command, std::string* output);

// The help text of these commands, one line each.
std::string MonitorHelp();

// The page walk of `linear` for an access of `kind` in the current context,
// as the MMU trace prints it, and for a fault the sentence explain-fault
// gives. No model state changes.
std::string ExplainWalk(Machine& machine, uint64_t linear, AccessKind kind, bool user);

}  // namespace x64sim

#endif  // X64SIM_SIM_GDB_MONITOR_H_
