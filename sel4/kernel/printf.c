#include "kernel/printf.h"

#include "arch/serial.h"

/* Bytes go out unchanged (no CR before LF) so transcripts compare exactly. */
void kputc(char c) { serial_putc(c); }

typedef struct spec {
    bool alt, zero, left;
    int width;
} spec_t;

static void emit_padded(const char *s, int len, spec_t sp, const char *prefix)
{
    int plen = 0;
    while (prefix[plen]) plen++;
    int pad = sp.width - len - plen;
    if (!sp.left && !sp.zero)
        for (; pad > 0; pad--) kputc(' ');
    for (int i = 0; i < plen; i++) kputc(prefix[i]);
    if (!sp.left && sp.zero)
        for (; pad > 0; pad--) kputc('0');
    for (int i = 0; i < len; i++) kputc(s[i]);
    for (; pad > 0; pad--) kputc(' ');
}

static void emit_unsigned(word_t v, unsigned base, spec_t sp, const char *prefix)
{
    char buf[24];
    int n = 0;
    do {
        buf[sizeof(buf) - 1 - n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    emit_padded(buf + sizeof(buf) - n, n, sp, prefix);
}

void kvprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            kputc(*fmt);
            continue;
        }
        spec_t sp = {false, false, false, 0};
        for (fmt++;; fmt++) {
            if (*fmt == '#') sp.alt = true;
            else if (*fmt == '0') sp.zero = true;
            else if (*fmt == '-') sp.left = true;
            else break;
        }
        while (*fmt >= '0' && *fmt <= '9') sp.width = sp.width * 10 + (*fmt++ - '0');
        bool is_long = false;
        while (*fmt == 'l') {
            is_long = true;
            fmt++;
        }
        switch (*fmt) {
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_padded(&c, 1, sp, "");
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            int n = 0;
            while (s[n]) n++;
            emit_padded(s, n, sp, "");
            break;
        }
        case 'd': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) emit_unsigned((word_t)-v, 10, sp, "-");
            else emit_unsigned((word_t)v, 10, sp, "");
            break;
        }
        case 'u':
            emit_unsigned(is_long ? va_arg(ap, word_t) : va_arg(ap, unsigned), 10, sp, "");
            break;
        case 'x': {
            word_t v = is_long ? va_arg(ap, word_t) : va_arg(ap, unsigned);
            emit_unsigned(v, 16, sp, sp.alt && v ? "0x" : "");
            break;
        }
        case 'p': {
            word_t v = (word_t)va_arg(ap, void *);
            if (!v) emit_padded("(nil)", 5, sp, "");
            else emit_unsigned(v, 16, sp, "0x");
            break;
        }
        case '%':
            kputc('%');
            break;
        default:
            kputc('%');
            kputc(*fmt);
            break;
        }
    }
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}
