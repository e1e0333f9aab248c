// The demo kernel's GDT (kernel and user segments, a 64-bit TSS) and the
// stacks the TSS names: RSP0 for entries from ring 3, IST1 for vectors that
// must run on a known-good stack.
#ifndef GUEST_DEMO_DESCRIPTOR_TABLES_H_
#define GUEST_DEMO_DESCRIPTOR_TABLES_H_

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

// Selector layout. SYSCALL loads CS = STAR[47:32] and SS = CS + 8; 64-bit
// SYSRET loads SS = STAR[63:48] + 8 and CS = STAR[63:48] + 16, both with
// RPL 3 (SDM Vol. 2B SYSCALL, SYSRET), hence user data before user code.
// Shared with the assembly files.
#define KERNEL_CODE_SELECTOR 0x08
#define KERNEL_DATA_SELECTOR 0x10
#define SYSRET_BASE_SELECTOR 0x18  // slot 3 stays null: SYSRET's 32-bit CS
#define USER_DATA_SELECTOR (0x20 | 3)
#define USER_CODE_SELECTOR (0x28 | 3)
#define TSS_SELECTOR 0x30
#define CALL_GATE_SELECTOR 0x40  // 16 bytes: slots 8 and 9

#ifndef __ASSEMBLER__
// The IST slot used by vectors that switch to the IST1 stack.
enum { kIstIndex = 1 };

// Loads the GDT, reloads the data segment registers and loads the TSS.
void descriptor_tables_init(void);

// Makes CALL_GATE_SELECTOR a 64-bit call gate to `target` in the kernel code
// segment that code at CPL <= `dpl` may call through.
void descriptor_tables_set_call_gate(uint64_t target, int dpl);

// Top of the stack the CPU switches to on entry from ring 3 (TSS.RSP0); the
// syscall entry uses it too.
uint64_t entry_stack_top(void);

int entry_stack_contains(uint64_t address);
int ist_stack_contains(uint64_t address);
#endif

#endif  // GUEST_DEMO_DESCRIPTOR_TABLES_H_
