#include "guest/demo/multiboot_report.h"

#include "guest/demo/common/kprintf.h"
#include "guest/demo/common/multiboot.h"
#include "guest/demo/common/serial.h"

// Prints the key=value words of a command line, space-separated. Loaders
// differ in what else they put there (GRUB and QEMU start with the path of
// the file they loaded), so other words are left out.
static void print_options(const char* cmdline) {
  int printed = 0;
  while (*cmdline != '\0') {
    while (*cmdline == ' ') ++cmdline;
    const char* word = cmdline;
    int has_equals = 0;
    while (*cmdline != ' ' && *cmdline != '\0') has_equals |= *cmdline++ == '=';
    if (!has_equals) continue;
    if (printed++) serial_putc(' ');
    for (const char* c = word; c < cmdline; ++c) serial_putc(*c);
  }
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
    kprintf("demo:   module %u: %u bytes, page-aligned: %s, options \"", i,
            modules[i].mod_end - modules[i].mod_start,
            (modules[i].mod_start & 0xFFF) == 0 ? "yes" : "no");
    print_options((const char*)(uint64_t)modules[i].string);
    kprintf("\"\n");
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
    kprintf("demo: cmdline options \"");
    print_options((const char*)(uint64_t)info->cmdline);
    kprintf("\"\n");
  }
  if (info->flags & kMultibootInfoModules) report_modules(info);
  return 1;
}
