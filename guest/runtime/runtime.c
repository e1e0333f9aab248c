/* What the root server does between _start and main. */
#include <stdlib.h>

#include <sel4/sel4.h>
#include <sel4platsupport/bootinfo.h>

int main(void);

static seL4_BootInfo *boot_info;

seL4_BootInfo *platsupport_get_bootinfo(void) { return boot_info; }

_Noreturn void runtime_enter_main(seL4_BootInfo *info) {
    boot_info = info;
    seL4_SetIPCBuffer(info->ipcBuffer);
    exit(main());
}
