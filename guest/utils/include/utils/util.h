/* Small helpers with the names seL4's util_libs give them. */
#ifndef GUEST_UTILS_UTIL_H
#define GUEST_UTILS_UTIL_H

#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define BIT(n) (1ul << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ROUND_UP(n, alignment) ((((n) + (alignment) - 1) / (alignment)) * (alignment))
#define IS_ALIGNED(n, bits) (((n) & (BIT(bits) - 1)) == 0)

#endif
