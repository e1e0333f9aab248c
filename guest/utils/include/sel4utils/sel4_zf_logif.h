/* Fatal checks of seL4 results and conditions, printed as the tutorial's
 * library prints them:
 *   dynamic-2: main@main.c:260 [Err seL4_FailedLookup]:
 *   	<message>
 *   dynamic-2: main@main.c:464 [Cond failed: <condition>]
 *   	<message> */
#ifndef GUEST_SEL4UTILS_SEL4_ZF_LOGIF_H
#define GUEST_SEL4UTILS_SEL4_ZF_LOGIF_H

#include <sel4/sel4.h>
#include <utils/zf_log.h>

/* The seL4_Error enumerator's name, e.g. "seL4_FailedLookup". */
const char *sel4_strerror(int error);

#define ZF_LOGF_IFERR(error, fmt, ...)                                          \
    do {                                                                        \
        int zf_log_error = (error);                                             \
        if (zf_log_error != seL4_NoError) {                                     \
            ZF_LOGF("[Err %s]:\n\t" fmt, sel4_strerror(zf_log_error), ##__VA_ARGS__); \
        }                                                                       \
    } while (0)

#define ZF_LOGF_IF(condition, fmt, ...)                                  \
    do {                                                                 \
        if (condition) {                                                 \
            ZF_LOGF("[Cond failed: %s]\n\t" fmt, #condition, ##__VA_ARGS__); \
        }                                                                \
    } while (0)

#endif
