#include "guest/demo/common/kprintf.h"

#include <stdint.h>

#include "guest/demo/common/serial.h"

static void print_string(const char* s) {
  if (s == 0) s = "(null)";
  while (*s) serial_putc(*s++);
}

// Prints `value` in `base` (10 or 16), left-padded with zeros to `width`.
static void print_unsigned(uint64_t value, unsigned base, int width) {
  char digits[20];
  int count = 0;
  do {
    unsigned digit = (unsigned)(value % base);
    digits[count++] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
    value /= base;
  } while (value != 0);
  for (int i = count; i < width; ++i) serial_putc('0');
  while (count > 0) serial_putc(digits[--count]);
}

void kvprintf(const char* format, va_list args) {
  for (const char* p = format; *p; ++p) {
    if (*p != '%') {
      serial_putc(*p);
      continue;
    }
    const char* start = p++;
    int width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    int is_long = 0;
    if (*p == 'l') {
      is_long = 1;
      ++p;
    }
    switch (*p) {
      case 's':
        print_string(va_arg(args, const char*));
        break;
      case 'c':
        serial_putc((char)va_arg(args, int));
        break;
      case 'd': {
        int64_t v = is_long ? va_arg(args, int64_t) : va_arg(args, int);
        if (v < 0) {
          serial_putc('-');
          print_unsigned(-(uint64_t)v, 10, width);
        } else {
          print_unsigned((uint64_t)v, 10, width);
        }
        break;
      }
      case 'u':
        print_unsigned(is_long ? va_arg(args, uint64_t) : va_arg(args, unsigned), 10, width);
        break;
      case 'x':
        print_unsigned(is_long ? va_arg(args, uint64_t) : va_arg(args, unsigned), 16, width);
        break;
      case 'p':
        print_string("0x");
        print_unsigned((uint64_t)(uintptr_t)va_arg(args, void*), 16, width);
        break;
      case '%':
        serial_putc('%');
        break;
      default:  // unknown: echo the whole conversion
        while (start <= p && *start) serial_putc(*start++);
        if (*p == '\0') return;
        break;
    }
  }
}

void kprintf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  kvprintf(format, args);
  va_end(args);
}
