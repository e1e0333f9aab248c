#include "cpu/task_switch.h"

#include <cstring>

#include "cpu/control_bits.h"
#include "cpu/descriptors.h"
#include "cpu/segments.h"
#include "cpu/vm86.h"

namespace x64sim {
namespace {

// Where a TSS keeps what a task switch saves and loads: the 32-bit TSS
// (SDM vol. 3A figure 7-2) and the 16-bit one (figure 7-10), whose fields
// are words and which has no CR3, FS, GS, T bit or I/O map.
struct TssLayout {
  uint32_t field;  // bytes from one register's field to the next: 4 or 2
  uint32_t ip, flags, gprs, segments;
  int num_segments;  // ES CS SS DS, then FS GS in a 32-bit TSS
  uint32_t ldt;
  uint32_t min_limit;  // a new task's TSS limit below it is #TS
  // The outgoing task's state ends before the LDT field.
  constexpr uint32_t saved_end() const { return segments + field * num_segments; }
};
constexpr TssLayout kTss32{4, 0x20, 0x24, 0x28, 0x48, 6, 0x60, 0x67};
constexpr TssLayout kTss16{2, 0x0e, 0x10, 0x12, 0x22, 4, 0x2a, 0x2b};
constexpr uint32_t kBackLink = 0x00, kCr3 = 0x1c, kTrapByte = 0x64;  // 32-bit TSS
const TssLayout& LayoutOf(int type) { return IsTss16Type(type) ? kTss16 : kTss32; }

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
// table 7-1 lists (after its registers are loaded, so faults belong to it);
// a virtual-8086 task's segment registers take their selectors unchecked.
bool LoadTaskSegments(Cpu& cpu, uint16_t ldt, const uint16_t sel[6], bool vm86) {
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
  if (vm86) {
    LoadVm86Segments(cpu, sel);
    return true;
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
  const int wanted = iret ? kTypeTssBusy : kTypeTssAvailable;
  if (!DescriptorIsSystem(d) || (type != wanted && type != (wanted & 7))) {  // 32- or 16-bit TSS
    return cpu.Fault(bad_selector_vector, error);
  }
  if (!DescriptorPresent(d)) return cpu.Fault(kSegmentNotPresent, error);
  const TssLayout& to = LayoutOf(type);
  const Segment next = SegmentFromDescriptor(tss_selector, d);
  if (next.limit < to.min_limit) return cpu.Fault(kInvalidTss, error);
  const Segment& current = s.tr;
  const TssLayout& from = LayoutOf(current.attributes & 0xf);
  if (current.limit < from.saved_end() - 1) {
    return cpu.Fault(kInvalidTss, (current.selector & ~3u) | cause.ext);
  }

  uint8_t image[kTss32.min_limit + 1] = {};
  if (!cpu.ReadSupervisor(next.base, image, to.min_limit + 1)) return Flow::kFault;
  // The current task's state, with NT cleared when it is left for good; a
  // 16-bit TSS keeps the low words (SDM vol. 3A 7.6).
  uint32_t eflags = static_cast<uint32_t>(s.rflags);
  if (!nested) eflags &= ~static_cast<uint32_t>(kNT);
  uint8_t saved[kTss32.saved_end() - kTss32.ip] = {};
  auto save = [&](uint32_t at, uint32_t v) { std::memcpy(saved + at - from.ip, &v, from.field); };
  save(from.ip, cause.return_eip);
  save(from.flags, eflags);
  for (int r = 0; r < 8; ++r) save(from.gprs + from.field * r, static_cast<uint32_t>(s.gpr[r]));
  for (int r = 0; r < from.num_segments; ++r) save(from.segments + from.field * r, s.seg[r].selector);
  if (!cpu.WriteSupervisor(current.base + from.ip, saved, from.saved_end() - from.ip)) {
    return Flow::kFault;
  }
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
  // A 16-bit task keeps CR3; IP, FLAGS and the selectors load as
  // zero-extended words, the general registers with their upper words
  // ones, FS and GS null (x64sim does as Bochs does where the SDM says only
  // "modified and not maintained").
  const bool tss16 = &to == &kTss16;
  auto field = [&](uint32_t at) { return tss16 ? Field16(image, at) : Field32(image, at); };
  if (!tss16 && (s.cr0 & kCr0PG) && !cpu.WriteCr3(Field32(image, kCr3))) return Flow::kFault;
  uint64_t new_flags = field(to.flags) | 0x2;
  if (nested) new_flags |= kNT;
  cpu.SetRflags(new_flags);
  s.rip = field(to.ip);
  const uint32_t upper = tss16 ? 0xffff0000u : 0;
  for (int r = 0; r < 8; ++r) s.gpr[r] = upper | field(to.gprs + to.field * r);
  uint16_t selectors[6] = {};
  for (int r = 0; r < to.num_segments; ++r) selectors[r] = Field16(image, to.segments + to.field * r);
  if (!LoadTaskSegments(cpu, Field16(image, to.ldt), selectors, InVm86(cpu))) {
    return Flow::kFault;
  }
  // An exception's error code goes on the new task's stack, a doubleword
  // for a 32-bit TSS and a word for a 16-bit one (SDM vol. 3A 6.12.2).
  if (cause.error_code && !cpu.Push(*cause.error_code, static_cast<int>(to.field))) return Flow::kFault;
  if (!tss16 && (image[kTrapByte] & 1)) {  // T: a debug trap before the new task's first instruction
    s.dr6 |= kDr6Bt;
    return cpu.FaultNoCode(kDebug);
  }
  return Flow::kJump;
}

}  // namespace x64sim
