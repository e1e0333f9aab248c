#include "sim/hpet.h"

#include <algorithm>

namespace x64sim {

namespace {
// Register offsets (HPET spec 2.3.1, table 2).
constexpr uint64_t kCapabilities = 0x000, kGeneralConfig = 0x010, kInterruptStatus = 0x020,
                   kMainCounter = 0x0f0, kTimerBase = 0x100, kTimerStride = 0x20,
                   kTimerConfig = 0x00, kTimerComparator = 0x08;
// General configuration (2.3.5).
constexpr uint64_t kEnable = 1u << 0, kLegacyRoute = 1u << 1;
// Timer n configuration and capabilities (2.3.8).
constexpr uint64_t kLevel = 1u << 1, kIntEnable = 1u << 2, kPeriodic = 1u << 3,
                   kPeriodicCapable = 1u << 4, kSize64 = 1u << 5, kValSet = 1u << 6,
                   kMode32 = 1u << 8;
constexpr int kRouteShift = 9;
constexpr uint64_t kRouteField = 0x1full << kRouteShift;
constexpr uint64_t kTimerWritable = kLevel | kIntEnable | kPeriodic | kValSet | kMode32 | kRouteField;
// Legacy replacement (2.3.5): timer 0 drives IRQ0, timer 1 IRQ8.
constexpr int kLegacyIrq[2] = {0, 8};
}  // namespace

uint64_t Hpet::Counter(uint64_t tick) const {
  return enabled_ ? counter_ + (tick - counter_tick_) : counter_;
}

uint64_t Hpet::Width(int n) const {
  return (timers_[n].config & kMode32) ? 0xffff'ffffull : ~0ull;
}

int Hpet::Route(int n) const {
  if (Legacy(n)) return kLegacyIrq[n];
  return static_cast<int>((timers_[n].config & kRouteField) >> kRouteShift);
}

void Hpet::Arm(int n, uint64_t tick) {
  Timer& t = timers_[n];
  if (!enabled_) {
    t.next_tick = kNever;
    return;
  }
  // A match when the counter next equals the comparator, in its width: a
  // comparator already passed matches only after the counter wraps.
  const uint64_t delta = (t.comparator - Counter(tick)) & Width(n);
  t.next_tick = delta > kNever - tick ? kNever : tick + delta;
}

void Hpet::Update(uint64_t now) {
  const uint64_t tick = clock_.HpetTicks(now);
  bool fired = false;
  for (int n = 0; n < kTimers; ++n) {
    Timer& t = timers_[n];
    if (t.next_tick > tick) continue;
    Fire(n);
    fired = true;
    if ((t.config & kPeriodic) && t.period != 0) {
      // Each match adds the period to the comparator (2.3.9.2.2); matches
      // missed since are one interrupt.
      const uint64_t periods = (tick - t.next_tick) / t.period + 1;
      t.comparator = (t.comparator + periods * t.period) & Width(n);
      t.next_tick += periods * t.period;
    } else {
      // One-shot: the next match is when the counter wraps round to it.
      t.next_tick = Width(n) == ~0ull ? kNever : t.next_tick + Width(n) + 1;
    }
  }
  if (fired) DriveLevelLines();  // only a match changes a level; most looks find none
}

void Hpet::Fire(int n) {
  const uint64_t config = timers_[n].config;
  if (config & kLevel) {
    status_ |= 1u << n;  // set whether or not the interrupt is enabled (2.3.6)
  } else if (config & kIntEnable) {
    if (Legacy(n)) {
      lines_.PulseIsaIrq(Route(n));
    } else {
      lines_.PulseIoApicInput(Route(n));
    }
  }
}

// Every line is driven afresh, so that a timer whose route or LEG_RT_CNF
// changed lets go of the line it held.
void Hpet::DriveLevelLines() {
  uint32_t isa = 0, io_apic = 0;
  for (int n = 0; n < kTimers; ++n) {
    const uint64_t config = timers_[n].config;
    if (enabled_ && (config & kLevel) && (config & kIntEnable) && ((status_ >> n) & 1)) {
      (Legacy(n) ? isa : io_apic) |= 1u << Route(n);
    }
  }
  lines_.DriveIsaIrqs(kHpetSource, isa);
  lines_.DriveIoApicInputs(kHpetSource, io_apic);
}

uint64_t Hpet::NextEventCycle() const {
  uint64_t next = kNever;
  for (const Timer& t : timers_) {
    if ((t.config & kIntEnable) && t.next_tick != kNever) next = std::min(next, clock_.CycleOfHpetTick(t.next_tick));
  }
  return next;
}

uint64_t Hpet::ReadRegister(uint64_t reg, uint64_t tick) const {
  if (reg == kCapabilities) return kHpetPeriodFs << 32 | kBlockId;
  if (reg == kGeneralConfig) return (enabled_ ? kEnable : 0) | (legacy_routing_ ? kLegacyRoute : 0);
  if (reg == kInterruptStatus) return status_;
  if (reg == kMainCounter) return Counter(tick);
  const uint64_t n = (reg - kTimerBase) / kTimerStride;
  if (reg < kTimerBase || n >= kTimers) return 0;
  const Timer& t = timers_[n];
  switch ((reg - kTimerBase) % kTimerStride) {
    case kTimerConfig:
      return t.config | kPeriodicCapable | kSize64 | uint64_t{RouteCapability(static_cast<int>(n))} << 32;
    case kTimerComparator: return t.comparator & Width(static_cast<int>(n));
    default: return 0;  // the FSB interrupt route: no FSB delivery
  }
}

void Hpet::WriteRegister(uint64_t reg, uint64_t value, uint64_t mask, uint64_t tick) {
  if (reg == kGeneralConfig) {
    const uint64_t old = (enabled_ ? kEnable : 0) | (legacy_routing_ ? kLegacyRoute : 0);
    WriteGeneralConfig((old & ~mask) | (value & mask), tick);
  } else if (reg == kInterruptStatus) {
    status_ &= ~static_cast<uint32_t>(value & mask);  // write 1 to clear
  } else if (reg == kMainCounter) {
    counter_ = (Counter(tick) & ~mask) | (value & mask);
    counter_tick_ = tick;
    for (int n = 0; n < kTimers; ++n) Arm(n, tick);
  } else if (reg >= kTimerBase && (reg - kTimerBase) / kTimerStride < kTimers) {
    const int n = static_cast<int>((reg - kTimerBase) / kTimerStride);
    const uint64_t field = (reg - kTimerBase) % kTimerStride;
    if (field == kTimerConfig) {
      const uint64_t width = Width(n);
      WriteTimerConfig(n, (timers_[n].config & ~mask) | (value & mask));
      if (Width(n) != width) Arm(n, tick);  // the match is now in the other width
    } else if (field == kTimerComparator) {
      WriteComparator(n, value, mask, tick);
    }
  }
  DriveLevelLines();
}

void Hpet::WriteGeneralConfig(uint64_t value, uint64_t tick) {
  const bool enable = value & kEnable;
  if (enable != enabled_) {
    // The counter halts or resumes where it stood.
    counter_ = Counter(tick);
    counter_tick_ = tick;
    enabled_ = enable;
  }
  legacy_routing_ = value & kLegacyRoute;
  // With LEG_RT_CNF the 8254's output no longer reaches IRQ0 (2.3.5); the
  // level it drives all the while is back on the line when the bit clears.
  lines_.ConnectIsaSource(kPitSource, !legacy_routing_);
  for (int n = 0; n < kTimers; ++n) Arm(n, tick);
}

void Hpet::WriteTimerConfig(int n, uint64_t value) {
  Timer& t = timers_[n];
  uint64_t config = value & kTimerWritable;
  // A route the timer cannot take is not taken: the field keeps its value
  // (2.3.8, Tn_INT_ROUTE_CNF).
  const int route = static_cast<int>((config & kRouteField) >> kRouteShift);
  if (!((RouteCapability(n) >> route) & 1)) config = (config & ~kRouteField) | (t.config & kRouteField);
  t.config = config;
  if (config & kMode32) t.comparator &= 0xffff'ffff;
}

// In periodic mode a write sets the period; with Tn_VAL_SET_CNF it sets the
// comparator too, and the bit clears itself (2.3.8, 2.3.9.2.2).
void Hpet::WriteComparator(int n, uint64_t value, uint64_t mask, uint64_t tick) {
  Timer& t = timers_[n];
  mask &= Width(n);
  if (!(t.config & kPeriodic) || (t.config & kValSet)) t.comparator = (t.comparator & ~mask) | (value & mask);
  t.period = (t.period & ~mask) | (value & mask);
  t.config &= ~kValSet;
  Arm(n, tick);
}

uint64_t Hpet::MmioRead(uint64_t offset, int size) {
  const uint64_t now = now_();
  Update(now);
  const int shift = static_cast<int>(offset & 7) * 8;
  const uint64_t v = ReadRegister(offset & ~7ull, clock_.HpetTicks(now)) >> shift;
  return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

void Hpet::MmioWrite(uint64_t offset, int size, uint64_t value) {
  const uint64_t now = now_();
  Update(now);
  const int shift = static_cast<int>(offset & 7) * 8;
  const uint64_t mask = (size >= 8 ? ~0ull : (1ull << (8 * size)) - 1) << shift;
  WriteRegister(offset & ~7ull, value << shift, mask, clock_.HpetTicks(now));
  changed_();
}

}  // namespace x64sim
