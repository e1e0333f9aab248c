/* Small helpers with the names seL4's util_libs give them. */
#ifndef GUEST_UTILS_UTIL_H
#define GUEST_UTILS_UTIL_H

#define UNUSED __attribute__((unused))
#define BIT(n) (1ul << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ROUND_UP(n, alignment) ((((n) + (alignment) - 1) / (alignment)) * (alignment))

#endif
