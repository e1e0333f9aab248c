#include <allocman/allocman.h>

#include <stdint.h>

#include <utils/util.h>
#include <vka/object.h>

/* One non-device untyped capability and how much of it is used. Objects are
 * placed at the next offset aligned to their size, as the kernel's retype
 * does, so this mirrors the kernel's watermark. */
struct allocman_untyped {
    seL4_CPtr cap;
    seL4_Word size_bits;
    seL4_Word used_bytes;
};

struct allocman {
    seL4_CPtr cnode;
    seL4_Word cnode_depth;
    seL4_SlotPos next_free_slot;
    seL4_SlotPos end_of_free_slots;
    size_t untyped_count;
    struct allocman_untyped untypeds[];
};

static int allocman_cspace_alloc(void *data, seL4_CPtr *slot) {
    allocman_t *allocman = data;
    if (allocman->next_free_slot >= allocman->end_of_free_slots) {
        return seL4_NotEnoughMemory;
    }
    *slot = allocman->next_free_slot++;
    return seL4_NoError;
}

/* The root CNode resolves a CPtr with all 64 bits, and retype addresses it
 * as the root itself (depth 0) plus the slot as offset. */
static void allocman_cspace_make_path(void *data, seL4_CPtr slot,
                                      cspacepath_t *path) {
    allocman_t *allocman = data;
    *path = (cspacepath_t){
        .capPtr = slot,
        .capDepth = allocman->cnode_depth,
        .root = allocman->cnode,
        .dest = 0,
        .destDepth = 0,
        .offset = slot,
        .window = 1,
    };
}

static int allocman_utspace_alloc(void *data, const cspacepath_t *dest,
                                  seL4_Word type, seL4_Word user_size_bits,
                                  seL4_CPtr *untyped) {
    allocman_t *allocman = data;
    seL4_Word object_bits = vka_get_object_size(type, user_size_bits);
    seL4_Word object_bytes = BIT(object_bits);
    for (size_t i = 0; i < allocman->untyped_count; i++) {
        struct allocman_untyped *ut = &allocman->untypeds[i];
        if (ut->size_bits < object_bits) {
            continue;
        }
        seL4_Word offset = ROUND_UP(ut->used_bytes, object_bytes);
        if (offset + object_bytes > BIT(ut->size_bits)) {
            continue;
        }
        int error = seL4_Untyped_Retype(ut->cap, type, user_size_bits,
                                        dest->root, dest->dest, dest->destDepth,
                                        dest->offset, 1);
        if (error == seL4_NotEnoughMemory) {
            /* Our record disagrees with the kernel's: treat it as full. */
            ut->used_bytes = BIT(ut->size_bits);
            continue;
        }
        if (error != seL4_NoError) {
            return error;
        }
        ut->used_bytes = offset + object_bytes;
        *untyped = ut->cap;
        return seL4_NoError;
    }
    return seL4_NotEnoughMemory;
}

allocman_t *bootstrap_use_current_simple(simple_t *simple, size_t pool_size,
                                         char *pool) {
    if (pool == NULL || (uintptr_t)pool % _Alignof(allocman_t) != 0) {
        return NULL;
    }
    size_t count = simple_get_untyped_count(simple);
    size_t needed = sizeof(allocman_t) + count * sizeof(struct allocman_untyped);
    if (pool_size < needed) {
        return NULL;
    }
    allocman_t *allocman = (allocman_t *)pool;
    seL4_SlotRegion empty = simple_get_empty_slots(simple);
    allocman->cnode = simple_get_cnode(simple);
    allocman->cnode_depth = seL4_WordBits;
    allocman->next_free_slot = empty.start;
    allocman->end_of_free_slots = empty.end;
    allocman->untyped_count = 0;
    for (size_t n = 0; n < count; n++) {
        size_t size_bits;
        bool device;
        seL4_CPtr cap = simple_get_nth_untyped(simple, n, &size_bits, NULL, &device);
        if (device) {
            continue;
        }
        allocman->untypeds[allocman->untyped_count++] = (struct allocman_untyped){
            .cap = cap, .size_bits = size_bits, .used_bytes = 0};
    }
    return allocman;
}

void allocman_make_vka(vka_t *vka, allocman_t *allocman) {
    *vka = (vka_t){
        .data = allocman,
        .cspace_alloc = allocman_cspace_alloc,
        .cspace_make_path = allocman_cspace_make_path,
        .utspace_alloc = allocman_utspace_alloc,
    };
}
