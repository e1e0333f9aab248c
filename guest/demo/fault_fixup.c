#include "guest/demo/fault_fixup.h"

// Bounds of the .fault_fixups section (multiboot_kernel.ld).
extern const struct fault_fixup __fault_fixups_start[];
extern const struct fault_fixup __fault_fixups_end[];

uint64_t find_fault_fixup(uint64_t rip) {
  for (const struct fault_fixup* f = __fault_fixups_start; f < __fault_fixups_end; ++f) {
    if (f->fault_rip == rip) return f->resume_rip;
  }
  return 0;
}
