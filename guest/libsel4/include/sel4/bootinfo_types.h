/* The boot info frame handed to the root server (pointer in RDI). */
#ifndef SEL4_BOOTINFO_TYPES_H
#define SEL4_BOOTINFO_TYPES_H

#include <sel4/shared_types.h>

typedef struct {
    seL4_SlotPos start; /* first slot of the region */
    seL4_SlotPos end;   /* first slot after the region */
} seL4_SlotRegion;

typedef struct {
    seL4_Word paddr;
    seL4_Uint8 sizeBits;
    seL4_Uint8 isDevice;
    seL4_Uint8 padding[sizeof(seL4_Word) - 2];
} seL4_UntypedDesc;

typedef struct seL4_BootInfo {
    seL4_Word extraLen;
    seL4_NodeId nodeID;
    seL4_Word numNodes;
    seL4_Word numIOPTLevels;
    seL4_IPCBuffer *ipcBuffer;
    seL4_SlotRegion empty;
    seL4_SlotRegion sharedFrames;
    seL4_SlotRegion userImageFrames;
    seL4_SlotRegion userImagePaging;
    seL4_SlotRegion ioSpaceCaps;
    seL4_SlotRegion extraBIPages;
    seL4_Word initThreadCNodeSizeBits;
    seL4_Domain initThreadDomain;
    seL4_SlotRegion untyped;
    seL4_UntypedDesc untypedList[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
} seL4_BootInfo;
_Static_assert(sizeof(seL4_BootInfo) <= 4096, "boot info fits one frame");

#endif
