// Multiboot 1 boot information as the loader hands it over (Multiboot
// Specification 0.6.96, section 3.3 "Boot information format").
#ifndef GUEST_DEMO_COMMON_MULTIBOOT_H_
#define GUEST_DEMO_COMMON_MULTIBOOT_H_

#include <stdint.h>

// Value of EAX when a Multiboot 1 loader enters the kernel (spec 3.2).
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

// Bits of multiboot_info.flags saying which fields are valid (spec 3.3).
enum {
  kMultibootInfoMemory = 1u << 0,   // mem_lower, mem_upper
  kMultibootInfoCmdline = 1u << 2,  // cmdline
  kMultibootInfoModules = 1u << 3,  // mods_count, mods_addr
  kMultibootInfoMemoryMap = 1u << 6,  // mmap_length, mmap_addr
};

struct multiboot_info {
  uint32_t flags;
  uint32_t mem_lower;  // KiB of memory from 0
  uint32_t mem_upper;  // KiB of memory from 1 MiB
  uint32_t boot_device;
  uint32_t cmdline;  // physical address of a NUL-terminated string
  uint32_t mods_count;
  uint32_t mods_addr;  // physical address of mods_count multiboot_module
  uint32_t syms[4];
  uint32_t mmap_length;  // bytes of memory map
  uint32_t mmap_addr;    // physical address of the first multiboot_mmap_entry
} __attribute__((packed));

struct multiboot_module {
  uint32_t mod_start;
  uint32_t mod_end;
  uint32_t string;  // physical address of the module's command line
  uint32_t reserved;
} __attribute__((packed));

// `size` counts the bytes after itself; the next entry starts at
// (address of size) + size + 4 (spec 3.3, "mmap_*").
struct multiboot_mmap_entry {
  uint32_t size;
  uint64_t base_addr;
  uint64_t length;
  uint32_t type;  // 1 = available RAM
} __attribute__((packed));

#endif  // GUEST_DEMO_COMMON_MULTIBOOT_H_
