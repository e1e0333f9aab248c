/* System call dispatch (seL4's handleSyscall and friends), exception and
 * interrupt entry. */
#include "kernel/syscall.h"

#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/exit.h"
#include "arch/fpu.h"
#include "arch/machine.h"
#include "arch/vspace.h"
#include "kernel/cspace.h"
#include "kernel/cte.h"
#include "kernel/faults.h"
#include "kernel/invocation.h"
#include "kernel/printf.h"
#include "kernel/tcb.h"
#include "kernel/thread.h"

word_t fastpath_call_number = (word_t)seL4_SysCall;
word_t fastpath_reply_recv_number = (word_t)seL4_SysReplyRecv;

void set_fastpath_enabled(bool enabled)
{
    fastpath_call_number = enabled ? (word_t)seL4_SysCall : 0;
    fastpath_reply_recv_number = enabled ? (word_t)seL4_SysReplyRecv : 0;
}

static void cap_fault(tcb_t *t, word_t cptr, bool in_receive, lookup_fault_t lf)
{
    t->fault = (fault_t){seL4_Fault_CapFault, cptr, in_receive ? 1 : 0, 0, lf};
    handle_fault(t);
}

syscall_error_t decode_invocation(invocation_t *inv)
{
    cap_t cap = inv->cap;
    switch (cap_get_type(cap)) {
    case cap_null_cap: return invalid_capability(0);
    case cap_endpoint_cap:
        if (!(cap_rights(cap) & RIGHT_WRITE)) return invalid_capability(0);
        send_ipc(inv->is_blocking, inv->is_call, cap_badge(cap), (cap_rights(cap) & RIGHT_GRANT) != 0,
                 (cap_rights(cap) & RIGHT_GRANT_REPLY) != 0, inv->thread, cap_ptr(cap));
        return no_error();
    case cap_notification_cap:
        if (!(cap_rights(cap) & RIGHT_WRITE)) return invalid_capability(0);
        send_signal(cap_ptr(cap), cap_badge(cap));
        return no_error();
    case cap_reply_cap:
        if (reply_is_master(cap)) return invalid_capability(0);
        do_reply_transfer(inv->thread, cap_ptr(cap), inv->slot, reply_can_grant(cap));
        return no_error();
    case cap_thread_cap: return decode_tcb_invocation(inv);
    case cap_cnode_cap: return decode_cnode_invocation(inv);
    case cap_untyped_cap: return decode_untyped_invocation(inv);
    case cap_frame_cap:
    case cap_page_table_cap:
    case cap_page_directory_cap:
    case cap_pdpt_cap:
    case cap_asid_control_cap:
    case cap_asid_pool_cap: return decode_paging_invocation(inv);
    case cap_io_port_control_cap:
    case cap_io_port_cap: return decode_ioport_invocation(inv);
    default: return error_of(seL4_IllegalOperation);
    }
}

static void handle_invocation(bool is_call, bool is_blocking)
{
    tcb_t *t = ks_cur_thread;
    seL4_MessageInfo_t info = message_info_from_word(t->ctx.rsi);
    word_t cptr = t->ctx.rdi;
    resolve_result_t r = lookup_slot(t, cptr);
    if (r.fault.type != seL4_NoFailure) {
        if (is_blocking) cap_fault(t, cptr, false, r.fault);
        return;
    }
    invocation_t inv = {t, cptr, r.slot->cap, r.slot, seL4_MessageInfo_get_label(info),
                        seL4_MessageInfo_get_length(info), ipc_buffer_of(t, false),
                        {{NULL, NULL, NULL}, 0, 0, {0, 0, 0, 0}}, is_call, is_blocking, 0};
    inv.extra = lookup_extra_caps(t, inv.buffer, info);
    if (inv.extra.fault.type != seL4_NoFailure) {
        if (is_blocking) cap_fault(t, inv.extra.failed_cptr, false, inv.extra.fault);
        return;
    }
    if (!inv.buffer && inv.length > MSG_REGISTER_COUNT) inv.length = MSG_REGISTER_COUNT;
    set_thread_state(t, ThreadState_Restart);
    syscall_error_t e = decode_invocation(&inv);
    if (is_error(e)) {
        if (t->state == ThreadState_Restart) set_thread_state(t, ThreadState_Running);
        if (is_call) reply_from_kernel_error(t, e);
        return;
    }
    if (t->state == ThreadState_Restart) {
        if (is_call) reply_from_kernel_success(t, inv.reply_length);
        set_thread_state(t, ThreadState_Running);
    }
}

static void handle_recv(bool is_blocking)
{
    tcb_t *t = ks_cur_thread;
    word_t cptr = t->ctx.rdi;
    resolve_result_t r = lookup_slot(t, cptr);
    if (r.fault.type != seL4_NoFailure) {
        cap_fault(t, cptr, true, r.fault);
        return;
    }
    cap_t cap = r.slot->cap;
    switch (cap_get_type(cap)) {
    case cap_endpoint_cap:
        if (!(cap_rights(cap) & RIGHT_READ)) break;
        delete_caller_cap(t);
        receive_ipc(t, cap, is_blocking);
        return;
    case cap_notification_cap: {
        notification_t *n = cap_ptr(cap);
        if (!(cap_rights(cap) & RIGHT_READ) || (n->bound && n->bound != t)) break;
        receive_signal(t, cap, is_blocking);
        return;
    }
    default:
        break;
    }
    cap_fault(t, cptr, true, lf_missing_capability(0));
}

static void handle_reply(void)
{
    tcb_t *t = ks_cur_thread;
    cte_t *slot = tcb_slot(t, tcbCaller);
    cap_t cap = slot->cap;
    if (cap_get_type(cap) == cap_reply_cap && !reply_is_master(cap))
        do_reply_transfer(t, cap_ptr(cap), slot, reply_can_grant(cap));
}

static void debug_name_thread(tcb_t *t)
{
    resolve_result_t r = lookup_slot(t, t->ctx.rdi);
    word_t *buf = ipc_buffer_of(t, false);
    if (r.fault.type != seL4_NoFailure || cap_get_type(r.slot->cap) != cap_thread_cap || !buf) {
        kprintf("x64sim-kernel: DebugNameThread: not a TCB or no IPC buffer\n");
        return;
    }
    tcb_set_name(cap_ptr(r.slot->cap), (const char *)(buf + 1), seL4_MsgMaxLength * sizeof(word_t));
}

static void handle_syscall(long sys)
{
    tcb_t *t = ks_cur_thread;
    switch (sys) {
    case seL4_SysSend: handle_invocation(false, true); break;
    case seL4_SysNBSend: handle_invocation(false, false); break;
    case seL4_SysCall: handle_invocation(true, true); break;
    case seL4_SysRecv: handle_recv(true); break;
    case seL4_SysNBRecv: handle_recv(false); break;
    case seL4_SysReply: handle_reply(); break;
    case seL4_SysReplyRecv:
        handle_reply();
        handle_recv(true);
        break;
    case seL4_SysYield: handle_yield(); break;
    case seL4_SysDebugPutChar: kputc((char)t->ctx.rdi); break;
    case seL4_SysDebugDumpScheduler: debug_dump_scheduler(); break;
    case seL4_SysDebugHalt:
        kprintf("Debug halt syscall from user thread %p \"%s\"\n", (void *)t, t->name);
        machine_exit(X64SIM_EXIT_HALT);
    case seL4_SysDebugCapIdentify: {
        resolve_result_t r = lookup_slot(t, t->ctx.rdi);
        t->ctx.rdi = r.fault.type == seL4_NoFailure ? cap_get_type(r.slot->cap) : cap_null_cap;
        break;
    }
    case seL4_SysDebugSnapshot: break;
    case seL4_SysDebugNameThread: debug_name_thread(t); break;
    case seL4_SysX64simSetFastpath: set_fastpath_enabled(t->ctx.rdi != 0); break;
    case seL4_SysX64simExitSuccess:
        kprintf("Exit success syscall from user thread %p \"%s\"\n", (void *)t, t->name);
        machine_exit(X64SIM_EXIT_SUCCESS);
    default:
        t->fault = (fault_t){seL4_Fault_UnknownSyscall, (word_t)sys, 0, 0, {0, 0, 0, 0}};
        handle_fault(t);
        break;
    }
}

void return_to_user(void)
{
    schedule();
    activate_thread();
    set_vm_root(ks_cur_thread);
    restore_user_context(ks_cur_thread);
}

void slowpath(void)
{
    handle_syscall((long)ks_cur_thread->ctx.rdx);
    return_to_user();
}

void c_handle_exception(void)
{
    tcb_t *t = ks_cur_thread;
    word_t vector = t->ctx.vector;
    t->fault_ip = t->ctx.rip;
    forget_fast_return(t); /* the context is an exception frame now */
    if (vector == DEVICE_NOT_AVAILABLE_VECTOR) {
        /* CR0.TS was set for this thread: it wants the FPU (arch/fpu.h). */
        fpu_handle_unavailable(t);
    } else if (vector == 14) {
        /* SDM 4.7: CR2 holds the address; error code bit 4 = instruction fetch. */
        word_t error = t->ctx.error;
        t->fault = (fault_t){seL4_Fault_VMFault, read_cr2(), error, (error >> 4) & 1, {0, 0, 0, 0}};
        handle_fault(t);
    } else if (vector < 32) {
        t->fault = (fault_t){seL4_Fault_UserException, vector, t->ctx.error, 0, {0, 0, 0, 0}};
        handle_fault(t);
    } else if (vector == TIMER_VECTOR) {
        apic_eoi();
        timer_tick();
    } else if (vector != SPURIOUS_VECTOR) {
        apic_eoi();
    }
    return_to_user();
}

struct kernel_frame {
    word_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    word_t vector, error, rip, cs, rflags, rsp, ss;
};

void NORETURN c_kernel_fault(struct kernel_frame *f)
{
    kprintf("x64sim-kernel: kernel exception %lu error %#lx at rip %#lx (cr2 %#lx, rsp %#lx)\n", f->vector,
            f->error, f->rip, read_cr2(), f->rsp);
    machine_exit(X64SIM_EXIT_KERNEL_PANIC);
}
