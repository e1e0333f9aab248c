// Declarations of the memory functions in mem.c.
#ifndef GUEST_DEMO_COMMON_MEM_H_
#define GUEST_DEMO_COMMON_MEM_H_

#include <stddef.h>

void* memset(void* dest, int value, size_t n);
void* memcpy(void* restrict dest, const void* restrict src, size_t n);
void* memmove(void* dest, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);

#endif  // GUEST_DEMO_COMMON_MEM_H_
