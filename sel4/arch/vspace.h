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

#define ASID_LOW_BITS 9
#define ASID_HIGH_BITS 3
/* The ASID pools, indexed by an ASID's high bits. */
extern pte_t **asid_table[BIT(ASID_HIGH_BITS)];

/* The PML4 a VTable cap names when it is a mapped PML4 cap whose ASID still
 * maps to that PML4 (seL4's findVSpaceForASID check), else NULL.  Inline:
 * the IPC fastpath makes this check on every switch. */
static FORCE_INLINE pte_t *vspace_root_of(cap_t vtable)
{
    word_t asid = mapped_asid(vtable);
    if (cap_get_type(vtable) != cap_pml4_cap || asid == 0) return NULL;
    pte_t **pool = asid_table[asid >> ASID_LOW_BITS];
    pte_t *pml4 = cap_ptr(vtable);
    return pool && pool[asid & MASK(ASID_LOW_BITS)] == pml4 ? pml4 : NULL;
}

/* Load CR3 with pml4 unless it is already loaded (a CR3 write flushes the
 * non-global TLB entries, SDM 4.10.4.1). */
static FORCE_INLINE void load_vspace(const pte_t *pml4)
{
    word_t cr3 = pptr_to_paddr(pml4);
    if (read_cr3() != cr3) write_cr3(cr3);
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

pte_t *find_vspace_for_asid(word_t asid);
/* Boot: the initial ASID pool; returns the ASID given to `pml4`. */
void set_asid_pool(word_t base, pte_t **pool);
pte_t **asid_pool_at(word_t asid_base);
void asid_pool_store(pte_t **pool, word_t index, pte_t *pml4);

void unmap_page(cap_t frame);
void unmap_paging_structure(cap_t cap);
void delete_asid(word_t asid, pte_t *pml4);
void delete_asid_pool(word_t base, pte_t **pool);
word_t vm_attributes_bits(word_t attr, bool large);
/* seL4's maskVMRights: a frame's VM rights limited by cap rights bits. */
word_t mask_vm_rights(word_t vm_rights, word_t cap_rights);

#endif
