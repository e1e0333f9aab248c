/* Kernel entry and exit.  User state is saved into the current TCB's
 * user_context_t (see kernel/structures.h); the kernel then runs C on its
 * single kernel stack.  %gs (after swapgs) points at struct percpu:
 *   0: kernel stack top, 8: end of the current thread's context, 16: scratch. */

#define PERCPU_KSTACK 0
#define PERCPU_CTX_TOP 8
#define PERCPU_SCRATCH 16
#define USER_CS 0x23
#define USER_SS 0x1b
#define SYSCALL_VECTOR -1

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
/* SDM 5.8.8: SYSCALL saved RIP in RCX and RFLAGS in R11, left RSP alone. */
    .global syscall_entry
syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_SCRATCH
    movq %gs:PERCPU_CTX_TOP, %rsp
    pushq $USER_SS
    pushq %gs:PERCPU_SCRATCH
    pushq %r11
    pushq $USER_CS
    pushq %rcx
    pushq $0
    pushq $SYSCALL_VECTOR
    PUSH_GPRS
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

exception_common:
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
    movq %rdi, %rsp
    POP_GPRS
    movq 16(%rsp), %rcx             /* rip */
    movq 32(%rsp), %r11             /* rflags */
    movq 40(%rsp), %rsp             /* user rsp */
    swapgs
    sysretq
