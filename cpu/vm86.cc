#include "cpu/vm86.h"

namespace x64sim {
namespace {

constexpr uint32_t kVm86Limit = 0xffff;
constexpr uint16_t kVm86Attributes = 0x00f3;

Flow RestoreStackAndFault(Cpu& cpu, uint64_t saved_rsp) {
  cpu.state.gpr[kRsp] = saved_rsp;
  return Flow::kFault;
}

}  // namespace

Segment Vm86Segment(uint16_t selector) {
  return Segment{selector, uint64_t{selector} << 4, kVm86Limit, kVm86Attributes};
}

bool Vm86IoplAllows(Cpu& cpu) {
  if (((cpu.state.rflags & kIOPL) >> 12) == 3) return true;
  cpu.Fault(kGeneralProtection, 0);
  return false;
}

void LoadVm86Segments(Cpu& cpu, const uint16_t selectors[6]) {
  cpu.SetCpl(3);
  for (SegReg r : {kEs, kCs, kSs, kDs, kFs, kGs}) cpu.LoadSegmentCache(r, Vm86Segment(selectors[r]));
}

Flow IretToVm86(Cpu& cpu, uint32_t eip, uint16_t cs, uint32_t eflags, uint64_t saved_rsp) {
  uint64_t esp, ss, es, ds, fs, gs;
  if (!cpu.Pop(&esp, 4) || !cpu.Pop(&ss, 4) || !cpu.Pop(&es, 4) || !cpu.Pop(&ds, 4) ||
      !cpu.Pop(&fs, 4) || !cpu.Pop(&gs, 4)) {
    return RestoreStackAndFault(cpu, saved_rsp);
  }
  if (eip > kVm86Limit) {  // checked before anything changes
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, 0);
  }
  const uint16_t selectors[6] = {static_cast<uint16_t>(es), cs, static_cast<uint16_t>(ss),
                                 static_cast<uint16_t>(ds), static_cast<uint16_t>(fs),
                                 static_cast<uint16_t>(gs)};
  cpu.SetRflags(eflags);  // at CPL 0 every flag, VM and IOPL included
  LoadVm86Segments(cpu, selectors);
  cpu.state.gpr[kRsp] = static_cast<uint32_t>(esp);
  cpu.state.rip = eip;
  if (cpu.event_observer() != nullptr) cpu.event_observer()->OnReturn(3);
  return Flow::kJump;
}

}  // namespace x64sim
