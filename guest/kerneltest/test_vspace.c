/* x86-64 VSpaces: paging structures, frames, rights, ASIDs and TLB
 * invalidation on unmap (a missing INVLPG leaves a stale translation that
 * a second thread in the same address space would still use). */
#include "test.h"

#define ATTR seL4_X86_Default_VMAttributes
#define GIB (1ul << 30)

static seL4_Word next_gib = 2; /* 1 GiB windows with no page directory */

static seL4_Error map_frame(seL4_CPtr frame, seL4_Word va) { return seL4_X86_Page_Map(frame, ROOT_VSPACE, va, seL4_AllRights, ATTR); }

static const char *test_map_needs_page_table(void)
{
    seL4_Word va = env_region(0);
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    CHECK_EQ(map_frame(frame, va), seL4_FailedLookup);
    CHECK_EQ(seL4_GetMR(0), 0);
    CHECK_EQ(seL4_GetMR(1), seL4_MissingCapability);
    CHECK_EQ(seL4_MappingFailedLookupLevel(), 21);
    PASS;
}

static const char *test_map_needs_page_directory(void)
{
    seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0);
    seL4_Word va = next_gib++ * GIB;
    CHECK_EQ(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, va, ATTR), seL4_FailedLookup);
    CHECK_EQ(seL4_MappingFailedLookupLevel(), 30);
    PASS;
}

static const char *test_map_needs_pdpt(void)
{
    seL4_CPtr pd = env_alloc(seL4_X86_PageDirectoryObject, 0);
    CHECK_EQ(seL4_X86_PageDirectory_Map(pd, ROOT_VSPACE, 0x9000000000ul, ATTR), seL4_FailedLookup);
    CHECK_EQ(seL4_MappingFailedLookupLevel(), 39);
    PASS;
}

static const char *test_two_mappings_share_memory(void)
{
    seL4_Word va = env_region(1);
    seL4_CPtr frame = env_map_new_frame(va), copy = env_slot();
    CHECK(frame);
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, copy, ROOT_DEPTH, ROOT_CNODE, frame, ROOT_DEPTH, seL4_AllRights), 0);
    CHECK_EQ(map_frame(copy, va + 0x1000), 0);
    *(volatile seL4_Word *)(va + 8) = 0x1234abcd;
    CHECK_EQ(*(volatile seL4_Word *)(va + 0x1000 + 8), 0x1234abcd);
    PASS;
}

static const char *test_unaligned_map(void)
{
    seL4_Word va = env_region(1);
    CHECK_EQ(map_frame(env_alloc(seL4_X86_4K, 0), va + 0x800), seL4_AlignmentError);
    PASS;
}

static const char *test_map_outside_user_range(void)
{
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    CHECK_EQ(map_frame(frame, 0xffffff8000000000ul), seL4_InvalidArgument);
    CHECK_EQ(map_frame(frame, 0xffffffff80100000ul), seL4_InvalidArgument);
    CHECK_EQ(map_frame(frame, 0x00007ffffffff000ul), seL4_InvalidArgument);
    PASS;
}

static const char *test_map_occupied(void)
{
    seL4_Word va = env_region(1);
    CHECK(env_map_new_frame(va));
    CHECK_EQ(map_frame(env_alloc(seL4_X86_4K, 0), va), seL4_DeleteFirst);
    PASS;
}

static const char *test_mapped_frame_elsewhere(void)
{
    seL4_Word va = env_region(1);
    seL4_CPtr frame = env_map_new_frame(va);
    CHECK_EQ(map_frame(frame, va + 0x1000), seL4_InvalidArgument);
    PASS;
}

static const char *test_unmap_invalidates_tlb(void)
{
    seL4_Word va = env_region(1);
    seL4_CPtr frame = env_map_new_frame(va);
    CHECK_EQ(*(volatile seL4_Word *)va, 0); /* now cached in the TLB */
    CHECK_EQ(seL4_X86_Page_Unmap(frame), 0);
    fault_msg_t f = env_touch(va, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va);
    CHECK_EQ(f.mr[seL4_VMFault_FSR], 4); /* user read, not present */
    PASS;
}

static const char *test_readonly_write_faults(void)
{
    seL4_Word va = env_region(1);
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    CHECK_EQ(seL4_X86_Page_Map(frame, ROOT_VSPACE, va, seL4_CanRead, ATTR), 0);
    fault_msg_t r = env_touch(va, 0);
    CHECK_EQ(r.label, NO_FAULT_LABEL);
    fault_msg_t w = env_touch(va, 1);
    CHECK_EQ(w.label, seL4_Fault_VMFault);
    CHECK_EQ(w.mr[seL4_VMFault_FSR], 7); /* user write to a present page */
    PASS;
}

static const char *test_remap_changes_rights(void)
{
    seL4_Word va = env_region(1);
    seL4_CPtr frame = env_map_new_frame(va);
    *(volatile seL4_Word *)va = 1; /* writable translation cached */
    CHECK_EQ(seL4_X86_Page_Map(frame, ROOT_VSPACE, va, seL4_CanRead, ATTR), 0);
    fault_msg_t w = env_touch(va, 1);
    CHECK_EQ(w.label, seL4_Fault_VMFault);
    CHECK_EQ(w.mr[seL4_VMFault_FSR], 7);
    PASS;
}

static const char *test_page_table_unmap_invalidates(void)
{
    seL4_Word va = env_region(0);
    seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, va, ATTR), 0);
    CHECK(env_map_new_frame(va + 0x3000));
    CHECK_EQ(*(volatile seL4_Word *)(va + 0x3000), 0);
    CHECK_EQ(seL4_X86_PageTable_Unmap(pt), 0);
    fault_msg_t f = env_touch(va + 0x3000, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va + 0x3000);
    PASS;
}

static const char *test_delete_frame_cap_unmaps(void)
{
    seL4_Word va = env_region(1);
    seL4_CPtr frame = env_map_new_frame(va);
    *(volatile seL4_Word *)va = 3;
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, frame, ROOT_DEPTH), 0);
    fault_msg_t f = env_touch(va, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    PASS;
}

static const char *test_get_address_in_untyped(void)
{
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(frame);
    CHECK_EQ(a.error, 0);
    seL4_BootInfo *bi = env_bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice && a.paddr >= d->paddr && a.paddr + 4096 <= d->paddr + (1ul << d->sizeBits)) PASS;
    }
    FAIL("paddr %#lx not inside any boot untyped", a.paddr);
}

static const char *test_page_table_map_twice(void)
{
    seL4_Word va = env_region(1);
    CHECK_EQ(seL4_X86_PageTable_Map(env_alloc(seL4_X86_PageTableObject, 0), ROOT_VSPACE, va, ATTR), seL4_DeleteFirst);
    PASS;
}

static const char *test_mapped_page_table_again(void)
{
    seL4_Word va = env_region(0), va2 = env_region(0);
    seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, va, ATTR), 0);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, va2, ATTR), seL4_InvalidCapability);
    CHECK_EQ(seL4_GetMR(0), 0);
    PASS;
}

static const char *test_large_page(void)
{
    seL4_Word va = next_gib++ * GIB;
    seL4_CPtr pd = env_alloc(seL4_X86_PageDirectoryObject, 0), big = env_alloc(seL4_X86_LargePageObject, 0);
    CHECK(big);
    CHECK_EQ(map_frame(big, va), seL4_FailedLookup);
    CHECK_EQ(seL4_MappingFailedLookupLevel(), 30);
    CHECK_EQ(seL4_X86_PageDirectory_Map(pd, ROOT_VSPACE, va, ATTR), 0);
    CHECK_EQ(map_frame(big, va + 0x1000), seL4_AlignmentError);
    CHECK_EQ(map_frame(big, va + 0x200000), 0);
    *(volatile seL4_Word *)(va + 0x200000 + 0x123458) = 77;
    CHECK_EQ(*(volatile seL4_Word *)(va + 0x200000 + 0x123458), 77);
    /* A page table cannot go where the large page is. */
    CHECK_EQ(seL4_X86_PageTable_Map(env_alloc(seL4_X86_PageTableObject, 0), ROOT_VSPACE, va + 0x200000, ATTR),
             seL4_DeleteFirst);
    PASS;
}

static const char *test_new_pdpt_chain(void)
{
    seL4_Word va = 0x8000000000ul + 0x40201000ul;
    seL4_CPtr pdpt = env_alloc(seL4_X86_PDPTObject, 0), pd = env_alloc(seL4_X86_PageDirectoryObject, 0);
    seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0);
    CHECK_EQ(seL4_X86_PDPT_Map(pdpt, ROOT_VSPACE, va, ATTR), 0);
    CHECK_EQ(seL4_X86_PageDirectory_Map(pd, ROOT_VSPACE, va, ATTR), 0);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, va, ATTR), 0);
    CHECK(env_map_new_frame(va));
    *(volatile seL4_Word *)va = 0xfeed;
    CHECK_EQ(*(volatile seL4_Word *)va, 0xfeed);
    CHECK_EQ(seL4_X86_PDPT_Map(env_alloc(seL4_X86_PDPTObject, 0), ROOT_VSPACE, va, ATTR), seL4_DeleteFirst);
    PASS;
}

static const char *test_asid_assign(void)
{
    seL4_CPtr pml4 = env_alloc(seL4_X64_PML4Object, 0), pt = env_alloc(seL4_X86_PageTableObject, 0);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, pml4, 0x200000, ATTR), seL4_InvalidCapability);
    CHECK_EQ(seL4_GetMR(0), 1);
    CHECK_EQ(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pml4), 0);
    CHECK_EQ(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pml4), seL4_InvalidCapability);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, pml4, 0x200000, ATTR), seL4_FailedLookup);
    CHECK_EQ(seL4_MappingFailedLookupLevel(), 39);
    PASS;
}

static const char *test_make_asid_pool(void)
{
    seL4_CPtr ut = env_alloc(seL4_UntypedObject, 12), pool = env_slot(), pml4 = env_alloc(seL4_X64_PML4Object, 0);
    CHECK_EQ(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, pool, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(pool), 13);
    CHECK_EQ(seL4_X86_ASIDPool_Assign(pool, pml4), 0);
    CHECK_EQ(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, env_slot(), ROOT_DEPTH),
             seL4_RevokeFirst);
    PASS;
}

static const char *test_make_pool_wrong_size(void)
{
    seL4_CPtr ut = env_alloc(seL4_UntypedObject, 13);
    CHECK_EQ(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, env_slot(), ROOT_DEPTH),
             seL4_InvalidCapability);
    PASS;
}

static const char *test_pml4_has_no_invocations(void)
{
    seL4_MessageInfo_t r = seL4_Call(ROOT_VSPACE, seL4_MessageInfo_new(X86PageMap, 0, 0, 0));
    CHECK_EQ(seL4_MessageInfo_get_label(r), seL4_IllegalOperation);
    PASS;
}

static const char *test_unmapped_pt_copy_refused(void)
{
    seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0);
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, env_slot(), ROOT_DEPTH, ROOT_CNODE, pt, ROOT_DEPTH, seL4_AllRights),
             seL4_IllegalOperation);
    PASS;
}

static const char *test_delete_page_table_cap_invalidates(void)
{
    seL4_Word va = env_region(0);
    seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, va, ATTR), 0);
    CHECK(env_map_new_frame(va + 0x5000));
    *(volatile seL4_Word *)(va + 0x5000) = 1;
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, pt, ROOT_DEPTH), 0);
    fault_msg_t f = env_touch(va + 0x5000, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va + 0x5000);
    PASS;
}

extern char __executable_start[];
static volatile seL4_Word shared_word = 0x5151;

/* A second VSpace holding the root server's image frames (shared memory at
 * the same addresses) and nothing else. */
static seL4_CPtr image_only_vspace(void)
{
    seL4_CPtr pml4 = env_alloc(seL4_X64_PML4Object, 0);
    if (seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pml4)) return 0;
    seL4_Word base = (seL4_Word)__executable_start;
    seL4_X86_PDPT_Map(env_alloc(seL4_X86_PDPTObject, 0), pml4, base, ATTR);
    seL4_X86_PageDirectory_Map(env_alloc(seL4_X86_PageDirectoryObject, 0), pml4, base, ATTR);
    seL4_BootInfo *bi = env_bootinfo;
    seL4_Word mapped_pt = ~0ul;
    for (seL4_CPtr f = bi->userImageFrames.start; f < bi->userImageFrames.end; f++) {
        seL4_Word va = base + (f - bi->userImageFrames.start) * 4096;
        if ((va >> 21) != mapped_pt) {
            if (seL4_X86_PageTable_Map(env_alloc(seL4_X86_PageTableObject, 0), pml4, va, ATTR)) return 0;
            mapped_pt = va >> 21;
        }
        seL4_CPtr copy = env_slot();
        seL4_CNode_Copy(ROOT_CNODE, copy, ROOT_DEPTH, ROOT_CNODE, f, ROOT_DEPTH, seL4_AllRights);
        if (seL4_X86_Page_Map(copy, pml4, va, seL4_AllRights, ATTR)) return 0;
    }
    return pml4;
}

static const char *test_separate_address_space(void)
{
    seL4_CPtr pml4 = image_only_vspace();
    CHECK(pml4);
    seL4_Word private_va = env_region(1);
    CHECK(env_map_new_frame(private_va));
    *(volatile seL4_Word *)private_va = 1;
    fault_msg_t shared = env_touch_in(pml4, (seL4_Word)&shared_word, 0);
    CHECK_EQ(shared.label, NO_FAULT_LABEL);
    fault_msg_t isolated = env_touch_in(pml4, private_va, 0);
    CHECK_EQ(isolated.label, seL4_Fault_VMFault);
    CHECK_EQ(isolated.mr[seL4_VMFault_Addr], private_va);
    CHECK_EQ(isolated.mr[seL4_VMFault_FSR], 4);
    PASS;
}

/* A fresh 4 KiB frame mapped read-write at a fresh address of pml4, with
 * the page directory and page table it needs; 0 on failure. */
static seL4_CPtr map_frame_in(seL4_CPtr pml4, seL4_Word *va)
{
    *va = next_gib++ * GIB;
    if (seL4_X86_PageDirectory_Map(env_alloc(seL4_X86_PageDirectoryObject, 0), pml4, *va, ATTR)) return 0;
    if (seL4_X86_PageTable_Map(env_alloc(seL4_X86_PageTableObject, 0), pml4, *va, ATTR)) return 0;
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    return seL4_X86_Page_Map(frame, pml4, *va, seL4_AllRights, ATTR) ? 0 : frame;
}

/* The next four change a VSpace while the root server's is loaded.  With
 * PCIDs the other space's translations stay in the TLB under its ASID, so
 * each change must invalidate them there (INVPCID), not with INVLPG. */
static const char *test_unmap_in_other_space_invalidates(void)
{
    seL4_CPtr pml4 = image_only_vspace();
    seL4_Word va;
    seL4_CPtr frame = pml4 ? map_frame_in(pml4, &va) : 0;
    CHECK(frame);
    CHECK_EQ(env_touch_in(pml4, va, 0).label, NO_FAULT_LABEL); /* cached under pml4's ASID */
    CHECK_EQ(seL4_X86_Page_Unmap(frame), 0);
    fault_msg_t f = env_touch_in(pml4, va, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va);
    CHECK_EQ(f.mr[seL4_VMFault_FSR], 4);
    PASS;
}

static const char *test_remap_in_other_space_invalidates(void)
{
    seL4_CPtr pml4 = image_only_vspace();
    seL4_Word va;
    seL4_CPtr frame = pml4 ? map_frame_in(pml4, &va) : 0;
    CHECK(frame);
    CHECK_EQ(env_touch_in(pml4, va, 1).label, NO_FAULT_LABEL); /* writable translation cached */
    CHECK_EQ(seL4_X86_Page_Map(frame, pml4, va, seL4_CanRead, ATTR), 0);
    fault_msg_t w = env_touch_in(pml4, va, 1);
    CHECK_EQ(w.label, seL4_Fault_VMFault);
    CHECK_EQ(w.mr[seL4_VMFault_FSR], 7);
    PASS;
}

static const char *test_page_table_unmap_in_other_space_invalidates(void)
{
    seL4_CPtr pml4 = image_only_vspace();
    CHECK(pml4);
    seL4_Word va = next_gib++ * GIB;
    seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0), frame = env_alloc(seL4_X86_4K, 0);
    CHECK_EQ(seL4_X86_PageDirectory_Map(env_alloc(seL4_X86_PageDirectoryObject, 0), pml4, va, ATTR), 0);
    CHECK_EQ(seL4_X86_PageTable_Map(pt, pml4, va, ATTR), 0);
    CHECK_EQ(seL4_X86_Page_Map(frame, pml4, va + 0x7000, seL4_AllRights, ATTR), 0);
    CHECK_EQ(env_touch_in(pml4, va + 0x7000, 0).label, NO_FAULT_LABEL);
    CHECK_EQ(seL4_X86_PageTable_Unmap(pt), 0);
    fault_msg_t f = env_touch_in(pml4, va + 0x7000, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va + 0x7000);
    PASS;
}

/* A deleted PML4's ASID goes to the next PML4 assigned from the pool; that
 * space must not see the old one's translations. */
static const char *test_reused_asid_starts_empty(void)
{
    seL4_CPtr old_pml4 = image_only_vspace();
    seL4_Word va;
    CHECK(old_pml4 && map_frame_in(old_pml4, &va));
    CHECK_EQ(env_touch_in(old_pml4, va, 0).label, NO_FAULT_LABEL);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, old_pml4, ROOT_DEPTH), 0);
    seL4_CPtr new_pml4 = image_only_vspace();
    CHECK(new_pml4);
    fault_msg_t f = env_touch_in(new_pml4, va, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va);
    PASS;
}

const test_case_t vspace_tests[] = {
    {"vspace_map_needs_page_table", test_map_needs_page_table},
    {"vspace_map_needs_page_directory", test_map_needs_page_directory},
    {"vspace_map_needs_pdpt", test_map_needs_pdpt},
    {"vspace_two_mappings_share_memory", test_two_mappings_share_memory},
    {"vspace_unaligned_map", test_unaligned_map},
    {"vspace_map_outside_user_range", test_map_outside_user_range},
    {"vspace_map_occupied", test_map_occupied},
    {"vspace_mapped_frame_elsewhere", test_mapped_frame_elsewhere},
    {"vspace_unmap_invalidates_tlb", test_unmap_invalidates_tlb},
    {"vspace_readonly_write_faults", test_readonly_write_faults},
    {"vspace_remap_changes_rights", test_remap_changes_rights},
    {"vspace_page_table_unmap_invalidates", test_page_table_unmap_invalidates},
    {"vspace_delete_frame_cap_unmaps", test_delete_frame_cap_unmaps},
    {"vspace_get_address_in_untyped", test_get_address_in_untyped},
    {"vspace_page_table_map_twice", test_page_table_map_twice},
    {"vspace_mapped_page_table_again", test_mapped_page_table_again},
    {"vspace_large_page", test_large_page},
    {"vspace_new_pdpt_chain", test_new_pdpt_chain},
    {"vspace_asid_assign", test_asid_assign},
    {"vspace_make_asid_pool", test_make_asid_pool},
    {"vspace_make_pool_wrong_size", test_make_pool_wrong_size},
    {"vspace_pml4_has_no_invocations", test_pml4_has_no_invocations},
    {"vspace_unmapped_pt_copy_refused", test_unmapped_pt_copy_refused},
    {"vspace_delete_page_table_cap_invalidates", test_delete_page_table_cap_invalidates},
    {"vspace_separate_address_space", test_separate_address_space},
    {"vspace_unmap_in_other_space_invalidates", test_unmap_in_other_space_invalidates},
    {"vspace_remap_in_other_space_invalidates", test_remap_in_other_space_invalidates},
    {"vspace_page_table_unmap_in_other_space_invalidates", test_page_table_unmap_in_other_space_invalidates},
    {"vspace_reused_asid_starts_empty", test_reused_asid_starts_empty},
    {NULL, NULL},
};
