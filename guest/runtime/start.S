/* Entry of a root server. The kernel starts the initial thread here with the
 * boot info pointer in RDI and no usable stack, so give it one from BSS. */
    .section .text._start, "ax"
    .globl _start
    .type _start, @function
_start:
    movq $runtime_stack_top, %rsp
    xorl %ebp, %ebp
    /* RSP is 16-byte aligned before the call, as the SysV ABI requires. */
    call runtime_enter_main
    ud2
    .size _start, . - _start

    .section .bss.runtime_stack, "aw", @nobits
    .balign 16
runtime_stack_bottom:
    .skip 16384
runtime_stack_top:

    /* No executable stack wanted (GNU ld). */
    .section .note.GNU-stack, "", @progbits
