/* The seL4 user API for x64sim's guest kernel (x86_64, non-MCS). */
#ifndef SEL4_SEL4_H
#define SEL4_SEL4_H

#include <sel4/simple_types.h>
#include <sel4/constants.h>
#include <sel4/invocation.h>
#include <sel4/shared_types.h>
#include <sel4/bootinfo_types.h>
#include <sel4/functions.h>
#include <sel4/syscalls.h>
#include <sel4/invocations.h>
#include <sel4/arch_aliases.h>

#endif
