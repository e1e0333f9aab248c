#include "guest/demo/user_program.h"

#include "guest/demo/syscall_numbers.h"

uint8_t user_stack[8192] __attribute__((aligned(16)));

static const char kGreeting[] = "user: hello from ring 3 through syscall\n";

static int64_t syscall2(uint64_t number, uint64_t arg0, uint64_t arg1) {
  int64_t result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(arg0), "S"(arg1)
                   : "rcx", "r11", "memory");
  return result;
}

static __attribute__((noreturn)) void exit_program(uint64_t code) {
  syscall2(kSysExit, code, 0);
  __builtin_unreachable();
}

void user_syscall_round_trip(uint64_t unused) {
  (void)unused;
  uint64_t length = sizeof(kGreeting) - 1;
  int64_t written = syscall2(kSysWrite, (uint64_t)kGreeting, length);
  uint16_t cs;
  __asm__ volatile("mov %%cs, %0" : "=r"(cs));
  if (written != (int64_t)length) exit_program(1);
  exit_program(kUserChecksPassed | (uint64_t)(cs & 3) << 8);
}

void user_read(uint64_t address) {
  uint64_t value = *(volatile uint64_t*)address;
  exit_program(value);
}

void user_write(uint64_t address) {
  *(volatile uint64_t*)address = 0;
  exit_program(0);
}
