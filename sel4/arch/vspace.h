/* x86-64 address spaces: paging-structure lookups, ASIDs, mapping and
 * unmapping with TLB maintenance, and the paging-object invocations. */
#ifndef ARCH_VSPACE_H
#define ARCH_VSPACE_H

#include "arch/cpu.h"
#include "arch/pte.h"
#include "kernel/errors.h"

typedef struct pte_lookup {
    lookup_fault_t fault;
    pte_t *slot;
} pte_lookup_t;

/* A PML4's entry PML4_ASID_SLOT (in the kernel half, which user PML4s
 * share only at entry 511) records the ASID it was last assigned, encoded
 * with the present bit clear so that the MMU ignores the entry (SDM 4.5:
 * with P = 0 all other bits are ignored).  seL4 keeps the hardware ASID in
 * a reserved page-directory slot on ARM for its fastpath the same way.  The
 * record is cleared when that ASID is deleted, so a match implies the
 * ASID table still maps the ASID to this PML4. */
#define PML4_ASID_SLOT 510
static inline pte_t asid_record(word_t asid) { return (asid + 1) << 1; }
/* The ASID of a PML4 whose record is current: the kernel's PML4 records
 * ASID 0, which no user address space has. */
static inline word_t recorded_asid(const pte_t *pml4) { return (pml4[PML4_ASID_SLOT] >> 1) - 1; }

/* vspace_root_of for the fastpath: one compare with the PML4's record
 * instead of two table loads.  NULL means "take the slow path", which
 * makes the authoritative check. */
static FORCE_INLINE pte_t *vspace_root_fast(cap_t vtable)
{
    if (cap_get_type(vtable) != cap_pml4_cap) return NULL;
    pte_t *pml4 = cap_object_ptr(vtable);
    return pml4[PML4_ASID_SLOT] == asid_record(mapped_asid(vtable)) ? pml4 : NULL;
}

/* The PML4 CR3 holds, beside CR3 so that a switch compares pointers. */
extern const pte_t *loaded_vspace;

/* With PCIDs (when the CPU has PCID and INVPCID) each address space's TLB
 * entries are tagged with its ASID, and a switch writes CR3 with the ASID as
 * PCID and the no-flush bit, so the entries survive (SDM 4.10.1, 4.10.4.1);
 * unmapping from a space that is not loaded then invalidates by INVPCID, as
 * seL4 does.  cr3_tag_mask is CR3_NOFLUSH | 0xfff then, else 0: every switch
 * flushes the non-global entries. */
extern word_t cr3_tag_mask;

/* Load CR3 with pml4, whose ASID record is current, unless it is already
 * loaded. */
static FORCE_INLINE void load_vspace(const pte_t *pml4)
{
    if (pml4 == loaded_vspace) return;
    write_cr3(pptr_to_paddr(pml4) | ((recorded_asid(pml4) | CR3_NOFLUSH) & cr3_tag_mask));
    loaded_vspace = pml4;
}

void init_kernel_vspace(void);
void copy_kernel_mappings(pte_t *pml4);
/* Load the thread's address space (the kernel's when it has none). */
void set_vm_root(tcb_t *t);
bool has_valid_vspace(tcb_t *t);
/* Kernel pointer to a user-readable word of t's address space, or NULL. */
const word_t *user_word_pointer(tcb_t *t, word_t vaddr);

pte_lookup_t lookup_pdpt_slot(pte_t *pml4, word_t vaddr);
pte_lookup_t lookup_pd_slot(pte_t *pml4, word_t vaddr);
pte_lookup_t lookup_pt_slot(pte_t *pml4, word_t vaddr);

#define ASID_LOW_BITS 9
#define ASID_HIGH_BITS 3
pte_t *find_vspace_for_asid(word_t asid);
/* pool now serves the ASIDs from base (boot, ASIDControl_MakePool). */
void set_asid_pool(word_t base, pte_t **pool);
pte_t **asid_pool_at(word_t asid_base);
/* pool (which serves asid) maps asid to pml4 from now on. */
void asid_assign(pte_t **pool, word_t asid, pte_t *pml4);

/* Drop the TLB's translation of vaddr in pml4's space (ASID asid). */
void invalidate_page(const pte_t *pml4, word_t asid, word_t vaddr);
void unmap_page(cap_t frame);
void unmap_paging_structure(cap_t cap);
void delete_asid(word_t asid, pte_t *pml4);
void delete_asid_pool(word_t base, pte_t **pool);
word_t vm_attributes_bits(word_t attr, bool large);
/* seL4's maskVMRights: a frame's VM rights limited by cap rights bits. */
word_t mask_vm_rights(word_t vm_rights, word_t cap_rights);

#endif
