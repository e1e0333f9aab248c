/* x86-64 address spaces: paging-structure lookups, ASIDs, mapping and
 * unmapping with TLB maintenance, and the paging-object invocations. */
#ifndef ARCH_VSPACE_H
#define ARCH_VSPACE_H

#include "arch/pte.h"
#include "kernel/errors.h"

typedef struct pte_lookup {
    lookup_fault_t fault;
    pte_t *slot;
} pte_lookup_t;

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
