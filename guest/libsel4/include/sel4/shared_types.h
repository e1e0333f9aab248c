/* Data layouts shared by user land and the kernel: message info, cap
 * rights, CNode guard data, the IPC buffer and the user register context. */
#ifndef SEL4_SHARED_TYPES_H
#define SEL4_SHARED_TYPES_H

#include <sel4/bitfield.h>
#include <sel4/constants.h>

/* Message info: label 63..12, capsUnwrapped 11..9, extraCaps 8..7, length 6..0. */
typedef struct seL4_MessageInfo {
    seL4_Uint64 words[1];
} seL4_MessageInfo_t;
SEL4_WORD_FIELD(seL4_MessageInfo, seL4_MessageInfo_t, label, 12, 52)
SEL4_WORD_FIELD(seL4_MessageInfo, seL4_MessageInfo_t, capsUnwrapped, 9, 3)
SEL4_WORD_FIELD(seL4_MessageInfo, seL4_MessageInfo_t, extraCaps, 7, 2)
SEL4_WORD_FIELD(seL4_MessageInfo, seL4_MessageInfo_t, length, 0, 7)

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Uint64 label, seL4_Uint64 capsUnwrapped,
                                                      seL4_Uint64 extraCaps, seL4_Uint64 length)
{
    seL4_MessageInfo_t m = {{0}};
    m = seL4_MessageInfo_set_label(m, label);
    m = seL4_MessageInfo_set_capsUnwrapped(m, capsUnwrapped);
    m = seL4_MessageInfo_set_extraCaps(m, extraCaps);
    return seL4_MessageInfo_set_length(m, length);
}

/* Cap rights: write 0, read 1, grant 2, grantReply 3. */
typedef struct seL4_CapRights {
    seL4_Uint64 words[1];
} seL4_CapRights_t;
SEL4_WORD_FIELD(seL4_CapRights, seL4_CapRights_t, capAllowGrantReply, 3, 1)
SEL4_WORD_FIELD(seL4_CapRights, seL4_CapRights_t, capAllowGrant, 2, 1)
SEL4_WORD_FIELD(seL4_CapRights, seL4_CapRights_t, capAllowRead, 1, 1)
SEL4_WORD_FIELD(seL4_CapRights, seL4_CapRights_t, capAllowWrite, 0, 1)

static inline seL4_CapRights_t seL4_CapRights_new(seL4_Uint64 grantReply, seL4_Uint64 grant,
                                                  seL4_Uint64 read, seL4_Uint64 write)
{
    seL4_CapRights_t r = {{0}};
    r = seL4_CapRights_set_capAllowGrantReply(r, grantReply);
    r = seL4_CapRights_set_capAllowGrant(r, grant);
    r = seL4_CapRights_set_capAllowRead(r, read);
    return seL4_CapRights_set_capAllowWrite(r, write);
}
typedef seL4_CapRights_t seL4_CapRights;

#define seL4_AllRights seL4_CapRights_new(1, 1, 1, 1)
#define seL4_CanRead seL4_CapRights_new(0, 0, 1, 0)
#define seL4_CanWrite seL4_CapRights_new(0, 0, 0, 1)
#define seL4_CanGrant seL4_CapRights_new(0, 1, 0, 0)
#define seL4_CanGrantReply seL4_CapRights_new(1, 0, 0, 0)
#define seL4_ReadWrite seL4_CapRights_new(0, 0, 1, 1)
#define seL4_NoWrite seL4_CapRights_new(1, 1, 1, 0)
#define seL4_NoRead seL4_CapRights_new(1, 1, 0, 1)
#define seL4_NoRights seL4_CapRights_new(0, 0, 0, 0)

/* CNode cap data (cspace_root_data, Mutate/Mint of CNode caps):
 * guard 63..6, guardSize 5..0. */
typedef struct seL4_CNode_CapData {
    seL4_Uint64 words[1];
} seL4_CNode_CapData_t;
SEL4_WORD_FIELD(seL4_CNode_CapData, seL4_CNode_CapData_t, guard, 6, 58)
SEL4_WORD_FIELD(seL4_CNode_CapData, seL4_CNode_CapData_t, guardSize, 0, 6)

static inline seL4_CNode_CapData_t seL4_CNode_CapData_new(seL4_Uint64 guard, seL4_Uint64 guardSize)
{
    seL4_CNode_CapData_t d = {{0}};
    d = seL4_CNode_CapData_set_guard(d, guard);
    return seL4_CNode_CapData_set_guardSize(d, guardSize);
}

/* The IPC buffer: 1024 bytes, aligned to its size. */
typedef struct seL4_IPCBuffer_ {
    seL4_MessageInfo_t tag;                      /* 0x000 */
    seL4_Word msg[seL4_MsgMaxLength];            /* 0x008 */
    seL4_Word userData;                          /* 0x3c8 */
    seL4_Word caps_or_badges[seL4_MsgMaxExtraCaps]; /* 0x3d0 */
    seL4_CPtr receiveCNode;                      /* 0x3e8 */
    seL4_CPtr receiveIndex;                      /* 0x3f0 */
    seL4_Word receiveDepth;                      /* 0x3f8 */
} seL4_IPCBuffer __attribute__((aligned(sizeof(struct seL4_IPCBuffer_))));
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, userData) == 0x3c8, "IPC buffer layout");
_Static_assert(sizeof(seL4_IPCBuffer) == 1024, "IPC buffer size");

/* x86_64 user context as ReadRegisters/WriteRegisters order it: the first
 * ten are the "frame" registers, the last ten the "integer" registers. */
typedef struct seL4_UserContext_ {
    seL4_Word rip, rsp, rflags, rax, rbx, rcx, rdx, rsi, rdi, rbp;
    seL4_Word r8, r9, r10, r11, r12, r13, r14, r15;
    seL4_Word fs_base, gs_base;
} seL4_UserContext;
#define seL4_FrameRegisterCount 10
#define seL4_GPRegisterCount 10

#endif
