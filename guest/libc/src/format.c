/* The printf conversion engine: parses one conversion specification at a time
 * and renders it through the sink. */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct conversion {
    bool left_justify;   /* '-' */
    bool zero_pad;       /* '0' */
    bool alternate;      /* '#' */
    bool plus_sign;      /* '+' */
    bool space_sign;     /* ' ' */
    int width;           /* 0 when absent */
    int precision;       /* -1 when absent */
    char length;         /* 'H' hh, 'h', 'l', 'L' ll, 'z', 'j', 't', 0 none */
    char specifier;
};

struct output {
    format_sink_fn sink;
    void *state;
    int count;
};

static void emit(struct output *out, char c) {
    out->sink(c, out->state);
    out->count++;
}

static void emit_repeated(struct output *out, char c, int times) {
    for (int i = 0; i < times; i++) {
        emit(out, c);
    }
}

static void emit_text(struct output *out, const char *text, int length) {
    for (int i = 0; i < length; i++) {
        emit(out, text[i]);
    }
}

static int bounded_length(const char *text, int max_length) {
    int length = 0;
    while ((max_length < 0 || length < max_length) && text[length] != '\0') {
        length++;
    }
    return length;
}

/* A string padded to the field width. */
static void render_text(struct output *out, const struct conversion *conv,
                        const char *text, int length) {
    int padding = conv->width > length ? conv->width - length : 0;
    if (!conv->left_justify) {
        emit_repeated(out, ' ', padding);
    }
    emit_text(out, text, length);
    if (conv->left_justify) {
        emit_repeated(out, ' ', padding);
    }
}

/* An integer: [spaces] prefix [zeros] digits [spaces], as C11 7.21.6.1 lays out. */
static void render_integer(struct output *out, const struct conversion *conv,
                           unsigned long long magnitude, bool negative) {
    unsigned base = 10;
    const char *digit_chars = "0123456789abcdef";
    if (conv->specifier == 'x' || conv->specifier == 'p') {
        base = 16;
    } else if (conv->specifier == 'X') {
        base = 16;
        digit_chars = "0123456789ABCDEF";
    } else if (conv->specifier == 'o') {
        base = 8;
    }

    char digits[24];
    int digit_count = 0;
    for (unsigned long long rest = magnitude; rest != 0; rest /= base) {
        digits[digit_count++] = digit_chars[rest % base];
    }

    int precision = conv->precision < 0 ? 1 : conv->precision;
    /* '#' with 'o' raises the precision so the first digit is a zero. */
    if (conv->specifier == 'o' && conv->alternate && precision <= digit_count) {
        precision = digit_count + 1;
    }
    int zeros = precision > digit_count ? precision - digit_count : 0;

    char prefix[2];
    int prefix_length = 0;
    bool is_signed = conv->specifier == 'd' || conv->specifier == 'i';
    if (is_signed && negative) {
        prefix[prefix_length++] = '-';
    } else if (is_signed && conv->plus_sign) {
        prefix[prefix_length++] = '+';
    } else if (is_signed && conv->space_sign) {
        prefix[prefix_length++] = ' ';
    }
    bool hex = base == 16;
    if (hex && (conv->alternate || conv->specifier == 'p') && magnitude != 0) {
        prefix[prefix_length++] = '0';
        prefix[prefix_length++] = conv->specifier == 'X' ? 'X' : 'x';
    }

    int body = prefix_length + zeros + digit_count;
    int padding = conv->width > body ? conv->width - body : 0;
    /* The '0' flag is ignored with '-' or with a precision (C11 7.21.6.1p6). */
    bool pad_with_zeros =
        conv->zero_pad && !conv->left_justify && conv->precision < 0;
    if (pad_with_zeros) {
        zeros += padding;
        padding = 0;
    }
    if (!conv->left_justify) {
        emit_repeated(out, ' ', padding);
    }
    emit_text(out, prefix, prefix_length);
    emit_repeated(out, '0', zeros);
    while (digit_count > 0) {
        emit(out, digits[--digit_count]);
    }
    if (conv->left_justify) {
        emit_repeated(out, ' ', padding);
    }
}

static long long signed_argument(const struct conversion *conv, va_list *args) {
    switch (conv->length) {
    case 'H': return (signed char)va_arg(*args, int);
    case 'h': return (short)va_arg(*args, int);
    case 'l': return va_arg(*args, long);
    case 'L': return va_arg(*args, long long);
    case 'z': return (long long)va_arg(*args, size_t);
    case 'j': return va_arg(*args, intmax_t);
    case 't': return va_arg(*args, ptrdiff_t);
    default: return va_arg(*args, int);
    }
}

static unsigned long long unsigned_argument(const struct conversion *conv,
                                            va_list *args) {
    switch (conv->length) {
    case 'H': return (unsigned char)va_arg(*args, unsigned);
    case 'h': return (unsigned short)va_arg(*args, unsigned);
    case 'l': return va_arg(*args, unsigned long);
    case 'L': return va_arg(*args, unsigned long long);
    case 'z': return va_arg(*args, size_t);
    case 'j': return va_arg(*args, uintmax_t);
    case 't': return (unsigned long long)va_arg(*args, ptrdiff_t);
    default: return va_arg(*args, unsigned);
    }
}

static int parse_number(const char **cursor) {
    int value = 0;
    while (**cursor >= '0' && **cursor <= '9') {
        value = value * 10 + (**cursor - '0');
        (*cursor)++;
    }
    return value;
}

/* Parses the specification after '%'; leaves `*cursor` after the specifier. */
static struct conversion parse_conversion(const char **cursor, va_list *args) {
    struct conversion conv = {.precision = -1};
    for (;; (*cursor)++) {
        char c = **cursor;
        if (c == '-') conv.left_justify = true;
        else if (c == '0') conv.zero_pad = true;
        else if (c == '#') conv.alternate = true;
        else if (c == '+') conv.plus_sign = true;
        else if (c == ' ') conv.space_sign = true;
        else break;
    }
    if (**cursor == '*') {
        (*cursor)++;
        conv.width = va_arg(*args, int);
        /* A negative width argument means '-' and its magnitude (C11 7.21.6.1p5). */
        if (conv.width < 0) {
            conv.left_justify = true;
            conv.width = -conv.width;
        }
    } else {
        conv.width = parse_number(cursor);
    }
    if (**cursor == '.') {
        (*cursor)++;
        if (**cursor == '*') {
            (*cursor)++;
            int precision = va_arg(*args, int);
            conv.precision = precision < 0 ? -1 : precision;
        } else {
            conv.precision = parse_number(cursor);
        }
    }
    char c = **cursor;
    if (c == 'h' || c == 'l') {
        (*cursor)++;
        if (**cursor == c) {
            (*cursor)++;
            conv.length = c == 'h' ? 'H' : 'L';
        } else {
            conv.length = c;
        }
    } else if (c == 'z' || c == 'j' || c == 't') {
        (*cursor)++;
        conv.length = c;
    }
    conv.specifier = **cursor;
    if (conv.specifier != '\0') {
        (*cursor)++;
    }
    return conv;
}

static void render_conversion(struct output *out, struct conversion *conv,
                              va_list *args) {
    switch (conv->specifier) {
    case 'd':
    case 'i': {
        long long value = signed_argument(conv, args);
        unsigned long long magnitude =
            value < 0 ? 0ull - (unsigned long long)value : (unsigned long long)value;
        render_integer(out, conv, magnitude, value < 0);
        break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        render_integer(out, conv, unsigned_argument(conv, args), false);
        break;
    case 'p': {
        uintptr_t pointer = (uintptr_t)va_arg(*args, void *);
        if (pointer == 0) {
            render_text(out, conv, "(nil)", 5);
        } else {
            render_integer(out, conv, pointer, false);
        }
        break;
    }
    case 'c': {
        char c = (char)va_arg(*args, int);
        render_text(out, conv, &c, 1);
        break;
    }
    case 's': {
        const char *text = va_arg(*args, const char *);
        if (text == NULL) {
            text = "(null)";
        }
        render_text(out, conv, text, bounded_length(text, conv->precision));
        break;
    }
    case '%':
        emit(out, '%');
        break;
    case '\0':
        emit(out, '%');
        break;
    default:
        /* Not a conversion we know: show it as written. */
        emit(out, '%');
        emit(out, conv->specifier);
        break;
    }
}

int format_to_sink(format_sink_fn sink, void *sink_state, const char *fmt,
                   va_list args) {
    struct output out = {.sink = sink, .state = sink_state, .count = 0};
    va_list cursor_args;
    va_copy(cursor_args, args);
    const char *cursor = fmt;
    while (*cursor != '\0') {
        if (*cursor != '%') {
            emit(&out, *cursor++);
            continue;
        }
        cursor++;
        struct conversion conv = parse_conversion(&cursor, &cursor_args);
        render_conversion(&out, &conv, &cursor_args);
    }
    va_end(cursor_args);
    return out.count;
}
