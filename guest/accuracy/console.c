#include "guest/accuracy/console.h"

enum {
  kCom1 = 0x3F8,
  kDebugExitPort = 0xF4,
  // 16550 registers from the base and bits (PC16550D datasheet).
  kData = 0,
  kInterruptEnable = 1,
  kFifoControl = 2,
  kLineControl = 3,
  kModemControl = 4,
  kLineStatus = 5,
  kLcrDivisorLatch = 0x80,
  kLcr8N1 = 0x03,
  kFcrEnableAndClear = 0x07,
  kMcrDtrRtsOut2 = 0x0B,
  kLsrTransmitEmpty = 0x20,
};

static inline void outb(uint16_t port, uint8_t value) {
  __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port) {
  uint8_t value;
  __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

void console_init(void) {
  outb(kCom1 + kInterruptEnable, 0);
  outb(kCom1 + kLineControl, kLcrDivisorLatch);
  outb(kCom1 + kData, 1);  // divisor 1: 115200 baud
  outb(kCom1 + kInterruptEnable, 0);
  outb(kCom1 + kLineControl, kLcr8N1);
  outb(kCom1 + kFifoControl, kFcrEnableAndClear);
  outb(kCom1 + kModemControl, kMcrDtrRtsOut2);
}

static void put_char(char c) {
  while ((inb(kCom1 + kLineStatus) & kLsrTransmitEmpty) == 0) {
  }
  outb(kCom1 + kData, (uint8_t)c);
}

void console_puts(const char* s) {
  for (; *s != '\0'; ++s) put_char(*s);
}

void console_put_decimal(uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) put_char(digits[--n]);
}

void console_put_hundredths(uint64_t numerator, uint64_t denominator) {
  uint64_t hundredths = (numerator * 100 + denominator / 2) / denominator;
  console_put_decimal(hundredths / 100);
  put_char('.');
  put_char((char)('0' + hundredths / 10 % 10));
  put_char((char)('0' + hundredths % 10));
}

void console_exit(uint32_t value) {
  __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"((uint16_t)kDebugExitPort));
  for (;;) __asm__ volatile("cli; hlt");
}
