// The demo kernel: each step exercises one piece of the machine, prints what
// happened and checks it; the run ends through the debug-exit port with
// success only if every check passed.
#include <stdint.h>

#include "guest/demo/common/debug_exit.h"
#include "guest/demo/common/kprintf.h"
#include "guest/demo/common/serial.h"
#include "guest/demo/descriptor_tables.h"
#include "guest/demo/exceptions.h"
#include "guest/demo/fault_fixup.h"
#include "guest/demo/idt.h"
#include "guest/demo/multiboot_report.h"
#include "guest/demo/paging.h"
#include "guest/demo/syscalls.h"
#include "guest/demo/user_mode.h"
#include "guest/demo/user_program.h"
#include "guest/demo/x86.h"

extern char __kernel_image_start[];

enum {
  kCr0Paging = 1u << 31,
  kCr4Pae = 1u << 5,
};

static int failures;

static void check(int ok, const char* what) {
  kprintf("demo: check: %s: %s\n", what, ok ? "ok" : "FAILED");
  if (!ok) ++failures;
}

static void step_long_mode(void) {
  int lma = (rdmsr(kMsrEfer) & kEferLongModeActive) != 0;
  int pg = (read_cr0() & kCr0Paging) != 0;
  int pae = (read_cr4() & kCr4Pae) != 0;
  kprintf("demo: long mode: EFER.LMA=%d CR0.PG=%d CR4.PAE=%d\n", lma, pg, pae);
  check(lma && pg && pae, "running in 64-bit mode");
}

static void step_breakpoint(void) {
  __asm__ volatile("int3" ::: "memory");
  struct exception_record r = exceptions_take_record();
  check(r.count == 1 && r.vector == kVectorBreakpoint && r.on_ist_stack,
        "int3 delivered through the IDT on the IST1 stack");
}

static void step_demand_page_fault(void) {
  const uint64_t address = kDemandRegionBase + 0x1238;
  const uint64_t value = 0x00005eed0000cafeull;
  kprintf("demo: writing to unmapped 0x%lx\n", address);
  *(volatile uint64_t*)address = value;
  struct exception_record r = exceptions_take_record();
  check(r.count == 1 && r.vector == kVectorPageFault && r.error_code == 0x2 && r.cr2 == address,
        "#PF with CR2 = the address and error 0x2 (write, not present)");
  uint64_t physical = paging_translate(address);
  int same = physical != ~0ull && *(volatile uint64_t*)physical == value &&
             *(volatile uint64_t*)address == value;
  check(same && exceptions_take_record().count == 0,
        "retried write landed in the new frame, no further fault");
}

static void step_general_protection(void) {
  const uint64_t non_canonical = 0x8000000000000000ull;
  const uint64_t marker = 0x6e6f6e63616e6f6eull;
  kprintf("demo: loading from non-canonical 0x%lx\n", non_canonical);
  uint64_t loaded = load_or_default(non_canonical, marker);
  struct exception_record r = exceptions_take_record();
  // A non-canonical data reference raises #GP(0) (SDM Vol. 3A 3.3.7.1).
  check(r.count == 1 && r.vector == kVectorGeneralProtection && r.error_code == 0 &&
            loaded == marker,
        "#GP(0) on a non-canonical address, load skipped");
}

static void step_divide_error(void) {
  const uint64_t dividend = 1234567;
  kprintf("demo: dividing %lu by zero\n", dividend);
  uint64_t quotient = divide_resumable(dividend, 0);
  struct exception_record r = exceptions_take_record();
  check(r.count == 1 && r.vector == kVectorDivideError && quotient == dividend,
        "#DE on DIV by 0, RAX left unchanged");
}

static void step_invalid_opcode(void) {
  kprintf("demo: executing UD2\n");
  undefined_instruction();
  struct exception_record r = exceptions_take_record();
  check(r.count == 1 && r.vector == kVectorInvalidOpcode, "#UD on UD2");
}

// With EFER.NXE set, a fetch from an XD page faults with I/D set in the
// error code (SDM Vol. 3A 4.7); after clearing XD and INVLPG it runs.
static void step_no_execute(void) {
  const uint64_t code = kDemandRegionBase + 0x2000;
  wrmsr(kMsrEfer, rdmsr(kMsrEfer) | kEferNoExecuteEnable);
  paging_map_demand_page(code);
  *(volatile uint8_t*)code = 0xC3;  // RET
  paging_set_no_execute(code, 1);
  kprintf("demo: calling into no-execute page 0x%lx\n", code);
  ((void (*)(void))code)();
  struct exception_record r = exceptions_take_record();
  check(r.count == 1 && r.vector == kVectorPageFault && r.error_code == 0x11 && r.cr2 == code,
        "#PF error 0x11 (fetch, protection) with EFER.NXE");
  paging_set_no_execute(code, 0);
  kprintf("demo: cleared XD, calling again\n");
  ((void (*)(void))code)();
  check(exceptions_take_record().count == 0, "the call returned without a fault");
}

static uint64_t user_stack_top(void) { return (uint64_t)(user_stack + sizeof(user_stack)); }

static void step_user_syscalls(void) {
  kprintf("demo: entering ring 3 with IRETQ\n");
  uint64_t result = user_enter((uint64_t)user_syscall_round_trip, user_stack_top(), 0);
  struct syscall_observations seen = syscall_observations_take();
  kprintf("demo: back in ring 0, user exit code 0x%lx\n", result);
  check(result == (kUserChecksPassed | 3u << 8), "user ran at CPL 3 and got write's result");
  // Two entries: the write and the exit.
  check(seen.writes == 1 && seen.entries_on_entry_stack == 2 && seen.entries_with_kernel_gs == 2,
        "SYSCALL entries ran on the kernel stack with the kernel GS base");
  check(exceptions_take_record().count == 0, "no exception during the round trip");
}

static void step_user_fault(void (*entry)(uint64_t), uint64_t expected_error, const char* what) {
  const uint64_t address = (uint64_t)__kernel_image_start;
  kprintf("demo: ring 3 %s of supervisor page 0x%lx\n", what, address);
  uint64_t result = user_enter((uint64_t)entry, user_stack_top(), address);
  struct exception_record r = exceptions_take_record();
  check(result == kUserKilledByFault && r.count == 1 && r.vector == kVectorPageFault &&
            r.error_code == expected_error && r.cr2 == address,
        expected_error == 0x5 ? "#PF error 0x5 (user read, protection)"
                              : "#PF error 0x7 (user write, protection)");
  check(r.on_entry_stack && r.cs == USER_CODE_SELECTOR && r.ss == USER_DATA_SELECTOR,
        "delivered on the TSS.RSP0 stack with the user CS/SS saved");
}

void kernel_main(uint32_t magic, uint32_t info) {
  serial_init();
  kprintf("demo: x64sim demo guest\n");
  if (!report_multiboot(magic, info)) {
    kprintf("demo: FAILED: not started by a multiboot loader\n");
    debug_exit(kDebugExitFailure);
  }
  step_long_mode();

  descriptor_tables_init();
  idt_init();
  kprintf("demo: loaded GDT (kernel and user segments, TSS with RSP0 and IST1), IDT (32 vectors)\n");
  step_breakpoint();
  step_demand_page_fault();
  step_general_protection();
  step_divide_error();
  step_invalid_opcode();
  step_no_execute();

  syscalls_init();
  paging_open_user_region();
  kprintf("demo: SYSCALL enabled (STAR, LSTAR, FMASK, EFER.SCE), user region open\n");
  step_user_syscalls();
  step_user_fault(user_read, 0x5, "read");
  step_user_fault(user_write, 0x7, "write");

  if (failures != 0) {
    kprintf("demo: %d checks FAILED\n", failures);
    debug_exit(kDebugExitFailure);
  }
  kprintf("demo: all checks passed\n");
  debug_exit(kDebugExitSuccess);
}
