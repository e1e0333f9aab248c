// Virtual-8086 mode (SDM vol. 3A chapter 20): real-mode-style code at CPL 3
// under protected mode, entered by IRET or a task switch with EFLAGS.VM
// set and left by an interrupt or exception to a ring-0 handler. Without
// the virtual-mode extensions (CPUID reports no VME; CR4.VME and PVI are
// reserved), so the IOPL-sensitive instructions fault at IOPL < 3. Segment
// loads, far JMP, CALL, RET and IRET work as in real mode
// (cpu/real_address.h).
#ifndef X64SIM_CPU_VM86_H_
#define X64SIM_CPU_VM86_H_

#include <cstdint>

#include "cpu/cpu.h"

namespace x64sim {

inline bool InVm86(const Cpu& cpu) { return cpu.state.rflags & kVM; }

// What a segment register holds in virtual-8086 mode: base selector * 16,
// limit 64 KiB - 1, a present, writable, accessed DPL-3 data segment (the
// access rights VMX requires of virtual-8086 guest segments, 0xF3).
Segment Vm86Segment(uint16_t selector);

// PUSHF, POPF, INT n and IRET in virtual-8086 mode need IOPL = 3: else
// #GP(0) (SDM vol. 3A 20.2.7). False with the fault raised.
bool Vm86IoplAllows(Cpu& cpu);

// Loads ES, CS, SS, DS, FS, GS (in SegReg order) the virtual-8086 way and
// makes CPL 3; EFLAGS.VM is the caller's.
void LoadVm86Segments(Cpu& cpu, const uint16_t selectors[6]);

// IRET at CPL 0 whose EFLAGS image has VM set (SDM vol. 2B IRET
// "RETURN-TO-VIRTUAL-8086-MODE"), EIP, CS and EFLAGS popped (32-bit):
// pops ESP, SS, ES, DS, FS and GS and enters virtual-8086 mode. On a fault
// RSP goes back to `saved_rsp`.
Flow IretToVm86(Cpu& cpu, uint32_t eip, uint16_t cs, uint32_t eflags, uint64_t saved_rsp);

}  // namespace x64sim

#endif  // X64SIM_CPU_VM86_H_
