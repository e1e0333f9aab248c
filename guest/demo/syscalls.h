// SYSCALL/SYSRET set-up and the kernel side of the demo's system calls.
#ifndef GUEST_DEMO_SYSCALLS_H_
#define GUEST_DEMO_SYSCALLS_H_

#include <stdint.h>

// Programs STAR, LSTAR and FMASK, sets EFER.SCE, and points GS at the
// per-CPU block (user GS base 0 waits in IA32_KERNEL_GS_BASE).
void syscalls_init(void);

// What the kernel saw during the last user program's system calls.
struct syscall_observations {
  int writes;
  int entries_on_entry_stack;  // syscalls that ran on the TSS.RSP0 stack
  int entries_with_kernel_gs;  // syscalls that found the per-CPU block at GS
};

struct syscall_observations syscall_observations_take(void);

#endif  // GUEST_DEMO_SYSCALLS_H_
