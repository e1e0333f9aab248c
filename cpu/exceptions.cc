// Exception and interrupt delivery through the IDT (SDM vol. 3A ch. 6).
#include "absl/strings/str_format.h"
#include "cpu/cpu.h"
#include "cpu/descriptors.h"
#include "cpu/segment_access.h"
#include "cpu/segments.h"
#include "cpu/task_switch.h"
#include "cpu/real_address.h"
#include "cpu/vm86.h"

namespace x64sim {
namespace {

bool IsContributory(uint8_t v) {
  return v == kDivideError || v == kInvalidTss || v == kSegmentNotPresent ||
         v == kStackFault || v == kGeneralProtection;
}

// SDM vol. 3A table 6-5: which second fault turns into #DF.
bool MakesDoubleFault(uint8_t first, uint8_t second) {
  if (IsContributory(first)) return IsContributory(second);
  if (first == kPageFault) return IsContributory(second) || second == kPageFault;
  return false;
}

// Fault-class exceptions (SDM vol. 3A table 6-1), whose pushed RFLAGS has
// RF set (SDM vol. 3B 17.3.1.1); a #DB fault sets RF itself.
bool IsFault(uint8_t v) {
  return v == kDivideError || v == kBoundRange || v == kInvalidOpcode || v == kDeviceNotAvailable ||
         (v >= kInvalidTss && v <= kPageFault) || v == kFpuError || v == kAlignmentCheck ||
         v == kSimdError;
}

// Vectors that push an error code (SDM vol. 3A table 6-1).
bool HasErrorCode(uint8_t v) {
  return v == kDoubleFault || v == kInvalidTss || v == kSegmentNotPresent ||
         v == kStackFault || v == kGeneralProtection || v == kPageFault ||
         v == kAlignmentCheck;
}

}  // namespace

void Cpu::DeliverPendingException() {
  PendingException current = exception_;
  exception_.pending = false;
  for (int nesting = 0;; ++nesting) {
    if (observer_ != nullptr) observer_->OnEvent(current.vector, state.rip);
    if (debug_hook_ != nullptr) debug_hook_->OnEvent(current.vector, state.rip);
    if (timing_on_) model_->Deliver(TimingEvent::kException, state.cpl);
    bool has_code = current.has_error_code && HasErrorCode(current.vector);
    const uint64_t rf = state.rflags & kRF;
    // SDM vol. 3B 17.3.1.1: faults, and exceptions between two iterations of
    // a REP string instruction, push RF = 1 (delivery clears it for the handler).
    if (IsFault(current.vector) || PausedInRepString()) state.rflags |= kRF;
    pending_dr_hits_ = 0;  // only this attempt's accesses count
    if (DeliverInterrupt(current.vector, has_code, current.error_code, false, state.rip)) {
      state.halted = false;
      last_unimplemented_.clear();  // the guest took it: no longer a cause of what follows
      ReportDeliveryHits();
      return;
    }
    state.rflags = (state.rflags & ~kRF) | rf;
    PendingException next = exception_;
    exception_.pending = false;
    if (current.vector == kDoubleFault || nesting > 4) {
      std::string cause = last_unimplemented_.empty()
                              ? ""
                              : absl::StrFormat(" (last unimplemented instruction: %s)",
                                                last_unimplemented_);
      RequestStop({last_unimplemented_.empty() ? StopReason::kTripleFault
                                               : StopReason::kUnimplemented,
                   0,
                   absl::StrFormat("triple fault: vector %d (error %#x) while delivering #DF "
                                   "%s, cpl %d%s",
                                   next.vector, next.error_code, DescribeInstructionAt(state.rip),
                                   state.cpl, cause)});
      return;
    }
    if (MakesDoubleFault(current.vector, next.vector)) {
      current = {true, kDoubleFault, true, 0};
    } else {
      current = next;
    }
  }
}

// A data breakpoint that an event's delivery hits (a push of its frame, a
// read of its gate or descriptors) is a #DB trap once the delivery is
// complete, before the handler's first instruction, naming it (SDM vol. 3B
// 17.3.1.2: a data breakpoint traps after the access; vol. 3A 6.8.3: a #DB
// pending as INT n or SYSCALL enters the kernel is taken after the
// transfer). Linux refuses breakpoints on its exception stacks because such
// a #DB, delivered on the same IST stack, hits again without end; each
// counts towards the instruction limit like a REP slice, so a run still ends.
void Cpu::ReportDeliveryHits() {
  const uint8_t hits = pending_dr_hits_;
  pending_dr_hits_ = 0;
  if (hits == 0) return;
  state.dr6 |= hits;
  FaultNoCode(kDebug);
  if (run_limit_ > instret_) --run_limit_;
  if (instret_ >= run_limit_) {
    RequestStop({StopReason::kInstructionLimit, 0,
                 absl::StrFormat("instruction limit reached at rip %#x (%s) with a #DB pending for a "
                                 "data breakpoint an event's delivery hit",
                                 state.rip, ModeName())});
  }
}

bool Cpu::DeliverInterrupt(uint8_t vector, bool has_error_code, uint32_t error_code,
                           bool software, uint64_t return_rip) {
  const int from_cpl = state.cpl;
  bool delivered;
  if (state.mode == CpuMode::kReal) {
    delivered = DeliverReal(vector, return_rip);
  } else if (state.mode == CpuMode::kLong64 || state.mode == CpuMode::kCompat32) {
    delivered = DeliverLong(vector, has_error_code, error_code, software, return_rip);
  } else {
    delivered = DeliverProtected(vector, has_error_code, error_code, software, return_rip);
  }
  if (delivered && events_ != nullptr) events_->OnDelivery(from_cpl, vector, software, error_code);
  return delivered;
}

// Real-address mode (SDM vol. 3A 20.1.4, vol. 2A INT n "REAL-ADDRESS-MODE"):
// the vector's 4-byte entry of the interrupt vector table at IDTR.base
// holds IP and CS; FLAGS, CS and IP are pushed as words, never an error
// code; IF, TF and AC are cleared (and RF, which the pushed FLAGS cannot
// hold). An entry beyond IDTR.limit is #GP(0), a frame the stack segment
// cannot hold #SS(0).
bool Cpu::DeliverReal(uint8_t vector, uint64_t return_rip) {
  if (vector * 4u + 3 > state.idtr.limit) {
    Fault(kGeneralProtection, 0);
    return false;
  }
  uint16_t entry[2];
  if (!ReadSupervisor(state.idtr.base + vector * 4u, entry, 4)) return false;
  // Room for the three words first, so a fault writes nothing.
  const Segment& ss = state.seg[kSs];
  const uint32_t wrap = ss.default_big() ? 0xffffffff : 0xffff;
  for (uint32_t i = 1; i <= 3; ++i) {
    if (!WithinLimit(ss, (static_cast<uint32_t>(state.gpr[kRsp]) - 2 * i) & wrap, 2)) {
      Fault(kStackFault, 0);
      return false;
    }
  }
  const uint64_t saved_rsp = state.gpr[kRsp];
  if (!Push(state.rflags, 2) || !Push(state.seg[kCs].selector, 2) || !Push(return_rip, 2)) {
    state.gpr[kRsp] = saved_rsp;
    return false;
  }
  SetRflags(state.rflags & ~(kIF | kTF | kAC | kRF));
  LoadSegmentCache(kCs, RealAddressSegment(*this, kCs, entry[1]));
  state.rip = entry[0];
  return true;
}

// SDM vol. 3A 6.14: 64-bit IDT gates, stack switch through the TSS (RSP0-2
// or IST), 16-byte aligned frame with SS:RSP always pushed.
bool Cpu::DeliverLong(uint8_t vector, bool has_error_code, uint32_t error_code, bool software,
                      uint64_t return_rip) {
  const uint32_t ext = software ? 0 : 1;
  const uint32_t idt_error = vector * 8 + 2 + ext;  // SDM vol. 3A 6.13: IDT bit set
  if (vector * 16u + 15 > state.idtr.limit) {
    Fault(kGeneralProtection, idt_error);
    return false;
  }
  uint64_t gate[2];
  if (!ReadSupervisor(state.idtr.base + vector * 16u, gate, 16)) return false;
  int type = DescriptorType(gate[0]);
  // Only 64-bit interrupt and trap gates: a task gate is #GP (SDM vol. 3A 6.14.1).
  if (type != kTypeInterruptGate && type != kTypeTrapGate) {
    Fault(kGeneralProtection, idt_error);
    return false;
  }
  if (software && DescriptorDpl(gate[0]) < state.cpl) {  // INT n checks the gate's DPL
    Fault(kGeneralProtection, idt_error);
    return false;
  }
  if (!DescriptorPresent(gate[0])) {
    Fault(kSegmentNotPresent, idt_error);
    return false;
  }
  uint16_t cs_selector = static_cast<uint16_t>(gate[0] >> 16);
  uint64_t target = (gate[0] & 0xffff) | ((gate[0] >> 32) & 0xffff0000) | (gate[1] << 32);
  int ist = (gate[0] >> 32) & 7;

  uint64_t cs_desc, cs_linear;
  if ((cs_selector & ~3) == 0 || !DescriptorLinear(state, cs_selector, 8, &cs_linear) ||
      !ReadSupervisor(cs_linear, &cs_desc, 8)) {
    if (!exception_.pending) Fault(kGeneralProtection, (cs_selector & ~3u) + ext);
    return false;
  }
  if (!DescriptorIsCode(cs_desc) || !((cs_desc >> 53) & 1) || DescriptorDpl(cs_desc) > state.cpl) {
    Fault(kGeneralProtection, (cs_selector & ~3u) + ext);
    return false;
  }
  if (!DescriptorPresent(cs_desc)) {
    Fault(kSegmentNotPresent, (cs_selector & ~3u) + ext);
    return false;
  }
  // A conforming handler runs at the current privilege (SDM vol. 2A INT n:
  // an intra-privilege interrupt).
  int new_cpl = CodeDescriptorConforming(cs_desc) ? state.cpl : DescriptorDpl(cs_desc);
  uint64_t old_rsp = state.gpr[kRsp];
  uint16_t old_ss = state.seg[kSs].selector;
  uint64_t rsp = old_rsp;
  bool stack_switch = new_cpl < state.cpl;
  if (ist != 0 || stack_switch) {
    uint64_t offset = ist != 0 ? 0x24 + 8 * (ist - 1) : 4 + 8 * new_cpl;
    if (offset + 7 > state.tr.limit) {
      Fault(kInvalidTss, (state.tr.selector & ~3u) + ext);
      return false;
    }
    if (!ReadSupervisor(state.tr.base + offset, &rsp, 8)) return false;
  }
  rsp &= ~0xfull;
  uint64_t frame[6];
  int n = 0;
  if (has_error_code) frame[n++] = error_code;
  frame[n++] = return_rip;
  frame[n++] = state.seg[kCs].selector;
  frame[n++] = state.rflags;
  frame[n++] = old_rsp;
  frame[n++] = old_ss;
  rsp -= 8 * n;
  // Pushed at the new privilege before any register changes, so a fault
  // here leaves the registers untouched; SS first, as hardware pushes, so
  // CR2 names the first slot that could not be written.
  for (int i = n - 1; i >= 0; --i) {
    if (!WriteAtPrivilege(new_cpl, rsp + 8 * i, frame[i])) return false;
  }

  Segment cs = SegmentFromDescriptor(static_cast<uint16_t>((cs_selector & ~3u) | new_cpl), cs_desc);
  if (!MarkLoaded(*this, &cs)) return false;  // CS is marked accessed as it is loaded
  if (stack_switch) {
    // SDM vol. 3A 6.14.2: SS is loaded with a null selector whose RPL is the new CPL.
    LoadSegmentCache(kSs, FlatSegment(static_cast<uint16_t>(new_cpl), 0));
  }
  state.gpr[kRsp] = rsp;
  SetCpl(new_cpl);
  LoadSegmentCache(kCs, cs);
  uint64_t flags = state.rflags & ~(kTF | kNT | kRF | kVM);
  if (type == kTypeInterruptGate) flags &= ~kIF;
  SetRflags(flags);
  state.rip = target;
  return true;
}

// 32-bit protected mode (SDM vol. 3A 6.12.1): 32-bit and 16-bit interrupt
// and trap gates, to the same privilege or, for a less privileged
// interrupted context, on the stack the TSS gives the handler's level;
// task gates (6.12.2) to a handler task. A 16-bit gate's target is an IP
// and its frame is of words: EIP, EFLAGS and ESP lose their upper halves.
bool Cpu::DeliverProtected(uint8_t vector, bool has_error_code, uint32_t error_code,
                           bool software, uint64_t return_rip) {
  const uint32_t ext = software ? 0 : 1;
  const uint32_t idt_error = vector * 8 + 2 + ext;
  if (vector * 8u + 7 > state.idtr.limit) {
    Fault(kGeneralProtection, idt_error);
    return false;
  }
  uint64_t gate;
  if (!ReadSupervisor(state.idtr.base + vector * 8u, &gate, 8)) return false;
  int type = DescriptorType(gate);
  if (type != kTypeInterruptGate && type != kTypeTrapGate && type != kTypeTaskGate &&
      type != kTypeInterruptGate16 && type != kTypeTrapGate16) {
    Fault(kGeneralProtection, idt_error);
    return false;
  }
  if (software && DescriptorDpl(gate) < state.cpl) {  // INT n checks the gate's DPL
    Fault(kGeneralProtection, idt_error);
    return false;
  }
  if (!DescriptorPresent(gate)) {
    Fault(kSegmentNotPresent, idt_error);
    return false;
  }
  if (type == kTypeTaskGate) {
    // SDM vol. 3A 6.12.2: a task gate switches to the task its TSS selector
    // names, nested as by CALL, the error code pushed on the new task's
    // stack. Once TR names the new task the event is delivered: a fault
    // from then on (a bad segment of the task, its T bit) is the new task's
    // own, delivered next.
    const uint16_t from = state.tr.selector;
    SwitchTask(*this, static_cast<uint16_t>(gate >> 16),
               {TaskSwitchSource::kInterrupt, static_cast<uint32_t>(return_rip), nullptr, ext,
                has_error_code ? std::optional<uint32_t>(error_code) : std::nullopt});
    return state.tr.selector != from;
  }
  const bool gate16 = type == kTypeInterruptGate16 || type == kTypeTrapGate16;
  const int slot_size = gate16 ? 2 : 4;
  uint16_t cs_selector = static_cast<uint16_t>(gate >> 16);
  uint32_t target = static_cast<uint32_t>((gate & 0xffff) | (gate16 ? 0 : (gate >> 32) & 0xffff0000));
  uint64_t cs_desc, cs_linear;
  if ((cs_selector & ~3) == 0 || !DescriptorLinear(state, cs_selector, 8, &cs_linear) ||
      !ReadSupervisor(cs_linear, &cs_desc, 8)) {
    if (!exception_.pending) Fault(kGeneralProtection, (cs_selector & ~3u) + ext);
    return false;
  }
  if (!DescriptorIsCode(cs_desc) || DescriptorDpl(cs_desc) > state.cpl) {
    Fault(kGeneralProtection, (cs_selector & ~3u) + ext);
    return false;
  }
  if (!DescriptorPresent(cs_desc)) {
    Fault(kSegmentNotPresent, (cs_selector & ~3u) + ext);
    return false;
  }
  // From virtual-8086 mode only to a ring-0, non-conforming handler (SDM
  // vol. 2A INT n "INTERRUPT-FROM-VIRTUAL-8086-MODE").
  const bool from_vm86 = InVm86(*this);
  if (from_vm86 && (CodeDescriptorConforming(cs_desc) || DescriptorDpl(cs_desc) != 0)) {
    Fault(kGeneralProtection, (cs_selector & ~3u) + ext);
    return false;
  }
  const int new_cpl = CodeDescriptorConforming(cs_desc) ? state.cpl : DescriptorDpl(cs_desc);
  // A handler more privileged than the interrupted code gets its own stack,
  // with the interrupted SS:ESP at the top of the frame, and above them,
  // from virtual-8086 mode, ES, DS, FS and GS.
  Segment ss = state.seg[kSs];
  uint32_t esp = static_cast<uint32_t>(state.gpr[kRsp]);
  uint32_t frame[10];
  int n = 0;
  if (has_error_code) frame[n++] = error_code;
  frame[n++] = static_cast<uint32_t>(return_rip);
  frame[n++] = state.seg[kCs].selector;
  frame[n++] = static_cast<uint32_t>(state.rflags);
  if (new_cpl < state.cpl) {
    InnerStack inner;
    if (!ReadInnerStack(*this, new_cpl, &inner, ext)) return false;
    frame[n++] = esp;
    frame[n++] = state.seg[kSs].selector;
    if (from_vm86) {
      for (SegReg r : {kEs, kDs, kFs, kGs}) frame[n++] = state.seg[r].selector;
    }
    ss = inner.ss;
    esp = inner.esp;
  }
  esp -= slot_size * n;
  if (!ss.default_big()) esp &= 0xffff;  // a 16-bit stack wraps in SP
  // The frame must fit the stack segment: #SS(0) on the interrupted stack,
  // #SS(new SS) on a new one (SDM vol. 2A INT n, "stack fault").
  if (!WithinLimit(ss, esp, slot_size * n)) {
    Fault(kStackFault, (new_cpl < state.cpl ? ss.selector & ~3u : 0) + ext);
    return false;
  }
  // The target must lie within the new code segment (SDM vol. 2A INT n).
  Segment new_cs = SegmentFromDescriptor(static_cast<uint16_t>((cs_selector & ~3u) | new_cpl), cs_desc);
  if (target > new_cs.limit) {
    Fault(kGeneralProtection, ext);
    return false;
  }
  for (int i = n - 1; i >= 0; --i) {
    const uint32_t slot = static_cast<uint32_t>(ss.base + esp + slot_size * i);
    const bool written = gate16 ? WriteAtPrivilege(new_cpl, slot, static_cast<uint16_t>(frame[i]))
                                : WriteAtPrivilege(new_cpl, slot, frame[i]);
    if (!written) return false;
  }
  // CS, and a new SS, are marked accessed as they are loaded.
  if (!MarkLoaded(*this, &new_cs) || (new_cpl != state.cpl && !MarkLoaded(*this, &ss))) return false;
  if (new_cpl != state.cpl) {
    SetCpl(new_cpl);
    LoadSegmentCache(kSs, ss);
  }
  if (ss.default_big()) {
    state.gpr[kRsp] = esp;
  } else {
    SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(esp));
  }
  LoadSegmentCache(kCs, new_cs);
  if (from_vm86) {  // real-mode selectors mean nothing to the handler: null
    for (SegReg r : {kEs, kDs, kFs, kGs}) LoadSegmentCache(r, Segment{0, 0, 0, 0});
  }
  uint64_t flags = state.rflags & ~(kTF | kNT | kRF | kVM);
  if (type == kTypeInterruptGate || type == kTypeInterruptGate16) flags &= ~kIF;
  SetRflags(flags);
  state.rip = target;
  return true;
}

}  // namespace x64sim

namespace x64sim {

Flow Cpu::SoftwareInterrupt(uint8_t vector, uint64_t return_rip) {
  if (observer_ != nullptr) observer_->OnEvent(vector, state.rip);
  return DeliverInterrupt(vector, false, 0, true, return_rip) ? Flow::kJump : Flow::kFault;
}

}  // namespace x64sim
