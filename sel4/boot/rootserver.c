/* The root server's world, as seL4 builds it: VSpace with the ELF image,
 * IPC buffer and boot info frame; root CNode with the initial caps at
 * their fixed slots; untyped caps for all free memory; the initial TCB. */
#include <sel4/bootinfo_types.h>

#include "arch/exit.h"
#include "arch/pte.h"
#include "arch/registers.h"
#include "arch/vspace.h"
#include "boot/boot.h"
#include "kernel/cte.h"
#include "kernel/ipc.h"
#include "kernel/lib.h"
#include "kernel/printf.h"
#include "kernel/tcb.h"
#include "kernel/thread.h"

#define ROOT_CNODE_BITS 12
#define ROOT_ASID 1
#define DEVICE_REGION_END 0xFEC00000ul

struct elf64_header {
    u8 ident[16];
    u16 type, machine;
    u32 version;
    u64 entry, phoff, shoff;
    u32 flags;
    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    u32 type, flags;
    u64 offset, vaddr, paddr, filesz, memsz, align;
};
#define PT_LOAD 1

typedef struct root_world {
    cte_t *cnode;
    word_t next_slot;
    pte_t *pml4;
    seL4_BootInfo *bootinfo;
} root_world_t;

static void fail(const char *why)
{
    kprintf("x64sim-kernel: cannot start the root server: %s\n", why);
    machine_exit(X64SIM_EXIT_KERNEL_PANIC);
}

/* A boot cap: the root of its own derivation tree. */
static void provide_cap(root_world_t *w, word_t slot, cap_t cap)
{
    cte_t *s = &w->cnode[slot];
    s->cap = cap;
    s->mdb_prev = 0;
    s->mdb_next = NULL;
    mdb_set_flags(s, true, true);
}

static word_t append_cap(root_world_t *w, cap_t cap)
{
    if (w->next_slot >= BIT(ROOT_CNODE_BITS)) fail("root CNode full");
    provide_cap(w, w->next_slot, cap);
    return w->next_slot++;
}

/* Ensure the paging structures above vaddr's 4 KiB entry exist. */
static pte_t *boot_pt_slot(root_world_t *w, word_t vaddr)
{
    pte_t *table = w->pml4;
    static const struct {
        word_t shift;
        enum cap_type type;
    } levels[] = {{PML4_SHIFT, cap_pdpt_cap}, {PDPT_SHIFT, cap_page_directory_cap}, {PD_SHIFT, cap_page_table_cap}};
    for (int i = 0; i < 3; i++) {
        pte_t *e = &table[TABLE_INDEX(vaddr, levels[i].shift)];
        if (!pte_present(*e)) {
            pte_t *next = boot_alloc(seL4_PageBits);
            *e = pptr_to_paddr(next) | PTE_PRESENT | PTE_WRITE | PTE_USER;
            word_t covered = ROUND_DOWN(vaddr, levels[i].shift);
            append_cap(w, cap_set_mapping(cap_new(levels[i].type, next, 0), ROOT_ASID, covered));
        }
        table = pte_table(*e);
    }
    return &table[TABLE_INDEX(vaddr, PT_SHIFT)];
}

static cap_t map_boot_frame(root_world_t *w, void *frame, word_t vaddr)
{
    *boot_pt_slot(w, vaddr) = pptr_to_paddr(frame) | PTE_PRESENT | PTE_WRITE | PTE_USER;
    return cap_set_mapping(frame_cap_new(frame, seL4_PageBits, VMReadWrite, false), ROOT_ASID, vaddr);
}

typedef struct image_extent {
    word_t start, end, entry;
} image_extent_t;

static image_extent_t check_elf(const struct elf64_header *eh, word_t size)
{
    if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) != 0 || eh->ident[4] != 2 || eh->machine != 62)
        fail("module is not an x86-64 ELF");
    if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff + (word_t)eh->phnum * sizeof(struct elf64_phdr) > size)
        fail("bad program header table");
    image_extent_t x = {~0ul, 0, eh->entry};
    const struct elf64_phdr *ph = (const void *)((const u8 *)eh + eh->phoff);
    for (word_t i = 0; i < eh->phnum; i++) {
        if (ph[i].type != PT_LOAD || ph[i].memsz == 0) continue;
        if (ph[i].offset + ph[i].filesz > size || ph[i].vaddr + ph[i].memsz >= USER_TOP) fail("bad program header");
        if (ph[i].vaddr < x.start) x.start = ph[i].vaddr;
        if (ph[i].vaddr + ph[i].memsz > x.end) x.end = ph[i].vaddr + ph[i].memsz;
    }
    if (x.start >= x.end) fail("no loadable segments");
    x.start = ROUND_DOWN(x.start, seL4_PageBits);
    x.end = ROUND_UP(x.end, seL4_PageBits);
    return x;
}

static void load_image(root_world_t *w, const struct elf64_header *eh, image_extent_t x)
{
    word_t pages = (x.end - x.start) >> seL4_PageBits;
    u8 *image = boot_alloc_pages(pages);
    const struct elf64_phdr *ph = (const void *)((const u8 *)eh + eh->phoff);
    for (word_t i = 0; i < eh->phnum; i++)
        if (ph[i].type == PT_LOAD)
            memcpy(image + (ph[i].vaddr - x.start), (const u8 *)eh + ph[i].offset, ph[i].filesz);
    seL4_BootInfo *bi = w->bootinfo;
    /* Paging caps appear as the tables are made; frames follow. */
    word_t paging_start = w->next_slot;
    for (word_t p = 0; p < pages; p++) boot_pt_slot(w, x.start + (p << seL4_PageBits));
    bi->userImagePaging = (seL4_SlotRegion){paging_start, w->next_slot};
    bi->userImageFrames.start = w->next_slot;
    for (word_t p = 0; p < pages; p++)
        append_cap(w, map_boot_frame(w, image + (p << seL4_PageBits), x.start + (p << seL4_PageBits)));
    bi->userImageFrames.end = w->next_slot;
}

/* Free physical memory: RAM minus the kernel image and the boot objects. */
static void add_untyped_range(root_world_t *w, word_t start, word_t end, bool device)
{
    seL4_BootInfo *bi = w->bootinfo;
    while (start < end) {
        word_t bits = start ? (word_t)__builtin_ctzl(start) : 63;
        while (bits > seL4_MaxUntypedBits || start + BIT(bits) > end || start + BIT(bits) < start) bits--;
        if (bits < seL4_MinUntypedBits) break;
        word_t n = w->next_slot - bi->untyped.start;
        if (n >= CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS) return;
        append_cap(w, untyped_cap_new(paddr_to_pptr(start), bits, device, 0));
        bi->untypedList[n] = (seL4_UntypedDesc){start, (u8)bits, device ? 1 : 0, {0}};
        start += BIT(bits);
    }
}

static void subtract_and_add(root_world_t *w, word_t start, word_t end, const phys_region_t *holes, word_t n)
{
    for (word_t i = 0; i < n && start < end; i++) {
        if (holes[i].end <= start || holes[i].start >= end) continue;
        if (holes[i].start > start) subtract_and_add(w, start, holes[i].start, holes + i + 1, n - i - 1);
        start = holes[i].end;
    }
    if (start < end) add_untyped_range(w, start, end, false);
}

static void create_untypeds(root_world_t *w)
{
    extern char kernel_image_end[];
    phys_region_t holes[2] = {
        {0x100000, ROUND_UP(kernel_image_paddr(kernel_image_end), seL4_PageBits)},
        {boot_state.alloc_start, ROUND_UP(boot_state.alloc_cursor, seL4_PageBits)},
    };
    w->bootinfo->untyped.start = w->next_slot;
    word_t ram_top = 0;
    for (word_t i = 0; i < boot_state.ram_count; i++) {
        subtract_and_add(w, boot_state.ram[i].start, boot_state.ram[i].end, holes, 2);
        if (boot_state.ram[i].end > ram_top) ram_top = boot_state.ram[i].end;
    }
    /* Device memory between the top of RAM and the APICs. */
    word_t dev_start = ROUND_UP(ram_top, 20);
    if (dev_start < DEVICE_REGION_END) add_untyped_range(w, dev_start, DEVICE_REGION_END, true);
    w->bootinfo->untyped.end = w->next_slot;
}

void create_root_server(void)
{
    const struct elf64_header *eh = paddr_to_pptr(boot_state.module.start);
    image_extent_t x = check_elf(eh, boot_state.module.end - boot_state.module.start);
    word_t ipc_vaddr = x.end, bootinfo_vaddr = x.end + BIT(seL4_PageBits);

    root_world_t w;
    w.cnode = boot_alloc(ROOT_CNODE_BITS + seL4_SlotBits);
    w.next_slot = seL4_NumInitialCaps;
    w.pml4 = boot_alloc(seL4_PageBits);
    copy_kernel_mappings(w.pml4);
    pte_t **pool = boot_alloc(seL4_ASIDPoolBits);
    asid_assign(pool, ROOT_ASID, w.pml4);
    set_asid_pool(0, pool);
    tcb_t *tcb = tcb_of_object(boot_alloc(seL4_TCBBits));
    void *ipc_frame = boot_alloc(seL4_PageBits);
    w.bootinfo = boot_alloc(seL4_PageBits);

    cap_t root_cnode = cnode_cap_new(w.cnode, ROOT_CNODE_BITS, seL4_WordBits - ROOT_CNODE_BITS, 0);
    provide_cap(&w, seL4_CapInitThreadTCB, cap_new(cap_thread_cap, tcb, 0));
    provide_cap(&w, seL4_CapInitThreadCNode, root_cnode);
    provide_cap(&w, seL4_CapInitThreadVSpace, cap_set_mapping(cap_new(cap_pml4_cap, w.pml4, 0), ROOT_ASID, 0));
    provide_cap(&w, seL4_CapIRQControl, cap_new(cap_irq_control_cap, NULL, 0));
    provide_cap(&w, seL4_CapASIDControl, cap_new(cap_asid_control_cap, NULL, 0));
    provide_cap(&w, seL4_CapInitThreadASIDPool, cap_new(cap_asid_pool_cap, pool, 0));
    provide_cap(&w, seL4_CapIOPortControl, cap_new(cap_io_port_control_cap, NULL, 0));
    provide_cap(&w, seL4_CapDomain, cap_new(cap_domain_cap, NULL, 0));

    load_image(&w, eh, x);
    provide_cap(&w, seL4_CapInitThreadIPCBuffer, map_boot_frame(&w, ipc_frame, ipc_vaddr));
    provide_cap(&w, seL4_CapBootInfoFrame, map_boot_frame(&w, w.bootinfo, bootinfo_vaddr));

    seL4_BootInfo *bi = w.bootinfo;
    bi->nodeID = 0;
    bi->numNodes = 1;
    bi->ipcBuffer = (seL4_IPCBuffer *)ipc_vaddr;
    bi->initThreadCNodeSizeBits = ROOT_CNODE_BITS;
    bi->initThreadDomain = 0;
    create_untypeds(&w);
    bi->empty = (seL4_SlotRegion){w.next_slot, BIT(ROOT_CNODE_BITS)};

    tcb_init(tcb, NULL);
    tcb_set_name(tcb, "rootserver", TCB_NAME_LENGTH);
    tcb->priority = seL4_MaxPrio;
    tcb->mcp = seL4_MaxPrio;
    cte_insert(root_cnode, &w.cnode[seL4_CapInitThreadCNode], tcb_slot(tcb, tcbCTable));
    cte_insert(w.cnode[seL4_CapInitThreadVSpace].cap, &w.cnode[seL4_CapInitThreadVSpace], tcb_slot(tcb, tcbVTable));
    /* Like deriveCap: the TCB's copy of a frame cap carries no mapping. */
    cte_insert(cap_set_mapping(w.cnode[seL4_CapInitThreadIPCBuffer].cap, 0, 0), &w.cnode[seL4_CapInitThreadIPCBuffer],
               tcb_slot(tcb, tcbBuffer));
    tcb->ipc_buffer = ipc_vaddr;
    setup_reply_master(tcb);
    set_user_register(tcb, REG_RIP, x.entry);
    tcb->ctx.rdi = bootinfo_vaddr;
    tcb->state = ThreadState_Running;
    x64sim_note_thread_switch(tcb);
    ks_cur_thread = tcb;
}
