#include <vspace/vspace.h>

#include <utils/util.h>
#include <vka/object.h>

typedef seL4_Error (*paging_map_fn)(seL4_CPtr structure, seL4_CPtr root,
                                    seL4_Word vaddr, seL4_X86_VMAttributes attr);

/* The paging structures below the PML4, from the leaf upwards. */
static const struct {
    seL4_Word type;
    paging_map_fn map;
} paging_levels[] = {
    {seL4_X86_PageTableObject, seL4_X86_PageTable_Map},
    {seL4_X86_PageDirectoryObject, seL4_X86_PageDirectory_Map},
    {seL4_X86_PDPTObject, seL4_X86_PDPT_Map},
};

/* Maps a new structure of paging_levels[level] covering `vaddr`, first
 * mapping the levels above it when they are missing too. */
static int map_paging_structure(vka_t *vka, seL4_CPtr root, seL4_Word vaddr,
                                size_t level) {
    vka_object_t structure;
    int error = vka_alloc_object(vka, paging_levels[level].type, 0, &structure);
    if (error != seL4_NoError) {
        return error;
    }
    error = paging_levels[level].map(structure.cptr, root, vaddr,
                                     seL4_X86_Default_VMAttributes);
    if (error == seL4_FailedLookup && level + 1 < ARRAY_SIZE(paging_levels)) {
        error = map_paging_structure(vka, root, vaddr, level + 1);
        if (error == seL4_NoError) {
            error = paging_levels[level].map(structure.cptr, root, vaddr,
                                             seL4_X86_Default_VMAttributes);
        }
    }
    return error;
}

int vspace_map_frame(vka_t *vka, seL4_CPtr root, seL4_CPtr frame,
                     seL4_Word vaddr, seL4_CapRights_t rights) {
    int error = seL4_X86_Page_Map(frame, root, vaddr, rights,
                                  seL4_X86_Default_VMAttributes);
    if (error != seL4_FailedLookup) {
        return error;
    }
    error = map_paging_structure(vka, root, vaddr, 0);
    if (error != seL4_NoError) {
        return error;
    }
    return seL4_X86_Page_Map(frame, root, vaddr, rights,
                             seL4_X86_Default_VMAttributes);
}

void vspace_init(vspace_t *vspace, vka_t *vka, seL4_CPtr root, seL4_Word start,
                 seL4_Word end) {
    *vspace = (vspace_t){.vka = vka, .root = root, .next_free = start, .end = end};
}

seL4_Word vspace_reserve(vspace_t *vspace, size_t pages) {
    seL4_Word bytes = pages * BIT(seL4_PageBits);
    if (pages == 0 || vspace->end - vspace->next_free < bytes) {
        return 0;
    }
    seL4_Word vaddr = vspace->next_free;
    vspace->next_free += bytes;
    return vaddr;
}
