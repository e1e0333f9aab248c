// COM1 output and the debug exit for the accuracy guest.
#ifndef GUEST_ACCURACY_CONSOLE_H_
#define GUEST_ACCURACY_CONSOLE_H_

#include <stdint.h>

// Programs the 16550 at 0x3F8 for 8N1, FIFOs on, interrupts off.
void console_init(void);
void console_puts(const char* s);
void console_put_decimal(uint64_t value);
// value / 100 with two decimals ("12.34"), rounded to nearest.
void console_put_hundredths(uint64_t numerator, uint64_t denominator);

// Writes `value` to QEMU's isa-debug-exit port 0xF4 (the machine exits with
// (value << 1) | 1) and halts if nothing answers.
__attribute__((noreturn)) void console_exit(uint32_t value);

#endif  // GUEST_ACCURACY_CONSOLE_H_
