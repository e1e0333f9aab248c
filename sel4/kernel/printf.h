/* Kernel console output (COM1): a printf with the conversions the debug
 * output needs (%s %c %d %u %x %p, l modifier, '#', '0', '-', width);
 * %p of a null pointer prints "(nil)" as the seed transcripts show. */
#ifndef KERNEL_PRINTF_H
#define KERNEL_PRINTF_H

#include <stdarg.h>

#include "kernel/types.h"

void kputc(char c);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

#endif
