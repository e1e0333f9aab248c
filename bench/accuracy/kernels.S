// The accuracy kernels: small loops, each
//   uint64_t kernel_NAME(uint64_t iterations, void* buffer)
// (SysV ABI: RDI = iterations, RSI = buffer prepared by kernel_table.c; the
// result in RAX keeps the work observable). One loop iteration is the unit
// measured. Position-independent, no calls out, only instructions x64sim
// implements (docs/cpu.md): integer, SSE2 integer, string instructions.
//
// Straight-line loop bodies are marked as llvm-mca code regions (its
// begin and end comments, named by kernel); the driver runs llvm-mca-14 on
// this file.
// Kernels with data-dependent branches or memory-bound behaviour are not
// marked: llvm-mca assumes L1 hits and perfect prediction.
//
// Only RAX, RCX, RDX, RSI, RDI, R8-R11 and XMM0-XMM7 are used (caller-saved).

  .intel_syntax noprefix
  .text

// Opens kernel_\name: global, typed, 64-byte aligned.
.macro KERNEL name
  .globl kernel_\name
  .type kernel_\name, @function
  .p2align 6
kernel_\name:
.endm

.macro END_KERNEL name
  .size kernel_\name, . - kernel_\name
.endm

// ---- calibration (native runner only) --------------------------------------

// 64 dependent 1-cycle ADDs per iteration: the native runner's core-cycle
// reference (one ADD retires per cycle on a dependent chain).
KERNEL calibrate_adds
  xor eax, eax
  mov edx, 1
  .p2align 4
.Lcalibrate_adds:
  .rept 64
  add rax, rdx
  .endr
  dec rdi
  jnz .Lcalibrate_adds
  ret
END_KERNEL calibrate_adds

// ---- dependent chains: latency -------------------------------------------

// 8 dependent 1-cycle ADDs per iteration.
KERNEL add_chain
  xor eax, eax
  mov edx, 3
  .p2align 4
.Ladd_chain:
# LLVM-MCA-BEGIN add_chain
  .rept 8
  add rax, rdx
  .endr
  dec rdi
  jnz .Ladd_chain
# LLVM-MCA-END add_chain
  ret
END_KERNEL add_chain

// 4 dependent 64-bit IMULs per iteration (an odd factor keeps RAX nonzero).
KERNEL imul_chain
  mov eax, 1
  mov rdx, 0x9E3779B97F4A7C15
  .p2align 4
.Limul_chain:
# LLVM-MCA-BEGIN imul_chain
  .rept 4
  imul rax, rdx
  .endr
  dec rdi
  jnz .Limul_chain
# LLVM-MCA-END imul_chain
  ret
END_KERNEL imul_chain

// One 64-bit DIV per iteration on a dependent dividend: RAX = RAX / RCX +
// R8 keeps the dividend 33 bits wide and the quotient 30 (dividers are
// operand-dependent).
KERNEL div_chain
  mov rax, 0x123456789
  mov ecx, 7
  mov r8, 0x100000000
  .p2align 4
.Ldiv_chain:
# LLVM-MCA-BEGIN div_chain
  xor edx, edx
  div rcx
  add rax, r8
  dec rdi
  jnz .Ldiv_chain
# LLVM-MCA-END div_chain
  ret
END_KERNEL div_chain

// One 32-bit DIV per iteration, same shape.
KERNEL div32_chain
  mov eax, 0x12345678
  mov ecx, 7
  mov r8d, 0x10000000
  .p2align 4
.Ldiv32_chain:
# LLVM-MCA-BEGIN div32_chain
  xor edx, edx
  div ecx
  add eax, r8d
  dec rdi
  jnz .Ldiv32_chain
# LLVM-MCA-END div32_chain
  ret
END_KERNEL div32_chain

// The same chain with small numbers: RAX = RAX / 7 + 56 stays at 65, a
// 4-bit quotient (dividers finish early for short quotients).
KERNEL div_small_chain
  mov eax, 65
  mov ecx, 7
  mov r8d, 56
  .p2align 4
.Ldiv_small_chain:
# LLVM-MCA-BEGIN div_small_chain
  xor edx, edx
  div rcx
  add rax, r8
  dec rdi
  jnz .Ldiv_small_chain
# LLVM-MCA-END div_small_chain
  ret
END_KERNEL div_small_chain

// A wide dividend: RDX = 2 above the last quotient, divided by 3, gives a
// 64-bit quotient that feeds the next division.
KERNEL div_wide_chain
  xor eax, eax
  mov ecx, 3
  .p2align 4
.Ldiv_wide_chain:
# LLVM-MCA-BEGIN div_wide_chain
  mov edx, 2
  div rcx
  dec rdi
  jnz .Ldiv_wide_chain
# LLVM-MCA-END div_wide_chain
  ret
END_KERNEL div_wide_chain

// 8 dependent shifts and rotates by immediates.
KERNEL shift_chain
  mov rax, 0x0123456789ABCDEF
  .p2align 4
.Lshift_chain:
# LLVM-MCA-BEGIN shift_chain
  .rept 2
  rol rax, 7
  shl rax, 3
  ror rax, 5
  shr rax, 1
  .endr
  dec rdi
  jnz .Lshift_chain
# LLVM-MCA-END shift_chain
  ret
END_KERNEL shift_chain

// 8 dependent shifts by CL (2 micro-ops and a flags merge on Intel).
KERNEL shift_cl_chain
  mov rax, 0x0123456789ABCDEF
  mov ecx, 3
  .p2align 4
.Lshift_cl_chain:
# LLVM-MCA-BEGIN shift_cl_chain
  .rept 4
  rol rax, cl
  ror rax, cl
  .endr
  dec rdi
  jnz .Lshift_cl_chain
# LLVM-MCA-END shift_cl_chain
  ret
END_KERNEL shift_cl_chain

// 8 dependent two-component LEAs (base + displacement).
KERNEL lea_simple_chain
  xor eax, eax
  .p2align 4
.Llea_simple_chain:
# LLVM-MCA-BEGIN lea_simple_chain
  .rept 8
  lea rax, [rax + 8]
  .endr
  dec rdi
  jnz .Llea_simple_chain
# LLVM-MCA-END lea_simple_chain
  ret
END_KERNEL lea_simple_chain

// 4 dependent three-component LEAs (base + scaled index + displacement).
KERNEL lea_complex_chain
  mov eax, 1
  .p2align 4
.Llea_complex_chain:
# LLVM-MCA-BEGIN lea_complex_chain
  .rept 4
  lea rax, [rax + rax * 2 + 7]
  .endr
  dec rdi
  jnz .Llea_complex_chain
# LLVM-MCA-END lea_complex_chain
  ret
END_KERNEL lea_complex_chain

// 8 register-to-register MOVs in a ring with one ADD: move elimination
// makes the MOVs free, so the chain is the ADD's latency.
KERNEL mov_chain
  xor eax, eax
  .p2align 4
.Lmov_chain:
# LLVM-MCA-BEGIN mov_chain
  add rax, 1
  mov rcx, rax
  mov rdx, rcx
  mov r8, rdx
  mov r9, r8
  mov r10, r9
  mov r11, r10
  mov rdx, r11
  mov rax, rdx
  dec rdi
  jnz .Lmov_chain
# LLVM-MCA-END mov_chain
  ret
END_KERNEL mov_chain

// 4 dependent CMOVs, each also reading the flags of a CMP on the chain.
KERNEL cmov_chain
  xor eax, eax
  mov ecx, 1
  .p2align 4
.Lcmov_chain:
# LLVM-MCA-BEGIN cmov_chain
  .rept 4
  cmp rax, rcx
  cmovb rax, rcx
  .endr
  dec rdi
  jnz .Lcmov_chain
# LLVM-MCA-END cmov_chain
  ret
END_KERNEL cmov_chain

// ---- independent work: throughput ----------------------------------------

// 16 ADDs in 4 independent chains.
KERNEL add_indep
  xor eax, eax
  xor ecx, ecx
  xor edx, edx
  xor r8d, r8d
  .p2align 4
.Ladd_indep:
# LLVM-MCA-BEGIN add_indep
  .rept 4
  add rax, 1
  add rcx, 2
  add rdx, 3
  add r8, 4
  .endr
  dec rdi
  jnz .Ladd_indep
# LLVM-MCA-END add_indep
  add rax, rcx
  add rax, rdx
  add rax, r8
  ret
END_KERNEL add_indep

// 8 IMULs in 8 independent chains.
KERNEL imul_indep
  mov eax, 1
  mov ecx, 1
  mov edx, 1
  mov r8d, 1
  mov r9d, 1
  mov r10d, 1
  mov r11d, 1
  mov esi, 1
  .p2align 4
.Limul_indep:
# LLVM-MCA-BEGIN imul_indep
  imul rax, rax, 3
  imul rcx, rcx, 5
  imul rdx, rdx, 7
  imul r8, r8, 9
  imul r9, r9, 11
  imul r10, r10, 13
  imul r11, r11, 15
  imul rsi, rsi, 17
  dec rdi
  jnz .Limul_indep
# LLVM-MCA-END imul_indep
  xor rax, rcx
  xor rax, rdx
  xor rax, r8
  xor rax, r9
  xor rax, r10
  xor rax, r11
  xor rax, rsi
  ret
END_KERNEL imul_indep

// A mix of 12 independent ALU operations: ADD, IMUL, shifts, logic.
KERNEL alu_mix
  mov eax, 1
  mov ecx, 2
  mov edx, 3
  mov r8d, 4
  mov r9d, 5
  mov r10d, 6
  .p2align 4
.Lalu_mix:
# LLVM-MCA-BEGIN alu_mix
  add rax, 1
  imul rcx, rcx, 3
  shl rdx, 1
  xor r8, 0x55
  add r9, r8
  shr r10, 1
  add rax, 7
  imul rcx, rcx, 5
  rol rdx, 3
  and r8, 0x7FFF
  sub r9, 1
  or r10, 0x100
  dec rdi
  jnz .Lalu_mix
# LLVM-MCA-END alu_mix
  add rax, rcx
  add rax, rdx
  add rax, r8
  add rax, r9
  add rax, r10
  ret
END_KERNEL alu_mix

// ---- loads: pointer chasing -----------------------------------------------
// The buffer's first word starts a random cyclic list (kernel_table.c); one
// dependent load per iteration. The list's size and page layout decide
// which cache and TLB level serves it.

.macro CHASE name
KERNEL \name
  mov rax, rsi
  .p2align 4
.L\name:
  mov rax, [rax]
  dec rdi
  jnz .L\name
  ret
END_KERNEL \name
.endm

CHASE chase_16k
CHASE chase_128k
CHASE chase_4m
CHASE chase_256m
CHASE chase_4k_pages_stlb
CHASE chase_4k_pages_walk
CHASE chase_2m_pages

// A dependent chain of loads whose address has a scaled index, in L1 (the
// buffer is zero, so each load reads index 0): beside chase_16k's plain
// `mov rax, [rax]`, what the scaled index adds to the load-to-use latency.
KERNEL load_scaled_chain
  xor eax, eax
  .p2align 4
.Lload_scaled_chain:
# LLVM-MCA-BEGIN load_scaled_chain
  .rept 4
  mov rax, [rsi + rax * 8]
  .endr
  dec rdi
  jnz .Lload_scaled_chain
# LLVM-MCA-END load_scaled_chain
  ret
END_KERNEL load_scaled_chain

// 8 independent loads from 8 lines of an L1-resident buffer.
KERNEL load_indep
  xor eax, eax
  .p2align 4
.Lload_indep:
# LLVM-MCA-BEGIN load_indep
  mov rcx, [rsi]
  mov rdx, [rsi + 64]
  mov r8, [rsi + 128]
  mov r9, [rsi + 192]
  mov r10, [rsi + 256]
  mov r11, [rsi + 320]
  mov rcx, [rsi + 384]
  mov rdx, [rsi + 448]
  dec rdi
  jnz .Lload_indep
# LLVM-MCA-END load_indep
  lea rax, [rcx + rdx]
  ret
END_KERNEL load_indep

// 8 stores to 8 lines of an L1-resident buffer.
KERNEL store_indep
  mov rax, rdi
  .p2align 4
.Lstore_indep:
# LLVM-MCA-BEGIN store_indep
  mov [rsi], rdi
  mov [rsi + 64], rdi
  mov [rsi + 128], rdi
  mov [rsi + 192], rdi
  mov [rsi + 256], rdi
  mov [rsi + 320], rdi
  mov [rsi + 384], rdi
  mov [rsi + 448], rdi
  dec rdi
  jnz .Lstore_indep
# LLVM-MCA-END store_indep
  ret
END_KERNEL store_indep

// Store, reload, add: a dependent chain through store-to-load forwarding.
// Not an llvm-mca region: llvm-mca does not model forwarding.
KERNEL store_forward
  xor eax, eax
  .p2align 4
.Lstore_forward:
  mov [rsi], rax
  mov rax, [rsi]
  add rax, 1
  dec rdi
  jnz .Lstore_forward
  ret
END_KERNEL store_forward

// Read-modify-write ADD on one memory word: each depends on the last
// through the store buffer.
KERNEL rmw_chain
  .p2align 4
.Lrmw_chain:
  add qword ptr [rsi], 1
  dec rdi
  jnz .Lrmw_chain
  mov rax, [rsi]
  ret
END_KERNEL rmw_chain

// PUSH/POP pairs through the stack engine (4 of each).
KERNEL push_pop
  xor eax, eax
  .p2align 4
.Lpush_pop:
# LLVM-MCA-BEGIN push_pop
  push rdi
  push rax
  push rdi
  push rax
  pop rcx
  pop rdx
  pop rcx
  pop rdx
  add rax, rdx
  dec rdi
  jnz .Lpush_pop
# LLVM-MCA-END push_pop
  ret
END_KERNEL push_pop

// ---- branches ---------------------------------------------------------------
// One conditional branch per iteration on a byte of a 4 KiB array: a
// repeating pattern (predictable) or pseudo-random bits (half mispredicted).

.macro BRANCH_ON_DATA name
KERNEL \name
  xor eax, eax
  xor ecx, ecx
  .p2align 4
.L\name:
  movzx edx, byte ptr [rsi + rcx]
  add ecx, 1
  and ecx, 4095
  test edx, edx
  jz .L\name\()_skip
  add rax, rdx
.L\name\()_skip:
  dec rdi
  jnz .L\name
  ret
END_KERNEL \name
.endm

BRANCH_ON_DATA branch_pattern
BRANCH_ON_DATA branch_random

// One conditional branch per iteration on bit 0 of a xorshift64 generator
// with shifts 13, 7 and 17 (Marsaglia, Xorshift RNGs, J. Stat. Softw. 2003).
// Unlike the 4 KiB array of branch_random, the sequence never repeats, so
// no predictor learns it: half the branches mispredict, and the kernel
// measures the misprediction penalty behind a 6-cycle dependency chain.
KERNEL branch_xorshift
  movabs rax, 0x9E3779B97F4A7C15
  xor ecx, ecx
  .p2align 4
.Lbranch_xorshift:
  mov rdx, rax
  shl rdx, 13
  xor rax, rdx
  mov rdx, rax
  shr rdx, 7
  xor rax, rdx
  mov rdx, rax
  shl rdx, 17
  xor rax, rdx
  test al, 1
  jz .Lbranch_xorshift_skip
  add rcx, 3
.Lbranch_xorshift_skip:
  dec rdi
  jnz .Lbranch_xorshift
  mov rax, rcx
  ret
END_KERNEL branch_xorshift

// Two near CALLs and RETs per iteration to a leaf.
KERNEL call_ret
  xor eax, eax
  .p2align 4
.Lcall_ret:
  call .Lcall_ret_leaf
  call .Lcall_ret_leaf
  dec rdi
  jnz .Lcall_ret
  ret
  .p2align 4
.Lcall_ret_leaf:
  add rax, 1
  ret
END_KERNEL call_ret

// An indirect JMP through a table of 4 relative offsets per iteration; the
// case comes from a byte array: a repeating pattern or pseudo-random.
.macro INDIRECT_ON_DATA name
KERNEL \name
  xor eax, eax
  xor ecx, ecx
  lea r8, [rip + .L\name\()_table]
  .p2align 4
.L\name:
  movzx edx, byte ptr [rsi + rcx]
  add ecx, 1
  and ecx, 4095
  movsxd rdx, dword ptr [r8 + rdx * 4]
  add rdx, r8
  jmp rdx
.L\name\()_case0:
  add rax, 1
  jmp .L\name\()_next
.L\name\()_case1:
  add rax, 3
  jmp .L\name\()_next
.L\name\()_case2:
  xor rax, 5
  jmp .L\name\()_next
.L\name\()_case3:
  sub rax, 7
.L\name\()_next:
  dec rdi
  jnz .L\name
  ret
END_KERNEL \name
  .section .rodata
  .p2align 2
.L\name\()_table:
  .long .L\name\()_case0 - .L\name\()_table
  .long .L\name\()_case1 - .L\name\()_table
  .long .L\name\()_case2 - .L\name\()_table
  .long .L\name\()_case3 - .L\name\()_table
  .text
.endm

INDIRECT_ON_DATA indirect_pattern
INDIRECT_ON_DATA indirect_random

// ---- string instructions ---------------------------------------------------
// REP MOVSB / REP STOSB of \bytes from the buffer to buffer + 8 KiB.

.macro REP_MOVSB name bytes
KERNEL \name
  mov r8, rdi
  mov r9, rsi
  .p2align 4
.L\name:
  mov rsi, r9
  lea rdi, [r9 + 8192]
  mov ecx, \bytes
  rep movsb
  dec r8
  jnz .L\name
  mov rax, rdi
  ret
END_KERNEL \name
.endm

.macro REP_STOSB name bytes
KERNEL \name
  mov r8, rdi
  mov eax, 0x5A
  .p2align 4
.L\name:
  lea rdi, [rsi + 8192]
  mov ecx, \bytes
  rep stosb
  dec r8
  jnz .L\name
  mov rax, rdi
  ret
END_KERNEL \name
.endm

REP_MOVSB rep_movsb_64 64
REP_MOVSB rep_movsb_4k 4096
REP_STOSB rep_stosb_64 64
REP_STOSB rep_stosb_4k 4096

// ---- SSE2 (integer: x64sim has no packed floating-point arithmetic yet) ----

// 8 dependent PADDQs.
KERNEL paddq_chain
  pxor xmm0, xmm0
  movq xmm1, rdi
  .p2align 4
.Lpaddq_chain:
# LLVM-MCA-BEGIN paddq_chain
  .rept 8
  paddq xmm0, xmm1
  .endr
  dec rdi
  jnz .Lpaddq_chain
# LLVM-MCA-END paddq_chain
  movq rax, xmm0
  ret
END_KERNEL paddq_chain

// 4 dependent PMULUDQs.
KERNEL pmuludq_chain
  mov eax, 3
  movq xmm0, rax
  movq xmm1, rax
  .p2align 4
.Lpmuludq_chain:
# LLVM-MCA-BEGIN pmuludq_chain
  .rept 4
  pmuludq xmm0, xmm1
  .endr
  dec rdi
  jnz .Lpmuludq_chain
# LLVM-MCA-END pmuludq_chain
  movq rax, xmm0
  ret
END_KERNEL pmuludq_chain

// 16 PADDQs in 4 independent chains.
KERNEL paddq_indep
  pxor xmm0, xmm0
  pxor xmm1, xmm1
  pxor xmm2, xmm2
  pxor xmm3, xmm3
  movq xmm4, rdi
  .p2align 4
.Lpaddq_indep:
# LLVM-MCA-BEGIN paddq_indep
  .rept 4
  paddq xmm0, xmm4
  paddq xmm1, xmm4
  paddq xmm2, xmm4
  paddq xmm3, xmm4
  .endr
  dec rdi
  jnz .Lpaddq_indep
# LLVM-MCA-END paddq_indep
  paddq xmm0, xmm1
  paddq xmm0, xmm2
  paddq xmm0, xmm3
  movq rax, xmm0
  ret
END_KERNEL paddq_indep

// 8 PMULUDQs in 4 independent chains.
KERNEL pmuludq_indep
  mov eax, 3
  movq xmm0, rax
  movq xmm1, rax
  movq xmm2, rax
  movq xmm3, rax
  movq xmm4, rax
  .p2align 4
.Lpmuludq_indep:
# LLVM-MCA-BEGIN pmuludq_indep
  .rept 2
  pmuludq xmm0, xmm4
  pmuludq xmm1, xmm4
  pmuludq xmm2, xmm4
  pmuludq xmm3, xmm4
  .endr
  dec rdi
  jnz .Lpmuludq_indep
# LLVM-MCA-END pmuludq_indep
  paddq xmm0, xmm1
  paddq xmm0, xmm2
  paddq xmm0, xmm3
  movq rax, xmm0
  ret
END_KERNEL pmuludq_indep

// ---- small programs ---------------------------------------------------------

// Copies 64 bytes per iteration with 16-byte MOVDQU loads and stores, from
// the buffer's first 4 KiB to buffer + 8 KiB, wrapping.
KERNEL memcpy_loop
  xor ecx, ecx
  .p2align 4
.Lmemcpy_loop:
# LLVM-MCA-BEGIN memcpy_loop
  movdqu xmm0, [rsi + rcx]
  movdqu xmm1, [rsi + rcx + 16]
  movdqu xmm2, [rsi + rcx + 32]
  movdqu xmm3, [rsi + rcx + 48]
  movdqu [rsi + rcx + 8192], xmm0
  movdqu [rsi + rcx + 8192 + 16], xmm1
  movdqu [rsi + rcx + 8192 + 32], xmm2
  movdqu [rsi + rcx + 8192 + 48], xmm3
  add ecx, 64
  and ecx, 4095
  dec rdi
  jnz .Lmemcpy_loop
# LLVM-MCA-END memcpy_loop
  mov rax, [rsi + 8192]
  ret
END_KERNEL memcpy_loop

// 8 independent 16-byte loads from 8 lines of an L1-resident buffer. With
// vstore_indep and memcpy_loop: how vector loads and stores share the pipes
// that move data between the load/store unit and the vector registers.
KERNEL vload_indep
  .p2align 4
.Lvload_indep:
# LLVM-MCA-BEGIN vload_indep
  movdqu xmm0, [rsi]
  movdqu xmm1, [rsi + 64]
  movdqu xmm2, [rsi + 128]
  movdqu xmm3, [rsi + 192]
  movdqu xmm4, [rsi + 256]
  movdqu xmm5, [rsi + 320]
  movdqu xmm6, [rsi + 384]
  movdqu xmm7, [rsi + 448]
  dec rdi
  jnz .Lvload_indep
# LLVM-MCA-END vload_indep
  movq rax, xmm7
  ret
END_KERNEL vload_indep

// 8 16-byte stores to 8 lines of an L1-resident buffer.
KERNEL vstore_indep
  movq xmm0, rdi
  .p2align 4
.Lvstore_indep:
# LLVM-MCA-BEGIN vstore_indep
  movdqu [rsi], xmm0
  movdqu [rsi + 64], xmm0
  movdqu [rsi + 128], xmm0
  movdqu [rsi + 192], xmm0
  movdqu [rsi + 256], xmm0
  movdqu [rsi + 320], xmm0
  movdqu [rsi + 384], xmm0
  movdqu [rsi + 448], xmm0
  dec rdi
  jnz .Lvstore_indep
# LLVM-MCA-END vstore_indep
  mov rax, [rsi]
  ret
END_KERNEL vstore_indep

// Table-driven CRC-32, 4 bytes per iteration: the table of 256 words is at
// the buffer, the 4 KiB of data at buffer + 1 KiB (wrapping).
KERNEL crc_table
  mov eax, 0xFFFFFFFF
  xor ecx, ecx
  .p2align 4
.Lcrc_table:
# LLVM-MCA-BEGIN crc_table
  .rept 4
  movzx edx, byte ptr [rsi + rcx + 1024]
  add ecx, 1
  xor edx, eax
  movzx edx, dl
  shr eax, 8
  xor eax, dword ptr [rsi + rdx * 4]
  .endr
  and ecx, 4095
  dec rdi
  jnz .Lcrc_table
# LLVM-MCA-END crc_table
  not eax
  ret
END_KERNEL crc_table

// Insertion sort of 32 uint64 copied from the buffer to buffer + 256 each
// iteration; returns the sum of the sorted array's first words.
KERNEL insertion_sort
  xor eax, eax
  lea r8, [rsi + 256]
  .p2align 4
.Linsertion_sort:
  xor ecx, ecx
.Linsertion_sort_copy:
  mov rdx, [rsi + rcx * 8]
  mov [r8 + rcx * 8], rdx
  add ecx, 1
  cmp ecx, 32
  jb .Linsertion_sort_copy
  mov ecx, 1
.Linsertion_sort_outer:
  mov rdx, [r8 + rcx * 8]
  mov r9, rcx
.Linsertion_sort_inner:
  mov r10, [r8 + r9 * 8 - 8]
  cmp r10, rdx
  jbe .Linsertion_sort_place
  mov [r8 + r9 * 8], r10
  sub r9, 1
  jnz .Linsertion_sort_inner
.Linsertion_sort_place:
  mov [r8 + r9 * 8], rdx
  add ecx, 1
  cmp ecx, 32
  jb .Linsertion_sort_outer
  add rax, [r8]
  dec rdi
  jnz .Linsertion_sort
  ret
END_KERNEL insertion_sort

// One lookup per iteration in an open-addressing table of 1024 16-byte
// slots (key, value) at the buffer, with linear probing; the keys, all
// present, come from the 1024-entry array at buffer + 16 KiB.
KERNEL hash_lookup
  xor eax, eax
  xor ecx, ecx
  mov r11, 0x9E3779B97F4A7C15
  .p2align 4
.Lhash_lookup:
  mov rdx, [rsi + rcx * 8 + 16384]
  add ecx, 1
  and ecx, 1023
  mov r8, rdx
  imul r8, r11
  shr r8, 54
.Lhash_lookup_probe:
  mov r9, r8
  shl r9, 4
  cmp [rsi + r9], rdx
  je .Lhash_lookup_found
  add r8, 1
  and r8, 1023
  jmp .Lhash_lookup_probe
.Lhash_lookup_found:
  add rax, [rsi + r9 + 8]
  dec rdi
  jnz .Lhash_lookup
  ret
END_KERNEL hash_lookup

  .section .note.GNU-stack, "", @progbits
