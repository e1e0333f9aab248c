// Loops that fill memory one element at a time, run a page at a time.
//
//   fill: mov [base + disp], src   ; an immediate, or a register other than base
//         add base, size           ; size: the store's, 4 or 8 bytes
//         cmp base, end            ; fused with the branch
//         jne fill                 ; or jb
//
// is what compilers make of `while (p != end) *p++ = v;`. seL4's memzero is
// such a loop, and sel4test runs it for a quarter of its instructions. The
// handler this installs on the store runs, as one fill of host memory, as
// many whole iterations as (1) keep the loop from exiting, (2) store into
// the page of this iteration's store, which the fast path must let it write
// (so never a page of decoded code, MMIO or one a data breakpoint watches),
// and (3) leave the run loop nothing to do between two of them
// (Cpu::RepeatRoom: no event or boundary due, no stepping, timing off). The
// iteration after them runs as usual: it is the one that leaves the page
// (and may fault there) or the loop. Registers, flags, memory, the
// instruction count, and where events are taken, are exactly those of
// running every iteration. A loop storing zero writes only what is not
// zero already (mmu/ram_store.h), so clearing RAM the guest never used
// leaves it unbacked on the host.
#ifndef X64SIM_CPU_FILL_LOOP_H_
#define X64SIM_CPU_FILL_LOOP_H_

#include "cpu/decoded_insn.h"

namespace x64sim {

// When the first four of a block's `count` instructions, decoded in 64-bit
// mode, are such a loop back to the block's start, gives the first the
// bulk handler and returns true.
bool InstallFillLoop(DecodedInsn* insns, int count);

}  // namespace x64sim

#endif  // X64SIM_CPU_FILL_LOOP_H_
