/* printf and friends over the kernel's debug console. */
#include <stdio.h>

#include <sel4/sel4.h>

#include "format.h"

static void console_sink(char c, void *unused) {
    (void)unused;
    seL4_DebugPutChar(c);
}

int putchar(int c) {
    seL4_DebugPutChar((char)c);
    return (unsigned char)c;
}

int puts(const char *text) {
    while (*text != '\0') {
        seL4_DebugPutChar(*text++);
    }
    seL4_DebugPutChar('\n');
    return 0;
}

int vprintf(const char *fmt, va_list args) {
    return format_to_sink(console_sink, NULL, fmt, args);
}

int printf(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int count = vprintf(fmt, args);
    va_end(args);
    return count;
}

struct buffer_sink {
    char *buffer;
    size_t capacity; /* including the terminating NUL */
    size_t used;
};

static void buffer_sink_put(char c, void *state) {
    struct buffer_sink *sink = state;
    if (sink->used + 1 < sink->capacity) {
        sink->buffer[sink->used] = c;
    }
    sink->used++;
}

int vsnprintf(char *buffer, size_t size, const char *fmt, va_list args) {
    struct buffer_sink sink = {.buffer = buffer, .capacity = size, .used = 0};
    int count = format_to_sink(buffer_sink_put, &sink, fmt, args);
    if (size > 0) {
        buffer[sink.used < size ? sink.used : size - 1] = '\0';
    }
    return count;
}

int snprintf(char *buffer, size_t size, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int count = vsnprintf(buffer, size, fmt, args);
    va_end(args);
    return count;
}
