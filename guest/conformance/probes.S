// Kernel-mode instruction sequences the conformance checks run, each with
// labels where the SDM says an exception is reported or execution resumes.
// conformance_main.c drives them and its #DB, #MF, #XM and #UD handling
// moves RIP to the resume labels.

#include "guest/demo/descriptor_tables.h"

  .text

// Single-step: POPF sets TF (no trap after the POPF itself, SDM Vol. 3B
// 18.3.1.4); a trap follows each instruction, except that MOV SS holds the
// one after it until the next instruction has run (SDM Vol. 3A 7.8.3).
  .global ss_probe, ss_base, ss_end
ss_probe:
  pushfq
  orq $0x100, (%rsp)
  popfq
ss_base:
  nop
  movl $1, %eax
  addl %eax, %eax
  movw %ss, %cx
  movw %cx, %ss
  nop
ss_end:
  ret

// IRETQ loading TF: like POPF, the first trap comes after the first
// instruction at the target, not after the IRETQ (TF was clear when it
// began).
  .global iret_probe, iret_target, iret_end
iret_probe:
  movq %rsp, %rax
  pushq $KERNEL_DATA_SELECTOR
  pushq %rax
  pushfq
  orq $0x100, (%rsp)
  pushq $KERNEL_CODE_SELECTOR
  leaq iret_target(%rip), %rcx
  pushq %rcx
  iretq
iret_target:
  nop
  nop
iret_end:
  ret

// SYSCALL at CPL 0, TF set by the POPF before it: SYSCALL traps on the TF
// it leaves, after FMASK (Xen's XSA-204), so at the entry point only when
// FMASK keeps TF. The entry returns through RCX with TF cleared.
  .global syscall_probe, syscall_entry
syscall_probe:
  pushfq
  orq $0x100, (%rsp)
  popfq
  syscall
  ret
syscall_entry:
  andq $~0x100, %r11
  pushq %r11
  popfq
  jmp *%rcx

// Entered by SYSCALL from ring 3 (user_syscall.S): SYSRET back with TF set
// in the RFLAGS it restores. Unlike IRETQ and POPF, that traps at once, at
// the user RIP (Linux's arch/x86/entry/common.c relies on it).
  .global sysret_entry
sysret_entry:
  orq $0x100, %r11
  sysretq

// An instruction breakpoint in DR0 on bp_target: a fault before it runs.
  .global bp_probe, bp_target
bp_probe:
  nop
bp_target:
  movl $7, %eax
  ret

// A data breakpoint on the quadword at RDI: a trap after the access.
  .global data_probe, data_after_store, data_after_load
data_probe:
  movq $5, (%rdi)
data_after_store:
  movq (%rdi), %rax
data_after_load:
  ret

// INT1 (ICEBP, F1): a trap-class #DB after it.
  .global icebp_probe, icebp_after
icebp_probe:
  .byte 0xf1
icebp_after:
  ret

// x87: an unmasked divide by zero sets ES; the next waiting x87
// instruction takes #MF (CR0.NE = 1), RIP at it (SDM Vol. 1 8.7).
  .global mf_probe, mf_fdiv, mf_wait, mf_resume
mf_probe:
  fninit
  fldcw x87_control_zero_divide_unmasked(%rip)
  fld1
mf_fdiv:
  fdivs (%rdi)
mf_wait:
  fwait
mf_resume:
  fninit
  ret

// SSE: an unmasked divide by zero is a fault at DIVSS: #XM with
// CR4.OSXMMEXCPT, #UD without it (SDM Vol. 1 11.5.2.1). RDI -> {1.0f, 0.0f,
// MXCSR to load}.
  .global xm_probe, xm_fault, xm_resume
xm_probe:
  movss (%rdi), %xmm0
  movss 4(%rdi), %xmm1
  ldmxcsr 8(%rdi)
xm_fault:
  divss %xmm1, %xmm0
xm_resume:
  ret

// Reached from ring 3 through the call gate: the CPU switched to the
// TSS.RSP0 stack and pushed the caller's SS, RSP, CS and RIP (SDM Vol. 3A
// 5.8.6, Figure 5-13, IA-32e mode). Records CS, RSP and that frame, then
// returns to ring 3 with a 64-bit far return.
  .global gate_target
gate_target:
  movq %rsp, gate_rsp(%rip)
  movw %cs, %ax
  movw %ax, gate_cs(%rip)
  leaq gate_frame(%rip), %rcx
  movq (%rsp), %rax
  movq %rax, (%rcx)
  movq 8(%rsp), %rax
  movq %rax, 8(%rcx)
  movq 16(%rsp), %rax
  movq %rax, 16(%rcx)
  movq 24(%rsp), %rax
  movq %rax, 24(%rcx)
  lretq

  .section .rodata
x87_control_zero_divide_unmasked:
  .word 0x037b  // the FNINIT default 0x037f with ZM (bit 2) clear

  .bss
  .align 8
  .global gate_rsp, gate_cs, gate_frame
gate_rsp:
  .quad 0
gate_cs:
  .quad 0
gate_frame:
  .quad 0, 0, 0, 0

  .section .note.GNU-stack, "", @progbits
