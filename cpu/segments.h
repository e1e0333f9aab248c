// Loading segment registers from the GDT and LDT (SDM vol. 3A 3.4, 5.5-5.8).
#ifndef X64SIM_CPU_SEGMENTS_H_
#define X64SIM_CPU_SEGMENTS_H_

#include <cstdint>

#include "cpu/cpu.h"

namespace x64sim {

// Reads the 8-byte descriptor for `selector` from the GDT or, TI = 1, the
// LDT; past the table's limit or with a null LDTR, `vector` (#GP, or #TS
// during a task switch) with the selector and its TI bit as error code.
bool ReadDescriptor(Cpu& cpu, uint16_t selector, uint64_t* descriptor,
                    uint8_t vector = kGeneralProtection);

// Sets the accessed bit (type bit 0) of the code or data descriptor that
// `selector` names, in the table and in `*descriptor`, as loading it into a
// segment register does (SDM vol. 3A 3.4.5.1): an implicit supervisor write,
// which faults as others do (#PF on a read-only page; Linux sets the bits
// in advance for that reason). Call once the descriptor passed its checks.
bool MarkAccessed(Cpu& cpu, uint16_t selector, uint64_t* descriptor);
// The same for a segment cache built from its descriptor (its selector's
// RPL may differ), in the table and in `*s`; nothing for a null selector.
// For the transfers that check CS and SS first and load them once every
// check has passed.
bool MarkLoaded(Cpu& cpu, Segment* s);

// MOV/POP to DS, ES, FS, GS or SS with the protection checks of MOV.
bool LoadDataSegment(Cpu& cpu, SegReg reg, uint16_t selector);

// MOV or POP to a segment register: LoadDataSegment, then, for SS, the
// one-instruction hold of interrupts and debug traps (SDM vol. 3A 6.8.3).
bool MoveToSegment(Cpu& cpu, SegReg reg, uint16_t selector);

// After a far RET or IRET to a less privileged level (the CPL already the
// new one), ES, FS, GS and DS holding a data or non-conforming code segment
// the new level may not use become null (SDM vol. 2B RET and IRET,
// "RETURN-TO-OUTER-PRIVILEGE-LEVEL"); their bases stay.
void NullInaccessibleSegments(Cpu& cpu);

// Validates a code segment for a far transfer to privilege `cpl`; returns
// its cache, which the caller marks accessed (MarkLoaded) when it loads it.
bool LoadCodeDescriptor(Cpu& cpu, uint16_t selector, int cpl, Segment* out);

// The target of a far JMP or CALL: ptr16:16/32 from the instruction
// (in.imm, in.disp) or m16:16/32/64 from memory (in.aux set; in.size is
// the offset's size), offset first.
bool ReadFarPointer(Cpu& cpu, const DecodedInsn& in, uint64_t* offset, uint16_t* selector);

// The stack the legacy TSS in TR gives privilege level `cpl` (SSn:ESPn of
// a 32-bit TSS, SDM vol. 3A 7.2.1, or SSn:SPn of a 16-bit one), its SS checked as a stack switch checks it (5.8.5): #TS for a
// TSS too short or an SS that is null, of another privilege or not a
// writable data segment; #SS when not present. The caller marks SS
// accessed (MarkLoaded) when it loads it.
struct InnerStack {
  Segment ss;
  uint32_t esp = 0;
};
// `ext`: an event's EXT bit, carried in the #TS and #SS error codes.
bool ReadInnerStack(Cpu& cpu, int cpl, InnerStack* out, uint32_t ext = 0);

}  // namespace x64sim

#endif  // X64SIM_CPU_SEGMENTS_H_
