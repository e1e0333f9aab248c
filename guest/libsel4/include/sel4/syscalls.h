/* seL4 system calls for x86_64.  Entry is `syscall` with RDX = syscall
 * number, RDI = capability (badge on return), RSI = message info, and
 * MR0..MR3 in R10, R8, R9, R15.  RSP is kept in RBX across the instruction;
 * RCX and R11 are destroyed by syscall/sysret. */
#ifndef SEL4_SYSCALLS_H
#define SEL4_SYSCALLS_H

#include <sel4/functions.h>

/* The one primitive: every register of the ABI in, every register out. */
static inline void x64sim_syscall(seL4_Word sys, seL4_Word *dest, seL4_Word *info,
                                  seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    register seL4_Word r10 __asm__("r10") = *mr0;
    register seL4_Word r8 __asm__("r8") = *mr1;
    register seL4_Word r9 __asm__("r9") = *mr2;
    register seL4_Word r15 __asm__("r15") = *mr3;
    seL4_Word rdi = *dest, rsi = *info, rdx = sys;
    __asm__ volatile("movq %%rsp, %%rbx\n\t"
                     "syscall\n\t"
                     "movq %%rbx, %%rsp"
                     : "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r15)
                     :
                     : "rcx", "rbx", "r11", "memory", "cc");
    *dest = rdi;
    *info = rsi;
    *mr0 = r10;
    *mr1 = r8;
    *mr2 = r9;
    *mr3 = r15;
}

/* Loads MR0..3 from the IPC buffer, makes the call, stores them back. */
static inline seL4_MessageInfo_t x64sim_syscall_buffered(seL4_Word sys, seL4_CPtr cap,
                                                         seL4_MessageInfo_t info, seL4_Word *badge)
{
    seL4_Word mr0 = seL4_GetMR(0), mr1 = seL4_GetMR(1), mr2 = seL4_GetMR(2), mr3 = seL4_GetMR(3);
    seL4_Word dest = cap, w = info.words[0];
    x64sim_syscall(sys, &dest, &w, &mr0, &mr1, &mr2, &mr3);
    seL4_SetMR(0, mr0);
    seL4_SetMR(1, mr1);
    seL4_SetMR(2, mr2);
    seL4_SetMR(3, mr3);
    if (badge) *badge = dest;
    seL4_MessageInfo_t out = {{w}};
    return out;
}

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    x64sim_syscall_buffered(seL4_SysSend, dest, msgInfo, seL4_Null);
}

static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    x64sim_syscall_buffered(seL4_SysNBSend, dest, msgInfo, seL4_Null);
}

static inline void seL4_Reply(seL4_MessageInfo_t msgInfo)
{
    x64sim_syscall_buffered(seL4_SysReply, 0, msgInfo, seL4_Null);
}

static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    return x64sim_syscall_buffered(seL4_SysCall, dest, msgInfo, seL4_Null);
}

static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_MessageInfo_t none = {{0}};
    return x64sim_syscall_buffered(seL4_SysRecv, src, none, sender);
}

static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_MessageInfo_t none = {{0}};
    return x64sim_syscall_buffered(seL4_SysNBRecv, src, none, sender);
}

static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t msgInfo, seL4_Word *sender)
{
    return x64sim_syscall_buffered(seL4_SysReplyRecv, src, msgInfo, sender);
}

/* The *WithMRs variants pass MR0..3 through registers only (null = 0). */
static inline seL4_Word x64sim_mr_in(const seL4_Word *mr, seL4_MessageInfo_t info, seL4_Word i)
{
    return (mr && seL4_MessageInfo_get_length(info) > i) ? *mr : 0;
}

static inline void x64sim_mr_out(seL4_Word *mr, seL4_Word v)
{
    if (mr) *mr = v;
}

static inline seL4_MessageInfo_t x64sim_syscall_mrs(seL4_Word sys, seL4_CPtr cap, seL4_MessageInfo_t info,
                                                    seL4_Word *badge, seL4_Word *mr0, seL4_Word *mr1,
                                                    seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word r0 = x64sim_mr_in(mr0, info, 0), r1 = x64sim_mr_in(mr1, info, 1);
    seL4_Word r2 = x64sim_mr_in(mr2, info, 2), r3 = x64sim_mr_in(mr3, info, 3);
    seL4_Word dest = cap, w = info.words[0];
    x64sim_syscall(sys, &dest, &w, &r0, &r1, &r2, &r3);
    x64sim_mr_out(mr0, r0);
    x64sim_mr_out(mr1, r1);
    x64sim_mr_out(mr2, r2);
    x64sim_mr_out(mr3, r3);
    if (badge) *badge = dest;
    seL4_MessageInfo_t out = {{w}};
    return out;
}

static inline void seL4_SendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                    seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word a = mr0 ? *mr0 : 0, b = mr1 ? *mr1 : 0, c = mr2 ? *mr2 : 0, d = mr3 ? *mr3 : 0;
    x64sim_syscall_mrs(seL4_SysSend, dest, msgInfo, seL4_Null, &a, &b, &c, &d);
}

static inline void seL4_NBSendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                      seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word a = mr0 ? *mr0 : 0, b = mr1 ? *mr1 : 0, c = mr2 ? *mr2 : 0, d = mr3 ? *mr3 : 0;
    x64sim_syscall_mrs(seL4_SysNBSend, dest, msgInfo, seL4_Null, &a, &b, &c, &d);
}

static inline void seL4_ReplyWithMRs(seL4_MessageInfo_t msgInfo, seL4_Word *mr0, seL4_Word *mr1,
                                     seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word a = mr0 ? *mr0 : 0, b = mr1 ? *mr1 : 0, c = mr2 ? *mr2 : 0, d = mr3 ? *mr3 : 0;
    x64sim_syscall_mrs(seL4_SysReply, 0, msgInfo, seL4_Null, &a, &b, &c, &d);
}

static inline seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                                  seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    return x64sim_syscall_mrs(seL4_SysCall, dest, msgInfo, seL4_Null, mr0, mr1, mr2, mr3);
}

static inline seL4_MessageInfo_t seL4_RecvWithMRs(seL4_CPtr src, seL4_Word *sender, seL4_Word *mr0,
                                                  seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_MessageInfo_t none = {{0}};
    return x64sim_syscall_mrs(seL4_SysRecv, src, none, sender, mr0, mr1, mr2, mr3);
}

static inline seL4_MessageInfo_t seL4_ReplyRecvWithMRs(seL4_CPtr src, seL4_MessageInfo_t msgInfo,
                                                       seL4_Word *sender, seL4_Word *mr0, seL4_Word *mr1,
                                                       seL4_Word *mr2, seL4_Word *mr3)
{
    return x64sim_syscall_mrs(seL4_SysReplyRecv, src, msgInfo, sender, mr0, mr1, mr2, mr3);
}

/* Notifications are signalled and waited on with Send/Recv. */
static inline void seL4_Signal(seL4_CPtr dest)
{
    seL4_Word d = dest, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysSend, &d, &w, &a, &b, &c, &e);
}

static inline void seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word d = src, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysRecv, &d, &w, &a, &b, &c, &e);
    if (sender) *sender = d;
}

static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word d = src, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysNBRecv, &d, &w, &a, &b, &c, &e);
    if (sender) *sender = d;
    seL4_MessageInfo_t out = {{w}};
    return out;
}

static inline void seL4_Yield(void)
{
    seL4_Word d = 0, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysYield, &d, &w, &a, &b, &c, &e);
}

/* Debug system calls (the debug kernel's). */
static inline void seL4_DebugPutChar(char c)
{
    seL4_Word d = (seL4_Uint8)c, w = 0, a = 0, b = 0, e = 0, f = 0;
    x64sim_syscall(seL4_SysDebugPutChar, &d, &w, &a, &b, &e, &f);
}

static inline void seL4_DebugPutString(const char *s)
{
    while (*s) seL4_DebugPutChar(*s++);
}

static inline void seL4_DebugHalt(void)
{
    seL4_Word d = 0, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysDebugHalt, &d, &w, &a, &b, &c, &e);
}

static inline void seL4_DebugDumpScheduler(void)
{
    seL4_Word d = 0, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysDebugDumpScheduler, &d, &w, &a, &b, &c, &e);
}

static inline void seL4_DebugSnapshot(void)
{
    seL4_Word d = 0, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysDebugSnapshot, &d, &w, &a, &b, &c, &e);
}

/* Returns the cap type tag of the cap at `cap` (0 = null cap). */
static inline seL4_Uint32 seL4_DebugCapIdentify(seL4_CPtr cap)
{
    seL4_Word d = cap, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysDebugCapIdentify, &d, &w, &a, &b, &c, &e);
    return (seL4_Uint32)d;
}

/* The name travels in the caller's IPC buffer message words. */
static inline void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)__sel4_ipc_buffer->msg;
    unsigned long i = 0;
    for (; name[i] && i < sizeof(__sel4_ipc_buffer->msg) - 1; i++) dst[i] = name[i];
    dst[i] = 0;
    seL4_Word d = tcb, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysDebugNameThread, &d, &w, &a, &b, &c, &e);
}

/* x64sim extension: turn the Call/ReplyRecv fastpath on or off. */
static inline void seL4_X64sim_SetFastpath(seL4_Bool enabled)
{
    seL4_Word d = enabled ? 1 : 0, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysX64simSetFastpath, &d, &w, &a, &b, &c, &e);
}

/* x64sim extension: end the whole run with success (the simulator exits 0). */
static inline void seL4_X64sim_ExitSuccess(void)
{
    seL4_Word d = 0, w = 0, a = 0, b = 0, c = 0, e = 0;
    x64sim_syscall(seL4_SysX64simExitSuccess, &d, &w, &a, &b, &c, &e);
}

#endif
