#include "sim/uart16550.h"

namespace x64sim {
namespace {
// Register offsets (National Semiconductor PC16550D data sheet, table II).
constexpr uint16_t kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kLsrThrEmpty = 0x20, kLsrTransmitterEmpty = 0x40;
}  // namespace

// The transmitter is always ready: output is written immediately.
uint32_t Uart16550::PortIn(uint16_t offset, int) {
  bool dlab = lcr_ & kLcrDlab;
  switch (offset) {
    case kData: return dlab ? (divisor_ & 0xff) : 0;  // no input
    case kIer: return dlab ? (divisor_ >> 8) : ier_;
    case kIir: return 0x01;  // no interrupt pending
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return kLsrThrEmpty | kLsrTransmitterEmpty;
    case kMsr: return 0xb0;  // CTS, DSR, DCD asserted
    case kScr: return scratch_;
  }
  return 0xff;
}

void Uart16550::PortOut(uint16_t offset, int, uint32_t value) {
  uint8_t v = static_cast<uint8_t>(value);
  bool dlab = lcr_ & kLcrDlab;
  switch (offset) {
    case kData:
      if (dlab) divisor_ = (divisor_ & 0xff00) | v; else output_(v);
      break;
    case kIer:
      if (dlab) divisor_ = static_cast<uint16_t>((divisor_ & 0xff) | (v << 8)); else ier_ = v & 0x0f;
      break;
    case kLcr: lcr_ = v; break;
    case kMcr: mcr_ = v & 0x1f; break;
    case kScr: scratch_ = v; break;
    default: break;  // FCR and read-only registers
  }
}

}  // namespace x64sim
