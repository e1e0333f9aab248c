#include "guest/demo/common/serial.h"

#include "guest/demo/common/portio.h"

// 16550 register offsets from the I/O base.
enum {
  kCom1 = 0x3F8,
  kData = 0,            // THR on write; divisor latch low when LCR.DLAB=1
  kInterruptEnable = 1, // IER; divisor latch high when LCR.DLAB=1
  kFifoControl = 2,     // FCR (write only)
  kLineControl = 3,     // LCR
  kModemControl = 4,    // MCR
  kLineStatus = 5,      // LSR
};

enum {
  kLcrDivisorLatch = 0x80,
  kLcr8N1 = 0x03,
  kFcrEnableAndClear = 0x07,
  kMcrDtrRtsOut2 = 0x0B,
  kLsrTransmitEmpty = 0x20,  // LSR bit 5: THR empty
};

void serial_init(void) {
  outb(kCom1 + kInterruptEnable, 0);
  outb(kCom1 + kLineControl, kLcrDivisorLatch);
  outb(kCom1 + kData, 1);  // divisor 1: 115200 baud
  outb(kCom1 + kInterruptEnable, 0);
  outb(kCom1 + kLineControl, kLcr8N1);
  outb(kCom1 + kFifoControl, kFcrEnableAndClear);
  outb(kCom1 + kModemControl, kMcrDtrRtsOut2);
}

void serial_putc(char c) {
  while ((inb(kCom1 + kLineStatus) & kLsrTransmitEmpty) == 0) {
  }
  outb(kCom1 + kData, (uint8_t)c);
}
