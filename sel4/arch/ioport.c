#include "arch/ioport.h"

#include "arch/cpu.h"
#include "kernel/cspace.h"
#include "kernel/cte.h"
#include "kernel/invocation.h"

#define PORT_COUNT 65536
static word_t allocated_ports[PORT_COUNT / 64];

static bool port_allocated(word_t port) { return allocated_ports[port / 64] & BIT(port % 64); }

static void mark_ports(word_t first, word_t last, bool allocated)
{
    for (word_t p = first; p <= last; p++) {
        if (allocated) allocated_ports[p / 64] |= BIT(p % 64);
        else allocated_ports[p / 64] &= ~BIT(p % 64);
    }
}

void free_io_ports(word_t first, word_t last) { mark_ports(first, last, false); }

static syscall_error_t decode_control(invocation_t *inv)
{
    if (inv->label != X86IOPortControlIssue) return error_of(seL4_IllegalOperation);
    if (inv->length < 4 || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    word_t first = inv_arg(inv, 0) & 0xffff, last = inv_arg(inv, 1) & 0xffff;
    if (last < first) return invalid_argument(1);
    for (word_t p = first; p <= last; p++)
        if (port_allocated(p)) return error_of(seL4_RevokeFirst);
    slot_result_t dest = lookup_slot_for_cnode_op(false, inv_extra_cap(inv, 0), inv_arg(inv, 2), inv_arg(inv, 3));
    if (is_error(dest.error)) return dest.error;
    if (!cap_is_null(dest.slot->cap)) return error_of(seL4_DeleteFirst);
    mark_ports(first, last, true);
    cte_insert(io_port_cap_new(first, last), inv->slot, dest.slot);
    return no_error();
}

/* SDM Vol. 2, IN/OUT: byte, word or doubleword at a 16-bit port. */
static word_t port_in(word_t port, word_t size)
{
    u32 v;
    if (size == 1) {
        u8 b;
        __asm__ volatile("inb %w1, %0" : "=a"(b) : "Nd"((u16)port));
        v = b;
    } else if (size == 2) {
        u16 w;
        __asm__ volatile("inw %w1, %0" : "=a"(w) : "Nd"((u16)port));
        v = w;
    } else {
        __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"((u16)port));
    }
    return v;
}

static void port_out(word_t port, word_t size, word_t data)
{
    if (size == 1) __asm__ volatile("outb %b0, %w1" ::"a"((u8)data), "Nd"((u16)port));
    else if (size == 2) __asm__ volatile("outw %w0, %w1" ::"a"((u16)data), "Nd"((u16)port));
    else __asm__ volatile("outl %0, %w1" ::"a"((u32)data), "Nd"((u16)port));
}

static syscall_error_t decode_port(invocation_t *inv)
{
    static const word_t sizes[] = {1, 2, 4};
    bool is_in = inv->label >= X86IOPortIn8 && inv->label <= X86IOPortIn32;
    bool is_out = inv->label >= X86IOPortOut8 && inv->label <= X86IOPortOut32;
    if (!is_in && !is_out) return error_of(seL4_IllegalOperation);
    word_t size = sizes[inv->label - (is_in ? X86IOPortIn8 : X86IOPortOut8)];
    if (inv->length < (is_in ? 1u : 2u)) return error_of(seL4_TruncatedMessage);
    word_t port = inv_arg(inv, 0) & 0xffff;
    if (port < io_port_first(inv->cap) || port + size - 1 > io_port_last(inv->cap))
        return error_of(seL4_IllegalOperation);
    if (is_in) inv_reply_mr(inv, 0, port_in(port, size));
    else port_out(port, size, inv_arg(inv, 1));
    return no_error();
}

syscall_error_t decode_ioport_invocation(invocation_t *inv)
{
    return cap_get_type(inv->cap) == cap_io_port_control_cap ? decode_control(inv) : decode_port(inv);
}
