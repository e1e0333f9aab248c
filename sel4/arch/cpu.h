/* Thin wrappers around privileged x86-64 instructions. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include "kernel/types.h"

#define MSR_EFER 0xC0000080u
#define MSR_STAR 0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_FMASK 0xC0000084u
#define MSR_FS_BASE 0xC0000100u
#define MSR_GS_BASE 0xC0000101u
#define MSR_KERNEL_GS_BASE 0xC0000102u
#define EFER_SCE BIT(0) /* SDM 2.2.1: SYSCALL enable */

#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_WP BIT(16)
#define CR4_PGE BIT(7)
#define CR4_PCE BIT(8) /* SDM 2.5: RDPMC allowed at any CPL */
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_PCIDE BIT(17) /* SDM 4.10.1: CR3[11:0] is the current PCID */
#define CR3_NOFLUSH BIT(63) /* SDM 4.10.4.1: with PCIDE, keep the PCID's entries */

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}
static inline u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}

static inline word_t read_cr0(void) { word_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(word_t v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static inline word_t read_cr2(void) { word_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline word_t read_cr3(void) { word_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(word_t v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline word_t read_cr4(void) { word_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(word_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

/* SDM 4.10.4.1: INVLPG drops the TLB entries (and paging-structure cache
 * entries) for the page holding vaddr in the current PCID. */
static inline void invlpg(word_t vaddr) { __asm__ volatile("invlpg (%0)" ::"r"(vaddr) : "memory"); }

/* SDM vol. 2A INVPCID: type 0 drops one address's entries in a PCID, type 1
 * all of a PCID's non-global entries and its paging-structure caches. */
#define INVPCID_ADDRESS 0
#define INVPCID_CONTEXT 1
static inline void invpcid(word_t type, word_t pcid, word_t vaddr)
{
    struct { u64 pcid, vaddr; } descriptor = {pcid, vaddr};
    __asm__ volatile("invpcid %0, %1" ::"m"(descriptor), "r"(type) : "memory");
}

static inline void fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory"); }

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline NORETURN void halt_forever(void)
{
    for (;;) __asm__ volatile("cli; hlt");
}

#endif
