/* The printf conversion engine, independent of where the characters go.
 * It depends only on compiler-provided headers so the host can unit-test it. */
#ifndef GUEST_LIBC_FORMAT_H
#define GUEST_LIBC_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each produced character, in order. */
typedef void (*format_sink_fn)(char c, void *sink_state);

/* Formats `fmt` with `args` as C printf does for the supported conversions
 * (d i u x X o c s p %, flags - 0 # + space, width and precision with `*`,
 * length hh h l ll z j t). A null `%p` prints "(nil)", as glibc and the
 * seL4 tutorial transcripts do. Returns the number of characters produced. */
int format_to_sink(format_sink_fn sink, void *sink_state, const char *fmt,
                   va_list args);

#endif
