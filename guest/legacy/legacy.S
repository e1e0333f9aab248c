// The legacy-mode conformance guest: what only 32-bit protected mode has,
// run by x64sim and by QEMU with the same transcript. It stays in the
// protected mode Multiboot leaves it in (no paging) and checks, printing
// each outcome on COM1:
//   code16  a 16-bit code segment: 16-bit operands and [BX+SI] addressing
//           through a 16-bit data segment, back by a far JMP with 66h;
//   tss16   a far CALL to a 16-bit TSS (task B, 16-bit code) and its IRET
//           back: what task B found in AX and what its TSS holds after;
//   vm86    IRETD into virtual-8086 mode at IOPL 0 (CLI is #GP(0)); at
//           IOPL 3 (INT 0x21 reaches its ring-0 handler with the segment
//           registers on the stack and returns; HLT is #GP(0)); LAR and a
//           VEX encoding are #UD there;
//   real    real-address mode, entered the SDM's way (a 16-bit code
//           segment, CR0.PE cleared, a far JMP) and left by setting PE
//           and a far JMP to 32-bit code: INT 0x30, #DE and #UD through an
//           interrupt vector table (each handler logs its frame's IP and
//           CS), a far CALL and RETF, and a 32-bit load through FS past
//           64 KiB with the 4-GiB limit protected mode left ("unreal
//           mode"); the log is printed back in protected mode.
// Each exception prints its vector, error code, CS:EIP and, from
// virtual-8086 mode, the saved SS:SP and data selectors, then the next
// check runs. The run ends through the debug-exit port with 0x10.

#define MULTIBOOT_MAGIC 0x1BADB002
#define MULTIBOOT_FLAGS 0x00000003

#define CODE32 0x08
#define DATA32 0x10
#define CODE16 0x18
#define DATA16 0x20
#define TSS_A 0x28
#define TSS_B 0x30
#define COM1 0x3f8
#define DEBUG_EXIT 0xf4
#define EFLAGS_VM (1 << 17)
#define EFLAGS_IOPL3 (3 << 12)
// What the transcript shows of EFLAGS: VM, IOPL, ZF and CF (RF and the
// undefined flags differ between machines without the SDM deciding).
#define EFLAGS_SHOWN 0x00023041
// Virtual-8086 code, data and stack are reached through segment 0xFFFF,
// whose base 0xFFFF0 puts the image's first 64 KiB at offsets 0x10 up.
#define VM86_SEGMENT 0xffff
#define VM86_BASE 0xffff0

  .section .multiboot, "a"
  .align 4
  .long MULTIBOOT_MAGIC
  .long MULTIBOOT_FLAGS
  .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

  .section .boot.text, "ax"

// ---- Output ------------------------------------------------------------

  .code32
putc:  // AL
  push %edx
  push %eax
  mov $(COM1 + 5), %dx
1:
  in %dx, %al
  test $0x20, %al  // LSR: transmitter holding register empty
  jz 1b
  pop %eax
  mov $COM1, %dx
  out %al, %dx
  pop %edx
  ret

puts:  // ESI: a NUL-terminated string
  push %eax
  push %esi
1:
  lodsb
  test %al, %al
  jz 2f
  call putc
  jmp 1b
2:
  pop %esi
  pop %eax
  ret

puthex:  // EAX: value, ECX: number of hex digits
  pushal
  mov %eax, %ebx
  mov %ecx, %edi
1:
  lea -1(%edi), %ecx
  shl $2, %ecx
  mov %ebx, %eax
  shr %cl, %eax
  and $0xf, %eax
  movb hex_digits(%eax), %al
  call putc
  dec %edi
  jnz 1b
  popal
  ret

.macro SAY text
  mov $\text, %esi
  call puts
.endm

// " name=" then `digits` hex digits of `value`.
.macro SHOW name, value, digits
  SAY \name
  mov \value, %eax
  mov $\digits, %ecx
  call puthex
.endm

.macro LOAD_DATA32_SEGMENTS
  mov $DATA32, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %ax, %fs
  mov %ax, %gs
.endm

.macro NEWLINE
  mov $'\n', %al
  call putc
.endm

// ---- Boot --------------------------------------------------------------

  .global _start
_start:
  cli
  mov $stack_top, %esp
  // The tables live in .bss (a .data section would share the code's
  // segment): copied from their templates, then given the segment bases
  // that depend on where the image lies.
  cld
  mov $gdt_template, %esi
  mov $gdt, %edi
  mov $(gdt_end - gdt), %ecx
  rep movsb
  mov $tss_b_template, %esi
  mov $tss_b, %edi
  mov $0x2c, %ecx
  rep movsb
  movl $(stack_top - 0x800), tss_a + 4  // ESP0
  movl $DATA32, tss_a + 8               // SS0
  mov $code16_start, %eax
  mov $(gdt + CODE16), %edi
  call set_base
  mov $data16_area, %eax
  mov $(gdt + DATA16), %edi
  call set_base
  mov $tss_a, %eax
  mov $(gdt + TSS_A), %edi
  call set_base
  mov $tss_b, %eax
  mov $(gdt + TSS_B), %edi
  call set_base
  lgdt gdt_pointer
  ljmp $CODE32, $1f
1:
  LOAD_DATA32_SEGMENTS
  call build_idt
  lidt idt_pointer
  mov $TSS_A, %ax
  ltr %ax
  SAY s_hello
  jmp check_code16

// Writes base EAX into the descriptor at EDI.
set_base:
  mov %ax, 2(%edi)
  shr $16, %eax
  mov %al, 4(%edi)
  mov %ah, 7(%edi)
  ret

// 32-bit interrupt gates to CODE32: vectors 0-31 to their stubs (DPL 0),
// 0x21 to int21_handler (DPL 3, for INT n from virtual-8086 mode).
build_idt:
  xor %ecx, %ecx
1:
  mov stub_table(,%ecx,4), %eax
  mov $0x8e00, %edx
  call set_gate
  inc %ecx
  cmp $32, %ecx
  jne 1b
  mov $0x21, %ecx
  mov $int21_handler, %eax
  mov $0xee00, %edx
  jmp set_gate

set_gate:  // ECX vector, EAX handler, EDX type and DPL word
  lea idt(,%ecx,8), %edi
  mov %ax, (%edi)
  movw $CODE32, 2(%edi)
  mov %dx, 4(%edi)
  shr $16, %eax
  mov %ax, 6(%edi)
  ret

// Exception stubs: a dummy error code where the CPU pushes none, then the
// vector.
.macro STUB vector
stub_\vector:
  .if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17)
  .else
  pushl $0
  .endif
  pushl $\vector
  jmp report_event
.endm
  .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  STUB \v
  .endr

// Prints the event and goes on with the check in next_check. The stack:
// vector, error code, EIP, CS, EFLAGS, and from virtual-8086 mode ESP, SS,
// ES, DS, FS, GS.
report_event:
  mov %ds, %edx  // the handler's DS: null after virtual-8086 mode
  mov $DATA32, %ax
  mov %ax, %ds
  mov %ax, %es
  SHOW s_event, (%esp), 2
  SHOW s_err, 4(%esp), 8
  SHOW s_cs, 12(%esp), 4
  SHOW s_eip, 8(%esp), 8
  mov 16(%esp), %eax
  and $EFLAGS_SHOWN, %eax
  SHOW s_flags, %eax, 8
  testl $EFLAGS_VM, 16(%esp)
  jz 1f
  SHOW s_ss, 24(%esp), 4
  SHOW s_sp, 20(%esp), 4
  SHOW s_es, 28(%esp), 4
  SHOW s_ds, 32(%esp), 4
  SHOW s_fs, 36(%esp), 4
  SHOW s_gs, 40(%esp), 4
  SHOW s_handler_ds, %edx, 4
  SHOW s_bx, %ebx, 4
1:
  NEWLINE
  mov $stack_top, %esp
  jmp *next_check

// INT 0x21 from virtual-8086 mode: prints the frame and returns.
int21_handler:
  pushal
  mov %ds, %edx
  mov $DATA32, %ax
  mov %ax, %ds
  SAY s_int21
  SHOW s_cs, 36(%esp), 4
  SHOW s_eip, 32(%esp), 8
  mov 40(%esp), %eax
  and $EFLAGS_SHOWN, %eax
  SHOW s_flags, %eax, 8
  SHOW s_ss, 48(%esp), 4
  SHOW s_sp, 44(%esp), 4
  SHOW s_es, 52(%esp), 4
  SHOW s_ds, 56(%esp), 4
  SHOW s_handler_ds, %edx, 4
  NEWLINE
  popal
  iret

// ---- code16 ------------------------------------------------------------

check_code16:
  movl $check_tss16, next_check
  mov $0xaaaa0000, %eax
  mov $0xcccc0000, %ecx
  ljmp $CODE16, $(code16_entry - code16_start)
code16_back:
  mov %ecx, %ebx  // SHOW uses ECX
  SAY s_code16
  SHOW s_ax, %eax, 8
  SHOW s_cx, %ebx, 8
  movzwl data16_area + 0x14, %eax
  SHOW s_word, %eax, 4
  NEWLINE
  jmp check_tss16

// ---- tss16 -------------------------------------------------------------

check_tss16:
  movl $check_vm86_iopl0, next_check
  mov $0xa0a0a0a0, %eax
  lcall $TSS_B, $0
  mov %eax, %ebx
  SAY s_tss16
  SHOW s_eax, %ebx, 8
  // Task B's AX only: the SDM leaves the upper words of registers loaded
  // from a 16-bit TSS undefined (x64sim sets ones, QEMU keeps task A's).
  movzwl task_b_eax, %eax
  SHOW s_b_ax, %eax, 4
  movzwl tss_b + 0x0e, %eax
  SHOW s_b_ip, %eax, 4
  movzwl tss_b + 0x1e, %eax
  SHOW s_b_si, %eax, 4
  movzwl tss_b + 0x10, %eax
  and $EFLAGS_SHOWN, %eax
  SHOW s_b_flags, %eax, 4
  movzwl tss_b + 0x24, %eax
  SHOW s_b_cs, %eax, 4
  movzwl tss_b, %eax
  SHOW s_b_link, %eax, 4
  movzbl gdt + TSS_B + 5, %eax
  and $0xf, %eax
  SHOW s_b_type, %eax, 1
  NEWLINE
  jmp check_vm86_iopl0

// ---- vm86 --------------------------------------------------------------

// IRETD into virtual-8086 mode at `entry` with EFLAGS `flags`; DS, ES, FS
// and GS get 0x0100-0x0103 above the common segment to tell them apart.
.macro ENTER_VM86 entry, flags
  pushl $0x0103                     // GS
  pushl $0x0102                     // FS
  pushl $VM86_SEGMENT               // DS
  pushl $0x0100                     // ES
  pushl $VM86_SEGMENT               // SS
  pushl $(vm86_stack_top - VM86_BASE)
  pushl $(\flags | EFLAGS_VM | 2)
  pushl $VM86_SEGMENT               // CS
  pushl $(\entry - VM86_BASE)
  iret
.endm

check_vm86_iopl0:
  movl $check_vm86_iopl3, next_check
  SAY s_vm86_iopl0
  ENTER_VM86 vm86_cli, 0

check_vm86_iopl3:
  movl $check_vm86_lar, next_check
  SAY s_vm86_iopl3
  ENTER_VM86 vm86_int, EFLAGS_IOPL3

check_vm86_lar:
  movl $check_vm86_vex, next_check
  SAY s_vm86_lar
  ENTER_VM86 vm86_lar, EFLAGS_IOPL3

check_vm86_vex:
  movl $check_real, next_check
  SAY s_vm86_vex
  ENTER_VM86 vm86_vex, EFLAGS_IOPL3

// ---- real --------------------------------------------------------------

.macro IVT_ENTRY vector, handler
  movw $(\handler - VM86_BASE), real_ivt + 4 * \vector
  movw $VM86_SEGMENT, real_ivt + 4 * \vector + 2
.endm

check_real:
  movl $finish, next_check
  SAY s_real
  IVT_ENTRY 0, real_de
  IVT_ENTRY 6, real_ud
  IVT_ENTRY 0x30, real_int30
  movw $0x3ff, real_ivt_pointer
  movl $real_ivt, real_ivt_pointer + 2
  mov $DATA32, %ax
  mov %ax, %fs  // its 4-GiB limit stays through real mode
  ljmp $CODE16, $(real_leave_pm - code16_start)
real_back:
  LOAD_DATA32_SEGMENTS
  mov $stack_top, %esp
  lidt idt_pointer
  SAY s_int30
  SHOW s_ip, real_log, 4
  SHOW s_cs, real_log + 2, 4
  movzwl real_bx, %eax
  SHOW s_bx, %eax, 4
  NEWLINE
  SAY s_real_de
  SHOW s_ip, real_log + 4, 4
  SHOW s_cs, real_log + 6, 4
  NEWLINE
  SAY s_real_ud
  SHOW s_ip, real_log + 8, 4
  SHOW s_cs, real_log + 10, 4
  NEWLINE
  SAY s_real_far
  movzwl real_dx, %eax
  SHOW s_dx, %eax, 4
  SHOW s_fs_value, real_value, 8
  NEWLINE
  jmp finish

finish:
  SAY s_done
  mov $DEBUG_EXIT, %dx
  mov $0x10, %eax
  out %eax, %dx
1:
  hlt
  jmp 1b

// Virtual-8086 code (segment 0xFFFF, so offsets are linear - 0xFFFF0).
  .code16
vm86_cli:
  mov $0x1234, %bx
  cli  // IOPL 0: #GP(0)
vm86_int:
  mov $0x0800, %ax
  mov %ax, %es
  mov $0x5678, %bx
  int $0x21
  add $1, %bx
  hlt  // CPL 3: #GP(0)
vm86_lar:
  lar %bx, %ax
vm86_vex:
  .byte 0xc5, 0xf8, 0x77  // vzeroupper

// Real-mode code, also through segment 0xFFFF; ES:DI walks the log.
real_mode:
  mov $VM86_SEGMENT, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $(vm86_stack_top - VM86_BASE), %sp
  lidt (real_ivt_pointer - VM86_BASE)
  mov $(real_log - VM86_BASE), %di
  mov $0x1234, %bx
  int $0x30
  mov %bx, (real_bx - VM86_BASE)
  xor %cl, %cl
  div %cl                   // #DE: the handler steps over these 2 bytes
  lar %bx, %ax              // #UD: the handler steps over these 3 bytes
  lcall $VM86_SEGMENT, $(real_far_proc - VM86_BASE)
  mov %dx, (real_dx - VM86_BASE)
  xor %ax, %ax
  mov %ax, %fs              // a real-mode load: FS keeps its 4-GiB limit
  mov $real_value_source, %esi
  addr32 mov %fs:(%esi), %eax
  mov %eax, (real_value - VM86_BASE)
  mov %cr0, %eax
  or $1, %al
  mov %eax, %cr0
  .byte 0x66, 0xea          // jmp far dword CODE32:real_back
  .long real_back
  .word CODE32
real_far_proc:
  mov $0x77, %dx
  lret
// Each handler logs the IP and CS its frame holds.
real_log_frame:
  mov %sp, %bp
  mov 2(%bp), %ax
  stosw
  mov 4(%bp), %ax
  stosw
  ret
real_int30:
  call real_log_frame
  inc %bx
  iret
real_de:
  call real_log_frame
  mov %sp, %bp
  addw $2, (%bp)
  iret
real_ud:
  call real_log_frame
  mov %sp, %bp
  addw $3, (%bp)
  iret

// ---- 16-bit protected-mode code (segment CODE16) ------------------------

  .align 16
code16_start:
code16_entry:
  mov $DATA16, %dx
  mov %dx, %ds
  mov $0x1234, %ax
  mov $0x10, %bx
  mov $0x4, %si
  movw $0x1111, (%bx,%si)
  add (%bx,%si), %ax        // AX = 0x2345
  mov %ax, %cx
  inc %cx                   // CX = 0x2346, ECX's upper half untouched
  mov $DATA32, %dx
  mov %dx, %ds
  .byte 0x66, 0xea          // jmp far dword CODE32:code16_back
  .long code16_back
  .word CODE32

// Into real mode (SDM vol. 3A 9.9.2): 16-bit data segments, PE cleared,
// then a far JMP to real-mode code.
real_leave_pm:
  mov $DATA16, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %cr0, %eax
  and $0xfe, %al
  mov %eax, %cr0
  ljmp $VM86_SEGMENT, $(real_mode - VM86_BASE)

// Task B: 16-bit code on a 16-bit TSS.
task_b_entry:
  .byte 0x66                // mov [task_b_eax - data16_area], eax (32-bit operand)
  mov %ax, (task_b_eax - data16_area)
  mov $0x5555, %si
  iret                      // NT: back to task A

  .section .rodata
hex_digits: .ascii "0123456789abcdef"
s_hello: .asciz "legacy: 32-bit protected mode, no paging\n"
s_event: .asciz "  event v="
s_err: .asciz " err="
s_cs: .asciz " cs="
s_eip: .asciz " eip="
s_flags: .asciz " flags="
s_ss: .asciz " ss="
s_sp: .asciz " sp="
s_es: .asciz " es="
s_ds: .asciz " ds="
s_fs: .asciz " fs="
s_gs: .asciz " gs="
s_handler_ds: .asciz " handler-ds="
s_bx: .asciz " bx="
s_int21: .asciz "  int21"
s_code16: .asciz "code16:"
s_ax: .asciz " eax="
s_cx: .asciz " ecx="
s_word: .asciz " [bx+si]="
s_tss16: .asciz "tss16:"
s_eax: .asciz " eax="
s_b_ax: .asciz " b-ax="
s_b_ip: .asciz " b-ip="
s_b_si: .asciz " b-si="
s_b_flags: .asciz " b-flags="
s_b_cs: .asciz " b-cs="
s_b_link: .asciz " b-link="
s_b_type: .asciz " b-type="
s_vm86_iopl0: .asciz "vm86 iopl0: cli\n"
s_vm86_iopl3: .asciz "vm86 iopl3: int 0x21, hlt\n"
s_vm86_lar: .asciz "vm86: lar\n"
s_vm86_vex: .asciz "vm86: vzeroupper\n"
s_real: .asciz "real: int 0x30, div, lar, call far, fs past 64 KiB\n"
s_int30: .asciz "  int30"
s_ip: .asciz " ip="
s_real_de: .asciz "  de"
s_real_ud: .asciz "  ud"
s_real_far: .asciz "  far"
s_dx: .asciz " dx="
s_fs_value: .asciz " fs:[esi]="
s_done: .asciz "done\n"
real_value_source: .long 0x600dcafe

stub_table:
  .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  .long stub_\v
  .endr

  .align 8
gdt_template:
  .quad 0
  .quad 0x00cf9a000000ffff  // CODE32: flat
  .quad 0x00cf92000000ffff  // DATA32: flat
  .quad 0x00009a000000ffff  // CODE16: 64 KiB at code16_start, D = 0
  .quad 0x000092000000ffff  // DATA16: 64 KiB at data16_area, B = 0
  .quad 0x0000890000000067  // TSS_A: 32-bit TSS
  .quad 0x000081000000002b  // TSS_B: 16-bit TSS
gdt_pointer:
  .word gdt_end - gdt - 1
  .long gdt
idt_pointer:
  .word 0x22 * 8 - 1
  .long idt

// Task B: 16-bit TSS (SDM vol. 3A figure 7-10).
tss_b_template:
  .word 0                              // previous task link
  .word 0, 0, 0, 0, 0, 0               // SP0 SS0 SP1 SS1 SP2 SS2
  .word task_b_entry - code16_start    // IP
  .word 0x0002                         // FLAGS
  .word 0x0b0a, 0x0b0c, 0x0b0d, 0x0b0b // AX CX DX BX
  .word 0x0400, 0x0b0e, 0x0b05, 0x0b07 // SP BP SI DI
  .word DATA16, CODE16, DATA16, DATA16 // ES CS SS DS
  .word 0                              // LDT

  .section .bss
// Page-aligned, so that the writable data gets a segment of its own; the
// virtual-8086 stack first, within segment 0xFFFF's reach.
  .align 4096
  .fill 0x100, 1, 0
vm86_stack_top:
// What real-mode code writes, within segment 0xFFFF's reach too.
real_log:
  .fill 12, 1, 0
real_bx:
  .word 0
real_dx:
  .word 0
real_value:
  .long 0
real_ivt_pointer:
  .fill 6, 1, 0
  .align 8
gdt:
  .fill 7 * 8, 1, 0
gdt_end:
next_check:
  .long 0
// Task A: ring 0's stack for events from virtual-8086 mode (ESP0, SS0).
  .align 16
tss_a:
  .fill 0x68, 1, 0
  .align 16
tss_b:
  .fill 0x2c, 1, 0
// The 16-bit data segment; task B's stack below its offset 0x400.
  .align 16
data16_area:
  .fill 0x20, 1, 0
task_b_eax:
  .long 0
  .fill 0x400, 1, 0
  .align 16
idt:
  .fill 0x22 * 8, 1, 0
real_ivt:
  .fill 0x400, 1, 0
  .fill 0x1000, 1, 0
stack_top:
