#include "guest/demo/multiboot_report.h"

#include "guest/demo/common/kprintf.h"
#include "guest/demo/common/multiboot.h"

// GRUB and QEMU start the kernel's and each module's command line with the
// path they loaded it from; only the words after it are arguments.
static const char* skip_first_word(const char* cmdline) {
  while (*cmdline == ' ') ++cmdline;
  while (*cmdline != ' ' && *cmdline != '\0') ++cmdline;
  while (*cmdline == ' ') ++cmdline;
  return cmdline;
}

static void report_memory_map(const struct multiboot_info* info) {
  kprintf("demo: memory map (%u bytes):\n", info->mmap_length);
  uint64_t address = info->mmap_addr;
  uint64_t end = address + info->mmap_length;
  while (address < end) {
    const struct multiboot_mmap_entry* entry = (const struct multiboot_mmap_entry*)address;
    kprintf("demo:   base=0x%016lx length=0x%016lx type=%u\n", entry->base_addr, entry->length,
            entry->type);
    address += entry->size + sizeof(entry->size);
  }
}

static void report_modules(const struct multiboot_info* info) {
  kprintf("demo: modules: %u\n", info->mods_count);
  const struct multiboot_module* modules =
      (const struct multiboot_module*)(uint64_t)info->mods_addr;
  for (uint32_t i = 0; i < info->mods_count; ++i) {
    kprintf("demo:   module %u: %u bytes, page-aligned: %s, arguments \"%s\"\n", i,
            modules[i].mod_end - modules[i].mod_start,
            (modules[i].mod_start & 0xFFF) == 0 ? "yes" : "no",
            skip_first_word((const char*)(uint64_t)modules[i].string));
  }
}

int report_multiboot(uint32_t magic, uint32_t info_address) {
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf("demo: bad multiboot magic 0x%x\n", magic);
    return 0;
  }
  kprintf("demo: multiboot magic 0x%x ok\n", magic);
  const struct multiboot_info* info = (const struct multiboot_info*)(uint64_t)info_address;
  if (info_address == 0) return 0;
  if (info->flags & kMultibootInfoMemory) {
    kprintf("demo: mem_lower=%u KiB mem_upper=%u KiB\n", info->mem_lower, info->mem_upper);
  }
  if (info->flags & kMultibootInfoMemoryMap) report_memory_map(info);
  if (info->flags & kMultibootInfoCmdline) {
    kprintf("demo: cmdline arguments \"%s\"\n",
            skip_first_word((const char*)(uint64_t)info->cmdline));
  }
  if (info->flags & kMultibootInfoModules) report_modules(info);
  return 1;
}
