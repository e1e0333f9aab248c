/* Fixed-width integer types of the seL4 user ABI (x86_64, LP64). */
#ifndef SEL4_SIMPLE_TYPES_H
#define SEL4_SIMPLE_TYPES_H

typedef signed char seL4_Int8;
typedef short seL4_Int16;
typedef int seL4_Int32;
typedef long seL4_Int64;
typedef unsigned char seL4_Uint8;
typedef unsigned short seL4_Uint16;
typedef unsigned int seL4_Uint32;
typedef unsigned long seL4_Uint64;

typedef seL4_Int8 seL4_Bool;
typedef seL4_Uint64 seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_Word seL4_PAddr;
typedef seL4_Word seL4_SlotPos;
typedef seL4_Word seL4_NodeId;
typedef seL4_Word seL4_Domain;

#define seL4_Null ((void *)0)
#define seL4_True 1
#define seL4_False 0

/* Every object capability is a CPtr; the names document intent. */
typedef seL4_CPtr seL4_Untyped;
typedef seL4_CPtr seL4_TCB;
typedef seL4_CPtr seL4_CNode;
typedef seL4_CPtr seL4_IRQControl;
typedef seL4_CPtr seL4_IRQHandler;
typedef seL4_CPtr seL4_DomainSet;
typedef seL4_CPtr seL4_X86_ASIDControl;
typedef seL4_CPtr seL4_X86_ASIDPool;
typedef seL4_CPtr seL4_X86_IOSpace;
typedef seL4_CPtr seL4_X86_IOPortControl;
typedef seL4_CPtr seL4_X86_IOPort;
typedef seL4_CPtr seL4_X86_Page;
typedef seL4_CPtr seL4_X86_PageTable;
typedef seL4_CPtr seL4_X86_PageDirectory;
typedef seL4_CPtr seL4_X86_PDPT;
typedef seL4_CPtr seL4_X64_PML4;

#endif
