#include "cpu/real_address.h"

#include "cpu/segment_access.h"

namespace x64sim {
namespace {

// Where a far transfer lands: CS from the selector, EIP the offset.
Flow Land(Cpu& cpu, uint16_t selector, uint64_t offset) {
  cpu.LoadSegmentCache(kCs, RealAddressSegment(cpu, kCs, selector));
  cpu.state.rip = offset;
  return Flow::kJump;
}

bool BeyondLimit(const Cpu& cpu, uint16_t cs_selector, uint64_t offset) {
  return offset > RealAddressSegment(cpu, kCs, cs_selector).limit;
}

Flow RestoreStackAndFault(Cpu& cpu, uint64_t saved_rsp) {
  cpu.state.gpr[kRsp] = saved_rsp;
  return Flow::kFault;
}

// ESP for a 32-bit stack (SS.B = 1, possible in real mode), else SP.
uint32_t StackPointer(const Cpu& cpu) {
  const uint64_t rsp = cpu.state.gpr[kRsp];
  return cpu.state.seg[kSs].default_big() ? static_cast<uint32_t>(rsp) : static_cast<uint16_t>(rsp);
}

}  // namespace

Segment RealAddressSegment(const Cpu& cpu, SegReg reg, uint16_t selector) {
  if (InVm86(cpu)) return Vm86Segment(selector);
  Segment s = cpu.state.seg[reg];
  s.selector = selector;
  s.base = uint64_t{selector} << 4;
  // A cache protected mode left unusable (a null selector) holds no limit
  // worth keeping: it becomes the 64-KiB read/write data segment of reset.
  if (!s.present()) {
    s.limit = 0xffff;
    s.attributes = 0x93;
  }
  return s;
}

// SDM vol. 2B IRET, "REAL-ADDRESS-MODE" (and virtual-8086 mode with IOPL
// = 3): IP, CS and FLAGS, or EIP, CS and EFLAGS with VM, VIP and VIF
// kept; virtual-8086 mode keeps IOPL too.
Flow RealAddressIret(Cpu& cpu, const DecodedInsn& in) {
  const bool vm86 = InVm86(cpu);
  if (vm86 && !Vm86IoplAllows(cpu)) return Flow::kFault;
  const uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t eip, cs, flags;
  if (!cpu.Pop(&eip, in.size) || !cpu.Pop(&cs, in.size) || !cpu.Pop(&flags, in.size)) {
    return RestoreStackAndFault(cpu, saved_rsp);
  }
  if (BeyondLimit(cpu, static_cast<uint16_t>(cs), eip)) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, 0);
  }
  uint64_t writable = vm86 ? kFlagsWritable & ~kIOPL : kFlagsWritable;
  if (in.size == 2) writable &= 0xffff;
  cpu.SetRflags((cpu.state.rflags & ~writable) | (flags & writable));
  return Land(cpu, static_cast<uint16_t>(cs), eip);
}

Flow RealAddressFarJmp(Cpu& cpu, uint16_t selector, uint64_t offset) {
  if (BeyondLimit(cpu, selector, offset)) return cpu.Fault(kGeneralProtection, 0);
  return Land(cpu, selector, offset);
}

// SDM vol. 2A CALL, real-address and virtual-8086 mode: room for the
// return address (#SS(0)), then the target (#GP(0)), then the pushes.
Flow RealAddressFarCall(Cpu& cpu, const DecodedInsn& in, uint16_t selector, uint64_t offset) {
  const Segment& ss = cpu.state.seg[kSs];
  const uint32_t sp = StackPointer(cpu);
  const uint32_t wrap = ss.default_big() ? 0xffffffff : 0xffff;
  for (int i = 1; i <= 2; ++i) {
    if (!WithinLimit(ss, (sp - i * in.size) & wrap, in.size)) return cpu.Fault(kStackFault, 0);
  }
  if (BeyondLimit(cpu, selector, offset)) return cpu.Fault(kGeneralProtection, 0);
  const uint64_t saved_rsp = cpu.state.gpr[kRsp];
  if (!cpu.Push(cpu.state.seg[kCs].selector, in.size) || !cpu.Push(cpu.state.rip + in.length, in.size)) {
    return RestoreStackAndFault(cpu, saved_rsp);
  }
  return Land(cpu, selector, offset);
}

Flow RealAddressFarRet(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t offset, selector;
  if (!cpu.Pop(&offset, in.size) || !cpu.Pop(&selector, in.size)) {
    return RestoreStackAndFault(cpu, saved_rsp);
  }
  if (BeyondLimit(cpu, static_cast<uint16_t>(selector), offset)) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, 0);
  }
  // RET imm16 releases arguments from SP, or ESP on a 32-bit stack.
  if (cpu.state.seg[kSs].default_big()) {
    cpu.state.gpr[kRsp] = static_cast<uint32_t>(cpu.state.gpr[kRsp] + in.imm);
  } else {
    cpu.SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(cpu.state.gpr[kRsp] + in.imm));
  }
  return Land(cpu, static_cast<uint16_t>(selector), offset);
}

}  // namespace x64sim
