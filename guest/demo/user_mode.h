// Running code in ring 3 and coming back.
#ifndef GUEST_DEMO_USER_MODE_H_
#define GUEST_DEMO_USER_MODE_H_

#include <stdint.h>

// Enters ring 3 at `entry` with RSP = `stack_top` and RDI = `argument`
// (IRETQ to the user code segment, interrupts off) and returns the value
// later passed to user_abandon: the user program has exited or been killed.
uint64_t user_enter(uint64_t entry, uint64_t stack_top, uint64_t argument);

// From a kernel entry taken while ring 3 ran: discards that entry's stack
// and makes the pending user_enter return `result`.
__attribute__((noreturn)) void user_abandon(uint64_t result);

#endif  // GUEST_DEMO_USER_MODE_H_
