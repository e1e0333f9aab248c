/* x86-64 paging-structure entry bits (SDM 4.5, Tables 4-14 to 4-20). */
#ifndef ARCH_PTE_H
#define ARCH_PTE_H

#include "kernel/types.h"

#define PTE_PRESENT BIT(0)
#define PTE_WRITE BIT(1)
#define PTE_USER BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_PAGE_SIZE BIT(7) /* PS in PDPTEs and PDEs; PAT in 4 KiB PTEs */
#define PTE_GLOBAL BIT(8)
#define PTE_LARGE_PAT BIT(12) /* PAT in 2 MiB / 1 GiB entries */
#define PTE_ADDR_MASK 0x000ffffffffff000ul

#define PML4_SHIFT 39
#define PDPT_SHIFT 30
#define PD_SHIFT 21
#define PT_SHIFT 12
#define TABLE_INDEX(vaddr, shift) (((vaddr) >> (shift)) & 511)

typedef word_t pte_t;

static inline bool pte_present(pte_t e) { return e & PTE_PRESENT; }
static inline bool pte_is_large(pte_t e) { return e & PTE_PAGE_SIZE; }
static inline word_t pte_paddr(pte_t e) { return e & PTE_ADDR_MASK; }
static inline pte_t *pte_table(pte_t e) { return (pte_t *)paddr_to_pptr(pte_paddr(e)); }

#endif
