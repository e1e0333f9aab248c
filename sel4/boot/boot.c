/* init_kernel: from the multiboot hand-off to the root server's first
 * instruction. */
#include "boot/boot.h"

#include "arch/apic.h"
#include "arch/exit.h"
#include "arch/fpu.h"
#include "arch/machine.h"
#include "arch/perfmon.h"
#include "arch/serial.h"
#include "arch/vspace.h"
#include "kernel/lib.h"
#include "kernel/printf.h"
#include "kernel/syscall.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MBI_FLAG_CMDLINE BIT(2)
#define MBI_FLAG_MODS BIT(3)
#define MBI_FLAG_MMAP BIT(6)
#define LOW_MEMORY_END 0x100000ul
/* ~1 ms per tick on QEMU's 1 GHz APIC clock divided by 16. */
#define TIMER_INITIAL_COUNT 62500

struct multiboot_info {
    u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
} __attribute__((packed));

struct multiboot_module {
    u32 mod_start, mod_end, string, reserved;
} __attribute__((packed));

struct multiboot_mmap_entry {
    u32 size;
    u64 base_addr, length;
    u32 type;
} __attribute__((packed));

boot_state_t boot_state;
extern char kernel_image_end[];

static void fail(const char *why)
{
    kprintf("x64sim-kernel: boot failed: %s\n", why);
    machine_exit(X64SIM_EXIT_KERNEL_PANIC);
}

static void add_ram(word_t start, word_t end)
{
    if (start < LOW_MEMORY_END) start = LOW_MEMORY_END;
    if (end > KERNEL_WINDOW_BYTES) end = KERNEL_WINDOW_BYTES;
    start = ROUND_UP(start, seL4_PageBits);
    end = ROUND_DOWN(end, seL4_PageBits);
    if (start >= end || boot_state.ram_count == MAX_MEMORY_REGIONS) return;
    boot_state.ram[boot_state.ram_count++] = (phys_region_t){start, end};
}

static bool has_word(const char *s, const char *word)
{
    for (; *s; s++) {
        word_t i = 0;
        while (word[i] && s[i] == word[i]) i++;
        if (!word[i] && (s[i] == 0 || s[i] == ' ')) return true;
    }
    return false;
}

static void parse_multiboot(u32 magic, word_t mbi_paddr)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) fail("not started by a multiboot loader");
    const struct multiboot_info *mbi = paddr_to_pptr(mbi_paddr);
    if (mbi->flags & MBI_FLAG_CMDLINE) {
        const char *cmdline = paddr_to_pptr(mbi->cmdline);
        if (has_word(cmdline, "slowpath")) set_fastpath_enabled(false);
    }
    if (mbi->flags & MBI_FLAG_MMAP) {
        word_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
        while (p < end) {
            const struct multiboot_mmap_entry *e = paddr_to_pptr(p);
            if (e->type == 1) add_ram(e->base_addr, e->base_addr + e->length);
            p += e->size + 4;
        }
    } else {
        add_ram(LOW_MEMORY_END, LOW_MEMORY_END + (word_t)mbi->mem_upper * 1024);
    }
    if (!(mbi->flags & MBI_FLAG_MODS) || mbi->mods_count < 1) fail("no root server module");
    const struct multiboot_module *mod = paddr_to_pptr(mbi->mods_addr);
    boot_state.module = (phys_region_t){mod->mod_start, mod->mod_end};
}

/* The boot allocator takes memory above the kernel image and the module. */
static void init_boot_allocator(void)
{
    word_t kernel_end = kernel_image_paddr(kernel_image_end);
    word_t floor = kernel_end > boot_state.module.end ? kernel_end : boot_state.module.end;
    floor = ROUND_UP(floor, 21);
    for (word_t i = 0; i < boot_state.ram_count; i++) {
        phys_region_t r = boot_state.ram[i];
        word_t start = r.start > floor ? r.start : floor;
        if (start + (16ul << 20) <= r.end) {
            boot_state.alloc_start = boot_state.alloc_cursor = start;
            return;
        }
    }
    fail("no memory for boot objects");
}

void *boot_alloc(word_t size_bits)
{
    word_t p = ROUND_UP(boot_state.alloc_cursor, size_bits);
    boot_state.alloc_cursor = p + BIT(size_bits);
    void *ptr = paddr_to_pptr(p);
    memset(ptr, 0, BIT(size_bits));
    return ptr;
}

void *boot_alloc_pages(word_t pages)
{
    word_t p = ROUND_UP(boot_state.alloc_cursor, seL4_PageBits);
    boot_state.alloc_cursor = p + (pages << seL4_PageBits);
    void *ptr = paddr_to_pptr(p);
    memset(ptr, 0, pages << seL4_PageBits);
    return ptr;
}

void init_kernel(u32 magic, word_t mbi_paddr)
{
    serial_init();
    init_kernel_vspace();
    init_cpu_tables();
    fpu_init();
    perfmon_init();
    parse_multiboot(magic, mbi_paddr);
    init_boot_allocator();
    create_root_server();
    apic_init(TIMER_INITIAL_COUNT);
    kprintf("Booting all finished, dropped to user space\n");
    return_to_user();
}
