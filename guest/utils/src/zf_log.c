#include <utils/zf_log.h>

#include <stdarg.h>
#include <stdio.h>

static const char *tag_prefix;

void zf_log_set_tag_prefix(const char *prefix) { tag_prefix = prefix; }

void zf_log_write(const char *function, const char *file, int line,
                  const char *fmt, ...) {
    if (tag_prefix != NULL) {
        printf("%s ", tag_prefix);
    }
    printf("%s@%s:%d ", function, file, line);
    va_list args;
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    putchar('\n');
}
