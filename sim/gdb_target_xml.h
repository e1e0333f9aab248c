// The registers x64sim shows gdb, in the remote protocol's numbering, and
// the target description (XML) that tells gdb their names, sizes and types:
// gdb's x86-64 core, SSE and segment-base features, plus x64sim's own
// "org.x64sim.system" feature with the control registers and EFER.
#ifndef X64SIM_SIM_GDB_TARGET_XML_H_
#define X64SIM_SIM_GDB_TARGET_XML_H_

#include <string>

namespace x64sim {

// Register numbers as the 'g', 'p' and 'P' packets use them.
enum GdbRegister : int {
  kGdbRax = 0,      // rax rbx rcx rdx rsi rdi rbp rsp r8..r15: 0..15
  kGdbRip = 16,
  kGdbEflags = 17,
  kGdbCs = 18,      // cs ss ds es fs gs: 18..23
  kGdbSt0 = 24,     // st0..st7: 24..31 (10 bytes each)
  kGdbFctrl = 32,   // fctrl fstat ftag fiseg fioff foseg fooff fop: 32..39
  kGdbXmm0 = 40,    // xmm0..xmm15: 40..55
  kGdbMxcsr = 56,
  kGdbFsBase = 57,
  kGdbGsBase = 58,
  kGdbCr0 = 59,     // cr0 cr2 cr3 cr4 cr8 efer: 59..64
  kGdbRegisterCount = 65,
};

// Bytes of register `n` in the protocol.
int GdbRegisterSize(int n);

// The whole target description document ("target.xml").
const std::string& GdbTargetXml();

}  // namespace x64sim

#endif  // X64SIM_SIM_GDB_TARGET_XML_H_
