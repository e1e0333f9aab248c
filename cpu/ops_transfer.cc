// Privilege and mode transfers: IRET, SYSCALL, SYSRET, SYSENTER,
// SYSEXIT, SWAPGS,
// MOV to/from segment registers (far CALL, JMP and RET: ops_far_call.cc).
#include "cpu/descriptors.h"
#include "cpu/operand_forms.h"
#include "cpu/segments.h"
#include "cpu/task_switch.h"
#include "cpu/real_address.h"
#include "cpu/vm86.h"
#include "mmu/paging_bits.h"

namespace x64sim {
namespace {

using paging::IsCanonical;

// IRET (SDM vol. 2 IRET, IA-32e, protected-mode and virtual-8086 paths).
Flow Iret(Cpu& cpu, const DecodedInsn& in) {
  if (InRealAddressing(cpu)) return RealAddressIret(cpu, in);
  const int size = in.size;
  const bool long_mode = cpu.state.efer & kEferLMA;
  uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t rip, cs_sel, flags, rsp = 0, ss_sel = 0;
  auto fail = [&]() {
    cpu.state.gpr[kRsp] = saved_rsp;
    return Flow::kFault;
  };
  // NT = 1: a return to the task in the back link (SDM vol. 2 IRET
  // "TASK-RETURN"); in IA-32e mode #GP(0).
  if (cpu.state.rflags & kNT) {
    if (long_mode) return cpu.Fault(kGeneralProtection, 0);
    uint16_t back_link;
    if (!cpu.ReadSupervisor(cpu.state.tr.base, &back_link, 2)) return Flow::kFault;
    return SwitchTask(cpu, back_link,
                      {TaskSwitchSource::kIret, static_cast<uint32_t>(cpu.state.rip + in.length), &in});
  }
  if (!cpu.Pop(&rip, size) || !cpu.Pop(&cs_sel, size) || !cpu.Pop(&flags, size)) return fail();
  if (!long_mode && size == 4 && cpu.state.cpl == 0 && (flags & kVM)) {
    return IretToVm86(cpu, static_cast<uint32_t>(rip), static_cast<uint16_t>(cs_sel),
                      static_cast<uint32_t>(flags), saved_rsp);
  }
  int new_cpl = cs_sel & 3;
  bool pop_stack = long_mode ? (cpu.state.mode == CpuMode::kLong64 || new_cpl > cpu.state.cpl)
                             : new_cpl > cpu.state.cpl;
  if (pop_stack && (!cpu.Pop(&rsp, size) || !cpu.Pop(&ss_sel, size))) return fail();
  // In IA-32e mode a non-canonical return RIP is #GP(0) before any
  // descriptor is read (SDM vol. 2A IRET, "IA-32e-MODE-RETURN").
  if (long_mode && !IsCanonical(rip)) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, 0);
  }
  if (new_cpl < cpu.state.cpl) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, static_cast<uint32_t>(cs_sel & ~3u));
  }
  Segment cs;
  if (!LoadCodeDescriptor(cpu, static_cast<uint16_t>(cs_sel), new_cpl, &cs)) return fail();
  bool to_64 = long_mode && cs.long_mode();
  Segment ss;
  if (pop_stack) {
    uint16_t sel = static_cast<uint16_t>(ss_sel);
    if ((sel & ~3u) == 0) {
      // A null SS is allowed only for a 64-bit return to CPL < 3, with its
      // RPL the new CPL (SDM vol. 2A IRET, "IA-32e-MODE-RETURN").
      if (!to_64 || new_cpl == 3 || (sel & 3) != new_cpl) {
        cpu.state.gpr[kRsp] = saved_rsp;
        return cpu.Fault(kGeneralProtection, 0);
      }
      ss.selector = sel;
      ss.attributes = 0;
    } else {
      uint64_t d;
      if (!ReadDescriptor(cpu, sel, &d)) return fail();
      if ((sel & 3) != new_cpl || DescriptorDpl(d) != new_cpl || !DescriptorIsWritableData(d)) {
        cpu.state.gpr[kRsp] = saved_rsp;
        return cpu.Fault(kGeneralProtection, sel & ~3u);
      }
      if (!DescriptorPresent(d)) {
        cpu.state.gpr[kRsp] = saved_rsp;
        return cpu.Fault(kStackFault, sel & ~3u);
      }
      ss = SegmentFromDescriptor(sel, d);
    }
  }
  // Outside 64-bit code the return address is checked against CS's limit
  // after the new stack's checks (SDM vol. 2A IRET).
  if (!to_64 && rip > cs.limit) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, 0);
  }
  // CS and SS are loaded, and marked accessed, once every check has passed.
  if (!MarkLoaded(cpu, &cs) || (pop_stack && !MarkLoaded(cpu, &ss))) return fail();
  // Commit: flags by the POPF rules of the *old* CPL.
  uint64_t writable = kFlagsWritable;
  int iopl = (cpu.state.rflags >> 12) & 3;
  if (cpu.state.cpl > 0) writable &= ~kIOPL;
  if (cpu.state.cpl > iopl) writable &= ~kIF;
  if (size == 4) writable &= 0xffffffff;
  if (size == 2) writable &= 0xffff;
  const bool to_outer = new_cpl > cpu.state.cpl;
  cpu.SetCpl(new_cpl);
  cpu.LoadSegmentCache(kCs, cs);
  if (pop_stack) {
    cpu.LoadSegmentCache(kSs, ss);
    cpu.state.gpr[kRsp] = rsp;
  }
  if (to_outer) NullInaccessibleSegments(cpu);
  cpu.SetRflags((cpu.state.rflags & ~writable) | (flags & writable));
  cpu.state.rip = to_64 ? rip : static_cast<uint32_t>(rip);
  if (cpu.event_observer() != nullptr) cpu.event_observer()->OnReturn(new_cpl);
  return Flow::kJump;
}

// SDM vol. 2 SYSCALL: fixed descriptor-cache values, no GDT access.
constexpr uint16_t kSyscallCsAttributes = 0xa09b;  // G L P DPL0 code exec/read accessed
constexpr uint16_t kSyscallSsAttributes = 0xc093;  // G D/B P DPL0 data r/w accessed
constexpr uint16_t kSysretCs64Attributes = 0xa0fb;
constexpr uint16_t kSysretCs32Attributes = 0xc0fb;
constexpr uint16_t kSysretSsAttributes = 0xc0f3;

Flow Syscall(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  if (!(s.efer & kEferSCE) || s.mode != CpuMode::kLong64) return cpu.FaultNoCode(kInvalidOpcode);
  s.gpr[kRcx] = s.rip + in.length;
  s.gpr[kR11] = s.rflags & ~kRF;
  const int from_cpl = s.cpl;
  uint16_t selector = static_cast<uint16_t>(s.star >> 32);
  cpu.SetCpl(0);
  cpu.LoadSegmentCache(kCs, FlatSegment(selector & 0xfffc, kSyscallCsAttributes));
  cpu.LoadSegmentCache(kSs, FlatSegment(static_cast<uint16_t>(selector + 8), kSyscallSsAttributes));
  cpu.SetRflags(s.rflags & ~s.fmask & ~kRF);
  s.rip = s.lstar;
  if (cpu.event_observer() != nullptr) cpu.event_observer()->OnSyscall(from_cpl);
  return Flow::kJump;
}

Flow Sysret(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  if (!(s.efer & kEferSCE) || s.mode != CpuMode::kLong64) return cpu.FaultNoCode(kInvalidOpcode);
  if (s.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  bool to_64 = in.size == 8;
  // Intel raises #GP(0) at CPL 0 for a non-canonical RCX (SDM vol. 2 SYSRET).
  if (to_64 && !IsCanonical(s.gpr[kRcx])) return cpu.Fault(kGeneralProtection, 0);
  uint16_t base = static_cast<uint16_t>(s.star >> 48);
  cpu.SetRflags((s.gpr[kR11] & 0x3c7fd7) | kFlagsFixed1);
  cpu.SetCpl(3);
  if (to_64) {
    cpu.LoadSegmentCache(kCs, FlatSegment(static_cast<uint16_t>((base + 16) | 3), kSysretCs64Attributes));
    s.rip = s.gpr[kRcx];
  } else {
    cpu.LoadSegmentCache(kCs, FlatSegment(static_cast<uint16_t>(base | 3), kSysretCs32Attributes));
    s.rip = static_cast<uint32_t>(s.gpr[kRcx]);
  }
  cpu.LoadSegmentCache(kSs, FlatSegment(static_cast<uint16_t>((base + 8) | 3), kSysretSsAttributes));
  if (cpu.event_observer() != nullptr) cpu.event_observer()->OnReturn(3);
  // Unlike IRETQ and POPF, a SYSRET that restores TF traps at once, at the
  // user RIP (the SDM is silent; Linux's arch/x86/entry/common.c relies on
  // it and avoids SYSRET with TF set). Like INT1's, the trap names the next
  // instruction.
  if (s.rflags & kTF) {
    s.dr6 |= kDr6Bs;
    return cpu.FaultNoCode(kDebug);
  }
  return Flow::kJump;
}

// SYSENTER (SDM vol. 2B): to ring 0 at IA32_SYSENTER_EIP on
// IA32_SYSENTER_ESP, with flat CS and SS from IA32_SYSENTER_CS (64-bit code
// in IA-32e mode); VM, IF and RF cleared. #GP(0) in real mode or with a
// null IA32_SYSENTER_CS.
constexpr uint16_t kSysenterCs32Attributes = 0xc09b;  // G D P DPL0 code
Flow Sysenter(Cpu& cpu, const DecodedInsn&) {
  CpuState& s = cpu.state;
  const uint16_t cs = static_cast<uint16_t>(s.sysenter_cs);
  if (!(s.cr0 & kCr0PE) || (cs & ~3u) == 0) return cpu.Fault(kGeneralProtection, 0);
  const bool ia32e = s.efer & kEferLMA;
  const int from_cpl = s.cpl;
  cpu.SetRflags(s.rflags & ~(kVM | kIF | kRF));
  cpu.SetCpl(0);
  cpu.LoadSegmentCache(kCs, FlatSegment(cs & 0xfffc, ia32e ? kSyscallCsAttributes : kSysenterCs32Attributes));
  cpu.LoadSegmentCache(kSs, FlatSegment(static_cast<uint16_t>((cs & 0xfffc) + 8), kSyscallSsAttributes));
  s.gpr[kRsp] = ia32e ? s.sysenter_esp : static_cast<uint32_t>(s.sysenter_esp);
  s.rip = ia32e ? s.sysenter_eip : static_cast<uint32_t>(s.sysenter_eip);
  if (cpu.event_observer() != nullptr) cpu.event_observer()->OnSyscall(from_cpl);
  return Flow::kJump;
}

// SYSEXIT (SDM vol. 2B): to ring 3 at RDX on RCX, with CS and SS 16 and 24
// (32-bit) or 32 and 40 (REX.W, 64-bit) above IA32_SYSENTER_CS. #GP(0) at
// CPL > 0, in real mode, with a null IA32_SYSENTER_CS, or for a
// non-canonical RDX or RCX on a 64-bit return.
Flow Sysexit(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  const uint16_t base = static_cast<uint16_t>(s.sysenter_cs & 0xfffc);
  if (!(s.cr0 & kCr0PE) || s.cpl != 0 || base == 0) return cpu.Fault(kGeneralProtection, 0);
  const bool to_64 = in.size == 8;
  if (to_64 && (!IsCanonical(s.gpr[kRdx]) || !IsCanonical(s.gpr[kRcx]))) {
    return cpu.Fault(kGeneralProtection, 0);
  }
  cpu.SetCpl(3);
  if (to_64) {
    cpu.LoadSegmentCache(kCs, FlatSegment(static_cast<uint16_t>((base + 32) | 3), kSysretCs64Attributes));
    cpu.LoadSegmentCache(kSs, FlatSegment(static_cast<uint16_t>((base + 40) | 3), kSysretSsAttributes));
    s.gpr[kRsp] = s.gpr[kRcx];
    s.rip = s.gpr[kRdx];
  } else {
    cpu.LoadSegmentCache(kCs, FlatSegment(static_cast<uint16_t>((base + 16) | 3), kSysretCs32Attributes));
    cpu.LoadSegmentCache(kSs, FlatSegment(static_cast<uint16_t>((base + 24) | 3), kSysretSsAttributes));
    s.gpr[kRsp] = static_cast<uint32_t>(s.gpr[kRcx]);
    s.rip = static_cast<uint32_t>(s.gpr[kRdx]);
  }
  if (cpu.event_observer() != nullptr) cpu.event_observer()->OnReturn(3);
  return Flow::kJump;
}

Flow Swapgs(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  if (s.mode != CpuMode::kLong64) return cpu.FaultNoCode(kInvalidOpcode);
  if (s.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  Segment gs = s.seg[kGs];
  std::swap(gs.base, s.kernel_gs_base);
  cpu.LoadSegmentCache(kGs, gs);
  return cpu.Next(in);
}

// MOV Sreg, r/m16 and MOV r/m, Sreg.
template <bool kMem>
Flow MovToSeg(Cpu& cpu, const DecodedInsn& in) {
  uint16_t sel;
  if constexpr (kMem) {
    if (!cpu.Read<uint16_t>(cpu.Linear(in), &sel)) return Flow::kFault;
  } else {
    sel = cpu.Reg<uint16_t>(in.reg2);
  }
  auto reg = static_cast<SegReg>(in.aux);
  if (reg == kCs) return cpu.FaultNoCode(kInvalidOpcode);
  return MoveToSegment(cpu, reg, sel) ? cpu.Leave(in) : Flow::kFault;
}

template <bool kMem>
Flow MovFromSeg(Cpu& cpu, const DecodedInsn& in) {
  uint16_t sel = cpu.state.seg[in.aux].selector;
  if constexpr (kMem) return cpu.Write<uint16_t>(cpu.Linear(in), sel) ? cpu.Next(in) : Flow::kFault;
  // A register destination takes the selector zero-extended to the operand size.
  if (in.size == 2) cpu.SetReg<uint16_t>(in.reg, sel); else cpu.SetReg<uint32_t>(in.reg, sel);
  if (in.size == 8) cpu.state.gpr[in.reg >> 3] = sel;
  return cpu.Next(in);
}

bool BindIret(const ZydisInsn& z, DecodedInsn& out) {
  out.size = z.insn.operand_width / 8;
  out.handler = Iret;
  return true;
}

bool BindSyscallFamily(const ZydisInsn& z, DecodedInsn& out) {
  out.size = z.insn.operand_width / 8;
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_SYSCALL: out.handler = Syscall; return true;
    case ZYDIS_MNEMONIC_SYSRET: out.handler = Sysret; return true;
    case ZYDIS_MNEMONIC_SWAPGS: out.handler = Swapgs; return true;
    case ZYDIS_MNEMONIC_SYSENTER: out.handler = Sysenter; return true;
    case ZYDIS_MNEMONIC_SYSEXIT: out.handler = Sysexit; return true;
    default: return false;
  }
}

}  // namespace

void RegisterTransferOps(BinderTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_IRET, ZYDIS_MNEMONIC_IRETD, ZYDIS_MNEMONIC_IRETQ}) {
    t.Add(m, BindIret, true);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_SYSCALL, ZYDIS_MNEMONIC_SYSRET, ZYDIS_MNEMONIC_SWAPGS,
                          ZYDIS_MNEMONIC_SYSENTER, ZYDIS_MNEMONIC_SYSEXIT}) {
    t.Add(m, BindSyscallFamily, true);
  }
}

bool BindMovSegment(const ZydisInsn& z, DecodedInsn& out) {
  const ZydisDecodedOperand& a = z.ops[0];
  const ZydisDecodedOperand& b = z.ops[1];
  if (IsReg(a) && SegIndex(a.reg.value) >= 0) {
    out.aux = static_cast<uint8_t>(SegIndex(a.reg.value));
    if (IsReg(b)) {
      out.reg2 = static_cast<uint8_t>(GprOffset(b.reg.value));
      out.handler = &MovToSeg<false>;
      return true;
    }
    out.handler = &MovToSeg<true>;
    return BindMemory(z, b, out);
  }
  if (IsReg(b) && SegIndex(b.reg.value) >= 0) {
    out.aux = static_cast<uint8_t>(SegIndex(b.reg.value));
    if (IsReg(a)) {
      out.reg = static_cast<uint8_t>(GprOffset(a.reg.value));
      out.size = static_cast<uint8_t>(a.size / 8);
      out.handler = &MovFromSeg<false>;
      return true;
    }
    out.handler = &MovFromSeg<true>;
    return BindMemory(z, a, out);
  }
  return false;
}

}  // namespace x64sim
