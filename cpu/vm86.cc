#include "cpu/vm86.h"

#include "cpu/segment_access.h"

namespace x64sim {
namespace {

constexpr uint32_t kVm86Limit = 0xffff;
constexpr uint16_t kVm86Attributes = 0x00f3;

// Where a far transfer lands: CS from the selector, EIP the offset.
Flow Land(Cpu& cpu, uint16_t selector, uint64_t offset) {
  cpu.LoadSegmentCache(kCs, Vm86Segment(selector));
  cpu.state.rip = offset;
  return Flow::kJump;
}

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

// SDM vol. 2B IRET, virtual-8086 mode with IOPL = 3: EIP, CS and EFLAGS
// as in real mode; VM and IOPL keep their values (and VIP, VIF, which
// x64sim has none of).
Flow Vm86Iret(Cpu& cpu, const DecodedInsn& in) {
  if (!Vm86IoplAllows(cpu)) return Flow::kFault;
  const uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t eip, cs, flags;
  if (!cpu.Pop(&eip, in.size) || !cpu.Pop(&cs, in.size) || !cpu.Pop(&flags, in.size)) {
    return RestoreStackAndFault(cpu, saved_rsp);
  }
  if (eip > kVm86Limit) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, 0);
  }
  uint64_t writable = kFlagsWritable & ~kIOPL;
  if (in.size == 2) writable &= 0xffff;
  cpu.SetRflags((cpu.state.rflags & ~writable) | (flags & writable));
  return Land(cpu, static_cast<uint16_t>(cs), eip);
}

Flow Vm86FarJmp(Cpu& cpu, uint16_t selector, uint64_t offset) {
  if (offset > kVm86Limit) return cpu.Fault(kGeneralProtection, 0);
  return Land(cpu, selector, offset);
}

// SDM vol. 2A CALL, real-address and virtual-8086 mode: room for the
// return address (#SS(0)), then the target (#GP(0)), then the pushes.
Flow Vm86FarCall(Cpu& cpu, const DecodedInsn& in, uint16_t selector, uint64_t offset) {
  const uint16_t sp = cpu.Reg<uint16_t>(kRsp * 8);
  for (int i = 1; i <= 2; ++i) {
    if (!WithinLimit(cpu.state.seg[kSs], static_cast<uint16_t>(sp - i * in.size), in.size)) {
      return cpu.Fault(kStackFault, 0);
    }
  }
  if (offset > kVm86Limit) return cpu.Fault(kGeneralProtection, 0);
  const uint64_t saved_rsp = cpu.state.gpr[kRsp];
  if (!cpu.Push(cpu.state.seg[kCs].selector, in.size) || !cpu.Push(cpu.state.rip + in.length, in.size)) {
    return RestoreStackAndFault(cpu, saved_rsp);
  }
  return Land(cpu, selector, offset);
}

Flow Vm86FarRet(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t offset, selector;
  if (!cpu.Pop(&offset, in.size) || !cpu.Pop(&selector, in.size)) {
    return RestoreStackAndFault(cpu, saved_rsp);
  }
  if (offset > kVm86Limit) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, 0);
  }
  // RET imm16 releases arguments from SP (the stack is a 16-bit one).
  cpu.SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(cpu.state.gpr[kRsp] + in.imm));
  return Land(cpu, static_cast<uint16_t>(selector), offset);
}

}  // namespace x64sim
