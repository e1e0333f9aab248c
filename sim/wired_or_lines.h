// A set of interrupt lines each driven by several sources, as an ISA IRQ
// line or an I/O APIC input is on a PC: a line is high while any connected
// source holds it high (a wired-OR), so one source lowering its output
// leaves the line high while another still holds it. Each line keeps a
// bitmask of the sources holding it high; every change returns the lines
// whose level changed, for the owner to pass on (sim/interrupt_lines.h).
// A source can be disconnected (a multiplexer, as the HPET's legacy
// replacement does to the PIT): its level is kept but reaches no line.
#ifndef X64SIM_SIM_WIRED_OR_LINES_H_
#define X64SIM_SIM_WIRED_OR_LINES_H_

#include <array>
#include <cstdint>

#include "checkpoint/state_archive.h"

namespace x64sim {

class WiredOrLines {
 public:
  static constexpr int kMaxLines = 24;    // the I/O APIC's inputs
  static constexpr int kMaxSources = 32;  // one bit each in a line's mask

  // `source` holds `line` high or lets it go; true if the line's level changed.
  bool Set(int source, int line, bool high) {
    const bool before = this->high(line);
    const uint32_t bit = 1u << source;
    holders_[line] = high ? holders_[line] | bit : holders_[line] & ~bit;
    return this->high(line) != before;
  }
  // The lines `source` holds high become exactly those in the mask `lines`.
  // Returns the lines whose level changed.
  uint32_t Drive(int source, uint32_t lines) {
    const uint32_t before = levels();
    const uint32_t bit = 1u << source;
    for (int line = 0; line < kMaxLines; ++line) {
      holders_[line] = ((lines >> line) & 1) ? holders_[line] | bit : holders_[line] & ~bit;
    }
    return before ^ levels();
  }
  // Connects or disconnects `source`. Returns the lines whose level changed.
  uint32_t Connect(int source, bool connected) {
    const uint32_t before = levels();
    connected_ = connected ? connected_ | 1u << source : connected_ & ~(1u << source);
    return before ^ levels();
  }

  bool high(int line) const { return (holders_[line] & connected_) != 0; }
  // Bit n: line n is high.
  uint32_t levels() const {
    uint32_t mask = 0;
    for (int line = 0; line < kMaxLines; ++line) mask |= uint32_t{high(line)} << line;
    return mask;
  }

  void Serialize(StateArchive& ar) { ar(holders_, connected_); }

 private:
  std::array<uint32_t, kMaxLines> holders_{};  // per line: bit s, source s holds it high
  uint32_t connected_ = ~0u;                   // bit s: source s reaches its lines
};

}  // namespace x64sim

#endif  // X64SIM_SIM_WIRED_OR_LINES_H_
