#include "sim/pic_pair.h"

namespace x64sim {

PicPair::PicPair(std::function<void()> before_access, std::function<void()> changed)
    : changed_(std::move(changed)) {
  master_.set_hooks(before_access, [this] {
    if (changed_) changed_();
  });
  slave_.set_hooks(before_access, [this] { master_.SetInput(kCascadeInput, slave_.Interrupt()); });
}

void PicPair::SetIrq(int irq, bool level) {
  if (irq < 8) {
    master_.SetInput(irq, level);
  } else {
    slave_.SetInput(irq - 8, level);
  }
}

void PicPair::PulseIrq(int irq) {
  if (irq < 8) {
    master_.PulseInput(irq);
  } else {
    slave_.PulseInput(irq - 8);
  }
}

uint8_t PicPair::PeekVector() const {
  const int ir = master_.Selected();
  return master_.Cascaded(ir) ? slave_.Vector(slave_.Selected()) : master_.Vector(ir);
}

uint8_t PicPair::Acknowledge() {
  const int ir = master_.Acknowledge();
  if (!master_.Cascaded(ir)) return master_.Vector(ir);
  return slave_.Vector(slave_.Acknowledge());
}

}  // namespace x64sim
