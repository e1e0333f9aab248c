#include "cpu/segments.h"

#include <cstring>

#include "cpu/descriptors.h"
#include "cpu/real_address.h"

namespace x64sim {

bool ReadDescriptor(Cpu& cpu, uint16_t selector, uint64_t* descriptor, uint8_t vector) {
  uint64_t linear;
  if (!DescriptorLinear(cpu.state, selector, 8, &linear)) {
    cpu.Fault(vector, selector & ~3u);
    return false;
  }
  return cpu.ReadSupervisor(linear, descriptor, 8);
}

bool MarkAccessed(Cpu& cpu, uint16_t selector, uint64_t* descriptor) {
  constexpr uint64_t kAccessed = 1ull << 40;
  if (*descriptor & kAccessed) return true;
  uint64_t linear;
  if (!DescriptorLinear(cpu.state, selector, 8, &linear)) return true;  // read it, so within the table
  const uint8_t type = static_cast<uint8_t>((*descriptor | kAccessed) >> 40);
  if (!cpu.WriteSupervisor(linear + 5, &type, 1)) return false;
  *descriptor |= kAccessed;
  return true;
}

bool MarkLoaded(Cpu& cpu, Segment* s) {
  if ((s->selector & ~3u) == 0 || (s->attributes & 1)) return true;
  uint64_t linear;
  if (!DescriptorLinear(cpu.state, s->selector, 8, &linear)) return true;  // read it, so within the table
  // The table's byte as it is now: the transfer's own pushes may have
  // written it since the descriptor was read.
  uint8_t access;
  if (!cpu.ReadSupervisor(linear + 5, &access, 1)) return false;
  access |= 1;
  if (!cpu.WriteSupervisor(linear + 5, &access, 1)) return false;
  s->attributes |= 1;
  return true;
}

bool LoadDataSegment(Cpu& cpu, SegReg reg, uint16_t selector) {
  if (InRealAddressing(cpu)) {  // no descriptors: base = selector * 16
    cpu.LoadSegmentCache(reg, RealAddressSegment(cpu, reg, selector));
    return true;
  }
  int rpl = selector & 3;
  if ((selector & ~3u) == 0) {
    // A null selector: allowed except for SS outside 64-bit mode (or at CPL 3).
    if (reg == kSs && (cpu.state.mode != CpuMode::kLong64 || cpu.state.cpl == 3 || rpl != cpu.state.cpl)) {
      cpu.Fault(kGeneralProtection, 0);
      return false;
    }
    Segment null_segment;
    null_segment.selector = selector;
    null_segment.attributes = 0;
    null_segment.base = reg == kFs || reg == kGs ? 0 : cpu.state.seg[reg].base;
    cpu.LoadSegmentCache(reg, null_segment);
    return true;
  }
  uint64_t d;
  if (!ReadDescriptor(cpu, selector, &d)) return false;
  int dpl = DescriptorDpl(d);
  if (DescriptorIsSystem(d)) {
    cpu.Fault(kGeneralProtection, selector & ~3u);
    return false;
  }
  if (reg == kSs) {
    // SDM vol. 3A 5.7: SS needs a writable data segment with RPL = DPL = CPL.
    if (!DescriptorIsWritableData(d) || rpl != cpu.state.cpl || dpl != cpu.state.cpl) {
      cpu.Fault(kGeneralProtection, selector & ~3u);
      return false;
    }
    if (!DescriptorPresent(d)) {
      cpu.Fault(kStackFault, selector & ~3u);
      return false;
    }
  } else {
    const bool conforming = DescriptorIsCode(d) && CodeDescriptorConforming(d);
    if (DescriptorIsCode(d) && !CodeDescriptorReadable(d)) {
      cpu.Fault(kGeneralProtection, selector & ~3u);
      return false;
    }
    if (!conforming && (rpl > dpl || cpu.state.cpl > dpl)) {
      cpu.Fault(kGeneralProtection, selector & ~3u);
      return false;
    }
    if (!DescriptorPresent(d)) {
      cpu.Fault(kSegmentNotPresent, selector & ~3u);
      return false;
    }
  }
  if (!MarkAccessed(cpu, selector, &d)) return false;
  cpu.LoadSegmentCache(reg, SegmentFromDescriptor(selector, d));
  return true;
}

bool MoveToSegment(Cpu& cpu, SegReg reg, uint16_t selector) {
  if (!LoadDataSegment(cpu, reg, selector)) return false;
  if (reg == kSs) {
    cpu.state.interrupt_shadow = true;
    cpu.state.debug_shadow = true;
  }
  return true;
}

void NullInaccessibleSegments(Cpu& cpu) {
  for (SegReg r : {kEs, kFs, kGs, kDs}) {
    const Segment& seg = cpu.state.seg[r];
    if ((seg.selector & ~3u) == 0) continue;
    const bool code = seg.attributes & 0x8;
    const bool conforming_code = code && (seg.attributes & 0x4);
    if (!conforming_code && seg.dpl() < cpu.state.cpl) {
      Segment null_segment = seg;
      null_segment.selector = 0;
      null_segment.attributes = 0;
      cpu.LoadSegmentCache(r, null_segment);
    }
  }
}

bool LoadCodeDescriptor(Cpu& cpu, uint16_t selector, int cpl, Segment* out) {
  if ((selector & ~3u) == 0) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  uint64_t d;
  if (!ReadDescriptor(cpu, selector, &d)) return false;
  const bool conforming = CodeDescriptorConforming(d);
  if (!DescriptorIsCode(d) || (conforming ? DescriptorDpl(d) > cpl : DescriptorDpl(d) != cpl)) {
    cpu.Fault(kGeneralProtection, selector & ~3u);
    return false;
  }
  if (!DescriptorPresent(d)) {
    cpu.Fault(kSegmentNotPresent, selector & ~3u);
    return false;
  }
  *out = SegmentFromDescriptor(static_cast<uint16_t>((selector & ~3u) | cpl), d);
  return true;
}

bool ReadFarPointer(Cpu& cpu, const DecodedInsn& in, uint64_t* offset, uint16_t* selector) {
  if (!in.aux) {
    *offset = in.imm;
    *selector = static_cast<uint16_t>(in.disp);
    return true;
  }
  uint8_t buf[10];
  // SDM vol. 3A table 6-7: m16:16 asks 2, m16:32 4 (and m16:64 8).
  if (!cpu.ReadBytes(cpu.Linear(in), buf, in.size + 2, /*alignment=*/in.size)) return false;
  *offset = 0;
  std::memcpy(offset, buf, in.size);
  std::memcpy(selector, buf + in.size, 2);
  return true;
}

bool ReadInnerStack(Cpu& cpu, int cpl, InnerStack* out, uint32_t ext) {
  const Segment& tr = cpu.state.tr;
  // ESPn at 4 + 8n in a 32-bit TSS, SPn at 2 + 4n in a 16-bit one; SSn follows.
  const uint32_t width = IsTss16Type(tr.attributes & 0xf) ? 2 : 4;
  const uint32_t at = width + 2 * width * cpl;
  if (at + width + 1 > tr.limit) {
    cpu.Fault(kInvalidTss, (tr.selector & ~3u) | ext);
    return false;
  }
  uint16_t ss = 0;
  out->esp = 0;
  if (!cpu.ReadSupervisor(tr.base + at, &out->esp, static_cast<int>(width)) ||
      !cpu.ReadSupervisor(tr.base + at + width, &ss, 2)) {
    return false;
  }
  uint64_t linear;
  if ((ss & ~3u) == 0 || (ss & 3) != cpl || !DescriptorLinear(cpu.state, ss, 8, &linear)) {
    cpu.Fault(kInvalidTss, (ss & ~3u) | ext);
    return false;
  }
  uint64_t d;
  if (!cpu.ReadSupervisor(linear, &d, 8)) return false;
  if (DescriptorIsSystem(d) || !DescriptorIsWritableData(d) || DescriptorDpl(d) != cpl) {
    cpu.Fault(kInvalidTss, (ss & ~3u) | ext);
    return false;
  }
  if (!DescriptorPresent(d)) {
    cpu.Fault(kStackFault, (ss & ~3u) | ext);
    return false;
  }
  out->ss = SegmentFromDescriptor(ss, d);
  return true;
}

}  // namespace x64sim
