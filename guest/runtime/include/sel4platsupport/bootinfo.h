/* The boot info the kernel handed to the root server. */
#ifndef GUEST_RUNTIME_BOOTINFO_H
#define GUEST_RUNTIME_BOOTINFO_H

#include <sel4/sel4.h>

seL4_BootInfo *platsupport_get_bootinfo(void);

#endif
