// Real-address mode (CR0.PE = 0, SDM vol. 3A 20.1) and virtual-8086
// mode share a segment model: a segment register's base is its selector
// times 16, and no descriptor is ever read. This is what the two have in
// common: segment loads, the far transfers and IRET. They differ in the
// rest of the segment cache (virtual-8086 mode: a 64 KiB DPL-3 data
// segment; real mode keeps the limit and attributes a protected-mode load
// left, which is how "unreal mode" reaches past 64 KiB), in privilege
// (CPL 3 there, 0 here) and in IRET's IOPL rule (cpu/vm86.h).
#ifndef X64SIM_CPU_REAL_ADDRESS_H_
#define X64SIM_CPU_REAL_ADDRESS_H_

#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/vm86.h"

namespace x64sim {

inline bool InRealMode(const Cpu& cpu) { return cpu.state.mode == CpuMode::kReal; }
inline bool InRealAddressing(const Cpu& cpu) { return InRealMode(cpu) || InVm86(cpu); }

// What loading `selector` into `reg` leaves in the segment cache.
Segment RealAddressSegment(const Cpu& cpu, SegReg reg, uint16_t selector);

// IRET (virtual-8086 mode: only at IOPL 3, which it keeps), far JMP, CALL
// and RET. A target beyond CS's limit is #GP(0), before anything changes.
Flow RealAddressIret(Cpu& cpu, const DecodedInsn& in);
Flow RealAddressFarJmp(Cpu& cpu, uint16_t selector, uint64_t offset);
Flow RealAddressFarCall(Cpu& cpu, const DecodedInsn& in, uint16_t selector, uint64_t offset);
Flow RealAddressFarRet(Cpu& cpu, const DecodedInsn& in);

}  // namespace x64sim

#endif  // X64SIM_CPU_REAL_ADDRESS_H_
