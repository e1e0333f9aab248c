// The per-CPU block that GS points at while the kernel runs. SWAPGS exchanges
// GS.base with IA32_KERNEL_GS_BASE (SDM Vol. 2B SWAPGS), so ring 3 runs with
// the user's GS base and kernel entries swap the block back in.
#ifndef GUEST_DEMO_CPU_LOCAL_H_
#define GUEST_DEMO_CPU_LOCAL_H_

// Field offsets, shared with syscall_entry.S.
#define CPU_LOCAL_SELF 0
#define CPU_LOCAL_KERNEL_RSP 8
#define CPU_LOCAL_USER_RSP 16

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct cpu_local {
  struct cpu_local* self;
  uint64_t kernel_rsp;  // stack the syscall entry switches to
  uint64_t user_rsp;    // user RSP saved by the syscall entry
};

_Static_assert(offsetof(struct cpu_local, self) == CPU_LOCAL_SELF, "layout");
_Static_assert(offsetof(struct cpu_local, kernel_rsp) == CPU_LOCAL_KERNEL_RSP, "layout");
_Static_assert(offsetof(struct cpu_local, user_rsp) == CPU_LOCAL_USER_RSP, "layout");

// Reads the block's self pointer through GS, as kernel code on an SMP
// kernel would find its CPU.
static inline struct cpu_local* gs_cpu_local(void) {
  struct cpu_local* self;
  __asm__ volatile("movq %%gs:0, %0" : "=r"(self));
  return self;
}
#endif

#endif  // GUEST_DEMO_CPU_LOCAL_H_
