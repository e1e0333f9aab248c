// Prints what the multiboot loader handed over.
#ifndef GUEST_DEMO_MULTIBOOT_REPORT_H_
#define GUEST_DEMO_MULTIBOOT_REPORT_H_

#include <stdint.h>

// Checks the loader magic and prints the info structure's memory sizes,
// memory map, command line and modules. Returns 0 if magic or info is bad.
int report_multiboot(uint32_t magic, uint32_t info_address);

#endif  // GUEST_DEMO_MULTIBOOT_REPORT_H_
