#include "guest/demo/descriptor_tables.h"

enum {
  kEntryStackBytes = 16384,
  kIstStackBytes = 8192,
};

static uint8_t entry_stack[kEntryStackBytes] __attribute__((aligned(16)));
static uint8_t ist_stack[kIstStackBytes] __attribute__((aligned(16)));

// 64-bit TSS (SDM Vol. 3A 8.7, Figure 8-11).
struct tss64 {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t io_map_base;
} __attribute__((packed));

static struct tss64 tss;

// Segment descriptor access byte and flags (SDM Vol. 3A 3.4.5, Figure 3-8).
enum {
  kAccessPresent = 0x80,
  kAccessDpl3 = 0x60,
  kAccessCodeOrData = 0x10,  // S=1
  kTypeCodeExecuteRead = 0xA,
  kTypeDataReadWrite = 0x2,
  kTypeTss64Available = 0x9,  // system types (SDM 3.5, Table 3-2)
  kTypeCallGate64 = 0xC,
  kFlagGranularity4K = 0x8,
  kFlagLongMode = 0x2,  // L: 64-bit code segment (SDM 3.4.5)
  kFlagDefault32 = 0x4,
};

// Base 0, limit 0xFFFFF: base and limit are ignored in 64-bit mode except
// for FS/GS bases (SDM 3.2.4), so only access and flags matter.
static uint64_t flat_descriptor(uint8_t access, uint8_t flags) {
  return 0xFFFFull | (0xFull << 48) | ((uint64_t)access << 40) | ((uint64_t)flags << 52);
}

static uint64_t gdt[10];

struct descriptor_pointer {
  uint16_t limit;
  uint64_t base;
} __attribute__((packed));

static void set_tss_descriptor(uint64_t* slot, uint64_t base, uint32_t limit) {
  // 16-byte system descriptor (SDM 8.2.3, Figure 8-4).
  slot[0] = (limit & 0xFFFFull) | ((base & 0xFFFFFFull) << 16) |
            ((uint64_t)(kAccessPresent | kTypeTss64Available) << 40) |
            ((uint64_t)((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
  slot[1] = base >> 32;
}

void descriptor_tables_set_call_gate(uint64_t target, int dpl) {
  // 16-byte call gate (SDM 5.8.3.1, Figure 5-9): the upper half's type
  // field must be 0.
  uint64_t* slot = &gdt[CALL_GATE_SELECTOR >> 3];
  slot[0] = (target & 0xFFFFull) | ((uint64_t)KERNEL_CODE_SELECTOR << 16) |
            ((uint64_t)(kAccessPresent | (dpl << 5) | kTypeCallGate64) << 40) |
            (((target >> 16) & 0xFFFFull) << 48);
  slot[1] = target >> 32;
}

void descriptor_tables_init(void) {
  gdt[KERNEL_CODE_SELECTOR >> 3] = flat_descriptor(
      kAccessPresent | kAccessCodeOrData | kTypeCodeExecuteRead, kFlagGranularity4K | kFlagLongMode);
  gdt[KERNEL_DATA_SELECTOR >> 3] = flat_descriptor(
      kAccessPresent | kAccessCodeOrData | kTypeDataReadWrite, kFlagGranularity4K | kFlagDefault32);
  gdt[USER_DATA_SELECTOR >> 3] =
      flat_descriptor(kAccessPresent | kAccessDpl3 | kAccessCodeOrData | kTypeDataReadWrite,
                      kFlagGranularity4K | kFlagDefault32);
  gdt[USER_CODE_SELECTOR >> 3] =
      flat_descriptor(kAccessPresent | kAccessDpl3 | kAccessCodeOrData | kTypeCodeExecuteRead,
                      kFlagGranularity4K | kFlagLongMode);

  tss.rsp[0] = entry_stack_top();
  tss.ist[kIstIndex - 1] = (uint64_t)(ist_stack + kIstStackBytes);
  tss.io_map_base = sizeof(tss);  // no I/O permission bitmap
  set_tss_descriptor(&gdt[TSS_SELECTOR >> 3], (uint64_t)&tss, sizeof(tss) - 1);

  struct descriptor_pointer pointer = {sizeof(gdt) - 1, (uint64_t)gdt};
  __asm__ volatile("lgdt %0" : : "m"(pointer));
  // CS keeps selector 0x08, which the boot GDT used for the same kind of
  // segment; the data registers are reloaded from the new table.
  __asm__ volatile(
      "mov %0, %%ds\n\t"
      "mov %0, %%es\n\t"
      "mov %0, %%ss"
      :
      : "r"((uint16_t)KERNEL_DATA_SELECTOR));
  __asm__ volatile("ltr %0" : : "r"((uint16_t)TSS_SELECTOR));
}

uint64_t entry_stack_top(void) { return (uint64_t)(entry_stack + kEntryStackBytes); }

int entry_stack_contains(uint64_t address) {
  return address >= (uint64_t)entry_stack && address < entry_stack_top();
}

int ist_stack_contains(uint64_t address) {
  return address >= (uint64_t)ist_stack && address < (uint64_t)(ist_stack + kIstStackBytes);
}
