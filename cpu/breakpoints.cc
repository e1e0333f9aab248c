// Hardware breakpoints from DR0-DR3 and DR7 (SDM vol. 3B 17.2.4-17.2.5,
// 17.3.1). While one is armed the run loop steps one instruction at a time
// (Cpu::SingleStep), checking instruction breakpoints before each and
// reporting the data and I/O hits recorded meanwhile after it. Data
// accesses reach the check because the fast path holds no page a data
// breakpoint watches; with nothing armed none of this runs.
#include "cpu/cpu.h"

namespace x64sim {
namespace {

// DR7.R/Wn: what breakpoint n watches.
enum BreakOn : uint8_t { kBreakExecute = 0, kBreakWrite = 1, kBreakIo = 2, kBreakReadWrite = 3 };

BreakOn Condition(uint64_t dr7, int n) { return static_cast<BreakOn>((dr7 >> (16 + 4 * n)) & 3); }

// DR7.LENn: 00 1 byte, 01 2, 10 8, 11 4.
uint64_t Length(uint64_t dr7, int n) {
  static constexpr uint64_t kBytes[4] = {1, 2, 8, 4};
  return kBytes[(dr7 >> (18 + 4 * n)) & 3];
}

}  // namespace

void Cpu::ArmBreakpoints() {
  exec_breakpoints_ = write_breakpoints_ = read_breakpoints_ = io_breakpoints_ = 0;
  for (int n = 0; n < 4; ++n) {
    if (((state.dr7 >> (2 * n)) & 3) == 0) continue;  // neither Ln nor Gn
    const uint8_t bit = static_cast<uint8_t>(1 << n);
    switch (Condition(state.dr7, n)) {
      case kBreakExecute: exec_breakpoints_ |= bit; break;
      case kBreakWrite: write_breakpoints_ |= bit; break;
      case kBreakReadWrite:
        write_breakpoints_ |= bit;
        read_breakpoints_ |= bit;
        break;
      case kBreakIo:  // undefined without CR4.DE: x64sim then watches nothing
        if (state.cr4 & kCr4DE) io_breakpoints_ |= bit;
        break;
    }
  }
  const bool armed = (exec_breakpoints_ | write_breakpoints_ | io_breakpoints_) != 0;
  step_flags_ = armed ? ~uint64_t{0} : kTF | kRF;
  // Each element of a REP string instruction is an iteration a data or
  // I/O breakpoint may end with its trap.
  rep_slice_ = (write_breakpoints_ | io_breakpoints_) != 0 ? 1 : chosen_rep_slice_;
}

void Cpu::UpdateBreakpoints() {
  const bool watched_before = write_breakpoints_ != 0;
  ArmBreakpoints();
  if (watched_before || write_breakpoints_ != 0) FlushSoftTlb();
}

uint8_t Cpu::BreakpointHits(uint8_t candidates, uint64_t address, int size) const {
  uint8_t hits = 0;
  for (int n = 0; n < 4; ++n) {
    if (!((candidates >> n) & 1)) continue;
    // The address bits below the length are ignored (SDM vol. 3B 17.2.5).
    const uint64_t length = Length(state.dr7, n);
    const uint64_t first = state.dr[n] & ~(length - 1);
    if (address <= first + (length - 1) && first <= address + (size - 1)) hits |= 1 << n;
  }
  return hits;
}

bool Cpu::WatchesPage(uint64_t linear_page) const {
  for (int n = 0; n < 4; ++n) {
    if (((write_breakpoints_ >> n) & 1) && (state.dr[n] & ~kPageOffsetMask) == linear_page) return true;
  }
  return false;
}

}  // namespace x64sim
