/* A failed assert(): say which, then abort. */
#include <assert.h>

#include <stdio.h>
#include <stdlib.h>

void __assert_fail(const char *expression, const char *file, int line,
                   const char *function) {
    printf("%s:%d: %s: Assertion `%s' failed.\n", file, line, function,
           expression);
    abort();
}
