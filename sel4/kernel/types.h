/* Basic kernel types and address-space constants. */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <sel4/constants.h>
#include <sel4/invocation.h>
#include <sel4/shared_types.h>
#include <sel4/simple_types.h>

typedef unsigned long word_t;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define BIT(n) (1ul << (n))
#define MASK(n) ((n) >= 64 ? ~0ul : BIT(n) - 1)
#define IS_ALIGNED(x, bits) (((x) & MASK(bits)) == 0)
#define ROUND_UP(x, bits) (((x) + MASK(bits)) & ~MASK(bits))
#define ROUND_DOWN(x, bits) ((x) & ~MASK(bits))

/* Kernel window: all physical memory (first 4 GiB) at PPTR_BASE. */
#define PPTR_BASE 0xffffff8000000000ul
/* Kernel image: linked at KERNEL_ELF_BASE + physical address. */
#define KERNEL_ELF_BASE 0xffffffff80000000ul
#define KERNEL_WINDOW_BYTES (4ul << 30)
/* Highest user address + 1: user mappings stay in the lower half. */
#define USER_TOP 0x00007ffffffff000ul

static inline void *paddr_to_pptr(word_t paddr) { return (void *)(paddr + PPTR_BASE); }
static inline word_t pptr_to_paddr(const void *pptr) { return (word_t)pptr - PPTR_BASE; }
static inline word_t kernel_image_paddr(const void *sym) { return (word_t)sym - KERNEL_ELF_BASE; }

#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define FORCE_INLINE inline __attribute__((always_inline))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
