/* Access to the calling thread's IPC buffer.  The runtime's _start stores
 * the initial thread's buffer address in __sel4_ipc_buffer (defined in
 * libsel4); threads sharing an address space share this one pointer. */
#ifndef SEL4_FUNCTIONS_H
#define SEL4_FUNCTIONS_H

#include <sel4/shared_types.h>

extern seL4_IPCBuffer *__sel4_ipc_buffer;

static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void) { return __sel4_ipc_buffer; }
static inline void seL4_SetIPCBuffer(seL4_IPCBuffer *buffer) { __sel4_ipc_buffer = buffer; }

static inline seL4_Word seL4_GetMR(int i) { return __sel4_ipc_buffer->msg[i]; }
static inline void seL4_SetMR(int i, seL4_Word mr) { __sel4_ipc_buffer->msg[i] = mr; }

static inline seL4_Word seL4_GetUserData(void) { return __sel4_ipc_buffer->userData; }
static inline void seL4_SetUserData(seL4_Word data) { __sel4_ipc_buffer->userData = data; }

static inline seL4_Word seL4_GetBadge(int i) { return __sel4_ipc_buffer->caps_or_badges[i]; }
static inline seL4_CPtr seL4_GetCap(int i) { return __sel4_ipc_buffer->caps_or_badges[i]; }
static inline void seL4_SetCap(int i, seL4_CPtr cptr) { __sel4_ipc_buffer->caps_or_badges[i] = cptr; }

static inline void seL4_GetCapReceivePath(seL4_CPtr *root, seL4_CPtr *index, seL4_Word *depth)
{
    if (root) *root = __sel4_ipc_buffer->receiveCNode;
    if (index) *index = __sel4_ipc_buffer->receiveIndex;
    if (depth) *depth = __sel4_ipc_buffer->receiveDepth;
}

static inline void seL4_SetCapReceivePath(seL4_CPtr root, seL4_CPtr index, seL4_Word depth)
{
    __sel4_ipc_buffer->receiveCNode = root;
    __sel4_ipc_buffer->receiveIndex = index;
    __sel4_ipc_buffer->receiveDepth = depth;
}

/* After a failed Page/PageTable map: which paging level was missing. */
static inline seL4_Word seL4_MappingFailedLookupLevel(void)
{
    return seL4_GetMR(SEL4_MAPPING_LOOKUP_LEVEL);
}

#endif
