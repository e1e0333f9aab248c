/* User registers by seL4_UserContext index, with seL4's sanitising. */
#ifndef ARCH_REGISTERS_H
#define ARCH_REGISTERS_H

#include "kernel/structures.h"

enum user_register {
    REG_RIP, REG_RSP, REG_RFLAGS, REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_FS_BASE, REG_GS_BASE,
    REG_COUNT
};
#define FRAME_REGISTER_COUNT 10 /* rip .. rbp */

/* SDM 3.4.3: user-settable arithmetic/direction flags; IF stays set. */
#define RFLAGS_USER_MASK 0xcd5ul
#define RFLAGS_USER_DEFAULT 0x202ul

word_t get_user_register(tcb_t *t, enum user_register r);
/* Writes force the next return to user through IRET (all registers). */
void set_user_register(tcb_t *t, enum user_register r, word_t v);
void init_user_context(tcb_t *t);

#endif
