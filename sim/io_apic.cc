#include "sim/io_apic.h"

namespace x64sim {

namespace {
constexpr uint64_t kRegisterSelect = 0x00;
constexpr uint64_t kWindow = 0x10;
constexpr uint8_t kId = 0x00;
constexpr uint8_t kVersion = 0x01;
constexpr uint8_t kArbitration = 0x02;
constexpr uint8_t kRedirectionBase = 0x10;
// Redirection entry fields (datasheet 3.2.4).
constexpr uint64_t kDestinationLogical = 1ull << 11;
constexpr uint64_t kActiveLow = 1ull << 13;
constexpr uint64_t kLevelTriggered = 1ull << 15;
constexpr int kDeliveryModeShift = 8;
constexpr uint64_t kFixed = 0, kLowestPriority = 1, kExtInt = 7;
}  // namespace

uint64_t IoApic::MmioRead(uint64_t offset, int size) {
  if (size != 4) return ~0ull >> (64 - 8 * size);  // only 32-bit accesses are defined
  if (offset == kRegisterSelect) return select_;
  if (offset == kWindow) return ReadRegister(select_);
  return 0xffffffff;
}

void IoApic::MmioWrite(uint64_t offset, int size, uint64_t value) {
  if (size != 4) return;
  if (offset == kRegisterSelect) {
    select_ = static_cast<uint8_t>(value);
  } else if (offset == kWindow) {
    WriteRegister(select_, static_cast<uint32_t>(value));
  }
}

uint32_t IoApic::ReadRegister(uint8_t index) const {
  if (index == kId) return id_;
  // Version 0x20; bits 23:16 the highest redirection entry's index.
  if (index == kVersion) return 0x20 | static_cast<uint32_t>(kEntries - 1) << 16;
  if (index == kArbitration) return id_;
  const int entry = (index - kRedirectionBase) / 2;
  if (index < kRedirectionBase || entry >= kEntries) return 0;
  const uint64_t r = redirection_[entry];
  return static_cast<uint32_t>((index & 1) ? r >> 32 : r);
}

void IoApic::WriteRegister(uint8_t index, uint32_t value) {
  if (index == kId) {
    id_ = value & 0x0f00'0000;
    return;
  }
  const int entry = (index - kRedirectionBase) / 2;
  if (index < kRedirectionBase || entry >= kEntries) return;  // version, arbitration: read-only
  uint64_t& r = redirection_[entry];
  const uint64_t half = (index & 1) ? uint64_t{value} << 32 : value;
  const uint64_t half_mask = (index & 1) ? 0xffff'ffff'0000'0000ull : 0xffff'ffffull;
  r = (r & ~(half_mask & kWritable)) | (half & half_mask & kWritable);
  // An edge-triggered entry has no remote IRR; unmasking a level-triggered
  // one whose pin is asserted delivers.
  if (!(r & kLevelTriggered)) r &= ~kRemoteIrr;
  ServiceLevel(entry);
}

bool IoApic::Asserted(int pin) const {
  const bool high = (line_high_ >> pin) & 1;
  return high != ((redirection_[pin] & kActiveLow) != 0);
}

void IoApic::SetLine(int pin, bool high) {
  if (pin < 0 || pin >= kEntries) return;
  const uint32_t before = line_high_;
  line_high_ = high ? before | 1u << pin : before & ~(1u << pin);
  if (line_high_ == before) return;
  const uint64_t r = redirection_[pin];
  if (r & kLevelTriggered) {
    ServiceLevel(pin);
  } else if (Asserted(pin) && !(r & kMasked)) {
    Send(pin);  // the edge into the asserted state; on a masked pin it is lost (3.2.4, mask)
  }
}

void IoApic::EndOfInterrupt(uint8_t vector) {
  for (int pin = 0; pin < kEntries; ++pin) {
    uint64_t& r = redirection_[pin];
    if ((r & kLevelTriggered) && (r & 0xff) == vector && (r & kRemoteIrr)) {
      r &= ~kRemoteIrr;
      ServiceLevel(pin);
    }
  }
}

void IoApic::ServiceLevel(int pin) {
  const uint64_t r = redirection_[pin];
  if (!(r & kLevelTriggered) || (r & kMasked) || (r & kRemoteIrr) || !Asserted(pin)) return;
  Send(pin);
}

void IoApic::Send(int pin) {
  uint64_t& r = redirection_[pin];
  const uint64_t mode = (r >> kDeliveryModeShift) & 7;
  // SMI, NMI and INIT are not modelled: nothing is delivered.
  if (!deliver_ || (mode != kFixed && mode != kLowestPriority && mode != kExtInt)) return;
  const ApicMessage m{static_cast<uint8_t>(r), (r & kLevelTriggered) != 0,
                      (r & kDestinationLogical) != 0, static_cast<uint8_t>(r >> 56),
                      mode == kExtInt};
  if (deliver_(m) && m.level) r |= kRemoteIrr;
}

}  // namespace x64sim
