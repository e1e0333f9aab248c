// Loads that are expected to fault. Each records (faulting RIP, resume RIP)
// in the .fault_fixups section; the exception handler looks the faulting
// RIP up there and resumes after the instruction instead of stopping.
#ifndef GUEST_DEMO_FAULT_FIXUP_H_
#define GUEST_DEMO_FAULT_FIXUP_H_

#include <stdint.h>

struct fault_fixup {
  uint64_t fault_rip;
  uint64_t resume_rip;
};

// Reads 8 bytes at `address`; returns `if_faulted` when the load faults.
static inline uint64_t load_or_default(uint64_t address, uint64_t if_faulted) {
  uint64_t value = if_faulted;
  __asm__ volatile(
      "1: movq (%1), %0\n"
      "2:\n"
      ".pushsection .fault_fixups, \"a\"\n"
      ".quad 1b, 2b\n"
      ".popsection"
      : "+r"(value)
      : "r"(address)
      : "memory");
  return value;
}

// The resume RIP for a fault at `rip`, or 0 if the fault was not expected.
uint64_t find_fault_fixup(uint64_t rip);

#endif  // GUEST_DEMO_FAULT_FIXUP_H_
