/* GDT, TSS, IDT, SYSCALL MSRs and the user-return path. */
#include "arch/machine.h"

struct percpu percpu __attribute__((aligned(128))); /* the TSS within one page */
_Static_assert(__builtin_offsetof(struct percpu, tss) + 4 == 20, "traps.S: PERCPU_TSS_RSP0");
word_t loaded_fs_base, loaded_gs_base;
word_t fast_return_epoch = 1; /* a TCB's record starts at 0: not current */

extern char kernel_stack_top[]; /* boot/entry.S */
static u8 ist_stack[4096] __attribute__((aligned(16)));

/* SDM 3.4.5: null, kernel code, kernel data, user data, user code, TSS (2). */
static u64 gdt[7];

struct idt_gate {
    u16 offset_low, selector;
    u8 ist, type_attr;
    u16 offset_mid;
    u32 offset_high, reserved;
} __attribute__((packed));
static struct idt_gate idt[256];

struct table_pointer {
    u16 limit;
    u64 base;
} __attribute__((packed));

extern char interrupt_vectors[];
extern char syscall_entry[];

static void init_gdt(void)
{
    gdt[1] = 0x00209a0000000000ul; /* L=1, P, DPL0, code */
    gdt[2] = 0x0000920000000000ul; /* P, DPL0, data */
    gdt[3] = 0x0000f20000000000ul; /* P, DPL3, data */
    gdt[4] = 0x0020fa0000000000ul; /* L=1, P, DPL3, code */
    word_t base = (word_t)&percpu.tss, limit = sizeof(percpu.tss) - 1;
    /* SDM 8.2.3: available 64-bit TSS descriptor (type 9), 16 bytes. */
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) | (((limit >> 16) & 0xf) << 48) |
             (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;
    struct table_pointer p = {sizeof(gdt) - 1, (u64)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "movw %w1, %%ds\n\t"
                     "movw %w1, %%es\n\t"
                     "movw %w1, %%ss\n\t"
                     "pushq %2\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:"
                     :
                     : "m"(p), "r"(KERNEL_DS), "i"(KERNEL_CS)
                     : "rax", "memory");
    __asm__ volatile("movw %w0, %%fs; movw %w0, %%gs" ::"r"(0));
    percpu.tss.ist[0] = (u64)(ist_stack + sizeof(ist_stack));
    percpu.tss.rsp[0] = (u64)kernel_stack_top;
    percpu.tss.iomap_base = sizeof(percpu.tss); /* no I/O bitmap: user port I/O faults */
    __asm__ volatile("ltr %w0" ::"r"(5 * 8));
}

static void init_idt(void)
{
    for (int v = 0; v < 256; v++) {
        word_t handler = (word_t)interrupt_vectors + 16 * v;
        idt[v].offset_low = handler & 0xffff;
        idt[v].selector = KERNEL_CS;
        /* NMI, #DF and #MC run on their own stack (SDM 6.14.5). */
        idt[v].ist = (v == 2 || v == 8 || v == 18) ? 1 : 0;
        idt[v].type_attr = 0x8e; /* present, DPL0, 64-bit interrupt gate */
        idt[v].offset_mid = (handler >> 16) & 0xffff;
        idt[v].offset_high = handler >> 32;
        idt[v].reserved = 0;
    }
    struct table_pointer p = {sizeof(idt) - 1, (u64)idt};
    __asm__ volatile("lidt %0" ::"m"(p));
}

static void init_syscall_msrs(void)
{
    /* SDM 5.8.8: STAR[47:32] = kernel CS (SS = +8); STAR[63:48] + 16 = user
     * CS, + 8 = user SS, both with RPL 3. */
    wrmsr(MSR_STAR, ((u64)(USER_DS - 3 - 8) << 48) | ((u64)KERNEL_CS << 32));
    wrmsr(MSR_LSTAR, (u64)syscall_entry);
    /* Clear TF, IF, DF, NT and AC on entry. */
    wrmsr(MSR_FMASK, BIT(8) | BIT(9) | BIT(10) | BIT(14) | BIT(18));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    percpu.kernel_stack_top = (word_t)kernel_stack_top;
    wrmsr(MSR_GS_BASE, (u64)&percpu);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    wrmsr(MSR_FS_BASE, 0);
    loaded_fs_base = loaded_gs_base = 0;
}

void init_cpu_tables(void)
{
    init_gdt();
    init_idt();
    init_syscall_msrs();
}

void restore_user_context(tcb_t *t)
{
    set_entry_context(t);
    fpu_before_return(t);
    if (t->fs_base != loaded_fs_base) {
        wrmsr(MSR_FS_BASE, t->fs_base);
        loaded_fs_base = t->fs_base;
        fast_return_epoch++;
    }
    if (t->gs_base != loaded_gs_base) {
        wrmsr(MSR_KERNEL_GS_BASE, t->gs_base);
        loaded_gs_base = t->gs_base;
        fast_return_epoch++;
    }
    if (t->ctx.vector == SYSCALL_VECTOR) {
        if (!fpu_owner) t->fast_return_epoch = fast_return_epoch;
        restore_user_sysret(&t->ctx);
    }
    t->ctx.cs = USER_CS;
    t->ctx.ss = USER_DS;
    restore_user_iret(&t->ctx);
}
