/* Syscall errors as values: the error type and the details seL4 reports
 * in the reply's message registers. */
#ifndef KERNEL_ERRORS_H
#define KERNEL_ERRORS_H

#include "kernel/structures.h"

typedef struct syscall_error {
    word_t type; /* seL4_Error; seL4_NoError = success */
    word_t arg0, arg1;
    bool failed_lookup_was_source;
    lookup_fault_t lookup;
} syscall_error_t;

static inline syscall_error_t no_error(void) { syscall_error_t e = {seL4_NoError, 0, 0, false, {0, 0, 0, 0}}; return e; }
static inline syscall_error_t error_of(word_t type) { syscall_error_t e = no_error(); e.type = type; return e; }
static inline syscall_error_t error_with(word_t type, word_t arg0, word_t arg1)
{
    syscall_error_t e = error_of(type);
    e.arg0 = arg0;
    e.arg1 = arg1;
    return e;
}
static inline syscall_error_t invalid_argument(word_t n) { return error_with(seL4_InvalidArgument, n, 0); }
static inline syscall_error_t invalid_capability(word_t n) { return error_with(seL4_InvalidCapability, n, 0); }
static inline syscall_error_t range_error(word_t min, word_t max) { return error_with(seL4_RangeError, min, max); }
static inline syscall_error_t not_enough_memory(word_t left) { return error_with(seL4_NotEnoughMemory, left, 0); }
static inline syscall_error_t failed_lookup(bool was_source, lookup_fault_t lf)
{
    syscall_error_t e = error_of(seL4_FailedLookup);
    e.failed_lookup_was_source = was_source;
    e.lookup = lf;
    return e;
}
static inline bool is_error(syscall_error_t e) { return e.type != seL4_NoError; }

static inline lookup_fault_t lookup_ok(void) { lookup_fault_t f = {seL4_NoFailure, 0, 0, 0}; return f; }
static inline lookup_fault_t lf_invalid_root(void) { lookup_fault_t f = {seL4_InvalidRoot, 0, 0, 0}; return f; }
static inline lookup_fault_t lf_missing_capability(word_t bits_left)
{
    lookup_fault_t f = {seL4_MissingCapability, bits_left, 0, 0};
    return f;
}
static inline lookup_fault_t lf_depth_mismatch(word_t bits_left, word_t bits_found)
{
    lookup_fault_t f = {seL4_DepthMismatch, bits_left, 0, bits_found};
    return f;
}
static inline lookup_fault_t lf_guard_mismatch(word_t bits_left, word_t guard_found, word_t bits_found)
{
    lookup_fault_t f = {seL4_GuardMismatch, bits_left, guard_found, bits_found};
    return f;
}

#endif
