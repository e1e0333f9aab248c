#include "cpu/task_switch.h"

#include <cstring>

#include "cpu/control_bits.h"
#include "cpu/descriptors.h"
#include "cpu/segments.h"

namespace x64sim {
namespace {

// The 32-bit TSS (SDM vol. 3A figure 7-2).
constexpr uint32_t kBackLink = 0x00, kCr3 = 0x1c, kEip = 0x20, kEflags = 0x24, kGprs = 0x28,
                   kSegments = 0x48, kLdt = 0x60, kTrapByte = 0x64, kMinLimit = 0x67;
constexpr uint32_t kSavedEnd = kSegments + 6 * 4;  // the outgoing task's state ends below 0x60
constexpr int kTssTypeBusyBit = 1 << 1;
constexpr uint64_t kDr6Bt = 1u << 15;  // DR6.BT: the task switch trap

uint32_t Field32(const uint8_t* tss, uint32_t at) {
  uint32_t v;
  std::memcpy(&v, tss + at, 4);
  return v;
}
uint16_t Field16(const uint8_t* tss, uint32_t at) { return static_cast<uint16_t>(Field32(tss, at)); }

// Sets or clears the busy bit of the GDT's TSS descriptor for `selector`.
bool SetBusy(Cpu& cpu, uint16_t selector, bool busy) {
  const uint64_t at = cpu.state.gdtr.base + (selector & ~7u) + 5;  // the type/access byte
  uint8_t access;
  if (!cpu.ReadSupervisor(at, &access, 1)) return false;
  access = static_cast<uint8_t>(busy ? access | kTssTypeBusyBit : access & ~kTssTypeBusyBit);
  return cpu.WriteSupervisor(at, &access, 1);
}

// The descriptor a selector of the new task names, or #TS(selector).
bool TaskDescriptor(Cpu& cpu, uint16_t selector, uint64_t* d) {
  return ReadDescriptor(cpu, selector, d, kInvalidTss);
}

Segment Unusable(uint16_t selector) {
  Segment s;
  s.selector = selector;
  s.base = 0;
  s.attributes = 0;
  return s;
}

// The new task's LDTR, CS, SS, DS, ES, FS, GS, checked as SDM vol. 3A
// table 7-1 lists (after its registers are loaded, so faults belong to it).
bool LoadTaskSegments(Cpu& cpu, uint16_t ldt, const uint16_t sel[6]) {
  CpuState& s = cpu.state;
  // Until checked, each register holds its new selector over the old
  // hidden part (as an exception handler would find them); LDTR is unusable.
  s.ldtr = Unusable(ldt);
  for (SegReg r : {kEs, kCs, kSs, kDs, kFs, kGs}) s.seg[r].selector = sel[r];
  if ((ldt & ~3u) != 0) {
    uint64_t d;
    if (ldt & 4) return cpu.Fault(kInvalidTss, ldt & ~3u), false;
    if (!TaskDescriptor(cpu, ldt, &d)) return false;
    if (!DescriptorIsSystem(d) || DescriptorType(d) != kTypeLdt || !DescriptorPresent(d)) {
      return cpu.Fault(kInvalidTss, ldt & ~3u), false;
    }
    s.ldtr = SegmentFromDescriptor(ldt, d);
  }
  const int cpl = sel[kCs] & 3;
  uint64_t d;
  const uint16_t cs = sel[kCs];
  if ((cs & ~3u) == 0) return cpu.Fault(kInvalidTss, 0), false;
  if (!TaskDescriptor(cpu, cs, &d)) return false;
  const bool conforming = CodeDescriptorConforming(d);
  if (DescriptorIsSystem(d) || !DescriptorIsCode(d) ||
      (conforming ? DescriptorDpl(d) > cpl : DescriptorDpl(d) != cpl)) {
    return cpu.Fault(kInvalidTss, cs & ~3u), false;
  }
  if (!DescriptorPresent(d)) return cpu.Fault(kSegmentNotPresent, cs & ~3u), false;
  if (!MarkAccessed(cpu, cs, &d)) return false;
  cpu.SetCpl(cpl);
  cpu.LoadSegmentCache(kCs, SegmentFromDescriptor(cs, d));
  const uint16_t ss = sel[kSs];
  if ((ss & ~3u) == 0) return cpu.Fault(kInvalidTss, 0), false;
  if (!TaskDescriptor(cpu, ss, &d)) return false;
  if (DescriptorIsSystem(d) || !DescriptorIsWritableData(d) || DescriptorDpl(d) != cpl || (ss & 3) != cpl) {
    return cpu.Fault(kInvalidTss, ss & ~3u), false;
  }
  if (!DescriptorPresent(d)) return cpu.Fault(kStackFault, ss & ~3u), false;
  if (!MarkAccessed(cpu, ss, &d)) return false;
  cpu.LoadSegmentCache(kSs, SegmentFromDescriptor(ss, d));
  for (SegReg r : {kDs, kEs, kFs, kGs}) {
    const uint16_t v = sel[r];
    if ((v & ~3u) == 0) {
      cpu.LoadSegmentCache(r, Unusable(v));
      continue;
    }
    if (!TaskDescriptor(cpu, v, &d)) return false;
    const bool code = DescriptorIsCode(d);
    const bool readable = !code || CodeDescriptorReadable(d);
    const bool privileged = !(code && CodeDescriptorConforming(d)) && (DescriptorDpl(d) < cpl || DescriptorDpl(d) < (v & 3));
    if (DescriptorIsSystem(d) || !readable || privileged) return cpu.Fault(kInvalidTss, v & ~3u), false;
    if (!DescriptorPresent(d)) return cpu.Fault(kSegmentNotPresent, v & ~3u), false;
    if (!MarkAccessed(cpu, v, &d)) return false;
    cpu.LoadSegmentCache(r, SegmentFromDescriptor(v, d));
  }
  return true;
}

// What x64sim does not model (a 16-bit TSS, a virtual-8086 task): #UD,
// counted under the instruction's mnemonic, or for an event under `what`.
Flow Unsupported(Cpu& cpu, const TaskSwitchCause& cause, const char* what) {
  return cause.insn != nullptr ? cpu.Unimplemented(*cause.insn) : cpu.UnimplementedFeature(what);
}

}  // namespace

Flow SwitchTask(Cpu& cpu, uint16_t tss_selector, const TaskSwitchCause& cause) {
  CpuState& s = cpu.state;
  const TaskSwitchSource source = cause.source;
  const bool iret = source == TaskSwitchSource::kIret;
  const bool nested = source == TaskSwitchSource::kCall || source == TaskSwitchSource::kInterrupt;
  // IRET's back link is checked with #TS, any other target with #GP (SDM
  // vol. 2A IRET, CALL, JMP, INT n "TASK-GATE").
  const uint8_t bad_selector_vector = iret ? kInvalidTss : kGeneralProtection;
  const uint32_t error = (tss_selector & ~3u) | cause.ext;
  uint64_t linear, d;
  if ((tss_selector & 4) || !DescriptorLinear(s, tss_selector, 8, &linear)) {
    return cpu.Fault(bad_selector_vector, error);
  }
  if (!cpu.ReadSupervisor(linear, &d, 8)) return Flow::kFault;
  const int type = DescriptorType(d);
  if (DescriptorIsSystem(d) && (type == 0x1 || type == 0x3)) {
    return Unsupported(cpu, cause, "task_switch_tss16");
  }
  if (!DescriptorIsSystem(d) || type != (iret ? kTypeTssBusy : kTypeTssAvailable)) {
    return cpu.Fault(bad_selector_vector, error);
  }
  if (!DescriptorPresent(d)) return cpu.Fault(kSegmentNotPresent, error);
  const Segment next = SegmentFromDescriptor(tss_selector, d);
  if (next.limit < kMinLimit) return cpu.Fault(kInvalidTss, error);
  const Segment& current = s.tr;
  if (current.limit < kSavedEnd - 1) return cpu.Fault(kInvalidTss, (current.selector & ~3u) | cause.ext);

  uint8_t image[kMinLimit + 1];
  if (!cpu.ReadSupervisor(next.base, image, sizeof(image))) return Flow::kFault;
  if (Field32(image, kEflags) & kVM) return Unsupported(cpu, cause, "task_switch_vm86");

  // The current task's state, with NT cleared when it is left for good.
  uint32_t eflags = static_cast<uint32_t>(s.rflags);
  if (!nested) eflags &= ~static_cast<uint32_t>(kNT);
  const uint32_t eip = cause.return_eip;
  uint8_t saved[kSavedEnd - kEip];
  std::memcpy(saved, &eip, 4);
  std::memcpy(saved + 4, &eflags, 4);
  for (int r = 0; r < 8; ++r) {
    const uint32_t v = static_cast<uint32_t>(s.gpr[r]);
    std::memcpy(saved + kGprs - kEip + 4 * r, &v, 4);
  }
  for (int r = 0; r < 6; ++r) {
    const uint32_t v = s.seg[r].selector;
    std::memcpy(saved + kSegments - kEip + 4 * r, &v, 4);
  }
  if (!cpu.WriteSupervisor(current.base + kEip, saved, sizeof(saved))) return Flow::kFault;
  if (!nested && !SetBusy(cpu, current.selector, false)) return Flow::kFault;
  if (nested) {
    const uint16_t link = current.selector;
    if (!cpu.WriteSupervisor(next.base + kBackLink, &link, 2)) return Flow::kFault;
  }
  if (!iret && !SetBusy(cpu, tss_selector, true)) return Flow::kFault;

  // The new task: from here on a fault is its own.
  Segment tr = next;
  tr.attributes |= kTssTypeBusyBit;
  s.tr = tr;
  cpu.WriteCr0(s.cr0 | kCr0TS);
  if ((s.cr0 & kCr0PG) && !cpu.WriteCr3(Field32(image, kCr3))) return Flow::kFault;
  uint64_t new_flags = Field32(image, kEflags) | 0x2;
  if (nested) new_flags |= kNT;
  cpu.SetRflags(new_flags);
  s.rip = Field32(image, kEip);
  for (int r = 0; r < 8; ++r) s.gpr[r] = Field32(image, kGprs + 4 * r);
  uint16_t selectors[6];
  for (int r = 0; r < 6; ++r) selectors[r] = Field16(image, kSegments + 4 * r);
  if (!LoadTaskSegments(cpu, Field16(image, kLdt), selectors)) return Flow::kFault;
  // An exception's error code goes on the new task's stack, pushed as a
  // doubleword for a 32-bit TSS (SDM vol. 3A 6.12.2).
  if (cause.error_code && !cpu.Push(*cause.error_code, 4)) return Flow::kFault;
  if (image[kTrapByte] & 1) {  // T: a debug trap before the new task's first instruction
    s.dr6 |= kDr6Bt;
    return cpu.FaultNoCode(kDebug);
  }
  return Flow::kJump;
}

}  // namespace x64sim
