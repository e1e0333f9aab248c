#include "guest/demo/syscalls.h"

#include "guest/demo/common/kprintf.h"
#include "guest/demo/common/serial.h"
#include "guest/demo/cpu_local.h"
#include "guest/demo/descriptor_tables.h"
#include "guest/demo/syscall_numbers.h"
#include "guest/demo/user_mode.h"
#include "guest/demo/x86.h"

extern char syscall_entry[];
extern char __user_region_start[];
extern char __user_region_end[];

static struct cpu_local cpu_local;
static struct syscall_observations observations;

void syscalls_init(void) {
  cpu_local.self = &cpu_local;
  cpu_local.kernel_rsp = entry_stack_top();
  // STAR[47:32] = SYSCALL CS, STAR[63:48] = SYSRET base (SDM Vol. 2B SYSCALL).
  wrmsr(kMsrStar, ((uint64_t)SYSRET_BASE_SELECTOR << 48) | ((uint64_t)KERNEL_CODE_SELECTOR << 32));
  wrmsr(kMsrLstar, (uint64_t)syscall_entry);
  // RFLAGS bits set in FMASK are cleared on SYSCALL (SDM Vol. 2B SYSCALL).
  wrmsr(kMsrFmask, kRflagsInterrupt | kRflagsTrap | kRflagsDirection | kRflagsAlignmentCheck);
  wrmsr(kMsrEfer, rdmsr(kMsrEfer) | kEferSyscallEnable);
  wrmsr(kMsrGsBase, (uint64_t)&cpu_local);
  wrmsr(kMsrKernelGsBase, 0);
}

static int in_user_region(uint64_t start, uint64_t length) {
  uint64_t region_start = (uint64_t)__user_region_start;
  uint64_t region_end = (uint64_t)__user_region_end;
  return start >= region_start && start <= region_end && length <= region_end - start;
}

static int64_t sys_write(uint64_t buffer, uint64_t length) {
  if (!in_user_region(buffer, length)) return -1;
  const char* text = (const char*)buffer;
  for (uint64_t i = 0; i < length; ++i) serial_putc(text[i]);
  ++observations.writes;
  return (int64_t)length;
}

int64_t handle_syscall(uint64_t arg0, uint64_t arg1, uint64_t arg2, uint64_t number) {
  (void)arg2;
  if (entry_stack_contains((uint64_t)__builtin_frame_address(0))) {
    ++observations.entries_on_entry_stack;
  }
  if (gs_cpu_local() == &cpu_local) ++observations.entries_with_kernel_gs;
  switch (number) {
    case kSysExit:
      user_abandon(arg0);
    case kSysWrite:
      return sys_write(arg0, arg1);
    default:
      kprintf("demo: unknown syscall %lu\n", number);
      return -1;
  }
}

struct syscall_observations syscall_observations_take(void) {
  struct syscall_observations taken = observations;
  observations = (struct syscall_observations){0};
  return taken;
}
