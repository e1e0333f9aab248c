// Ring-3 code (the linker script puts user_*.o in the user region): a
// SYSCALL whose kernel entry (sysret_entry in probes.S) returns with TF set;
// the single-step trap comes at user_syscall_return, before the NOP runs.

  .text
  .global user_syscall, user_syscall_return
user_syscall:
  syscall
user_syscall_return:
  nop
  ud2

  .section .note.GNU-stack, "", @progbits
