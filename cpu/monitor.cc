// The address-range monitor of MONITOR/MWAIT (SDM vol. 2B MONITOR, MWAIT;
// vol. 3A 8.10.4). The monitored line's page is marked like a code page, so
// no fast-path entry writes it and every store to it (the guest's, or a
// debugger's) reaches WroteMarkedPage, which disarms the monitor when the
// store touches the line. Stores elsewhere cost nothing more.
#include "cpu/cpu.h"

namespace x64sim {

bool Cpu::ArmMonitor(uint64_t linear) {
  uint64_t phys;
  if (!ResolveLinear(&linear, 1, /*write=*/false) || !CheckCanonical(linear, 1) || !TranslateData(linear, AccessKind::kRead, privilege_ == 1, &phys)) {
    return false;
  }
  state.monitor_line = phys & ~uint64_t{63};
  state.monitor_armed = true;
  MarkCodePage(phys & ~kPageOffsetMask);
  return true;
}

void Cpu::WroteMarkedPage(uint64_t phys, int n) {
  const uint64_t page = phys & ~kPageOffsetMask;
  const uint64_t line = state.monitor_line;
  if (state.monitor_armed && phys < line + 64 && phys + n > line) {
    state.monitor_armed = false;
    if (state.halted && state.halt_kind != HaltKind::kHlt) state.halted = false;
  }
  InvalidateCodePage(page);
  if (state.monitor_armed && (line & ~kPageOffsetMask) == page) memory_.SetCodePage(page, true);
}

}  // namespace x64sim
