// The demo's system calls: number in RAX, arguments in RDI, RSI, RDX,
// result in RAX. SYSCALL itself clobbers RCX and R11 (SDM Vol. 2B SYSCALL).
#ifndef GUEST_DEMO_SYSCALL_NUMBERS_H_
#define GUEST_DEMO_SYSCALL_NUMBERS_H_

enum {
  kSysExit = 0,   // (code): ends the user program; user_enter returns code
  kSysWrite = 1,  // (buffer, length) -> length written, or -1 if the buffer
                  // is not in the user region
};

#endif  // GUEST_DEMO_SYSCALL_NUMBERS_H_
