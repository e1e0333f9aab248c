// user_enter/user_abandon: see user_mode.h. user_enter saves the kernel's
// callee-saved registers and stack pointer; user_abandon restores them, so
// user_enter appears to return.

#include "guest/demo/descriptor_tables.h"

#define RFLAGS_RESERVED1 0x2

  .text
  .global user_enter
user_enter:
  pushq %rbx
  pushq %rbp
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, kernel_resume_rsp(%rip)
  // IRETQ to CPL 3 pops RIP, CS, RFLAGS, RSP, SS (SDM Vol. 2A IRET, 64-bit
  // mode: IA-32e-MODE return to outer privilege level).
  pushq $USER_DATA_SELECTOR
  pushq %rsi
  pushq $RFLAGS_RESERVED1
  pushq $USER_CODE_SELECTOR
  pushq %rdi
  movq %rdx, %rdi
  // Leave no kernel values in the user's registers.
  xorl %eax, %eax
  xorl %ebx, %ebx
  xorl %ecx, %ecx
  xorl %edx, %edx
  xorl %esi, %esi
  xorl %ebp, %ebp
  xorl %r8d, %r8d
  xorl %r9d, %r9d
  xorl %r10d, %r10d
  xorl %r11d, %r11d
  xorl %r12d, %r12d
  xorl %r13d, %r13d
  xorl %r14d, %r14d
  xorl %r15d, %r15d
  swapgs
  iretq

  .global user_abandon
user_abandon:
  movq kernel_resume_rsp(%rip), %rsp
  movq %rdi, %rax
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbp
  popq %rbx
  ret

  .bss
  .align 8
kernel_resume_rsp:
  .quad 0

  .section .note.GNU-stack, "", @progbits
