// Entry stubs for the 32 exception vectors and the common path that saves
// the registers, calls handle_exception(frame) and returns with IRETQ.

// Vectors for which the CPU pushes an error code (SDM Vol. 3A 7.15, Table
// 7-1 / "Error Code" column): #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14,
// #AC 17, #CP 21, #VC 29, #SX 30. The others get a 0 pushed by the stub so
// that every frame has the same shape.
.macro EXCEPTION_STUB vector
  .align 16
exception_stub_\vector:
  .if (\vector == 8) || (\vector == 10) || (\vector == 11) || (\vector == 12) || \
      (\vector == 13) || (\vector == 14) || (\vector == 17) || (\vector == 21) || \
      (\vector == 29) || (\vector == 30)
  .else
  pushq $0
  .endif
  pushq $\vector
  jmp exception_common
.endm

  .text
  .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  EXCEPTION_STUB \v
  .endr

// Offset of the saved CS in the frame while only vector and error code sit
// above the CPU's frame.
#define FRAME_CS 24

exception_common:
  // Coming from ring 3 GS still holds the user base; swap to the kernel's
  // per-CPU block (SDM Vol. 2B SWAPGS).
  testb $3, FRAME_CS(%rsp)
  jz 1f
  swapgs
1:
  pushq %rax
  pushq %rbx
  pushq %rcx
  pushq %rdx
  pushq %rsi
  pushq %rdi
  pushq %rbp
  pushq %r8
  pushq %r9
  pushq %r10
  pushq %r11
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  cld
  // The CPU aligned RSP to 16 before pushing its frame (SDM 7.14.2); with
  // 22 quadwords pushed since, RSP is 16-byte aligned again for the call.
  movq %rsp, %rdi
  call handle_exception
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %r11
  popq %r10
  popq %r9
  popq %r8
  popq %rbp
  popq %rdi
  popq %rsi
  popq %rdx
  popq %rcx
  popq %rbx
  popq %rax
  testb $3, FRAME_CS(%rsp)
  jz 2f
  swapgs
2:
  addq $16, %rsp
  iretq

  .section .rodata
  .align 8
  .global exception_stubs
exception_stubs:
  .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  .quad exception_stub_\v
  .endr

  .section .note.GNU-stack, "", @progbits
