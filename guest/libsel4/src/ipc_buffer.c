#include <sel4/functions.h>

/* Set by the runtime's _start from the boot info (or by whoever starts a
 * thread with its own buffer). */
seL4_IPCBuffer *__sel4_ipc_buffer;
