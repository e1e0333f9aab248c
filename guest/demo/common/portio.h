// x86 port I/O for freestanding guests (SDM Vol. 2: IN, OUT).
#ifndef GUEST_DEMO_COMMON_PORTIO_H_
#define GUEST_DEMO_COMMON_PORTIO_H_

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value) {
  __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t value) {
  __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port) {
  uint8_t value;
  __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

#endif  // GUEST_DEMO_COMMON_PORTIO_H_
