/* Logging in the shape of seL4's zf_log: one line
 * "<tag prefix> <function>@<file>:<line> <message>". Only the fatal level is
 * used by the tutorial: it logs, then aborts (which halts the system). */
#ifndef GUEST_UTILS_ZF_LOG_H
#define GUEST_UTILS_ZF_LOG_H

#include <stdlib.h>

/* Text printed before every log line, e.g. "dynamic-2:". */
void zf_log_set_tag_prefix(const char *prefix);

void zf_log_write(const char *function, const char *file, int line,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#ifdef __FILE_NAME__
#define ZF_LOG_FILE_NAME __FILE_NAME__
#else
#define ZF_LOG_FILE_NAME __FILE__
#endif

#define ZF_LOGF(...)                                                  \
    do {                                                              \
        zf_log_write(__func__, ZF_LOG_FILE_NAME, __LINE__, __VA_ARGS__); \
        abort();                                                      \
    } while (0)

#endif
