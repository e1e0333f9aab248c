#ifndef GUEST_LIBC_ASSERT_H
#define GUEST_LIBC_ASSERT_H

_Noreturn void __assert_fail(const char *expression, const char *file,
                             int line, const char *function);

#ifdef NDEBUG
#define assert(expression) ((void)0)
#else
#define assert(expression)                                                 \
    ((expression) ? (void)0                                                \
                  : __assert_fail(#expression, __FILE__, __LINE__, __func__))
#endif

#define static_assert _Static_assert

#endif
