#include <simple/simple.h>

void simple_default_init_bootinfo(simple_t *simple, seL4_BootInfo *info) {
    simple->info = info;
}

seL4_CPtr simple_get_nth_untyped(const simple_t *simple, size_t n,
                                 size_t *size_bits, seL4_Word *paddr,
                                 bool *device) {
    const seL4_UntypedDesc *desc = &simple->info->untypedList[n];
    if (size_bits != NULL) {
        *size_bits = desc->sizeBits;
    }
    if (paddr != NULL) {
        *paddr = desc->paddr;
    }
    if (device != NULL) {
        *device = desc->isDevice != 0;
    }
    return simple->info->untyped.start + n;
}
