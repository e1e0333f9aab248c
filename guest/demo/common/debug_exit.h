// Ends the run through QEMU's isa-debug-exit device at port 0xF4: writing v
// makes the machine exit with status (v << 1) | 1.
#ifndef GUEST_DEMO_COMMON_DEBUG_EXIT_H_
#define GUEST_DEMO_COMMON_DEBUG_EXIT_H_

#include <stdint.h>

// Values the demo guests write; the host sees (v << 1) | 1 = 33 and 35.
enum {
  kDebugExitSuccess = 0x10,
  kDebugExitFailure = 0x11,
};

// Does not return; if no device answers, halts with interrupts off.
__attribute__((noreturn)) void debug_exit(uint32_t value);

#endif  // GUEST_DEMO_COMMON_DEBUG_EXIT_H_
