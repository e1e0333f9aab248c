/* Formatted output for guest programs; the console is the kernel's
 * seL4_DebugPutChar. */
#ifndef GUEST_LIBC_STDIO_H
#define GUEST_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int putchar(int c);
int puts(const char *text);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list args);
int snprintf(char *buffer, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buffer, size_t size, const char *fmt, va_list args);

#endif
