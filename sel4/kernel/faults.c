#include "kernel/faults.h"

#include "arch/registers.h"
#include "arch/vspace.h"
#include "kernel/cspace.h"
#include "kernel/errors.h"
#include "kernel/ipc.h"
#include "kernel/printf.h"
#include "kernel/thread.h"

#define USER_STACK_TRACE_LENGTH 16

static void print_fault(const fault_t *f)
{
    switch (f->type) {
    case seL4_Fault_CapFault:
        kprintf("cap fault in %s phase at address %p", f->b ? "receive" : "send", (void *)f->a);
        break;
    case seL4_Fault_VMFault:
        kprintf("vm fault on %s at address %p with status %p", f->c ? "code" : "data", (void *)f->a, (void *)f->b);
        break;
    case seL4_Fault_UnknownSyscall:
        kprintf("unknown syscall %p", (void *)f->a);
        break;
    case seL4_Fault_UserException:
        kprintf("user exception %p code %p", (void *)f->a, (void *)f->b);
        break;
    default:
        kprintf("unknown fault");
        break;
    }
}

static void user_stack_trace(tcb_t *t)
{
    word_t sp = t->ctx.rsp;
    for (word_t i = 0; i < USER_STACK_TRACE_LENGTH; i++) {
        word_t addr = sp + i * sizeof(word_t);
        const word_t *p = user_word_pointer(t, addr);
        if (p) kprintf("0x%lx: 0x%lx\n", addr, *p);
        else kprintf("0x%lx: INVALID\n", addr);
    }
}

static void handle_double_fault(tcb_t *t, const fault_t *handler_fault)
{
    kprintf("Caught ");
    print_fault(handler_fault);
    kprintf("\nwhile trying to handle:\n");
    print_fault(&t->fault);
    kprintf("\nin thread %p \"%s\" ", (void *)t, t->name);
    kprintf("at address %p\n", (void *)t->fault_ip);
    kprintf("With stack:\n");
    user_stack_trace(t);
    t->fault.type = seL4_Fault_NullFault;
    set_thread_state(t, ThreadState_Inactive);
}

void handle_fault(tcb_t *t)
{
    resolve_result_t r = lookup_slot(t, t->fault_handler);
    lookup_fault_t lf = r.fault;
    if (lf.type == seL4_NoFailure) {
        cap_t cap = r.slot->cap;
        word_t rights = cap_rights(cap);
        if (cap_get_type(cap) == cap_endpoint_cap && (rights & RIGHT_WRITE) &&
            (rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))) {
            send_ipc(true, true, cap_badge(cap), (rights & RIGHT_GRANT) != 0, true, t, cap_ptr(cap));
            return;
        }
        lf = lf_missing_capability(0);
    }
    fault_t handler_fault = {seL4_Fault_CapFault, t->fault_handler, 0, 0, lf};
    handle_double_fault(t, &handler_fault);
}

bool handle_fault_reply(tcb_t *faulter, tcb_t *replier)
{
    seL4_MessageInfo_t tag = message_info_from_word(replier->ctx.rsi);
    word_t label = seL4_MessageInfo_get_label(tag), length = seL4_MessageInfo_get_length(tag);
    word_t *buf = ipc_buffer_of(replier, false);
    static const enum user_register syscall_regs[] = {
        REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_R8, REG_R9,
        REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP, REG_RSP, REG_RFLAGS};
    static const enum user_register exception_regs[] = {REG_RIP, REG_RSP, REG_RFLAGS};
    const enum user_register *regs;
    word_t n;
    switch (faulter->fault.type) {
    case seL4_Fault_UnknownSyscall:
        regs = syscall_regs;
        n = sizeof(syscall_regs) / sizeof(syscall_regs[0]);
        break;
    case seL4_Fault_UserException:
        regs = exception_regs;
        n = sizeof(exception_regs) / sizeof(exception_regs[0]);
        break;
    default:
        return true;
    }
    for (word_t i = 0; i < n && i < length; i++) set_user_register(faulter, regs[i], get_mr(replier, buf, i));
    return label == 0;
}
