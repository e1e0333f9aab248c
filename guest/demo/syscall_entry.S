// SYSCALL lands here (IA32_LSTAR) with RCX = user RIP, R11 = user RFLAGS,
// still on the user stack and with the user's GS (SDM Vol. 2B SYSCALL).

#include "guest/demo/cpu_local.h"

  .text
  .global syscall_entry
syscall_entry:
  swapgs
  movq %rsp, %gs:CPU_LOCAL_USER_RSP
  movq %gs:CPU_LOCAL_KERNEL_RSP, %rsp
  pushq %rcx
  pushq %r11
  pushq %rdi
  pushq %rsi
  pushq %rdx
  pushq %r8
  pushq %r9
  pushq %r10
  // handle_syscall(arg0, arg1, arg2, number); 8 pushes keep RSP 16-aligned.
  movq %rax, %rcx
  call handle_syscall
  popq %r10
  popq %r9
  popq %r8
  popq %rdx
  popq %rsi
  popq %rdi
  popq %r11
  popq %rcx
  movq %gs:CPU_LOCAL_USER_RSP, %rsp
  swapgs
  // Back to CPL 3 at RCX with RFLAGS from R11 (SDM Vol. 2B SYSRET).
  sysretq

  .section .note.GNU-stack, "", @progbits
