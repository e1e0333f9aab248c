#include "arch/vspace.h"

#include "arch/cpu.h"
#include "kernel/lib.h"

extern pte_t boot_pml4[]; /* boot/entry.S, physical address */
static pte_t *kernel_pml4;
const pte_t *loaded_vspace;
word_t cr3_tag_mask;
static pte_t **asid_table[BIT(ASID_HIGH_BITS)];

/* CR4.PCIDE may be set only with CR3[11:0] = 0 (SDM 4.10.1), which the
 * kernel's PML4 (PCID 0) satisfies. */
static void enable_pcids(void)
{
    u32 max_leaf, a, b, c, d;
    cpuid(0, 0, &max_leaf, &b, &c, &d);
    cpuid(1, 0, &a, &b, &c, &d);
    if (max_leaf < 7 || !(c & BIT(17))) return; /* CPUID.1:ECX.PCID */
    cpuid(7, 0, &a, &b, &c, &d);
    if (!(b & BIT(10))) return; /* CPUID.(7,0):EBX.INVPCID */
    write_cr4(read_cr4() | CR4_PCIDE);
    cr3_tag_mask = CR3_NOFLUSH | MASK(12);
}

void init_kernel_vspace(void)
{
    kernel_pml4 = paddr_to_pptr((word_t)boot_pml4);
    /* Drop the boot identity map, flush it, then make kernel mappings
     * global (SDM 4.10.2.4: CR4.PGE keeps them across CR3 loads). */
    kernel_pml4[0] = 0;
    kernel_pml4[PML4_ASID_SLOT] = asid_record(0);
    write_cr3(read_cr3());
    write_cr4(read_cr4() | CR4_PGE);
    pte_t *pdpt = pte_table(kernel_pml4[511]);
    for (int i = 0; i < 4; i++) {
        pte_t *pd = pte_table(pdpt[i]);
        for (int j = 0; j < 512; j++) pd[j] |= PTE_GLOBAL;
    }
    write_cr3(read_cr3());
    loaded_vspace = kernel_pml4;
    enable_pcids();
}

void copy_kernel_mappings(pte_t *pml4) { pml4[511] = kernel_pml4[511]; }

pte_t *find_vspace_for_asid(word_t asid)
{
    pte_t **pool = asid_table[(asid >> ASID_LOW_BITS) & MASK(ASID_HIGH_BITS)];
    if (!pool || asid == 0 || asid >= BIT(ASID_LOW_BITS + ASID_HIGH_BITS)) return NULL;
    return pool[asid & MASK(ASID_LOW_BITS)];
}

void set_asid_pool(word_t base, pte_t **pool) { asid_table[base >> ASID_LOW_BITS] = pool; }

pte_t **asid_pool_at(word_t asid_base) { return asid_table[(asid_base >> ASID_LOW_BITS) & MASK(ASID_HIGH_BITS)]; }

void asid_assign(pte_t **pool, word_t asid, pte_t *pml4)
{
    pool[asid & MASK(ASID_LOW_BITS)] = pml4;
    pml4[PML4_ASID_SLOT] = asid_record(asid);
}

/* asid no longer maps to pml4: drop the fastpath's record of it. */
static void forget_asid_record(pte_t *pml4, word_t asid)
{
    if (pml4[PML4_ASID_SLOT] == asid_record(asid)) pml4[PML4_ASID_SLOT] = 0;
}

/* The PML4 a VTable cap names when it is a mapped PML4 cap whose ASID still
 * maps to that PML4 (seL4's findVSpaceForASID check), else NULL. */
static pte_t *vspace_root_of(cap_t vtable)
{
    word_t asid = mapped_asid(vtable);
    if (cap_get_type(vtable) != cap_pml4_cap || asid == 0) return NULL;
    pte_t *pml4 = cap_ptr(vtable);
    return find_vspace_for_asid(asid) == pml4 ? pml4 : NULL;
}

static pte_t *vspace_of(tcb_t *t) { return vspace_root_of(tcb_slot(t, tcbVTable)->cap); }

bool has_valid_vspace(tcb_t *t) { return vspace_of(t) != NULL; }

void set_vm_root(tcb_t *t)
{
    pte_t *pml4 = vspace_of(t);
    load_vspace(pml4 ? pml4 : kernel_pml4);
}

static bool is_current_vspace(const pte_t *pml4) { return pml4 == loaded_vspace; }

/* Without PCIDs a space that is not loaded has no TLB entries: the switch
 * away flushed them. */
static bool pcids_enabled(void) { return cr3_tag_mask != 0; }

/* Drop every TLB and paging-structure-cache entry tagged with asid. */
static void forget_pcid(word_t asid)
{
    if (pcids_enabled()) invpcid(INVPCID_CONTEXT, asid, 0);
}

void invalidate_page(const pte_t *pml4, word_t asid, word_t vaddr)
{
    /* SDM 4.10.4.1: INVLPG for the current PCID, INVPCID for another. */
    if (is_current_vspace(pml4)) invlpg(vaddr);
    else if (pcids_enabled()) invpcid(INVPCID_ADDRESS, asid, vaddr);
}

const word_t *user_word_pointer(tcb_t *t, word_t vaddr)
{
    pte_t *pml4 = vspace_of(t);
    if (!pml4 || vaddr >= USER_TOP || !IS_ALIGNED(vaddr, 3)) return NULL;
    pte_t e = pml4[TABLE_INDEX(vaddr, PML4_SHIFT)];
    word_t shift = PML4_SHIFT;
    for (;;) {
        if (!pte_present(e) || !(e & PTE_USER)) return NULL;
        if (shift == PT_SHIFT || (shift != PML4_SHIFT && pte_is_large(e)))
            return (const word_t *)paddr_to_pptr((pte_paddr(e) & ~MASK(shift)) + (vaddr & MASK(shift)));
        shift -= 9;
        e = pte_table(e)[TABLE_INDEX(vaddr, shift)];
    }
}

pte_lookup_t lookup_pdpt_slot(pte_t *pml4, word_t vaddr)
{
    pte_lookup_t r = {lookup_ok(), NULL};
    pte_t e = pml4[TABLE_INDEX(vaddr, PML4_SHIFT)];
    if (!pte_present(e)) r.fault = lf_missing_capability(PML4_SHIFT);
    else r.slot = &pte_table(e)[TABLE_INDEX(vaddr, PDPT_SHIFT)];
    return r;
}

pte_lookup_t lookup_pd_slot(pte_t *pml4, word_t vaddr)
{
    pte_lookup_t r = lookup_pdpt_slot(pml4, vaddr);
    if (r.fault.type != seL4_NoFailure) return r;
    pte_t e = *r.slot;
    r.slot = NULL;
    if (!pte_present(e) || pte_is_large(e)) r.fault = lf_missing_capability(PDPT_SHIFT);
    else r.slot = &pte_table(e)[TABLE_INDEX(vaddr, PD_SHIFT)];
    return r;
}

pte_lookup_t lookup_pt_slot(pte_t *pml4, word_t vaddr)
{
    pte_lookup_t r = lookup_pd_slot(pml4, vaddr);
    if (r.fault.type != seL4_NoFailure) return r;
    pte_t e = *r.slot;
    r.slot = NULL;
    if (!pte_present(e) || pte_is_large(e)) r.fault = lf_missing_capability(PD_SHIFT);
    else r.slot = &pte_table(e)[TABLE_INDEX(vaddr, PT_SHIFT)];
    return r;
}

word_t vm_attributes_bits(word_t attr, bool large)
{
    switch (attr) {
    case seL4_X86_WriteThrough: return PTE_PWT;
    case seL4_X86_CacheDisabled: return PTE_PCD;
    case seL4_X86_Uncacheable: return PTE_PCD | PTE_PWT;
    case seL4_X86_WriteCombining: return large ? PTE_LARGE_PAT : PTE_PAGE_SIZE;
    default: return 0;
    }
}

void unmap_page(cap_t frame)
{
    pte_t *pml4 = find_vspace_for_asid(mapped_asid(frame));
    if (!pml4) return;
    word_t vaddr = mapped_vaddr(frame), bits = frame_size_bits(frame);
    pte_lookup_t r = bits == seL4_PageBits ? lookup_pt_slot(pml4, vaddr)
                     : bits == seL4_LargePageBits ? lookup_pd_slot(pml4, vaddr)
                                                  : lookup_pdpt_slot(pml4, vaddr);
    if (r.fault.type != seL4_NoFailure || !pte_present(*r.slot)) return;
    if (bits != seL4_PageBits && !pte_is_large(*r.slot)) return;
    if (pte_paddr(*r.slot) != pptr_to_paddr(cap_ptr(frame))) return;
    *r.slot = 0;
    invalidate_page(pml4, mapped_asid(frame), vaddr);
}

void unmap_paging_structure(cap_t cap)
{
    pte_t *pml4 = find_vspace_for_asid(mapped_asid(cap));
    if (!pml4) return;
    word_t vaddr = mapped_vaddr(cap);
    pte_lookup_t r;
    switch (cap_get_type(cap)) {
    case cap_page_table_cap: r = lookup_pd_slot(pml4, vaddr); break;
    case cap_page_directory_cap: r = lookup_pdpt_slot(pml4, vaddr); break;
    default:
        r.fault = lookup_ok();
        r.slot = &pml4[TABLE_INDEX(vaddr, PML4_SHIFT)];
        break;
    }
    if (r.fault.type != seL4_NoFailure || !pte_present(*r.slot) || pte_is_large(*r.slot)) return;
    if (pte_paddr(*r.slot) != pptr_to_paddr(cap_ptr(cap))) return;
    *r.slot = 0;
    /* SDM 4.10.4.1: a CR3 load without the no-flush bit drops the current
     * PCID's non-global entries and the paging-structure caches the removed
     * table fed; INVPCID does the same for a space that is not loaded. */
    if (is_current_vspace(pml4)) write_cr3(read_cr3());
    else forget_pcid(mapped_asid(cap));
}

void delete_asid(word_t asid, pte_t *pml4)
{
    pte_t **pool = asid_table[(asid >> ASID_LOW_BITS) & MASK(ASID_HIGH_BITS)];
    if (!pool || pool[asid & MASK(ASID_LOW_BITS)] != pml4) return;
    pool[asid & MASK(ASID_LOW_BITS)] = NULL;
    forget_asid_record(pml4, asid);
    if (is_current_vspace(pml4)) load_vspace(kernel_pml4);
    forget_pcid(asid);
}

void delete_asid_pool(word_t base, pte_t **pool)
{
    word_t i = base >> ASID_LOW_BITS;
    if (asid_table[i] != pool) return;
    for (word_t j = 0; j < BIT(ASID_LOW_BITS); j++) {
        if (!pool[j]) continue;
        forget_asid_record(pool[j], base + j);
        if (is_current_vspace(pool[j])) load_vspace(kernel_pml4);
        forget_pcid(base + j);
    }
    asid_table[i] = NULL;
}

word_t mask_vm_rights(word_t vm, word_t rights)
{
    bool read = rights & RIGHT_READ, write = rights & RIGHT_WRITE;
    if (vm == VMReadOnly && read) return VMReadOnly;
    if (vm == VMReadWrite && read) return write ? VMReadWrite : VMReadOnly;
    return VMKernelOnly;
}
