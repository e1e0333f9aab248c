#include "guest/demo/idt.h"

#include <stdint.h>

#include "guest/demo/descriptor_tables.h"

// 64-bit IDT gate descriptor (SDM Vol. 3A 7.14.1, Figure 7-8).
struct idt_gate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;  // bits 2:0
  uint8_t type_attributes;
  uint16_t offset_middle;
  uint32_t offset_high;
  uint32_t reserved;
} __attribute__((packed));

enum {
  kGatePresent = 0x80,
  kGateInterrupt64 = 0xE,  // interrupt gate: IF cleared on entry (SDM 7.12.1.3)
};

extern const uint64_t exception_stubs[kExceptionVectors];

static struct idt_gate idt[kExceptionVectors];

struct descriptor_pointer {
  uint16_t limit;
  uint64_t base;
} __attribute__((packed));

static int runs_on_ist(int vector) {
  return vector == kVectorNmi || vector == kVectorBreakpoint || vector == kVectorDoubleFault ||
         vector == kVectorMachineCheck;
}

void idt_init(void) {
  for (int v = 0; v < kExceptionVectors; ++v) {
    uint64_t handler = exception_stubs[v];
    idt[v].offset_low = (uint16_t)handler;
    idt[v].selector = KERNEL_CODE_SELECTOR;
    idt[v].ist = runs_on_ist(v) ? kIstIndex : 0;
    idt[v].type_attributes = kGatePresent | kGateInterrupt64;  // DPL 0
    idt[v].offset_middle = (uint16_t)(handler >> 16);
    idt[v].offset_high = (uint32_t)(handler >> 32);
    idt[v].reserved = 0;
  }
  struct descriptor_pointer pointer = {sizeof(idt) - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" : : "m"(pointer));
}
