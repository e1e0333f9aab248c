#include "guest/demo/exceptions.h"

#include "guest/demo/common/debug_exit.h"
#include "guest/demo/common/kprintf.h"
#include "guest/demo/descriptor_tables.h"
#include "guest/demo/fault_fixup.h"
#include "guest/demo/idt.h"
#include "guest/demo/paging.h"
#include "guest/demo/user_mode.h"
#include "guest/demo/x86.h"

// Mnemonics of the exception vectors (SDM Vol. 3A 7.3, Table 7-1).
static const char* const kVectorNames[kExceptionVectors] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

// #PF error code bits (SDM Vol. 3A 4.7, Figure 4-12).
enum {
  kPfPresent = 1u << 0,
  kPfWrite = 1u << 1,
  kPfUser = 1u << 2,
  kPfReservedBit = 1u << 3,
  kPfInstructionFetch = 1u << 4,
};

static struct exception_record record;

struct exception_record exceptions_take_record(void) {
  struct exception_record taken = record;
  record = (struct exception_record){0};
  return taken;
}

static int from_user(const struct trap_frame* frame) { return (frame->cs & 3) == 3; }

static const char* yes_no(int value) { return value ? "yes" : "no"; }

static void print_page_fault_cause(uint64_t error) {
  const char* access = error & kPfInstructionFetch ? "fetch" : error & kPfWrite ? "write" : "read";
  kprintf("[%s, %s, ring %d%s]", access, error & kPfPresent ? "protection" : "not present",
          error & kPfUser ? 3 : 0, error & kPfReservedBit ? ", reserved bit" : "");
}

static __attribute__((noreturn)) void stop_on_unexpected(const struct trap_frame* frame) {
  kprintf("demo: unexpected %s (vector %lu) error=0x%lx rip=0x%lx cs=0x%lx cr2=0x%lx\n",
          kVectorNames[frame->vector], frame->vector, frame->error_code, frame->rip, frame->cs,
          read_cr2());
  kprintf("demo: FAILED\n");
  debug_exit(kDebugExitFailure);
}

static void handle_page_fault(struct trap_frame* frame) {
  uint64_t address = read_cr2();
  record.cr2 = address;
  kprintf("demo: #PF (vector 14) cr2=0x%lx error=0x%lx ", address, frame->error_code);
  print_page_fault_cause(frame->error_code);
  if (from_user(frame)) {
    kprintf("\ndemo:   from CS=0x%lx SS=0x%lx, frame on the TSS.RSP0 stack: %s\n", frame->cs,
            frame->ss, yes_no(record.on_entry_stack));
    kprintf("demo:   killing the user program\n");
    user_abandon(kUserKilledByFault);
  }
  if (paging_in_demand_region(address) && (frame->error_code & kPfInstructionFetch) &&
      frame->rip == address) {
    // A call into a no-execute page: return to the caller, whose return
    // address is on top of the stack.
    frame->rip = *(const uint64_t*)frame->rsp;
    frame->rsp += 8;
    kprintf(": returning to the caller\n");
    return;
  }
  if (paging_in_demand_region(address) && (frame->error_code & kPfPresent) == 0) {
    if (paging_map_demand_page(address) != 0) {
      kprintf(": mapped a zeroed frame, retrying\n");
      return;
    }
  }
  kprintf("\n");
  stop_on_unexpected(frame);
}

// Vectors whose frame carries a CPU-pushed error code (SDM 7.15, Table 7-1).
static int has_error_code(uint64_t vector) {
  return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
         vector == 29 || vector == 30;
}

// A kernel fault at an instruction listed in the fixup table resumes after
// it; any other fault stops the run.
static void resume_at_fixup(struct trap_frame* frame) {
  uint64_t resume = find_fault_fixup(frame->rip);
  if (from_user(frame) || resume == 0) stop_on_unexpected(frame);
  kprintf("demo: %s (vector %lu)", kVectorNames[frame->vector], frame->vector);
  if (has_error_code(frame->vector)) kprintf(" error=0x%lx", frame->error_code);
  kprintf(" at an expected instruction: resuming after it\n");
  frame->rip = resume;
}

void handle_exception(struct trap_frame* frame) {
  uint64_t frame_address = (uint64_t)frame;
  ++record.count;
  record.vector = frame->vector;
  record.error_code = frame->error_code;
  record.cs = frame->cs;
  record.ss = frame->ss;
  record.on_entry_stack = entry_stack_contains(frame_address);
  record.on_ist_stack = ist_stack_contains(frame_address);

  switch (frame->vector) {
    case kVectorBreakpoint:
      // A trap: the saved RIP already points after INT3 (SDM 7.5).
      kprintf("demo: #BP (vector 3) from ring %lu, frame on the IST1 stack: %s\n", frame->cs & 3,
              yes_no(record.on_ist_stack));
      return;
    case kVectorPageFault:
      handle_page_fault(frame);
      return;
    case kVectorDivideError:
    case kVectorInvalidOpcode:
    case kVectorGeneralProtection:
      resume_at_fixup(frame);
      return;
    default:
      stop_on_unexpected(frame);
  }
}
