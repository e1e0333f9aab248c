/* vka: the interface through which programs get capability slots and kernel
 * objects, independent of the allocator behind it (see allocman). */
#ifndef GUEST_VKA_VKA_H
#define GUEST_VKA_VKA_H

#include <sel4/sel4.h>

/* Everything an invocation needs to name one slot: `capPtr` resolved with
 * `capDepth` bits from `root`; or, for operations that address a CNode and an
 * offset in it (retype), the CNode at `dest`/`destDepth` and `offset`. */
typedef struct cspacepath {
    seL4_CPtr capPtr;
    seL4_Word capDepth;
    seL4_CPtr root;
    seL4_Word dest;
    seL4_Word destDepth;
    seL4_Word offset;
    seL4_Word window;
} cspacepath_t;

typedef struct vka {
    void *data;
    /* A free slot in the CSpace, or an seL4 error. */
    int (*cspace_alloc)(void *data, seL4_CPtr *slot);
    void (*cspace_make_path)(void *data, seL4_CPtr slot, cspacepath_t *path);
    /* Retypes untyped memory into one object of `type` at `dest`; reports
     * which untyped capability it came from. */
    int (*utspace_alloc)(void *data, const cspacepath_t *dest, seL4_Word type,
                         seL4_Word size_bits, seL4_CPtr *untyped);
} vka_t;

static inline int vka_cspace_alloc(vka_t *vka, seL4_CPtr *slot) {
    return vka->cspace_alloc(vka->data, slot);
}

static inline void vka_cspace_make_path(vka_t *vka, seL4_CPtr slot,
                                        cspacepath_t *path) {
    vka->cspace_make_path(vka->data, slot, path);
}

static inline int vka_cspace_alloc_path(vka_t *vka, cspacepath_t *path) {
    seL4_CPtr slot;
    int error = vka_cspace_alloc(vka, &slot);
    if (error == seL4_NoError) {
        vka_cspace_make_path(vka, slot, path);
    }
    return error;
}

#endif
