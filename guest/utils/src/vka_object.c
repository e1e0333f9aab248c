#include <vka/object.h>

seL4_Word vka_get_object_size(seL4_Word type, seL4_Word user_size_bits) {
    switch (type) {
    case seL4_UntypedObject: return user_size_bits;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return user_size_bits + seL4_SlotBits;
    case seL4_X86_PDPTObject: return seL4_PDPTBits;
    case seL4_X64_PML4Object: return seL4_PML4Bits;
    case seL4_X64_HugePageObject: return seL4_HugePageBits;
    case seL4_X86_4K: return seL4_PageBits;
    case seL4_X86_LargePageObject: return seL4_LargePageBits;
    case seL4_X86_PageTableObject: return seL4_PageTableBits;
    case seL4_X86_PageDirectoryObject: return seL4_PageDirBits;
    default: return 0;
    }
}

int vka_alloc_object(vka_t *vka, seL4_Word type, seL4_Word user_size_bits,
                     vka_object_t *result) {
    seL4_Word size_bits = vka_get_object_size(type, user_size_bits);
    if (size_bits == 0) {
        return seL4_InvalidArgument;
    }
    cspacepath_t path;
    int error = vka_cspace_alloc_path(vka, &path);
    if (error != seL4_NoError) {
        return error;
    }
    seL4_CPtr untyped;
    error = vka->utspace_alloc(vka->data, &path, type, user_size_bits, &untyped);
    if (error != seL4_NoError) {
        return error;
    }
    *result = (vka_object_t){
        .cptr = path.capPtr, .ut = untyped, .type = type, .size_bits = size_bits};
    return seL4_NoError;
}

int vka_alloc_frame(vka_t *vka, seL4_Word size_bits, vka_object_t *result) {
    switch (size_bits) {
    case seL4_PageBits:
        return vka_alloc_object(vka, seL4_X86_4K, 0, result);
    case seL4_LargePageBits:
        return vka_alloc_object(vka, seL4_X86_LargePageObject, 0, result);
    case seL4_HugePageBits:
        return vka_alloc_object(vka, seL4_X64_HugePageObject, 0, result);
    default:
        return seL4_InvalidArgument;
    }
}

int vka_mint_object(vka_t *vka, const vka_object_t *object,
                    cspacepath_t *result, seL4_CapRights_t rights,
                    seL4_Word badge) {
    int error = vka_cspace_alloc_path(vka, result);
    if (error != seL4_NoError) {
        return error;
    }
    cspacepath_t source;
    vka_cspace_make_path_to_object(vka, object, &source);
    return seL4_CNode_Mint(result->root, result->capPtr, (seL4_Uint8)result->capDepth,
                           source.root, source.capPtr, (seL4_Uint8)source.capDepth,
                           rights, badge);
}
