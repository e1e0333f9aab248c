// Port I/O protection (SDM vol. 1 18.5): IN, OUT, INS and OUTS at CPL > IOPL
// are allowed only when the TSS's I/O permission bitmap clears the bit of
// every port the access touches.
#ifndef X64SIM_CPU_IO_PERMISSION_H_
#define X64SIM_CPU_IO_PERMISSION_H_

#include <cstdint>

#include "cpu/cpu.h"

namespace x64sim {

// True when the access of `size` bytes at `port` may go ahead. Otherwise it
// raised #GP(0), or the fault reading the TSS, and returns false. Costs one
// compare when CPL <= IOPL.
bool IoPermitted(Cpu& cpu, uint16_t port, int size);

}  // namespace x64sim

#endif  // X64SIM_CPU_IO_PERMISSION_H_
