// Instructions that are expected to fault. Each records (faulting RIP,
// resume RIP) in the .fault_fixups section; the exception handler looks the
// faulting RIP up there and resumes after the instruction instead of
// stopping.
#ifndef GUEST_DEMO_FAULT_FIXUP_H_
#define GUEST_DEMO_FAULT_FIXUP_H_

#include <stdint.h>

struct fault_fixup {
  uint64_t fault_rip;
  uint64_t resume_rip;
};

// Follows an instruction labelled 1: and resumed at label 2:.
#define FAULT_FIXUP_RECORD \
  "2:\n"                   \
  ".pushsection .fault_fixups, \"a\"\n.quad 1b, 2b\n.popsection"

// Reads 8 bytes at `address`; returns `if_faulted` when the load faults.
static inline uint64_t load_or_default(uint64_t address, uint64_t if_faulted) {
  uint64_t value = if_faulted;
  __asm__ volatile("1: movq (%1), %0\n" FAULT_FIXUP_RECORD
                   : "+r"(value)
                   : "r"(address)
                   : "memory");
  return value;
}

// 0:dividend / divisor with DIV. A faulting DIV writes no register (a
// fault leaves no partial state, SDM Vol. 3A 7.5), so then the dividend
// comes back.
static inline uint64_t divide_resumable(uint64_t dividend, uint64_t divisor) {
  uint64_t quotient = dividend;
  uint64_t remainder = 0;
  __asm__ volatile("1: divq %2\n" FAULT_FIXUP_RECORD
                   : "+a"(quotient), "+d"(remainder)
                   : "r"(divisor)
                   : "memory");
  return quotient;
}

// Executes UD2, which always raises #UD (SDM Vol. 2B UD).
static inline void undefined_instruction(void) {
  __asm__ volatile("1: ud2\n" FAULT_FIXUP_RECORD ::: "memory");
}

// The resume RIP for a fault at `rip`, or 0 if the fault was not expected.
uint64_t find_fault_fixup(uint64_t rip);

#endif  // GUEST_DEMO_FAULT_FIXUP_H_
