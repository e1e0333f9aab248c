// Far CALL, JMP and RET (SDM vol. 2A CALL, JMP, vol. 2B RET; vol. 3A 5.8):
// to a code segment at the same privilege, or through a call gate; a CALL
// to a more privileged level switches to the stack the TSS gives it (RSPn
// in IA-32e mode, SSn:ESPn with the gate's parameters copied in legacy
// mode), a JMP may not change privilege. RET goes back, to the same or a
// less privileged level with the caller's stack.
// Selectors with TI = 1 name LDT descriptors (segments.cc); a CALL or JMP
// to a TSS or through a task gate switches tasks (task_switch.cc).
#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/descriptors.h"
#include "cpu/segment_access.h"
#include "cpu/segments.h"
#include "cpu/task_switch.h"
#include "cpu/real_address.h"
#include "mmu/paging_bits.h"

namespace x64sim {
namespace {

using paging::IsCanonical;

constexpr int kTypeCallGate16 = 0x4;
constexpr int kTypeCallGate = 0xc;  // 32-bit gate; in IA-32e mode the 64-bit one

bool IsIa32e(const Cpu& cpu) { return cpu.state.efer & kEferLMA; }

// A 64-bit code segment (L = 1, D = 0) as IA-32e call gates require.
bool Is64BitCode(uint64_t d) { return ((d >> 53) & 1) && !((d >> 54) & 1); }

uint64_t Wrap(uint64_t v, int stack_size) {
  return stack_size == 8 ? v : stack_size == 4 ? static_cast<uint32_t>(v) : static_cast<uint16_t>(v);
}

// Whether `n` values of `size` bytes fit below `top` on the stack `ss`: a
// 64-bit stack (base 0, no limit) must keep them at canonical addresses,
// another must hold them all within SS's limit; else #SS with
// `limit_error` (0 on the current stack, the new SS selector on a new one:
// SDM vol. 2A CALL).
bool StackHasRoom(Cpu& cpu, const Segment& ss, uint32_t limit_error, uint64_t top, int stack_size,
                  int size, int n) {
  if (stack_size == 8) {
    const uint64_t bottom = top - static_cast<uint64_t>(n) * size;
    if (IsCanonical(bottom) && IsCanonical(top - 1)) return true;
    cpu.Fault(kStackFault, limit_error);
    return false;
  }
  for (int i = 1; i <= n; ++i) {
    if (!WithinLimit(ss, Wrap(top - static_cast<uint64_t>(i) * size, stack_size), size)) {
      cpu.Fault(kStackFault, limit_error);
      return false;
    }
  }
  return true;
}

// Writes `values` (first pushed first) of `size` bytes each below `top` on
// the stack `ss` at privilege `cpl`, where StackHasRoom said they fit;
// returns the new stack pointer, or false if a write faulted (nothing else
// changed then).
bool PushAll(Cpu& cpu, int cpl, const Segment& ss, uint64_t top, int stack_size, int size,
             const uint64_t* values, int n, uint64_t* new_top) {
  uint64_t sp = top;
  for (int i = 0; i < n; ++i) {
    sp = Wrap(sp - size, stack_size);
    const uint64_t linear = stack_size == 8 ? sp : static_cast<uint32_t>(ss.base + sp);
    bool ok = false;
    switch (size) {
      case 2: ok = cpu.WriteAtPrivilege<uint16_t>(cpl, linear, static_cast<uint16_t>(values[i])); break;
      case 4: ok = cpu.WriteAtPrivilege<uint32_t>(cpl, linear, static_cast<uint32_t>(values[i])); break;
      default: ok = cpu.WriteAtPrivilege<uint64_t>(cpl, linear, values[i]); break;
    }
    if (!ok) return false;
  }
  *new_top = sp;
  return true;
}

int StackSize(const Cpu& cpu) {
  if (cpu.state.mode == CpuMode::kLong64) return 8;
  return cpu.state.seg[kSs].default_big() ? 4 : 2;
}

void SetStackPointer(Cpu& cpu, uint64_t sp, int stack_size) {
  if (stack_size == 2) {
    cpu.SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(sp));
  } else {
    cpu.state.gpr[kRsp] = sp;
  }
}

// Whether a far transfer may land at `offset` in `cs`: canonical in a 64-bit
// code segment, within the limit of another (SDM vol. 2A CALL, JMP; 2B
// RET, IRET); else #GP(0), raised before the transfer changes anything.
bool LandingAllowed(Cpu& cpu, const Segment& cs, uint64_t offset) {
  if (IsIa32e(cpu) && cs.long_mode() ? IsCanonical(offset) : offset <= cs.limit) return true;
  cpu.Fault(kGeneralProtection, 0);
  return false;
}

// Where the transfer lands: the offset in the new code segment, checked
// by LandingAllowed.
Flow Land(Cpu& cpu, const Segment& cs, uint64_t offset) {
  const bool to_64 = IsIa32e(cpu) && cs.long_mode();
  cpu.LoadSegmentCache(kCs, cs);
  cpu.state.rip = to_64 ? offset : static_cast<uint32_t>(offset);
  return Flow::kJump;
}

// A far JMP's landing, directly or through a gate: the offset within `cs`
// (#GP(0)), then CS loaded and marked accessed.
Flow JumpTo(Cpu& cpu, Segment cs, uint64_t offset) {
  if (!LandingAllowed(cpu, cs, offset) || !MarkLoaded(cpu, &cs)) return Flow::kFault;
  return Land(cpu, cs, offset);
}

// A far CALL that stays at the CPL, directly or through a gate (SDM vol. 2A
// CALL): room for CS and the return address on a `stack_size` stack
// (#SS(0)), the offset within `cs` (#GP(0)), the pushes of `size` bytes,
// then CS loaded and marked accessed.
Flow CallSamePrivilege(Cpu& cpu, Segment cs, uint64_t offset, uint64_t return_rip, int stack_size,
                       int size) {
  CpuState& s = cpu.state;
  const uint64_t frame[] = {s.seg[kCs].selector, return_rip};
  uint64_t sp;
  if (!StackHasRoom(cpu, s.seg[kSs], 0, s.gpr[kRsp], stack_size, size, 2) ||
      !LandingAllowed(cpu, cs, offset) ||
      !PushAll(cpu, s.cpl, s.seg[kSs], s.gpr[kRsp], stack_size, size, frame, 2, &sp) ||
      !MarkLoaded(cpu, &cs)) {
    return Flow::kFault;
  }
  SetStackPointer(cpu, sp, stack_size);
  return Land(cpu, cs, offset);
}

// What a call gate leads to (SDM vol. 3A 5.8.4; vol. 2A CALL, JMP
// "CALL-GATE"): the gate's checks, then those of the code segment it names;
// the caller checks the offset against it (LandingAllowed) after its stack.
// A JMP stays at CPL: a non-conforming target needs DPL = CPL.
struct GateTarget {
  Segment cs;  // with RPL = the new CPL
  uint64_t offset = 0;
  int gate_size = 0;  // 2, 4 or 8: what a CALL pushes
  int new_cpl = 0;
};

bool ResolveCallGate(Cpu& cpu, uint16_t gate_selector, uint64_t gate, bool jump, GateTarget* out) {
  CpuState& s = cpu.state;
  const bool ia32e = IsIa32e(cpu);
  const uint32_t gate_error = gate_selector & ~3u;
  if (DescriptorDpl(gate) < s.cpl || DescriptorDpl(gate) < (gate_selector & 3)) {
    cpu.Fault(kGeneralProtection, gate_error);
    return false;
  }
  if (!DescriptorPresent(gate)) {
    cpu.Fault(kSegmentNotPresent, gate_error);
    return false;
  }
  uint64_t offset = (gate & 0xffff) | ((gate >> 32) & 0xffff0000);
  if (ia32e) {
    // The 16-byte gate's upper half: offset 63:32, and a type field of 0.
    uint64_t upper, linear;
    if (!DescriptorLinear(s, gate_selector, 16, &linear)) {
      cpu.Fault(kGeneralProtection, gate_error);
      return false;
    }
    if (!cpu.ReadSupervisor(linear + 8, &upper, 8)) return false;
    if (((upper >> 40) & 0x1f) != 0) {
      cpu.Fault(kGeneralProtection, gate_error);
      return false;
    }
    offset |= (upper & 0xffffffff) << 32;
  }
  out->gate_size = ia32e ? 8 : DescriptorType(gate) == kTypeCallGate ? 4 : 2;
  if (out->gate_size == 2) offset &= 0xffff;
  const uint16_t target = static_cast<uint16_t>(gate >> 16);
  if ((target & ~3u) == 0) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  uint64_t code;
  if (!ReadDescriptor(cpu, target, &code)) return false;
  const uint32_t target_error = target & ~3u;
  const bool conforming = CodeDescriptorConforming(code);
  const bool dpl_ok = jump && !conforming ? DescriptorDpl(code) == s.cpl : DescriptorDpl(code) <= s.cpl;
  if (DescriptorIsSystem(code) || !DescriptorIsCode(code) || !dpl_ok || (ia32e && !Is64BitCode(code))) {
    cpu.Fault(kGeneralProtection, target_error);
    return false;
  }
  if (!DescriptorPresent(code)) {
    cpu.Fault(kSegmentNotPresent, target_error);
    return false;
  }
  out->new_cpl = conforming ? s.cpl : DescriptorDpl(code);
  out->cs = SegmentFromDescriptor(static_cast<uint16_t>((target & ~3u) | out->new_cpl), code);
  out->offset = offset;
  return true;
}

// CALL through a call gate (SDM vol. 3A 5.8.4, 5.8.5).
Flow CallThroughGate(Cpu& cpu, uint16_t gate_selector, uint64_t gate, uint64_t return_rip) {
  CpuState& s = cpu.state;
  const bool ia32e = IsIa32e(cpu);
  GateTarget t;
  if (!ResolveCallGate(cpu, gate_selector, gate, /*jump=*/false, &t)) return Flow::kFault;
  const int gate_size = t.gate_size, new_cpl = t.new_cpl;
  Segment& cs = t.cs;
  const uint64_t offset = t.offset;

  if (new_cpl == s.cpl) {
    // In IA-32e mode the pushes use the whole RSP, from compatibility mode too.
    return CallSamePrivilege(cpu, cs, offset, return_rip, ia32e ? 8 : StackSize(cpu), gate_size);
  }

  // A more privileged level: its own stack, with the caller's SS:RSP, the
  // gate's parameters (legacy gates only) and the return address on it.
  uint64_t frame[4 + 31];
  int n = 0;
  frame[n++] = s.seg[kSs].selector;
  frame[n++] = s.gpr[kRsp];
  Segment new_ss;
  uint64_t top;
  int new_stack_size;
  if (ia32e) {
    const uint32_t at = 4 + 8 * new_cpl;  // RSPn in the 64-bit TSS
    if (at + 7 > s.tr.limit) return cpu.Fault(kInvalidTss, s.tr.selector & ~3u);
    if (!cpu.ReadSupervisor(s.tr.base + at, &top, 8)) return Flow::kFault;
    // SDM vol. 3A 5.8.5.3: SS is a null selector with RPL = the new CPL.
    new_ss = FlatSegment(static_cast<uint16_t>(new_cpl), 0);
    new_stack_size = 8;
  } else {
    InnerStack stack;
    if (!ReadInnerStack(cpu, new_cpl, &stack)) return Flow::kFault;
    new_ss = stack.ss;
    top = stack.esp;
    new_stack_size = new_ss.default_big() ? 4 : 2;
  }
  // SDM vol. 2A CALL: the new stack must hold the whole frame (#SS(new SS)),
  // then the target must lie within its segment (#GP(0)), before anything
  // is read from the old stack or written to the new one.
  const int params = ia32e ? 0 : static_cast<int>((gate >> 32) & 0x1f);
  if (!StackHasRoom(cpu, new_ss, new_ss.selector & ~3u, top, new_stack_size, gate_size, 4 + params) ||
      !LandingAllowed(cpu, cs, offset)) {
    return Flow::kFault;
  }
  if (!ia32e) {
    // The parameters, read from the caller's stack at its privilege, go on
    // the new stack in the same order.
    for (int i = params - 1; i >= 0; --i) {
      uint64_t value = 0;
      const uint64_t at = Wrap(s.gpr[kRsp] + static_cast<uint64_t>(i) * gate_size, StackSize(cpu));
      if (!cpu.ReadBytes(cpu.AccessBase(kSs) + at, &value, gate_size)) {
        return Flow::kFault;
      }
      frame[n++] = value;
    }
  }
  frame[n++] = s.seg[kCs].selector;
  frame[n++] = return_rip;
  uint64_t sp;
  if (!PushAll(cpu, new_cpl, new_ss, top, new_stack_size, gate_size, frame, n, &sp) ||
      !MarkLoaded(cpu, &cs) || !MarkLoaded(cpu, &new_ss)) {
    return Flow::kFault;
  }
  cpu.SetCpl(new_cpl);
  cpu.LoadSegmentCache(kSs, new_ss);
  SetStackPointer(cpu, sp, new_stack_size);
  return Land(cpu, cs, offset);
}

// The descriptor a far CALL or JMP names, with the checks both make first
// (SDM vol. 2A CALL, JMP): a code segment (a non-conforming one also needs
// RPL <= CPL, vol. 3A 5.8.1), a call gate, or, in legacy mode, a task gate
// or an available TSS (a task switch).
enum class FarTarget : uint8_t { kFault, kCode, kCallGate, kTask };

FarTarget ClassifyFarTarget(Cpu& cpu, uint16_t selector, uint64_t* d) {
  if ((selector & ~3u) == 0) {
    cpu.Fault(kGeneralProtection, 0);
    return FarTarget::kFault;
  }
  if (!ReadDescriptor(cpu, selector, d)) return FarTarget::kFault;
  if (DescriptorIsSystem(*d)) {
    const int type = DescriptorType(*d);
    if (type == kTypeCallGate || (!IsIa32e(cpu) && type == kTypeCallGate16)) return FarTarget::kCallGate;
    if (!IsIa32e(cpu) && (type == kTypeTaskGate || type == kTypeTssAvailable || type == kTypeTss16Available)) {
      return FarTarget::kTask;
    }
  } else if (DescriptorIsCode(*d) && (CodeDescriptorConforming(*d) || (selector & 3) <= cpu.state.cpl)) {
    return FarTarget::kCode;
  }
  cpu.Fault(kGeneralProtection, selector & ~3u);
  return FarTarget::kFault;
}

// CALL or JMP to a TSS, or through a task gate (SDM vol. 2A CALL, JMP
// "TASK-GATE", "TASK-STATE-SEGMENT"): the descriptor's DPL must be at least
// CPL and the selector's RPL; a gate must be present and names the TSS.
Flow FarToTask(Cpu& cpu, const DecodedInsn& in, uint16_t selector, uint64_t d, TaskSwitchSource source) {
  if (DescriptorDpl(d) < cpu.state.cpl || DescriptorDpl(d) < (selector & 3)) {
    return cpu.Fault(kGeneralProtection, selector & ~3u);
  }
  const TaskSwitchCause cause = {source, static_cast<uint32_t>(cpu.state.rip + in.length), &in};
  if (DescriptorType(d) != kTypeTaskGate) return SwitchTask(cpu, selector, cause);
  if (!DescriptorPresent(d)) return cpu.Fault(kSegmentNotPresent, selector & ~3u);
  return SwitchTask(cpu, static_cast<uint16_t>(d >> 16), cause);
}

Flow FarCall(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  uint64_t offset;
  uint16_t selector;
  if (!ReadFarPointer(cpu, in, &offset, &selector)) return Flow::kFault;
  if (InRealAddressing(cpu)) return RealAddressFarCall(cpu, in, selector, offset);
  const uint64_t return_rip = s.rip + in.length;
  uint64_t d;
  switch (ClassifyFarTarget(cpu, selector, &d)) {
    case FarTarget::kFault: return Flow::kFault;
    case FarTarget::kCallGate: return CallThroughGate(cpu, selector, d, return_rip);
    case FarTarget::kTask: return FarToTask(cpu, in, selector, d, TaskSwitchSource::kCall);
    case FarTarget::kCode: break;
  }
  Segment cs;
  if (!LoadCodeDescriptor(cpu, selector, s.cpl, &cs)) return Flow::kFault;
  return CallSamePrivilege(cpu, cs, offset, return_rip, StackSize(cpu), in.size);
}

// JMP ptr16:16/32 or m16:16/32/64: to a code segment, or through a call
// gate, at the same privilege (SDM vol. 2A JMP; vol. 3A 5.8.4).
Flow FarJmp(Cpu& cpu, const DecodedInsn& in) {
  uint64_t offset;
  uint16_t selector;
  if (!ReadFarPointer(cpu, in, &offset, &selector)) return Flow::kFault;
  if (InRealAddressing(cpu)) return RealAddressFarJmp(cpu, selector, offset);
  uint64_t d;
  switch (ClassifyFarTarget(cpu, selector, &d)) {
    case FarTarget::kFault: return Flow::kFault;
    case FarTarget::kCallGate: {
      GateTarget t;
      if (!ResolveCallGate(cpu, selector, d, /*jump=*/true, &t)) return Flow::kFault;
      return JumpTo(cpu, t.cs, t.offset);
    }
    case FarTarget::kTask: return FarToTask(cpu, in, selector, d, TaskSwitchSource::kJmp);
    case FarTarget::kCode: break;
  }
  Segment cs;
  if (!LoadCodeDescriptor(cpu, selector, cpu.state.cpl, &cs)) return Flow::kFault;
  return JumpTo(cpu, cs, offset);
}

// RETF [imm16]: pops RIP and CS; to the same privilege, or to a less
// privileged one, popping its RSP and SS too.
Flow FarRet(Cpu& cpu, const DecodedInsn& in) {
  if (InRealAddressing(cpu)) return RealAddressFarRet(cpu, in);
  CpuState& s = cpu.state;
  const uint64_t saved_rsp = s.gpr[kRsp];
  auto fail = [&] {
    s.gpr[kRsp] = saved_rsp;
    return Flow::kFault;
  };
  uint64_t offset, selector;
  if (!cpu.Pop(&offset, in.size) || !cpu.Pop(&selector, in.size)) return fail();
  const int rpl = static_cast<int>(selector & 3);
  if ((selector & ~3u) == 0 || rpl < s.cpl) {
    s.gpr[kRsp] = saved_rsp;
    return cpu.Fault(kGeneralProtection, static_cast<uint32_t>(selector & ~3u));
  }
  Segment cs;
  if (!LoadCodeDescriptor(cpu, static_cast<uint16_t>(selector), rpl, &cs)) return fail();
  const int stack_size = StackSize(cpu);
  if (rpl == s.cpl) {
    if (!LandingAllowed(cpu, cs, offset) || !MarkLoaded(cpu, &cs)) return fail();
    SetStackPointer(cpu, Wrap(s.gpr[kRsp] + in.imm, stack_size), stack_size);
    return Land(cpu, cs, offset);
  }
  // To a less privileged level: its RSP and SS lie above the parameters.
  SetStackPointer(cpu, Wrap(s.gpr[kRsp] + in.imm, stack_size), stack_size);
  uint64_t new_rsp, ss_selector;
  if (!cpu.Pop(&new_rsp, in.size) || !cpu.Pop(&ss_selector, in.size)) return fail();
  const uint16_t ss = static_cast<uint16_t>(ss_selector);
  Segment new_ss;
  const bool to_64 = IsIa32e(cpu) && cs.long_mode();
  if ((ss & ~3u) == 0) {
    // A null SS is allowed only for a 64-bit return below CPL 3.
    if (!to_64 || rpl == 3) {
      s.gpr[kRsp] = saved_rsp;
      return cpu.Fault(kGeneralProtection, 0);
    }
    new_ss = FlatSegment(ss, 0);
  } else {
    uint64_t d;
    if (!ReadDescriptor(cpu, ss, &d)) return fail();
    if ((ss & 3) != rpl || DescriptorIsSystem(d) || !DescriptorIsWritableData(d) || DescriptorDpl(d) != rpl) {
      s.gpr[kRsp] = saved_rsp;
      return cpu.Fault(kGeneralProtection, ss & ~3u);
    }
    if (!DescriptorPresent(d)) {
      s.gpr[kRsp] = saved_rsp;
      return cpu.Fault(kStackFault, ss & ~3u);
    }
    new_ss = SegmentFromDescriptor(ss, d);
  }
  if (!LandingAllowed(cpu, cs, offset) || !MarkLoaded(cpu, &cs) || !MarkLoaded(cpu, &new_ss)) {
    return fail();
  }
  cpu.SetCpl(rpl);
  cpu.LoadSegmentCache(kSs, new_ss);
  const int new_stack_size = IsIa32e(cpu) && to_64 ? 8 : new_ss.default_big() ? 4 : 2;
  SetStackPointer(cpu, Wrap(new_rsp + in.imm, new_stack_size), new_stack_size);
  NullInaccessibleSegments(cpu);
  return Land(cpu, cs, offset);
}

}  // namespace

namespace {

// A far CALL's or JMP's target: a pointer (offset in imm, selector in
// disp) or a memory operand (aux = 1).
bool BindFarTarget(const ZydisInsn& z, DecodedInsn& out) {
  const ZydisDecodedOperand& a = z.ops[0];
  if (a.type == ZYDIS_OPERAND_TYPE_POINTER) {
    out.imm = a.ptr.offset;
    out.disp = a.ptr.segment;
    return true;
  }
  if (!IsMem(a)) return false;
  out.aux = 1;
  out.size = static_cast<uint8_t>(a.size / 8 - 2);  // m16:16, m16:32 or m16:64
  return BindMemory(z, a, out);
}

}  // namespace

bool BindFarCall(const ZydisInsn& z, DecodedInsn& out) {
  out.size = static_cast<uint8_t>(z.insn.operand_width / 8);
  out.handler = FarCall;
  return BindFarTarget(z, out);
}

bool BindFarJmp(const ZydisInsn& z, DecodedInsn& out) {
  out.handler = FarJmp;
  return BindFarTarget(z, out);
}

bool BindFarRet(const ZydisInsn& z, DecodedInsn& out) {
  out.size = static_cast<uint8_t>(z.insn.operand_width / 8);
  out.imm = z.insn.operand_count_visible > 0 && IsImm(z.ops[0]) ? z.ops[0].imm.value.u : 0;
  out.handler = FarRet;
  return true;
}

}  // namespace x64sim
