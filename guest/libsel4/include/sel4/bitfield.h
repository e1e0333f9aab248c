/* One-word bitfield types of the seL4 ABI.  SEL4_WORD_FIELD declares a
 * field once and derives its accessors (name_get_field, name_set_field,
 * name_ptr_get_field, name_ptr_set_field), so no mask is written twice. */
#ifndef SEL4_BITFIELD_H
#define SEL4_BITFIELD_H

#include <sel4/simple_types.h>

#define SEL4_FIELD_MASK(shift, width) \
    ((width) >= 64 ? ~0ul : (((1ul << (width)) - 1) << (shift)))

#define SEL4_WORD_FIELD(name, type, field, shift, width)                            \
    static inline seL4_Uint64 name##_get_##field(type v)                      \
    {                                                                         \
        return (v.words[0] & SEL4_FIELD_MASK(shift, width)) >> (shift);       \
    }                                                                         \
    static inline type name##_set_##field(type v, seL4_Uint64 x)              \
    {                                                                         \
        v.words[0] = (v.words[0] & ~SEL4_FIELD_MASK(shift, width)) |          \
                     ((x << (shift)) & SEL4_FIELD_MASK(shift, width));        \
        return v;                                                             \
    }                                                                         \
    static inline seL4_Uint64 name##_ptr_get_##field(const type *p)           \
    {                                                                         \
        return name##_get_##field(*p);                                        \
    }                                                                         \
    static inline void name##_ptr_set_##field(type *p, seL4_Uint64 x)         \
    {                                                                         \
        *p = name##_set_##field(*p, x);                                       \
    }

#endif
