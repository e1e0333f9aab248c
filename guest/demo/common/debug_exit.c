#include "guest/demo/common/debug_exit.h"

#include "guest/demo/common/portio.h"

enum { kDebugExitPort = 0xF4 };

void debug_exit(uint32_t value) {
  outl(kDebugExitPort, value);
  for (;;) {
    __asm__ volatile("cli; hlt");
  }
}
