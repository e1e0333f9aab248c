/* Kernel entry and exit.  User state is saved into the current TCB's
 * user_context_t (see kernel/structures.h); the kernel then runs C on its
 * single kernel stack.  %gs (after swapgs) points at struct percpu:
 *   0: kernel stack top, 8: scratch, 20: TSS.RSP0, the end of the current
 *   thread's context. */

#define PERCPU_KSTACK 0
#define PERCPU_SCRATCH 8
#define PERCPU_TSS_RSP0 20
#define SYSCALL_VECTOR -1

/* user_context_t fields relative to its end (PERCPU_TSS_RSP0); the TCB's
 * fault_ip follows the context, at offset 0.  _Static_asserts in
 * kernel/structures.h keep these in step with the C layout. */
#define CTX_R15 -176
#define CTX_R14 -168
#define CTX_R13 -160
#define CTX_R12 -152
#define CTX_R11 -144
#define CTX_R10 -136
#define CTX_R9 -128
#define CTX_R8 -120
#define CTX_RBP -112
#define CTX_RDI -104
#define CTX_RSI -96
#define CTX_RDX -88
#define CTX_RCX -80
#define CTX_RBX -72
#define CTX_RAX -64
#define CTX_VECTOR -56
#define CTX_RIP -40
#define CTX_RFLAGS -24
#define CTX_RSP -16
#define TCB_FAULT_IP 0
/* Added to those: offsets from the context's start, and from a tcb_t
 * pointer (the context starts 512 bytes into the TCB). */
#define CTX_SIZE 176
#define TCB_CTX_END (512 + CTX_SIZE)

.macro PUSH_GPRS
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
.endm

.macro POP_GPRS
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
.endm

    .text
/* SDM 5.8.8: SYSCALL saved RIP in RCX and RFLAGS in R11, left RSP alone.
 * The frame's CS, SS and error code are not stored: restore_user_context
 * sets CS and SS before any IRET, and nothing reads a system call's error
 * code.  RDI, RSI and RDX (capability, message info, number) are still
 * c_handle_syscall's three arguments. */
    .global syscall_entry
syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_SCRATCH
    movq %gs:PERCPU_TSS_RSP0, %rsp
    movq %r15, CTX_R15(%rsp)
    movq %r14, CTX_R14(%rsp)
    movq %r13, CTX_R13(%rsp)
    movq %r12, CTX_R12(%rsp)
    movq %r11, CTX_R11(%rsp)
    movq %r10, CTX_R10(%rsp)
    movq %r9, CTX_R9(%rsp)
    movq %r8, CTX_R8(%rsp)
    movq %rbp, CTX_RBP(%rsp)
    movq %rdi, CTX_RDI(%rsp)
    movq %rsi, CTX_RSI(%rsp)
    movq %rdx, CTX_RDX(%rsp)
    movq %rcx, CTX_RCX(%rsp)
    movq %rbx, CTX_RBX(%rsp)
    movq %rax, CTX_RAX(%rsp)
    movq %rcx, CTX_RIP(%rsp)
    movq %r11, CTX_RFLAGS(%rsp)
    movq $SYSCALL_VECTOR, CTX_VECTOR(%rsp)
    subq $2, %rcx                   /* the 2-byte syscall instruction */
    movq %rcx, TCB_FAULT_IP(%rsp)
    movq %gs:PERCPU_SCRATCH, %rcx
    movq %rcx, CTX_RSP(%rsp)
    movq %gs:PERCPU_KSTACK, %rsp
    call c_handle_syscall
1:  hlt
    jmp 1b

/* One 16-byte stub per vector; those without a CPU error code push 0.
 * SDM 6.13: error codes for 8, 10-14, 17, 21, 29, 30. */
    .align 16
    .global interrupt_vectors
interrupt_vectors:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    .if (vec == 2) || (vec == 8) || (vec == 18)
    jmp kernel_exception
    .else
    jmp exception_common
    .endif
    .set vec, vec + 1
    .endr

/* Delivery clears IF/TF but not DF (SDM 6.12.1.3), and the C code that
 * follows expects DF = 0 (System V ABI 3.2.1): the user's DF is in the
 * saved RFLAGS and comes back with IRETQ. */
exception_common:
    cld
    testb $3, 24(%rsp)              /* CS of the interrupted context */
    jz kernel_exception
    PUSH_GPRS
    swapgs
    movq %gs:PERCPU_KSTACK, %rsp
    call c_handle_exception
1:  hlt
    jmp 1b

/* The kernel itself faulted (or NMI/#DF/#MC): report and stop. */
kernel_exception:
    cld
    PUSH_GPRS
    movq %rsp, %rdi
    andq $-16, %rsp
    call c_kernel_fault
1:  hlt
    jmp 1b

/* restore_user_iret(user_context_t *ctx): back to user through IRETQ. */
    .global restore_user_iret
restore_user_iret:
    movq %rdi, %rsp
    POP_GPRS
    addq $16, %rsp                  /* vector, error */
    swapgs
    iretq

/* restore_user_sysret(user_context_t *ctx): the SYSRET path; RCX and R11
 * are clobbered as the syscall ABI allows. SDM 5.8.8. */
    .global restore_user_sysret
restore_user_sysret:
    movq CTX_R15+CTX_SIZE(%rdi), %r15
    movq CTX_R14+CTX_SIZE(%rdi), %r14
    movq CTX_R13+CTX_SIZE(%rdi), %r13
    movq CTX_R12+CTX_SIZE(%rdi), %r12
    movq CTX_R10+CTX_SIZE(%rdi), %r10
    movq CTX_R9+CTX_SIZE(%rdi), %r9
    movq CTX_R8+CTX_SIZE(%rdi), %r8
    movq CTX_RBP+CTX_SIZE(%rdi), %rbp
    movq CTX_RSI+CTX_SIZE(%rdi), %rsi
    movq CTX_RDX+CTX_SIZE(%rdi), %rdx
    movq CTX_RBX+CTX_SIZE(%rdi), %rbx
    movq CTX_RAX+CTX_SIZE(%rdi), %rax
    movq CTX_RIP+CTX_SIZE(%rdi), %rcx
    movq CTX_RFLAGS+CTX_SIZE(%rdi), %r11
    movq CTX_RSP+CTX_SIZE(%rdi), %rsp
    movq CTX_RDI+CTX_SIZE(%rdi), %rdi
    swapgs
    sysretq

/* restore_user_sysret_ipc(sender, info, receiver, badge): the fastpath's
 * SYSRET to receiver with RDI = badge and RSI = info, where it expects
 * them.  MR0..MR(length-1) (R10, R8, R9, R15) come straight from the
 * sender TCB's context and the rest of the registers from the receiver's,
 * so a longer message costs no more.  The receiver's context keeps its old
 * copies of these registers: nothing reads a running thread's context, and
 * its next entry overwrites it.  The length is info's low byte: at most 4
 * with no extra caps (fast_message); 5..7 cannot occur. */
    .global restore_user_sysret_ipc
restore_user_sysret_ipc:
    movzbl %sil, %r8d
    jmp *message_registers_from(, %r8, 8)
mrs_from_sender_4:
    movq CTX_R15+TCB_CTX_END(%rdi), %r15
    movq CTX_R9+TCB_CTX_END(%rdi), %r9
    movq CTX_R8+TCB_CTX_END(%rdi), %r8
    movq CTX_R10+TCB_CTX_END(%rdi), %r10
    jmp 1f
mrs_from_sender_3:
    movq CTX_R15+TCB_CTX_END(%rdx), %r15
    movq CTX_R9+TCB_CTX_END(%rdi), %r9
    movq CTX_R8+TCB_CTX_END(%rdi), %r8
    movq CTX_R10+TCB_CTX_END(%rdi), %r10
    jmp 1f
mrs_from_sender_2:
    movq CTX_R15+TCB_CTX_END(%rdx), %r15
    movq CTX_R9+TCB_CTX_END(%rdx), %r9
    movq CTX_R8+TCB_CTX_END(%rdi), %r8
    movq CTX_R10+TCB_CTX_END(%rdi), %r10
    jmp 1f
mrs_from_sender_1:
    movq CTX_R15+TCB_CTX_END(%rdx), %r15
    movq CTX_R9+TCB_CTX_END(%rdx), %r9
    movq CTX_R8+TCB_CTX_END(%rdx), %r8
    movq CTX_R10+TCB_CTX_END(%rdi), %r10
    jmp 1f
mrs_from_sender_0:
    movq CTX_R15+TCB_CTX_END(%rdx), %r15
    movq CTX_R9+TCB_CTX_END(%rdx), %r9
    movq CTX_R8+TCB_CTX_END(%rdx), %r8
    movq CTX_R10+TCB_CTX_END(%rdx), %r10
1:  movq %rcx, %rdi
    movq CTX_R14+TCB_CTX_END(%rdx), %r14
    movq CTX_R13+TCB_CTX_END(%rdx), %r13
    movq CTX_R12+TCB_CTX_END(%rdx), %r12
    movq CTX_RBP+TCB_CTX_END(%rdx), %rbp
    movq CTX_RBX+TCB_CTX_END(%rdx), %rbx
    movq CTX_RAX+TCB_CTX_END(%rdx), %rax
    movq CTX_RIP+TCB_CTX_END(%rdx), %rcx
    movq CTX_RFLAGS+TCB_CTX_END(%rdx), %r11
    movq CTX_RSP+TCB_CTX_END(%rdx), %rsp
    movq CTX_RDX+TCB_CTX_END(%rdx), %rdx
    swapgs
    sysretq

    .section .rodata
    .align 8
message_registers_from:
    .quad mrs_from_sender_0, mrs_from_sender_1, mrs_from_sender_2, mrs_from_sender_3
    .quad mrs_from_sender_4, mrs_from_sender_0, mrs_from_sender_0, mrs_from_sender_0
