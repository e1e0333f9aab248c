/* Freestanding memory helpers (gcc may also emit calls to these). */
#ifndef KERNEL_LIB_H
#define KERNEL_LIB_H

#include "kernel/types.h"

void *memset(void *dst, int c, unsigned long n);
void *memcpy(void *dst, const void *src, unsigned long n);
int memcmp(const void *a, const void *b, unsigned long n);

#endif
