// Multiboot 1 header and entry: from the 32-bit protected mode the loader
// leaves us in, build an identity map of the first 1 GiB with 2 MiB pages,
// enter long mode and call kernel_main(magic, info) in 64-bit code.

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
// Flags: bit 0 page-align modules, bit 1 provide mem_* and the memory map
// (Multiboot spec 3.1.2).
#define MULTIBOOT_HEADER_FLAGS 0x00000003

#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
// Page-table entry bits (SDM Vol. 3A 4.5, Tables 4-14..4-18).
#define PTE_PRESENT 0x1
#define PTE_WRITABLE 0x2
#define PTE_USER 0x4
#define PTE_LARGE 0x80
#define BOOT_CODE64 0x08
#define BOOT_DATA 0x10

  .section .multiboot, "a"
  .align 4
multiboot_header:
  .long MULTIBOOT_HEADER_MAGIC
  .long MULTIBOOT_HEADER_FLAGS
  .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

  .section .boot.text, "ax"
  .code32
  .global _start
_start:
  cli
  // EAX = magic and EBX = info (spec 3.2); ESI keeps the magic, EBX is
  // untouched below.
  movl %eax, %esi

  // The loader zeroes memory past each segment's file size, but the page
  // tables below rely on it, so clear .bss ourselves.
  movl $__bss_start, %edi
  movl $__bss_end, %ecx
  subl %edi, %ecx
  xorl %eax, %eax
  cld
  rep stosb

  movl $boot_stack_top, %esp

  // PML4[0] -> PDPT, PDPT[0] -> PD. U/S is set at these levels so that a
  // PD entry alone decides whether a 2 MiB region is user-accessible
  // (SDM 4.6.1: access rights combine over all levels).
  movl $boot_pdpt, %eax
  orl $(PTE_PRESENT | PTE_WRITABLE | PTE_USER), %eax
  movl %eax, boot_pml4
  movl $boot_pd, %eax
  orl $(PTE_PRESENT | PTE_WRITABLE | PTE_USER), %eax
  movl %eax, boot_pdpt

  // PD[i] maps 2 MiB page i at physical i * 2 MiB, supervisor-only.
  movl $boot_pd, %edi
  movl $(PTE_PRESENT | PTE_WRITABLE | PTE_LARGE), %eax
  movl $512, %ecx
1:
  movl %eax, (%edi)
  addl $0x200000, %eax
  addl $8, %edi
  decl %ecx
  jnz 1b

  // Long mode activation order: CR4.PAE, CR3, EFER.LME, then CR0.PG
  // (SDM Vol. 3A 10.8.5 "Initializing IA-32e Mode").
  movl %cr4, %eax
  orl $CR4_PAE, %eax
  movl %eax, %cr4
  movl $boot_pml4, %eax
  movl %eax, %cr3
  movl $MSR_EFER, %ecx
  rdmsr
  orl $EFER_LME, %eax
  wrmsr
  movl %cr0, %eax
  orl $CR0_PG, %eax
  movl %eax, %cr0

  // Now in compatibility mode; a far jump to a code segment with L=1 enters
  // 64-bit mode (SDM 10.8.5 step 5).
  lgdt boot_gdt_pointer
  ljmp $BOOT_CODE64, $long_mode_entry

  .code64
long_mode_entry:
  movw $BOOT_DATA, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  xorl %eax, %eax
  movw %ax, %fs
  movw %ax, %gs
  movabsq $boot_stack_top, %rsp
  // Upper register halves are undefined after the mode switch (SDM 3.4.1.1);
  // 32-bit moves zero them.
  movl %esi, %edi
  movl %ebx, %esi
  call kernel_main
2:
  cli
  hlt
  jmp 2b

  .section .rodata
  .align 8
boot_gdt:
  .quad 0
  .quad 0x00AF9A000000FFFF  // 0x08: 64-bit code, DPL 0 (L=1, D=0)
  .quad 0x00CF92000000FFFF  // 0x10: data, DPL 0
boot_gdt_end:
boot_gdt_pointer:
  .word boot_gdt_end - boot_gdt - 1
  .long boot_gdt

  .section .bss
  .align 4096
  .global boot_pml4, boot_pdpt, boot_pd
boot_pml4:
  .skip 4096
boot_pdpt:
  .skip 4096
boot_pd:
  .skip 4096
  .align 16
boot_stack:
  .skip 16384
boot_stack_top:

  .section .note.GNU-stack, "", @progbits
