/* Moving a message from one thread to another: MR0..3 in registers, the
 * rest in IPC buffers; capabilities with grant; fault messages. */
#include "kernel/ipc.h"

#include "kernel/cspace.h"
#include "kernel/cte.h"
#include "kernel/objects.h"
#include "kernel/thread.h"

/* seL4_IPCBuffer word offsets. */
#define BUF_TAG 0
#define BUF_MSG 1
#define BUF_CAPS_OR_BADGES (1 + seL4_MsgMaxLength + 1)
#define BUF_RECEIVE_CNODE (BUF_CAPS_OR_BADGES + seL4_MsgMaxExtraCaps)
#define BUF_RECEIVE_INDEX (BUF_RECEIVE_CNODE + 1)
#define BUF_RECEIVE_DEPTH (BUF_RECEIVE_CNODE + 2)

word_t *ipc_buffer_of(tcb_t *t, bool is_receiver)
{
    cap_t frame = tcb_slot(t, tcbBuffer)->cap;
    if (cap_get_type(frame) != cap_frame_cap || frame_is_device(frame)) return NULL;
    word_t rights = frame_vm_rights(frame);
    if (rights != VMReadWrite && (is_receiver || rights != VMReadOnly)) return NULL;
    return (word_t *)((word_t)cap_ptr(frame) + (t->ipc_buffer & MASK(frame_size_bits(frame))));
}

word_t *msg_register(tcb_t *t, word_t i)
{
    switch (i) {
    case 0: return &t->ctx.r10;
    case 1: return &t->ctx.r8;
    case 2: return &t->ctx.r9;
    default: return &t->ctx.r15;
    }
}

word_t get_mr(tcb_t *t, word_t *buffer, word_t i)
{
    if (i < MSG_REGISTER_COUNT) return *msg_register(t, i);
    return buffer ? buffer[BUF_MSG + i] : 0;
}

word_t set_mr(tcb_t *t, word_t *buffer, word_t i, word_t v)
{
    if (i < MSG_REGISTER_COUNT) {
        *msg_register(t, i) = v;
        return i + 1;
    }
    if (buffer && i < seL4_MsgMaxLength) {
        buffer[BUF_MSG + i] = v;
        return i + 1;
    }
    return i;
}

seL4_MessageInfo_t message_info_from_word(word_t w)
{
    seL4_MessageInfo_t info = {{w}};
    if (seL4_MessageInfo_get_length(info) > seL4_MsgMaxLength)
        info = seL4_MessageInfo_set_length(info, seL4_MsgMaxLength);
    return info;
}

static void set_message_info(tcb_t *t, seL4_MessageInfo_t info) { t->ctx.rsi = info.words[0]; }

extra_caps_t lookup_extra_caps(tcb_t *t, word_t *buffer, seL4_MessageInfo_t info)
{
    extra_caps_t caps = {{NULL, NULL, NULL}, 0, 0, {0, 0, 0, 0}};
    if (!buffer) return caps;
    word_t n = seL4_MessageInfo_get_extraCaps(info);
    for (word_t i = 0; i < n; i++) {
        word_t cptr = buffer[BUF_CAPS_OR_BADGES + i];
        resolve_result_t r = lookup_slot(t, cptr);
        if (r.fault.type != seL4_NoFailure) {
            caps.failed_cptr = cptr;
            caps.fault = r.fault;
            caps.count = 0;
            return caps;
        }
        caps.slots[i] = r.slot;
        caps.count = i + 1;
    }
    return caps;
}

static word_t copy_mrs(tcb_t *sender, word_t *sbuf, tcb_t *receiver, word_t *rbuf, word_t n)
{
    word_t i = 0;
    for (; i < n && i < MSG_REGISTER_COUNT; i++) *msg_register(receiver, i) = *msg_register(sender, i);
    if (sbuf && rbuf)
        for (; i < n; i++) rbuf[BUF_MSG + i] = sbuf[BUF_MSG + i];
    return i;
}

/* The receiver's chosen slot for one incoming capability, if any. */
static cte_t *receive_slot(tcb_t *receiver, word_t *rbuf)
{
    if (!rbuf) return NULL;
    resolve_result_t root = lookup_slot(receiver, rbuf[BUF_RECEIVE_CNODE]);
    if (root.fault.type != seL4_NoFailure) return NULL;
    slot_result_t s = lookup_slot_for_cnode_op(false, root.slot->cap, rbuf[BUF_RECEIVE_INDEX], rbuf[BUF_RECEIVE_DEPTH]);
    if (is_error(s.error) || !cap_is_null(s.slot->cap)) return NULL;
    return s.slot;
}

static seL4_MessageInfo_t transfer_caps(seL4_MessageInfo_t info, extra_caps_t *caps, endpoint_t *ep,
                                        tcb_t *receiver, word_t *rbuf)
{
    info = seL4_MessageInfo_set_extraCaps(info, 0);
    info = seL4_MessageInfo_set_capsUnwrapped(info, 0);
    if (!caps->count || !rbuf) return info;
    cte_t *dest = receive_slot(receiver, rbuf);
    word_t i = 0;
    for (; i < caps->count; i++) {
        cte_t *slot = caps->slots[i];
        cap_t cap = slot->cap;
        if (cap_get_type(cap) == cap_endpoint_cap && (endpoint_t *)cap_ptr(cap) == ep) {
            /* A cap to the endpoint the message travels on: pass its badge. */
            rbuf[BUF_CAPS_OR_BADGES + i] = cap_badge(cap);
            info = seL4_MessageInfo_set_capsUnwrapped(info, seL4_MessageInfo_get_capsUnwrapped(info) | BIT(i));
            continue;
        }
        if (!dest) break;
        cap_result_t d = derive_cap(slot, cap);
        if (is_error(d.error) || cap_is_null(d.cap)) break;
        cte_insert(d.cap, slot, dest);
        dest = NULL;
    }
    return seL4_MessageInfo_set_extraCaps(info, i);
}

static void do_normal_transfer(tcb_t *sender, word_t *sbuf, endpoint_t *ep, word_t badge, bool can_grant,
                               tcb_t *receiver, word_t *rbuf)
{
    seL4_MessageInfo_t tag = message_info_from_word(sender->ctx.rsi);
    extra_caps_t caps = {{NULL, NULL, NULL}, 0, 0, {0, 0, 0, 0}};
    if (can_grant) caps = lookup_extra_caps(sender, sbuf, tag);
    word_t length = copy_mrs(sender, sbuf, receiver, rbuf, seL4_MessageInfo_get_length(tag));
    tag = transfer_caps(tag, &caps, ep, receiver, rbuf);
    tag = seL4_MessageInfo_set_length(tag, length);
    set_message_info(receiver, tag);
    receiver->ctx.rdi = badge;
}

static word_t set_lookup_fault_mrs(tcb_t *t, word_t *buf, word_t i, lookup_fault_t lf)
{
    i = set_mr(t, buf, i, lf.type);
    switch (lf.type) {
    case seL4_MissingCapability: return set_mr(t, buf, i, lf.bits_left);
    case seL4_DepthMismatch:
        i = set_mr(t, buf, i, lf.bits_left);
        return set_mr(t, buf, i, lf.bits_found);
    case seL4_GuardMismatch:
        i = set_mr(t, buf, i, lf.bits_left);
        i = set_mr(t, buf, i, lf.guard_found);
        return set_mr(t, buf, i, lf.bits_found);
    default: return i;
    }
}

/* seL4's fault message layouts (libsel4 constants.h names the indices). */
static word_t set_fault_mrs(tcb_t *sender, tcb_t *receiver, word_t *rbuf)
{
    const fault_t *f = &sender->fault;
    const user_context_t *c = &sender->ctx;
    word_t i = 0;
    switch (f->type) {
    case seL4_Fault_CapFault:
        i = set_mr(receiver, rbuf, i, sender->fault_ip);
        i = set_mr(receiver, rbuf, i, f->a);
        i = set_mr(receiver, rbuf, i, f->b);
        return set_lookup_fault_mrs(receiver, rbuf, i, f->lookup);
    case seL4_Fault_VMFault:
        i = set_mr(receiver, rbuf, i, sender->fault_ip);
        i = set_mr(receiver, rbuf, i, f->a);
        i = set_mr(receiver, rbuf, i, f->c);
        return set_mr(receiver, rbuf, i, f->b);
    case seL4_Fault_UserException:
        i = set_mr(receiver, rbuf, i, sender->fault_ip);
        i = set_mr(receiver, rbuf, i, c->rsp);
        i = set_mr(receiver, rbuf, i, c->rflags);
        i = set_mr(receiver, rbuf, i, f->a);
        return set_mr(receiver, rbuf, i, f->b);
    case seL4_Fault_UnknownSyscall: {
        const word_t regs[] = {c->rax, c->rbx, c->rcx, c->rdx, c->rsi, c->rdi, c->rbp, c->r8, c->r9, c->r10,
                               c->r11, c->r12, c->r13, c->r14, c->r15, sender->fault_ip, c->rsp, c->rflags, f->a};
        for (word_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++) i = set_mr(receiver, rbuf, i, regs[k]);
        return i;
    }
    default: return 0;
    }
}

void do_ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool grant, tcb_t *receiver)
{
    word_t *rbuf = ipc_buffer_of(receiver, true);
    if (sender->fault.type == seL4_Fault_NullFault) {
        do_normal_transfer(sender, ipc_buffer_of(sender, false), ep, badge, grant, receiver, rbuf);
        return;
    }
    word_t length = set_fault_mrs(sender, receiver, rbuf);
    set_message_info(receiver, seL4_MessageInfo_new(sender->fault.type, 0, 0, length));
    receiver->ctx.rdi = badge;
}

void reply_from_kernel_error(tcb_t *t, syscall_error_t e)
{
    word_t *buf = ipc_buffer_of(t, true);
    word_t n = 0;
    switch (e.type) {
    case seL4_InvalidArgument:
    case seL4_InvalidCapability:
    case seL4_NotEnoughMemory:
        n = set_mr(t, buf, 0, e.arg0);
        break;
    case seL4_RangeError:
        n = set_mr(t, buf, 0, e.arg0);
        n = set_mr(t, buf, n, e.arg1);
        break;
    case seL4_FailedLookup:
        n = set_mr(t, buf, 0, e.failed_lookup_was_source ? 1 : 0);
        n = set_lookup_fault_mrs(t, buf, n, e.lookup);
        break;
    default:
        break;
    }
    t->ctx.rdi = 0;
    set_message_info(t, seL4_MessageInfo_new(e.type, 0, 0, n));
}

void reply_from_kernel_success(tcb_t *t, word_t length)
{
    t->ctx.rdi = 0;
    set_message_info(t, seL4_MessageInfo_new(0, 0, 0, length));
}
