/* Thread control blocks: configuration, registers, scheduling parameters,
 * notification binding. */
#include "kernel/tcb.h"

#include "arch/fpu.h"
#include "arch/registers.h"
#include "kernel/cte.h"
#include "kernel/invocation.h"
#include "kernel/objects.h"
#include "kernel/thread.h"

void tcb_set_name(tcb_t *t, const char *name, word_t max_len)
{
    word_t i = 0;
    for (; i + 1 < TCB_NAME_LENGTH && i < max_len && name[i]; i++) t->name[i] = name[i];
    t->name[i] = 0;
}

void tcb_init(tcb_t *t, tcb_t *creator)
{
    t->state = ThreadState_Inactive;
    t->priority = 0;
    t->mcp = 0;
    t->time_slice = TIME_SLICE_TICKS;
    fpu_init_state(t);
    init_user_context(t);
    static const char prefix[] = "child of: '";
    word_t n = 0;
    for (; prefix[n]; n++) t->name[n] = prefix[n];
    const char *parent = creator ? creator->name : "";
    for (word_t i = 0; parent[i] && n + 2 < TCB_NAME_LENGTH; i++) t->name[n++] = parent[i];
    t->name[n++] = '\'';
    t->name[n] = 0;
    debug_tcb_link(t);
}

void tcb_finalise(tcb_t *t)
{
    unbind_notification(t);
    suspend_thread(t);
    fpu_forget(t);
    for (int i = 0; i < tcbCNodeEntries; i++) cte_delete(tcb_slot(t, i));
    debug_tcb_unlink(t);
}

static syscall_error_t decode_read_registers(invocation_t *inv, tcb_t *target)
{
    if (inv->length < 2) return error_of(seL4_TruncatedMessage);
    bool suspend = inv_arg(inv, 0) & 1;
    word_t n = inv_arg(inv, 1);
    if (n < 1 || n > REG_COUNT) return range_error(1, REG_COUNT);
    if (target == inv->thread) return error_of(seL4_IllegalOperation);
    if (suspend) suspend_thread(target);
    for (word_t i = 0; i < n; i++) inv_reply_mr(inv, i, get_user_register(target, i));
    return no_error();
}

static syscall_error_t decode_write_registers(invocation_t *inv, tcb_t *target)
{
    if (inv->length < 2) return error_of(seL4_TruncatedMessage);
    bool resume = inv_arg(inv, 0) & 1;
    word_t n = inv_arg(inv, 1);
    if (inv->length - 2 < n) return error_of(seL4_TruncatedMessage);
    if (target == inv->thread) return error_of(seL4_IllegalOperation);
    for (word_t i = 0; i < n && i < REG_COUNT; i++) set_user_register(target, i, inv_arg(inv, i + 2));
    if (resume) restart_thread(target);
    return no_error();
}

static syscall_error_t decode_copy_registers(invocation_t *inv, tcb_t *target)
{
    if (inv->length < 1 || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    word_t flags = inv_arg(inv, 0);
    cap_t src_cap = inv_extra_cap(inv, 0);
    if (cap_get_type(src_cap) != cap_thread_cap) return invalid_capability(1);
    tcb_t *src = cap_ptr(src_cap);
    if (flags & 1) suspend_thread(src);
    if (flags & 2) restart_thread(target);
    for (word_t i = 0; i < REG_COUNT; i++) {
        bool frame = i < FRAME_REGISTER_COUNT;
        if ((frame && (flags & 4)) || (!frame && (flags & 8)))
            set_user_register(target, i, get_user_register(src, i));
    }
    if (target == ks_cur_thread) reschedule_required();
    return no_error();
}

static syscall_error_t check_ipc_buffer(word_t vaddr, cap_t frame)
{
    if (cap_get_type(frame) != cap_frame_cap || frame_is_device(frame)) return error_of(seL4_IllegalOperation);
    if (!IS_ALIGNED(vaddr, seL4_IPCBufferSizeBits)) return error_of(seL4_AlignmentError);
    return no_error();
}

/* The new cap for a TCB slot: derived from the source, with optional data. */
static cap_result_t derive_root(cte_t *src, word_t data)
{
    cap_result_t r = derive_cap(src, src->cap);
    if (is_error(r.error)) return r;
    if (data != 0) r.cap = update_cap_data(false, data, r.cap);
    return r;
}

static void install_slot(tcb_t *t, enum tcb_cnode_index i, cap_t cap, cte_t *src)
{
    cte_t *slot = tcb_slot(t, i);
    cte_delete(slot);
    if (src && same_object_as(cap, src->cap)) cte_insert(cap, src, slot);
}

typedef struct space_args {
    syscall_error_t error;
    cap_t croot, vroot;
} space_args_t;

static space_args_t decode_space(cte_t *croot_slot, word_t croot_data, cte_t *vroot_slot, word_t vroot_data)
{
    space_args_t r = {no_error(), cap_null(), cap_null()};
    cap_result_t c = derive_root(croot_slot, croot_data);
    if (is_error(c.error)) {
        r.error = c.error;
        return r;
    }
    cap_result_t v = derive_root(vroot_slot, vroot_data);
    if (is_error(v.error)) {
        r.error = v.error;
        return r;
    }
    if (cap_get_type(c.cap) != cap_cnode_cap) r.error = error_of(seL4_IllegalOperation);
    if (cap_get_type(v.cap) != cap_pml4_cap || !mapped_asid(v.cap)) r.error = error_of(seL4_IllegalOperation);
    r.croot = c.cap;
    r.vroot = v.cap;
    return r;
}

static syscall_error_t decode_configure(invocation_t *inv, tcb_t *target)
{
    if (inv->length < 4 || inv->extra.count < 3) return error_of(seL4_TruncatedMessage);
    word_t fault_ep = inv_arg(inv, 0), croot_data = inv_arg(inv, 1), vroot_data = inv_arg(inv, 2);
    word_t buffer = inv_arg(inv, 3);
    space_args_t space = decode_space(inv->extra.slots[0], croot_data, inv->extra.slots[1], vroot_data);
    if (is_error(space.error)) return space.error;
    cte_t *buffer_slot = inv->extra.slots[2];
    cap_t buffer_cap = cap_null();
    if (buffer) {
        cap_result_t b = derive_cap(buffer_slot, buffer_slot->cap);
        if (is_error(b.error)) return b.error;
        syscall_error_t e = check_ipc_buffer(buffer, b.cap);
        if (is_error(e)) return e;
        buffer_cap = b.cap;
    }
    target->fault_handler = fault_ep;
    install_slot(target, tcbCTable, space.croot, inv->extra.slots[0]);
    install_slot(target, tcbVTable, space.vroot, inv->extra.slots[1]);
    target->ipc_buffer = buffer;
    install_slot(target, tcbBuffer, buffer_cap, buffer ? buffer_slot : NULL);
    if (target == ks_cur_thread) reschedule_required();
    return no_error();
}

static syscall_error_t decode_set_space(invocation_t *inv, tcb_t *target)
{
    if (inv->length < 3 || inv->extra.count < 2) return error_of(seL4_TruncatedMessage);
    word_t fault_ep = inv_arg(inv, 0);
    space_args_t space = decode_space(inv->extra.slots[0], inv_arg(inv, 1), inv->extra.slots[1], inv_arg(inv, 2));
    if (is_error(space.error)) return space.error;
    target->fault_handler = fault_ep;
    install_slot(target, tcbCTable, space.croot, inv->extra.slots[0]);
    install_slot(target, tcbVTable, space.vroot, inv->extra.slots[1]);
    if (target == ks_cur_thread) reschedule_required();
    return no_error();
}

static syscall_error_t decode_set_ipc_buffer(invocation_t *inv, tcb_t *target)
{
    if (inv->length < 1 || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    word_t buffer = inv_arg(inv, 0);
    cte_t *slot = inv->extra.slots[0];
    cap_t cap = cap_null();
    if (buffer) {
        cap_result_t b = derive_cap(slot, slot->cap);
        if (is_error(b.error)) return b.error;
        syscall_error_t e = check_ipc_buffer(buffer, b.cap);
        if (is_error(e)) return e;
        cap = b.cap;
    }
    target->ipc_buffer = buffer;
    install_slot(target, tcbBuffer, cap, buffer ? slot : NULL);
    if (target == ks_cur_thread) reschedule_required();
    return no_error();
}

/* The authority TCB's MCP bounds the priorities it may hand out. */
static syscall_error_t check_prio(const invocation_t *inv, word_t prio, tcb_t **auth)
{
    cap_t c = inv_extra_cap(inv, 0);
    if (cap_get_type(c) != cap_thread_cap) return invalid_capability(1);
    *auth = cap_ptr(c);
    if (prio > (*auth)->mcp) return range_error(seL4_MinPrio, (*auth)->mcp);
    return no_error();
}

static syscall_error_t decode_sched(invocation_t *inv, tcb_t *target)
{
    bool both = inv->label == TCBSetSchedParams;
    if (inv->length < (both ? 2u : 1u) || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    tcb_t *auth;
    syscall_error_t e = check_prio(inv, inv_arg(inv, 0), &auth);
    if (is_error(e)) return e;
    if (both) {
        e = check_prio(inv, inv_arg(inv, 1), &auth);
        if (is_error(e)) return e;
    }
    switch (inv->label) {
    case TCBSetPriority: set_priority(target, inv_arg(inv, 0)); break;
    case TCBSetMCPriority: target->mcp = inv_arg(inv, 0); break;
    default:
        target->mcp = inv_arg(inv, 0);
        set_priority(target, inv_arg(inv, 1));
        break;
    }
    return no_error();
}

static syscall_error_t decode_bind(invocation_t *inv, tcb_t *target)
{
    if (inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    if (target->bound_notification) return error_of(seL4_IllegalOperation);
    cap_t c = inv_extra_cap(inv, 0);
    if (cap_get_type(c) != cap_notification_cap || !(cap_rights(c) & RIGHT_READ))
        return error_of(seL4_IllegalOperation);
    notification_t *n = cap_ptr(c);
    if (ntfn_head(n) || n->bound) return error_of(seL4_IllegalOperation);
    bind_notification(target, n);
    return no_error();
}

syscall_error_t decode_tcb_invocation(invocation_t *inv)
{
    tcb_t *target = cap_ptr(inv->cap);
    switch (inv->label) {
    case TCBReadRegisters: return decode_read_registers(inv, target);
    case TCBWriteRegisters: return decode_write_registers(inv, target);
    case TCBCopyRegisters: return decode_copy_registers(inv, target);
    case TCBConfigure: return decode_configure(inv, target);
    case TCBSetPriority:
    case TCBSetMCPriority:
    case TCBSetSchedParams: return decode_sched(inv, target);
    case TCBSetIPCBuffer: return decode_set_ipc_buffer(inv, target);
    case TCBSetSpace: return decode_set_space(inv, target);
    case TCBSuspend:
        suspend_thread(target);
        return no_error();
    case TCBResume:
        restart_thread(target);
        return no_error();
    case TCBBindNotification: return decode_bind(inv, target);
    case TCBUnbindNotification:
        if (!target->bound_notification) return error_of(seL4_IllegalOperation);
        unbind_notification(target);
        return no_error();
    case TCBSetTLSBase:
        if (inv->length < 1) return error_of(seL4_TruncatedMessage);
        set_user_register(target, REG_FS_BASE, inv_arg(inv, 0));
        return no_error();
    default: return error_of(seL4_IllegalOperation);
    }
}
