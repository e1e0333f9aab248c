#include "sim/pit8254.h"

#include "sim/platform_clock.h"

namespace x64sim {

// OUT per mode (datasheet, "Mode Definitions"): a control word sets it low
// in mode 0 and high in the others; mode 0 raises it at terminal count, N
// ticks after the count is loaded; mode 2 drops it for the one tick the
// count is 1; mode 3 holds it high for ceil(N/2) ticks, low for floor(N/2).
bool Pit8254::Channel::Output(uint64_t tick) const {
  if (!counting || tick < loaded_at) return mode != 0;
  const uint64_t phase = (tick - loaded_at) % reload;
  switch (mode) {
    case 0: return tick - loaded_at >= reload;
    case 2: return reload < 2 || phase != reload - 1;
    case 3: return phase < (reload + 1) / 2;
    default: return true;
  }
}

uint64_t Pit8254::Channel::NextChange(uint64_t tick) const {
  if (!counting) return UINT64_MAX;
  // Before the load the output is as at the load, which is no change point.
  if (tick < loaded_at) tick = loaded_at;
  const uint64_t elapsed = tick - loaded_at;
  const uint64_t phase = elapsed % reload;
  const uint64_t period_start = tick - phase;
  switch (mode) {
    case 0: return elapsed < reload ? loaded_at + reload : UINT64_MAX;
    case 2:
      if (reload < 2) return UINT64_MAX;
      return phase < reload - 1 ? period_start + reload - 1 : period_start + reload;
    case 3:
      if (reload < 2) return UINT64_MAX;
      return phase < (reload + 1) / 2 ? period_start + (reload + 1) / 2 : period_start + reload;
    default: return UINT64_MAX;
  }
}

// Edges missed between two updates fold into one: when the output is back
// at the level last driven, it is driven through the other level and back,
// so an edge-sensed input still sees its rising edge.
void Pit8254::Update(uint64_t now) { Advance(clock_.PitTicks(now)); }

void Pit8254::Advance(uint64_t tick) {
  if (tick < out0_next_tick_) return;
  const bool level = channels_[0].Output(tick);
  if (level == out0_level_) out0_(!level);
  out0_(level);
  out0_level_ = level;
  out0_next_tick_ = channels_[0].NextChange(tick);
}

uint64_t Pit8254::NextEventCycle() const {
  return out0_next_tick_ == UINT64_MAX ? UINT64_MAX : clock_.CycleOfPitTick(out0_next_tick_);
}

void Pit8254::Reprogrammed0(uint64_t tick) {
  const bool level = channels_[0].Output(tick);
  if (level != out0_level_) out0_(level);
  out0_level_ = level;
  // A write that leaves channel 0's next edge where it was (the low byte
  // of a two-byte count) moves no event: the CPU need not look again.
  const uint64_t next = channels_[0].NextChange(tick);
  if (next == out0_next_tick_) return;
  out0_next_tick_ = next;
  changed_();
}

uint32_t Pit8254::Count(int channel) const {
  const Channel& c = channels_[channel];
  const uint64_t now = now_();
  if (!c.counting || now < c.loaded_at) return c.reload & 0xffff;
  const uint64_t elapsed = now - c.loaded_at;
  const uint64_t n = c.reload;
  switch (c.mode) {
    case 2:  // N, N-1, ..., 1, then reload: never reads 0
      return static_cast<uint32_t>(n - elapsed % n) & 0xffff;
    case 3: {  // counts down by two, twice per period (even N)
      const uint64_t half = (n & ~uint64_t{1}) / 2;
      if (half == 0) return static_cast<uint32_t>(n & 0xffff);
      return static_cast<uint32_t>((n & ~uint64_t{1}) - 2 * (elapsed % half)) & 0xffff;
    }
    default:  // 0: counts down through 0 and wraps
      return static_cast<uint32_t>((n - elapsed) & 0xffff);
  }
}

uint32_t Pit8254::PortIn(uint16_t offset, int size) {
  if (offset == 3 || size != 1) return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  return ReadData(channels_[offset], offset);
}

void Pit8254::PortOut(uint16_t offset, int size, uint32_t value) {
  if (size != 1) return;
  const uint64_t tick = now_();
  Advance(tick);
  if (offset == 3) {
    Command(static_cast<uint8_t>(value));
  } else {
    WriteData(channels_[offset], static_cast<uint8_t>(value));
  }
  // Only channel 0's control words and count bytes can move its output; a
  // latch (how the CPU polls it) or another channel's write cannot.
  const bool latch = ((value >> 4) & 3) == kLatch;
  if (offset == 0 || (offset == 3 && (value >> 6) == 0 && !latch)) Reprogrammed0(tick);
}

void Pit8254::Command(uint8_t value) {
  const int select = value >> 6;
  if (select == 3) {
    // Read-back (datasheet "Read-Back Command"): bit 5 clear latches the
    // counts of the channels named in bits 3:1. Status latching (bit 4
    // clear) is not modelled.
    if (!(value & 0x20)) {
      for (int i = 0; i < 3; ++i) {
        if ((value & (2 << i)) && !channels_[i].latched) {
          channels_[i].latch = static_cast<uint16_t>(Count(i));
          channels_[i].latched = true;
        }
      }
    }
    return;
  }
  Channel& c = channels_[select];
  const Access access = static_cast<Access>((value >> 4) & 3);
  if (access == kLatch) {
    if (!c.latched) {
      c.latch = static_cast<uint16_t>(Count(select));
      c.latched = true;
      c.read_high_next = false;
    }
    return;
  }
  c.access = access;
  c.mode = (value >> 1) & 7;
  if (c.mode >= 6) c.mode -= 4;  // 6 and 7 are 2 and 3
  c.counting = false;            // a control word stops the count until a new one is written
  c.write_high_next = false;
  c.read_high_next = false;
  c.latched = false;
}

uint8_t Pit8254::ReadData(Channel& c, int index) {
  const uint16_t v = c.latched ? c.latch : static_cast<uint16_t>(Count(index));
  uint8_t byte;
  if (c.access == kLow) {
    byte = static_cast<uint8_t>(v);
    c.latched = false;
  } else if (c.access == kHigh) {
    byte = static_cast<uint8_t>(v >> 8);
    c.latched = false;
  } else {
    byte = c.read_high_next ? static_cast<uint8_t>(v >> 8) : static_cast<uint8_t>(v);
    if (c.read_high_next) c.latched = false;
    c.read_high_next = !c.read_high_next;
  }
  return byte;
}

void Pit8254::WriteData(Channel& c, uint8_t value) {
  uint32_t count;
  if (c.access == kLow) {
    count = value;
  } else if (c.access == kHigh) {
    count = uint32_t{value} << 8;
  } else if (!c.write_high_next) {
    c.pending_low = value;
    c.write_high_next = true;
    return;
  } else {
    count = c.pending_low | uint32_t{value} << 8;
    c.write_high_next = false;
  }
  c.reload = count == 0 ? 0x10000 : count;
  // Counting starts on the next input tick after the count is written.
  c.loaded_at = now_() + 1;
  c.counting = true;
}

}  // namespace x64sim
