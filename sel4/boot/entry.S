/* Multiboot 1 entry.  The loader starts us in 32-bit protected mode with
 * paging off, EAX = 0x2BADB002 and EBX = the multiboot info (physical).
 * This code builds boot page tables, enters long mode and jumps to the
 * higher-half kernel.  Everything here is linked at its physical address. */

#define MULTIBOOT_MAGIC 0x1BADB002
#define MULTIBOOT_FLAGS 0x00000003 /* page-align modules, want memory info */
#define KERNEL_ELF_BASE 0xffffffff80000000

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PS 0x80
#define PTE_PWT 0x8
#define PTE_PCD 0x10

    .section .boot.header, "a"
    .align 4
multiboot_header:
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    .section .boot.text, "ax"
    .code32
    .global _start
_start:
    cli
    movl %eax, %edi                 /* multiboot magic */
    movl %ebx, %esi                 /* multiboot info */
    movl $boot_stack_top, %esp

    /* Zero the boot page tables (5 PDs/PDPT pages + PML4). */
    movl $boot_pml4, %ebx
    xorl %eax, %eax
    movl $(6 * 4096 / 4), %ecx
1:  movl %eax, (%ebx)
    addl $4, %ebx
    loop 1b

    /* Four page directories of 2 MiB pages map physical 0..4 GiB; the
     * top 32 MiB (local APIC, I/O APIC) uncached. SDM 4.5, Table 4-17. */
    movl $boot_pd, %ebx
    xorl %ecx, %ecx                 /* 2 MiB page index */
2:  movl %ecx, %eax
    shll $21, %eax
    orl $(PTE_P | PTE_RW | PTE_PS), %eax
    cmpl $2032, %ecx
    jb 3f
    orl $(PTE_PWT | PTE_PCD), %eax
3:  movl %eax, (%ebx, %ecx, 8)
    movl %ecx, %edx
    shrl $11, %edx                  /* bits 32+ of the physical address */
    movl %edx, 4(%ebx, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jb 2b

    /* One PDPT: entries 0-3 -> the PDs (identity and kernel window),
     * entry 510 -> PD 0 (kernel image at 0xffffffff80000000). */
    movl $boot_pdpt, %ebx
    movl $boot_pd + (PTE_P | PTE_RW), %eax
    movl %eax, 0(%ebx)
    addl $4096, %eax
    movl %eax, 8(%ebx)
    addl $4096, %eax
    movl %eax, 16(%ebx)
    addl $4096, %eax
    movl %eax, 24(%ebx)
    movl $boot_pd + (PTE_P | PTE_RW), %eax
    movl %eax, 510 * 8(%ebx)

    /* PML4[0] (identity, dropped later) and PML4[511] -> the PDPT. */
    movl $boot_pml4, %ebx
    movl $boot_pdpt + (PTE_P | PTE_RW), %eax
    movl %eax, 0(%ebx)
    movl %eax, 511 * 8(%ebx)

    /* SDM 9.8.5: PAE on, CR3, EFER.LME, then paging on. */
    movl %cr4, %eax
    orl $0x20, %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80000001, %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

    .code64
long_mode_entry:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movl %edi, %edi                 /* zero-extend the multiboot arguments */
    movl %esi, %esi
    movabsq $kernel_high_entry, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00209a0000000000        /* 64-bit ring-0 code */
    .quad 0x0000920000000000        /* ring-0 data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .boot.bss, "aw", @nobits
    .align 4096
    .global boot_pml4
boot_pml4:
    .space 4096
boot_pdpt:
    .space 4096
    .global boot_pd
boot_pd:
    .space 4 * 4096
    .space 4096
boot_stack_top:

    /* Higher half: clear the kernel BSS, take the kernel stack, enter C. */
    .text
    .global kernel_high_entry
kernel_high_entry:
    movq %rdi, %r12
    movq %rsi, %r13
    movabsq $__bss_start, %rdi
    movabsq $__bss_end, %rcx
    subq %rdi, %rcx
    xorl %eax, %eax
    rep stosb
    movabsq $kernel_stack_top, %rsp
    movq %r12, %rdi
    movq %r13, %rsi
    call init_kernel
1:  cli
    hlt
    jmp 1b

    .bss
    .align 16
kernel_stack:
    .space 16384
    .global kernel_stack_top
kernel_stack_top:
