// Control registers, MSRs and TLB control used by the demo kernel.
#ifndef GUEST_DEMO_X86_H_
#define GUEST_DEMO_X86_H_

#include <stdint.h>

// Architectural MSRs (SDM Vol. 4, Table 2-2).
enum {
  kMsrEfer = 0xC0000080,
  kMsrStar = 0xC0000081,
  kMsrLstar = 0xC0000082,
  kMsrFmask = 0xC0000084,
  kMsrGsBase = 0xC0000101,
  kMsrKernelGsBase = 0xC0000102,
};

// IA32_EFER bits (SDM Vol. 3A 2.2.1, Table 2-1).
enum {
  kEferSyscallEnable = 1u << 0,
  kEferLongModeActive = 1u << 10,
  kEferNoExecuteEnable = 1u << 11,
};

// RFLAGS bits (SDM Vol. 1 3.4.3).
enum {
  kRflagsTrap = 1u << 8,
  kRflagsInterrupt = 1u << 9,
  kRflagsDirection = 1u << 10,
  kRflagsAlignmentCheck = 1u << 18,
};

static inline uint64_t rdmsr(uint32_t msr) {
  uint32_t low, high;
  __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
  return ((uint64_t)high << 32) | low;
}

static inline void wrmsr(uint32_t msr, uint64_t value) {
  __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline uint64_t read_cr0(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr0, %0" : "=r"(value));
  return value;
}

static inline uint64_t read_cr2(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr2, %0" : "=r"(value));
  return value;
}

static inline uint64_t read_cr3(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr3, %0" : "=r"(value));
  return value;
}

static inline uint64_t read_cr4(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr4, %0" : "=r"(value));
  return value;
}

// Writing CR3 flushes all non-global TLB entries (SDM Vol. 3A 4.10.4.1).
static inline void write_cr3(uint64_t value) {
  __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

static inline void invlpg(uint64_t address) {
  __asm__ volatile("invlpg (%0)" : : "r"(address) : "memory");
}

#endif  // GUEST_DEMO_X86_H_
