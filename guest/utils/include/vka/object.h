/* Allocating kernel objects through a vka, with the tutorial's names. */
#ifndef GUEST_VKA_OBJECT_H
#define GUEST_VKA_OBJECT_H

#include <sel4/sel4.h>
#include <vka/vka.h>

typedef struct vka_object {
    seL4_CPtr cptr;      /* capability to the new object */
    seL4_CPtr ut;        /* the untyped it was retyped from */
    seL4_Word type;      /* seL4_ObjectType */
    seL4_Word size_bits; /* log2 of its size in bytes */
} vka_object_t;

/* log2 of the bytes an object of `type` takes; `user_size_bits` matters only
 * for the variable-size types (untyped: bytes, CNode: slots). Returns 0 for an
 * unknown type. */
seL4_Word vka_get_object_size(seL4_Word type, seL4_Word user_size_bits);

/* Allocates a slot and retypes one object into it. 0 or an seL4 error. */
int vka_alloc_object(vka_t *vka, seL4_Word type, seL4_Word user_size_bits,
                     vka_object_t *result);

/* A 4 KiB, 2 MiB or 1 GiB frame, by size_bits (12, 21 or 30). */
int vka_alloc_frame(vka_t *vka, seL4_Word size_bits, vka_object_t *result);

static inline int vka_alloc_tcb(vka_t *vka, vka_object_t *result) {
    return vka_alloc_object(vka, seL4_TCBObject, 0, result);
}

static inline int vka_alloc_endpoint(vka_t *vka, vka_object_t *result) {
    return vka_alloc_object(vka, seL4_EndpointObject, 0, result);
}

static inline int vka_alloc_notification(vka_t *vka, vka_object_t *result) {
    return vka_alloc_object(vka, seL4_NotificationObject, 0, result);
}

static inline int vka_alloc_page_table(vka_t *vka, vka_object_t *result) {
    return vka_alloc_object(vka, seL4_X86_PageTableObject, 0, result);
}

static inline int vka_alloc_page_directory(vka_t *vka, vka_object_t *result) {
    return vka_alloc_object(vka, seL4_X86_PageDirectoryObject, 0, result);
}

static inline int vka_alloc_pdpt(vka_t *vka, vka_object_t *result) {
    return vka_alloc_object(vka, seL4_X86_PDPTObject, 0, result);
}

/* A new top-level paging structure (PML4) for another address space. */
static inline int vka_alloc_vspace_root(vka_t *vka, vka_object_t *result) {
    return vka_alloc_object(vka, seL4_X64_PML4Object, 0, result);
}

/* A CNode of 2^slot_bits slots. */
static inline int vka_alloc_cnode_object(vka_t *vka, seL4_Word slot_bits,
                                         vka_object_t *result) {
    return vka_alloc_object(vka, seL4_CapTableObject, slot_bits, result);
}

static inline void vka_cspace_make_path_to_object(vka_t *vka,
                                                  const vka_object_t *object,
                                                  cspacepath_t *path) {
    vka_cspace_make_path(vka, object->cptr, path);
}

/* A new capability to `object` in a fresh slot, with `rights` and `badge`. */
int vka_mint_object(vka_t *vka, const vka_object_t *object,
                    cspacepath_t *result, seL4_CapRights_t rights,
                    seL4_Word badge);

#endif
