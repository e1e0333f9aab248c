// Entry points of the code that runs in ring 3. The linker script places
// user_*.o in the user region, the only user-accessible memory.
#ifndef GUEST_DEMO_USER_PROGRAM_H_
#define GUEST_DEMO_USER_PROGRAM_H_

#include <stdint.h>

// Exit code of user_syscall_round_trip when every check passed; the CPL it
// read from CS is added in bits 15:8.
enum { kUserChecksPassed = 0x5A };

// Writes a greeting through kSysWrite, checks the returned length and its
// own CPL, then exits with kUserChecksPassed | CPL << 8, or 1 on a mismatch.
__attribute__((noreturn)) void user_syscall_round_trip(uint64_t unused);

// Read from / write to `address`, which the kernel expects to fault.
__attribute__((noreturn)) void user_read(uint64_t address);
__attribute__((noreturn)) void user_write(uint64_t address);

// The user stack (in the user region; it grows down from its end).
extern uint8_t user_stack[8192];

#endif  // GUEST_DEMO_USER_PROGRAM_H_
