// Loading segment registers from the GDT (SDM vol. 3A 3.4, 5.5-5.8).
#ifndef X64SIM_CPU_SEGMENTS_H_
#define X64SIM_CPU_SEGMENTS_H_

#include <cstdint>

#include "cpu/cpu.h"

namespace x64sim {

// Reads the 8-byte descriptor for `selector` (GDT only; LDT selectors and
// selectors past the limit raise #GP(selector)).
bool ReadDescriptor(Cpu& cpu, uint16_t selector, uint64_t* descriptor);

// MOV/POP to DS, ES, FS, GS or SS with the protection checks of MOV.
bool LoadDataSegment(Cpu& cpu, SegReg reg, uint16_t selector);

// Validates a code segment for a far transfer to privilege `cpl`; returns its cache.
bool LoadCodeDescriptor(Cpu& cpu, uint16_t selector, int cpl, Segment* out);

}  // namespace x64sim

#endif  // X64SIM_CPU_SEGMENTS_H_
