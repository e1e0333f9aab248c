// Ring-3 code (the linker script puts user_*.o in the user region): a far
// CALL through the call gate into ring 0, back by its far return; then
// UD2 hands the CS it runs with to the kernel's #UD handling.

#include "guest/demo/descriptor_tables.h"

  .text
  .global user_far_call, user_far_call_return
user_far_call:
  lcall *gate_pointer(%rip)
user_far_call_return:
  xorl %eax, %eax
  movw %cs, %ax
  ud2

  .section .rodata
// m16:32: the offset is ignored for a call gate (SDM Vol. 2A CALL).
gate_pointer:
  .long 0
  .word CALL_GATE_SELECTOR | 3

  .bss
  .align 16
  .global user_stack_top
  .skip 4096
user_stack_top:

  .section .note.GNU-stack, "", @progbits
