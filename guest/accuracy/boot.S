// Multiboot 1 header and entry of the accuracy guest: from the 32-bit
// protected mode the loader leaves, identity-map the first 1 GiB with 2 MiB
// pages, enter long mode, enable SSE and call accuracy_main(magic, info).
// (guest/demo/common has the same steps, but its libraries are visible only
// to the demo guests.)

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
// Flags: bit 0 page-align modules, bit 1 provide mem_* (Multiboot spec 3.1.2).
#define MULTIBOOT_HEADER_FLAGS 0x00000003

#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
// Page-table entry bits (SDM Vol. 3A 4.5, Tables 4-14..4-18).
#define PTE_PRESENT 0x1
#define PTE_WRITABLE 0x2
#define PTE_LARGE 0x80
#define CODE64_SELECTOR 0x08
#define DATA_SELECTOR 0x10

  .section .multiboot, "a"
  .align 4
  .long MULTIBOOT_HEADER_MAGIC
  .long MULTIBOOT_HEADER_FLAGS
  .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

  .section .boot.text, "ax"
  .code32
  .global _start
_start:
  cli
  // EAX = magic, EBX = info (spec 3.2): ESI keeps the magic.
  movl %eax, %esi
  // The page tables below are in .bss and must start zeroed.
  movl $__bss_start, %edi
  movl $__bss_end, %ecx
  subl %edi, %ecx
  xorl %eax, %eax
  cld
  rep stosb
  movl $stack_top, %esp

  // PML4[0] -> PDPT, PDPT[0] -> PD; PD[i] maps 2 MiB page i at i * 2 MiB.
  movl $accuracy_pdpt, %eax
  orl $(PTE_PRESENT | PTE_WRITABLE), %eax
  movl %eax, pml4
  movl $identity_pd, %eax
  orl $(PTE_PRESENT | PTE_WRITABLE), %eax
  movl %eax, accuracy_pdpt
  movl $identity_pd, %edi
  movl $(PTE_PRESENT | PTE_WRITABLE | PTE_LARGE), %eax
  movl $512, %ecx
1:
  movl %eax, (%edi)
  addl $0x200000, %eax
  addl $8, %edi
  decl %ecx
  jnz 1b

  // Long mode: CR4.PAE, CR3, EFER.LME, then CR0.PG (SDM Vol. 3A 10.8.5).
  movl %cr4, %eax
  orl $CR4_PAE, %eax
  movl %eax, %cr4
  movl $pml4, %eax
  movl %eax, %cr3
  movl $MSR_EFER, %ecx
  rdmsr
  orl $EFER_LME, %eax
  wrmsr
  movl %cr0, %eax
  orl $CR0_PG, %eax
  movl %eax, %cr0
  lgdt gdt_pointer
  ljmp $CODE64_SELECTOR, $long_mode

  .code64
long_mode:
  movw $DATA_SELECTOR, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  // SSE: CR0.EM clear, CR0.MP set, CR4.OSFXSR and OSXMMEXCPT set (SDM Vol. 3A
  // 14.1.3 "Initialization of the SSE Extensions").
  movq %cr0, %rax
  andq $~CR0_EM, %rax
  orq $CR0_MP, %rax
  movq %rax, %cr0
  movq %cr4, %rax
  orq $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
  movq %rax, %cr4
  movabsq $stack_top, %rsp
  movl %esi, %edi
  movl %ebx, %esi
  call accuracy_main
2:
  cli
  hlt
  jmp 2b

  .section .rodata
  .align 8
gdt:
  .quad 0
  .quad 0x00AF9A000000FFFF  // 0x08: 64-bit code, DPL 0 (L=1, D=0)
  .quad 0x00CF92000000FFFF  // 0x10: data, DPL 0
gdt_end:
gdt_pointer:
  .word gdt_end - gdt - 1
  .long gdt

  .section .bss
  .align 4096
  .global accuracy_pdpt
pml4:
  .skip 4096
accuracy_pdpt:
  .skip 4096
identity_pd:
  .skip 4096
  .align 16
  .skip 65536
stack_top:

  .section .note.GNU-stack, "", @progbits
