#include "sim/local_apic.h"

namespace x64sim {
namespace {
// Register offsets (SDM vol. 3A table 10-1).
constexpr uint64_t kId = 0x20, kVersion = 0x30, kTpr = 0x80, kPpr = 0xa0, kEoi = 0xb0,
                   kLdr = 0xd0, kDfr = 0xe0, kSvr = 0xf0, kIsr = 0x100, kTmr = 0x180,
                   kIrr = 0x200, kEsr = 0x280, kLvtTimer = 0x320, kLvtLint0 = 0x350,
                   kLvtLint1 = 0x360, kLvtError = 0x370, kInitialCount = 0x380,
                   kCurrentCount = 0x390, kDivideConfig = 0x3e0;
constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kEsrReceivedIllegalVector = 1u << 6;
constexpr uint8_t kApicId = 0;
constexpr uint32_t kTimerPeriodic = 1u << 17;
constexpr uint32_t kDeliveryModeField = 7u << 8, kDeliveryExtInt = 7u << 8;
}  // namespace

// Divide configuration bits 0, 1, 3 (SDM vol. 3A figure 10-10).
uint64_t LocalApic::divider() const {
  uint32_t code = (divide_config_ & 3) | ((divide_config_ >> 1) & 4);
  return code == 7 ? 1 : 2ull << code;
}

void LocalApic::ArmTimer(uint64_t now) {
  timer_start_ = now;
  deadline_ = initial_count_ ? now + uint64_t{initial_count_} * divider() : UINT64_MAX;
}

void LocalApic::UpdateTimer(uint64_t now) {
  while (deadline_ != UINT64_MAX && now >= deadline_) {
    if (!(lvt_timer_ & kLvtMasked) && software_enabled()) {
      irr_.set(lvt_timer_ & 0xff);
      tmr_.reset(lvt_timer_ & 0xff);  // the timer is edge-triggered
      ++timer_interrupts_;
    }
    if (lvt_timer_ & kTimerPeriodic) {
      timer_start_ = deadline_;
      deadline_ += uint64_t{initial_count_} * divider();
    } else {
      deadline_ = UINT64_MAX;
    }
  }
}

int LocalApic::HighestIsr() const {
  for (int v = 255; v >= 16; --v) {
    if (isr_.test(v)) return v;
  }
  return -1;
}

// SDM vol. 3A 10.8.3.1: a vector is delivered when its priority class is
// above the processor priority (max of TPR and the in-service class).
int LocalApic::PendingVector(uint64_t now) {
  UpdateTimer(now);
  if (irr_.none()) return -1;
  int ppr_class = std::max<int>(tpr_ >> 4, HighestIsr() >> 4);
  for (int v = 255; v >= 16; --v) {
    if (irr_.test(v)) return (v >> 4) > ppr_class ? v : -1;
  }
  return -1;
}

void LocalApic::Acknowledge(int vector) {
  irr_.reset(vector);
  isr_.set(vector);
}

bool LocalApic::Accept(const ApicMessage& m) {
  if (m.logical) {
    // Flat model (DFR bits 31:28 = 1111b): a bit of the destination names
    // this APIC's logical ID; cluster model: the cluster in bits 7:4, then
    // a bit of 3:0 (SDM vol. 3A 10.6.2.2).
    const uint8_t logical_id = static_cast<uint8_t>(ldr_ >> 24);
    const bool flat = (dfr_ >> 28) == 0xf;
    const bool match = flat ? (m.destination & logical_id) != 0
                            : (m.destination >> 4) == (logical_id >> 4) &&
                                  (m.destination & logical_id & 0xf) != 0;
    if (!match) return false;
  } else if (m.destination != kApicId && m.destination != 0xff) {
    return false;
  }
  if (m.ext_int) {
    ext_int_pending_ = true;  // the vector field is ignored (82093AA 3.2.4)
  } else if (m.vector < 16) {
    esr_ |= kEsrReceivedIllegalVector;
  } else {
    irr_.set(m.vector);
    tmr_.set(m.vector, m.level);
  }
  changed_();
  return true;
}

bool LocalApic::TakesExtInt(bool intr) const {
  if (ext_int_pending_) return true;
  if (!intr) return false;
  // A software-disabled APIC holds every LVT entry masked (SDM vol. 3A 10.4.7.2).
  return software_enabled() && !(lvt_lint0_ & kLvtMasked) &&
         (lvt_lint0_ & kDeliveryModeField) == kDeliveryExtInt;
}

uint64_t LocalApic::NextEventCycle() {
  if (lvt_timer_ & kLvtMasked || !software_enabled()) return UINT64_MAX;
  return deadline_;
}

uint64_t LocalApic::MmioRead(uint64_t offset, int) {
  uint64_t now = now_();
  UpdateTimer(now);
  switch (offset & ~0xfull) {
    case kId: return uint32_t{kApicId} << 24;
    case kVersion: return 0x00050014;  // version 0x14, 6 LVT entries
    case kTpr: return tpr_;
    case kPpr: return std::max<int>(tpr_ & 0xf0, HighestIsr() & 0xf0);
    case kLdr: return ldr_;
    case kDfr: return dfr_;
    case kSvr: return svr_;
    case kEsr: return esr_;
    case kLvtTimer: return lvt_timer_;
    case kLvtLint0: return lvt_lint0_;
    case kLvtLint1: return lvt_lint1_;
    case kLvtError: return lvt_error_;
    case kInitialCount: return initial_count_;
    case kCurrentCount: {
      if (deadline_ == UINT64_MAX || now >= deadline_) return 0;
      return (deadline_ - now + divider() - 1) / divider();
    }
    case kDivideConfig: return divide_config_;
    default: break;
  }
  uint64_t reg = offset & ~0xfull;
  auto bank = [&](const std::bitset<256>& bits, uint64_t base) {
    int word = static_cast<int>((reg - base) >> 4);
    uint32_t v = 0;
    for (int b = 0; b < 32; ++b) v |= static_cast<uint32_t>(bits.test(word * 32 + b)) << b;
    return v;
  };
  if (reg >= kIsr && reg < kIsr + 0x80) return bank(isr_, kIsr);
  if (reg >= kIrr && reg < kIrr + 0x80) return bank(irr_, kIrr);
  if (reg >= kTmr && reg < kTmr + 0x80) return bank(tmr_, kTmr);
  return 0;
}

void LocalApic::MmioWrite(uint64_t offset, int, uint64_t value) {
  uint64_t now = now_();
  UpdateTimer(now);
  uint32_t v = static_cast<uint32_t>(value);
  switch (offset & ~0xfull) {
    case kTpr: tpr_ = v & 0xff; break;
    case kEoi: {
      const int v_isr = HighestIsr();
      if (v_isr < 0) break;
      isr_.reset(v_isr);
      if (tmr_.test(v_isr) && eoi_broadcast_) eoi_broadcast_(static_cast<uint8_t>(v_isr));
      break;
    }
    case kLdr: ldr_ = v & 0xff000000; break;
    case kDfr: dfr_ = v | 0x0fffffff; break;
    case kSvr: svr_ = v & 0x13ff; break;
    case kEsr: esr_ = 0; break;
    case kLvtTimer: lvt_timer_ = v & 0x700ff; break;
    case kLvtLint0: lvt_lint0_ = v & 0x1a7ff; break;
    case kLvtLint1: lvt_lint1_ = v & 0x1a7ff; break;
    case kLvtError: lvt_error_ = v & 0x100ff; break;
    case kInitialCount:
      initial_count_ = v;
      ArmTimer(now);
      break;
    case kDivideConfig: divide_config_ = v & 0xb; break;
    default: break;  // read-only or unmodelled (ICR: single processor)
  }
  changed_();
}

}  // namespace x64sim
