// The kernel's exception handling: the expected faults of the demo are
// handled and recorded; anything else ends the run with a failure status.
#ifndef GUEST_DEMO_EXCEPTIONS_H_
#define GUEST_DEMO_EXCEPTIONS_H_

#include <stdint.h>

#include "guest/demo/trap_frame.h"

// Value user_enter returns when the user program was killed by a fault.
enum { kUserKilledByFault = 0xDEAD };

// The last handled exception, for the caller of the faulting code to check.
struct exception_record {
  int count;  // exceptions handled since the record was last taken
  uint64_t vector;
  uint64_t error_code;
  uint64_t cr2;  // for #PF
  uint64_t cs;
  uint64_t ss;
  int on_entry_stack;  // the frame lay on the TSS.RSP0 stack
  int on_ist_stack;    // the frame lay on the IST1 stack
};

// Returns the record and clears it.
struct exception_record exceptions_take_record(void);

// Called by exception_entry.S.
void handle_exception(struct trap_frame* frame);

#endif  // GUEST_DEMO_EXCEPTIONS_H_
