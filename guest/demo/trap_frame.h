// What exception_entry.S leaves on the stack: the general registers it
// pushed, the vector and error code (0 when the CPU pushes none), then the
// 64-bit interrupt frame (SDM Vol. 3A 7.14.2, Figure 7-9: SS:RSP always).
#ifndef GUEST_DEMO_TRAP_FRAME_H_
#define GUEST_DEMO_TRAP_FRAME_H_

#include <stdint.h>

struct trap_frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector;
  uint64_t error_code;
  uint64_t rip, cs, rflags, rsp, ss;
};

#endif  // GUEST_DEMO_TRAP_FRAME_H_
