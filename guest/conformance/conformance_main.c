// The conformance guest: what the host cannot check in user mode, run at
// CPL 0 and through ring 3, each outcome printed and checked against the
// SDM: single-step traps (also across SYSCALL and SYSRET), debug-register
// breakpoints, INT1, x87 #MF, SSE #XM and #UD, and a far CALL through a call
// gate across privilege levels.
// The run ends through the debug-exit port, with success only if every
// check passed.
#include <stdint.h>

#include "guest/demo/common/debug_exit.h"
#include "guest/demo/common/kprintf.h"
#include "guest/demo/common/serial.h"
#include "guest/demo/descriptor_tables.h"
#include "guest/demo/idt.h"
#include "guest/demo/paging.h"
#include "guest/demo/trap_frame.h"
#include "guest/demo/user_mode.h"
#include "guest/demo/x86.h"

enum {
  kVectorDebug = 1,
  kVectorX87 = 16,
  kVectorSimd = 19,
  kRflagsResume = 1u << 16,
  kCr0MonitorCoprocessor = 1u << 1,
  kCr0Emulation = 1u << 2,
  kCr0TaskSwitched = 1u << 3,
  kCr0NumericError = 1u << 5,
  kCr4Osfxsr = 1u << 9,
  kCr4Osxmmexcpt = 1u << 10,
  kDr6Bits = 0xe00f,  // BT, BS, BD and B0-B3: the bits the checks read
  kMxcsrDefault = 0x1f80,
  kMxcsrZeroDivideUnmasked = 0x1d80,
  kMxcsrZeroDivideFlag = 1u << 2,
};

// probes.S and user_far_call.S.
extern char ss_probe[], ss_base[], ss_end[];
extern char iret_probe[], iret_target[], iret_end[];
extern char bp_probe[], bp_target[];
extern char data_probe[], data_after_store[], data_after_load[];
extern char icebp_probe[], icebp_after[];
extern char mf_probe[], mf_fdiv[], mf_wait[], mf_resume[];
extern char xm_probe[], xm_fault[], xm_resume[];
extern char syscall_probe[], syscall_entry[], sysret_entry[];
extern char user_syscall[], user_syscall_return[];
extern char gate_target[];
extern uint64_t gate_rsp, gate_cs, gate_frame[4];
extern char user_far_call[], user_far_call_return[], user_stack_top[];

// One exception as the handler saw it.
struct event {
  uint64_t vector, error_code, rip, dr6;
};

enum { kMaxEvents = 16 };
static struct event events[kMaxEvents];
static int event_count;
static uint32_t x87_status, x87_instruction_offset;
static uint32_t mxcsr_at_fault;
static int failures;

static void check(int ok, const char* what) {
  kprintf("conformance: check: %s: %s\n", what, ok ? "ok" : "FAILED");
  if (!ok) ++failures;
}

static uint64_t read_dr6(void) {
  uint64_t value;
  __asm__ volatile("mov %%dr6, %0" : "=r"(value));
  return value;
}

static void write_debug_registers(uint64_t dr0, uint64_t dr1, uint64_t dr7) {
  __asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\tmov %2, %%dr7"
                   :
                   : "r"(dr0), "r"(dr1), "r"(dr7));
}

static void write_cr0(uint64_t value) { __asm__ volatile("mov %0, %%cr0" : : "r"(value)); }
static void write_cr4(uint64_t value) { __asm__ volatile("mov %0, %%cr4" : : "r"(value)); }

static void take_x87_state(void) {
  // FNSTENV's protected-mode image (SDM Vol. 1 8.1.10, Figure 8-9): the
  // status word at byte 4, the last instruction's offset at byte 12.
  uint32_t environment[7];
  __asm__ volatile("fnstenv %0\n\tfnclex" : "=m"(environment));
  x87_status = environment[1] & 0xffff;
  x87_instruction_offset = environment[3];
}

static void take_mxcsr(void) {
  uint32_t mxcsr_default = kMxcsrDefault;
  __asm__ volatile("stmxcsr %0\n\tldmxcsr %1" : "=m"(mxcsr_at_fault) : "m"(mxcsr_default));
}

static struct event* record_event(const struct trap_frame* frame) {
  if (event_count == kMaxEvents) {
    kprintf("conformance: more exceptions than expected, last vector %lu\n", frame->vector);
    debug_exit(kDebugExitFailure);
  }
  struct event* e = &events[event_count++];
  *e = (struct event){frame->vector, frame->error_code, frame->rip, 0};
  if (frame->vector == kVectorDebug) {
    e->dr6 = read_dr6() & kDr6Bits;
    __asm__ volatile("mov %0, %%dr6" : : "r"(0ull));  // the handler clears DR6 (SDM 18.2.3)
  }
  return e;
}

void handle_exception(struct trap_frame* frame) {
  if (frame->cs & 3) {
    // The ring-3 program: its UD2 hands back RAX, a fault its error code.
    if (frame->vector == kVectorDebug) record_event(frame);
    user_abandon(frame->vector == kVectorInvalidOpcode ? frame->rax
                                                       : (frame->vector << 16) | frame->error_code);
  }
  record_event(frame);
  if (frame->vector == kVectorDebug) {
    if (frame->rip == (uint64_t)ss_end || frame->rip == (uint64_t)iret_end ||
        frame->rip == (uint64_t)syscall_entry) {
      frame->rflags &= ~(uint64_t)kRflagsTrap;
    }
    if (frame->rip == (uint64_t)bp_target) frame->rflags |= kRflagsResume;
    return;
  }
  if (frame->vector == kVectorX87 && frame->rip == (uint64_t)mf_wait) {
    take_x87_state();
    frame->rip = (uint64_t)mf_resume;
    return;
  }
  if ((frame->vector == kVectorSimd || frame->vector == kVectorInvalidOpcode) &&
      frame->rip == (uint64_t)xm_fault) {
    take_mxcsr();
    frame->rip = (uint64_t)xm_resume;
    return;
  }
  if (frame->vector == kVectorInvalidOpcode && frame->rip == (uint64_t)icebp_probe) {
    frame->rip = (uint64_t)icebp_after;  // a CPU without INT1 (QEMU 7.2's TCG): go on
    return;
  }
  kprintf("conformance: unexpected vector %lu error 0x%lx at 0x%lx\n", frame->vector,
          frame->error_code, frame->rip);
  debug_exit(kDebugExitFailure);
}

static void print_events(const char* what, const char* base) {
  kprintf("conformance: %s:", what);
  for (int i = 0; i < event_count; ++i) {
    kprintf(" #%lu at +%ld", events[i].vector, (long)(events[i].rip - (uint64_t)base));
    if (events[i].vector == kVectorDebug) kprintf(" DR6=0x%lx", events[i].dr6);
  }
  kprintf("\n");
}

static void check_single_step(void) {
  event_count = 0;
  ((void (*)(void))ss_probe)();
  print_events("single-step from POPF", ss_base);
  // After NOP (+1), MOV (+6), ADD (+8), MOV from SS (+11); none after MOV
  // to SS (+13); after the NOP behind it (+14), BS set every time.
  static const long kExpected[] = {1, 6, 8, 11, 14};
  int ok = event_count == 5;
  for (int i = 0; ok && i < 5; ++i) {
    ok = events[i].vector == kVectorDebug &&
         (long)(events[i].rip - (uint64_t)ss_base) == kExpected[i] && events[i].dr6 == 0x4000;
  }
  check(ok, "a trap after each instruction with DR6.BS, held over MOV SS");
}

static void check_single_step_after_iret(void) {
  event_count = 0;
  ((void (*)(void))iret_probe)();
  print_events("single-step from IRETQ", iret_target);
  check(event_count == 2 && events[0].rip == (uint64_t)iret_target + 1 &&
            events[1].rip == (uint64_t)iret_end && events[0].dr6 == 0x4000 &&
            events[1].dr6 == 0x4000,
        "the first trap after the first instruction at the IRETQ's target");
}

static void set_syscall_msrs(const char* entry, uint64_t fmask) {
  wrmsr(kMsrEfer, rdmsr(kMsrEfer) | kEferSyscallEnable);
  // SYSCALL loads CS from STAR[47:32], SYSRET from STAR[63:48] + 16 (SDM
  // Vol. 2B SYSCALL, SYSRET).
  wrmsr(kMsrStar, ((uint64_t)SYSRET_BASE_SELECTOR << 48) | ((uint64_t)KERNEL_CODE_SELECTOR << 32));
  wrmsr(kMsrLstar, (uint64_t)entry);
  wrmsr(kMsrFmask, fmask);
}

static void check_single_step_over_syscall(uint64_t fmask) {
  const int masked = (fmask & kRflagsTrap) != 0;
  set_syscall_msrs(syscall_entry, fmask);
  event_count = 0;
  ((void (*)(void))syscall_probe)();
  print_events(masked ? "SYSCALL with TF set, FMASK clears TF" : "SYSCALL with TF set, FMASK keeps TF",
               syscall_entry);
  if (masked) {
    check(event_count == 0, "no trap in the kernel: SYSCALL goes by the TF it leaves");
  } else {
    check(event_count == 1 && events[0].vector == kVectorDebug &&
              events[0].rip == (uint64_t)syscall_entry && events[0].dr6 == 0x4000,
          "a trap at the entry point with DR6.BS");
  }
}

static void check_single_step_after_sysret(void) {
  set_syscall_msrs(sysret_entry, kRflagsTrap | kRflagsInterrupt);
  event_count = 0;
  const uint64_t result = user_enter((uint64_t)user_syscall, (uint64_t)user_stack_top, 0);
  print_events("SYSRET restoring TF", user_syscall_return);
  check(result == (uint64_t)kVectorDebug << 16 && event_count == 1 &&
            events[0].rip == (uint64_t)user_syscall_return && events[0].dr6 == 0x4000,
        "a trap at once at the user RIP, before the instruction there");
}

static void check_instruction_breakpoint(void) {
  event_count = 0;
  write_debug_registers((uint64_t)bp_target, 0, 0x1);  // L0, execute, one byte
  ((void (*)(void))bp_probe)();
  write_debug_registers(0, 0, 0);
  print_events("DR0 execute breakpoint", bp_probe);
  check(event_count == 1 && events[0].rip == (uint64_t)bp_target && events[0].dr6 == 0x1,
        "a fault before the instruction with DR6.B0; RF lets it run");
}

static void check_data_breakpoint(uint64_t rw, const char* what, int expected_events) {
  static uint64_t watched;
  event_count = 0;
  // DR1, L1 (bit 2), R/W1 (bits 21:20), LEN1 = 8 bytes (10b, bits 23:22).
  write_debug_registers(0, (uint64_t)&watched, (1u << 2) | (rw << 20) | (2u << 22));
  ((void (*)(uint64_t*))data_probe)(&watched);
  write_debug_registers(0, 0, 0);
  print_events(what, data_probe);
  int ok = event_count == expected_events && watched == 5;
  const char* after[] = {data_after_store, data_after_load};
  for (int i = 0; ok && i < expected_events; ++i) {
    ok = events[i].vector == kVectorDebug && events[i].rip == (uint64_t)after[i] &&
         events[i].dr6 == 0x2;
  }
  check(ok, rw == 1 ? "a write breakpoint traps after the store only, DR6.B1"
                    : "a read/write breakpoint traps after the store and the load, DR6.B1");
}

static void check_icebp(void) {
  event_count = 0;
  ((void (*)(void))icebp_probe)();
  print_events("INT1", icebp_probe);
  check(event_count == 1 && events[0].vector == kVectorDebug &&
            events[0].rip == (uint64_t)icebp_after,
        "INT1 is a #DB trap after the instruction");
}

static void check_x87_error(void) {
  static const uint32_t zero = 0;  // single precision +0.0
  event_count = 0;
  ((void (*)(const uint32_t*))mf_probe)(&zero);
  print_events("x87 divide by zero, unmasked", mf_probe);
  kprintf("conformance:   FSW=0x%x, last instruction at +%ld\n", x87_status,
          (long)((int64_t)x87_instruction_offset - (int64_t)(uint32_t)(uint64_t)mf_fdiv));
  // B, ES and ZE set, TOP = 7 after one load (SDM Vol. 1 8.1.3).
  check(event_count == 1 && events[0].vector == kVectorX87 && events[0].rip == (uint64_t)mf_wait &&
            x87_status == 0xb884 && x87_instruction_offset == (uint32_t)(uint64_t)mf_fdiv,
        "#MF at the next waiting instruction, FSW and FIP name the FDIV");
}

static void check_simd_error(int osxmmexcpt) {
  // Single precision 1.0 and +0.0, then the MXCSR to divide with.
  static const uint32_t operands[3] = {0x3f800000, 0, kMxcsrZeroDivideUnmasked};
  const uint64_t cr4 = read_cr4();
  write_cr4(osxmmexcpt ? cr4 | kCr4Osxmmexcpt : cr4 & ~(uint64_t)kCr4Osxmmexcpt);
  event_count = 0;
  ((void (*)(const uint32_t*))xm_probe)(operands);
  write_cr4(cr4);
  print_events(osxmmexcpt ? "SSE divide by zero, unmasked, CR4.OSXMMEXCPT=1"
                          : "SSE divide by zero, unmasked, CR4.OSXMMEXCPT=0",
               xm_probe);
  kprintf("conformance:   MXCSR=0x%x\n", mxcsr_at_fault);
  const uint64_t vector = osxmmexcpt ? kVectorSimd : kVectorInvalidOpcode;
  check(event_count == 1 && events[0].vector == vector && events[0].rip == (uint64_t)xm_fault &&
            mxcsr_at_fault == (kMxcsrZeroDivideUnmasked | kMxcsrZeroDivideFlag),
        osxmmexcpt ? "#XM before DIVSS retires, MXCSR.ZE set"
                   : "#UD instead of #XM, MXCSR.ZE set");
}

static void check_call_gate(void) {
  descriptor_tables_set_call_gate((uint64_t)gate_target, 3);
  const uint64_t cs = user_enter((uint64_t)user_far_call, (uint64_t)user_stack_top, 0);
  kprintf("conformance: far CALL through a DPL-3 call gate from ring 3: CS=0x%lx, stack %s,\n",
          gate_cs, gate_rsp == entry_stack_top() - 32 ? "TSS.RSP0" : "unexpected");
  kprintf("conformance:   pushed SS=0x%lx RSP=%s CS=0x%lx RIP=%s; back in ring 3 with CS=0x%lx\n",
          gate_frame[3], gate_frame[2] == (uint64_t)user_stack_top ? "the caller's" : "unexpected",
          gate_frame[1], gate_frame[0] == (uint64_t)user_far_call_return ? "after the CALL" : "unexpected",
          cs);
  check(gate_cs == KERNEL_CODE_SELECTOR && gate_rsp == entry_stack_top() - 32 &&
            gate_frame[0] == (uint64_t)user_far_call_return && gate_frame[1] == USER_CODE_SELECTOR &&
            gate_frame[2] == (uint64_t)user_stack_top && gate_frame[3] == USER_DATA_SELECTOR &&
            cs == USER_CODE_SELECTOR,
        "ring 0 on the TSS.RSP0 stack with the caller's SS:RSP and CS:RIP; LRETQ returns");

  descriptor_tables_set_call_gate((uint64_t)gate_target, 0);
  const uint64_t fault = user_enter((uint64_t)user_far_call, (uint64_t)user_stack_top, 0);
  kprintf("conformance: the same CALL through a DPL-0 gate: vector %lu error 0x%lx\n", fault >> 16,
          fault & 0xffff);
  check(fault == (((uint64_t)kVectorGeneralProtection << 16) | CALL_GATE_SELECTOR),
        "#GP with the gate's selector as error code");
}

void kernel_main(uint32_t magic, uint32_t info) {
  (void)magic;
  (void)info;
  serial_init();
  kprintf("conformance: x64sim conformance guest\n");
  descriptor_tables_init();
  idt_init();
  paging_open_user_region();
  write_cr0((read_cr0() | kCr0NumericError | kCr0MonitorCoprocessor) &
            ~(uint64_t)(kCr0Emulation | kCr0TaskSwitched));
  write_cr4(read_cr4() | kCr4Osfxsr);

  check_single_step();
  check_single_step_after_iret();
  check_single_step_over_syscall(kRflagsTrap | kRflagsInterrupt);
  check_single_step_over_syscall(kRflagsInterrupt);
  check_single_step_after_sysret();
  check_instruction_breakpoint();
  check_data_breakpoint(1, "DR1 write breakpoint", 1);
  check_data_breakpoint(3, "DR1 read/write breakpoint", 2);
  check_icebp();
  check_x87_error();
  check_simd_error(1);
  check_simd_error(0);
  check_call_gate();

  kprintf("conformance: %s\n", failures == 0 ? "all checks passed" : "some checks FAILED");
  debug_exit(failures == 0 ? kDebugExitSuccess : kDebugExitFailure);
}
