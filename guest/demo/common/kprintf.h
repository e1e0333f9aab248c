// A small printf for the serial console.
//
// Conversions: %s %c %d %u %x %p %%, with an optional `l` length modifier and
// an optional zero-padded width (`%016lx`). Nothing else is recognised; an
// unknown conversion prints as-is so that mistakes show in the transcript.
#ifndef GUEST_DEMO_COMMON_KPRINTF_H_
#define GUEST_DEMO_COMMON_KPRINTF_H_

#include <stdarg.h>

__attribute__((format(printf, 1, 2))) void kprintf(const char* format, ...);
void kvprintf(const char* format, va_list args);

#endif  // GUEST_DEMO_COMMON_KPRINTF_H_
