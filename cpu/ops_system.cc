// System instructions: flag control, HLT, port I/O, descriptor-table
// registers, control registers, MSRs, TSC, CPUID, TLB and cache control,
// FS/GS base access.
#include "cpu/cpuid.h"
#include "cpu/descriptors.h"
#include "cpu/io_permission.h"
#include "cpu/operand_forms.h"
#include "cpu/segment_access.h"
#include "cpu/segments.h"
#include "cpu/real_address.h"
#include "mmu/paging_bits.h"

namespace x64sim {
namespace {

using paging::IsCanonical;
int Iopl(const Cpu& cpu) { return (cpu.state.rflags >> 12) & 3; }

// ---- RFLAGS control ---------------------------------------------------------

template <uint64_t kBit, bool kSet>
Flow SetFlag(Cpu& cpu, const DecodedInsn& in) {
  if (kSet) cpu.state.rflags |= kBit; else cpu.state.rflags &= ~kBit;
  return cpu.Next(in);
}
Flow Cmc(Cpu& cpu, const DecodedInsn& in) {
  cpu.state.rflags ^= kCF;
  return cpu.Next(in);
}
// CLI/STI need CPL <= IOPL (SDM vol. 2 CLI, STI; no VME/PVI here).
Flow Cli(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl > Iopl(cpu)) return cpu.Fault(kGeneralProtection, 0);
  cpu.state.rflags &= ~kIF;
  return cpu.Next(in);
}
Flow Sti(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl > Iopl(cpu)) return cpu.Fault(kGeneralProtection, 0);
  if (!(cpu.state.rflags & kIF)) cpu.state.interrupt_shadow = true;  // one-instruction shadow
  cpu.state.rflags |= kIF;
  cpu.RecheckInterrupts();
  return cpu.Leave(in);
}
// STAC/CLAC: #UD at CPL > 0 (SDM vol. 2 STAC).
template <bool kSet>
Flow SetAc(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl > 0) return cpu.FaultNoCode(kInvalidOpcode);
  cpu.SetRflags(kSet ? cpu.state.rflags | kAC : cpu.state.rflags & ~kAC);
  return cpu.Next(in);
}

Flow Hlt(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  cpu.state.halted = true;
  cpu.state.halt_kind = HaltKind::kHlt;
  return cpu.Leave(in);
}

// ---- MONITOR/MWAIT (SDM vol. 2B; CPUID leaf 5) ----------------------------------
//
// Both are CPL 0 only (#UD), and ECX carries no extension MONITOR knows nor
// one but bit 0 for MWAIT (#GP(0)). MONITOR arms the line at seg:rAX
// (cpu/monitor.cc); the hints in EDX and MWAIT's EAX are accepted and
// ignored. MWAIT with no armed line goes on at once; otherwise it halts as
// HLT does until an interrupt (one IF masks too with ECX[0] = 1, which wakes
// the core without being delivered) or a store to the line.
Flow Monitor(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.FaultNoCode(kInvalidOpcode);
  if (static_cast<uint32_t>(cpu.state.gpr[kRcx]) != 0) return cpu.Fault(kGeneralProtection, 0);
  uint64_t offset = cpu.state.gpr[kRax];
  if (in.size == 4) offset = static_cast<uint32_t>(offset);
  if (in.size == 2) offset = static_cast<uint16_t>(offset);
  if (!cpu.ArmMonitor(cpu.AccessBase(static_cast<SegReg>(in.seg)) + offset)) return Flow::kFault;
  return cpu.Next(in);
}

Flow Mwait(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.FaultNoCode(kInvalidOpcode);
  const uint32_t extensions = static_cast<uint32_t>(cpu.state.gpr[kRcx]);
  if (extensions > 1) return cpu.Fault(kGeneralProtection, 0);
  if (!cpu.state.monitor_armed) return cpu.Leave(in);
  cpu.state.halted = true;
  cpu.state.halt_kind = extensions ? HaltKind::kMwaitWakeMasked : HaltKind::kMwait;
  return cpu.Leave(in);
}

// MONITOR's segment: DS unless a prefix overrides it.
bool BindMonitor(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.mnemonic == ZYDIS_MNEMONIC_MWAIT) {
    out.handler = Mwait;
    return true;
  }
  constexpr struct {
    ZydisInstructionAttributes prefix;
    SegReg seg;
  } kOverrides[] = {{ZYDIS_ATTRIB_HAS_SEGMENT_ES, kEs}, {ZYDIS_ATTRIB_HAS_SEGMENT_CS, kCs},
                    {ZYDIS_ATTRIB_HAS_SEGMENT_SS, kSs}, {ZYDIS_ATTRIB_HAS_SEGMENT_FS, kFs},
                    {ZYDIS_ATTRIB_HAS_SEGMENT_GS, kGs}};
  out.seg = kDs;
  for (const auto& o : kOverrides) {
    if (z.insn.attributes & o.prefix) out.seg = o.seg;
  }
  out.size = static_cast<uint8_t>(z.insn.address_width / 8);
  out.handler = Monitor;
  return true;
}

// ---- Port I/O (SDM vol. 1 18.5: at CPL > IOPL the TSS's I/O bitmap decides) --

Flow In(Cpu& cpu, const DecodedInsn& in) {
  uint16_t port = in.aux ? static_cast<uint16_t>(in.imm) : cpu.Reg<uint16_t>(kRdx * 8);
  if (!IoPermitted(cpu, port, in.size)) return Flow::kFault;
  uint32_t v = cpu.io().In(port, in.size);
  cpu.NoteIoAccess(port, in.size);
  if (in.size == 1) cpu.SetReg<uint8_t>(0, static_cast<uint8_t>(v));
  else if (in.size == 2) cpu.SetReg<uint16_t>(0, static_cast<uint16_t>(v));
  else cpu.SetReg<uint32_t>(0, v);
  return cpu.NextAfterPortIo(in);
}

Flow Out(Cpu& cpu, const DecodedInsn& in) {
  uint16_t port = in.aux ? static_cast<uint16_t>(in.imm) : cpu.Reg<uint16_t>(kRdx * 8);
  if (!IoPermitted(cpu, port, in.size)) return Flow::kFault;
  uint32_t v = static_cast<uint32_t>(cpu.state.gpr[kRax]);
  if (in.size == 1) v &= 0xff;
  if (in.size == 2) v &= 0xffff;
  cpu.io().Out(port, in.size, v);
  cpu.NoteIoAccess(port, in.size);
  return cpu.NextAfterPortIo(in);
}

bool BindInOut(const ZydisInsn& z, DecodedInsn& out) {
  bool is_in = z.insn.mnemonic == ZYDIS_MNEMONIC_IN;
  const ZydisDecodedOperand& data = is_in ? z.ops[0] : z.ops[1];
  const ZydisDecodedOperand& port = is_in ? z.ops[1] : z.ops[0];
  out.size = static_cast<uint8_t>(data.size / 8);
  if (IsImm(port)) {
    out.aux = 1;
    out.imm = port.imm.value.u & 0xff;
  }
  out.handler = is_in ? In : Out;
  return true;
}

// ---- Descriptor-table registers ------------------------------------------------

template <bool kIdt>
Flow LoadTable(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  uint8_t buf[10] = {};
  int base_size = cpu.state.mode == CpuMode::kLong64 ? 8 : 4;
  if (!cpu.ReadBytes(cpu.Linear(in), buf, 2 + base_size)) return Flow::kFault;
  TableRegister t;
  std::memcpy(&t.limit, buf, 2);
  t.base = 0;
  std::memcpy(&t.base, buf + 2, base_size);
  if (in.size == 2) t.base &= 0xffffff;  // 16-bit operand size: 24-bit base
  if (base_size == 8 && !IsCanonical(t.base)) return cpu.Fault(kGeneralProtection, 0);
  (kIdt ? cpu.state.idtr : cpu.state.gdtr) = t;
  return cpu.Next(in);
}

// The limit and the base are two stores, each alignment-checked by its own
// size, as the host CPU does (tests/cpu:alignment_differential_test): at
// CPL 3 with alignment checking, linear + 2 must be aligned to the base's
// size. Both pages are proved writable first, and the base goes first
// (its alignment implies the limit's), so a fault writes nothing.
template <bool kIdt>
Flow StoreTable(Cpu& cpu, const DecodedInsn& in) {
  const TableRegister& t = kIdt ? cpu.state.idtr : cpu.state.gdtr;
  const int base_size = cpu.state.mode == CpuMode::kLong64 ? 8 : 4;
  const uint64_t linear = cpu.Linear(in);
  const bool ok = cpu.ProbeWrite(linear, 2 + base_size) &&
                  cpu.WriteBytes(linear + 2, &t.base, base_size) &&
                  cpu.WriteBytes(linear, &t.limit, 2);
  return ok ? cpu.Next(in) : Flow::kFault;
}

// The descriptor LLDT or LTR names: in the GDT (TI = 1 is #GP(selector)),
// 16 bytes in IA-32e mode, whose upper half has a type field of 0.
bool ReadSystemDescriptor(Cpu& cpu, uint16_t sel, uint64_t d[2]) {
  const int bytes = cpu.state.efer & kEferLMA ? 16 : 8;
  uint64_t linear;
  if ((sel & 4) || !DescriptorLinear(cpu.state, sel, bytes, &linear)) {
    cpu.Fault(kGeneralProtection, sel & ~3u);
    return false;
  }
  if (!cpu.ReadSupervisor(linear, d, bytes)) return false;
  if (bytes == 16 && ((d[1] >> 40) & 0x1f) != 0) {
    cpu.Fault(kGeneralProtection, sel & ~3u);
    return false;
  }
  return true;
}

// LTR: loads TR from an available TSS descriptor and marks it busy.
Flow Ltr(Cpu& cpu, const DecodedInsn& in) {
  if (InRealAddressing(cpu)) return cpu.FaultNoCode(kInvalidOpcode);  // nor in virtual-8086 mode
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  uint16_t sel;
  if (in.aux) {
    if (!cpu.Read<uint16_t>(cpu.Linear(in), &sel)) return Flow::kFault;
  } else {
    sel = cpu.Reg<uint16_t>(in.reg);
  }
  if ((sel & ~3u) == 0) return cpu.Fault(kGeneralProtection, 0);
  uint64_t d[2] = {0, 0};
  if (!ReadSystemDescriptor(cpu, sel, d)) return Flow::kFault;
  const bool long_mode = cpu.state.efer & kEferLMA;
  // A 16-bit TSS only outside IA-32e mode, where its type is reserved.
  const int type = DescriptorType(d[0]);
  if (!DescriptorIsSystem(d[0]) ||
      (type != kTypeTssAvailable && (long_mode || type != kTypeTss16Available))) {
    return cpu.Fault(kGeneralProtection, sel & ~3u);
  }
  if (!DescriptorPresent(d[0])) return cpu.Fault(kSegmentNotPresent, sel & ~3u);
  Segment tr = SegmentFromDescriptor(sel, d[0]);
  if (long_mode) tr.base |= (d[1] & 0xffffffff) << 32;
  if (!IsCanonical(tr.base)) return cpu.Fault(kGeneralProtection, sel & ~3u);
  uint64_t busy = d[0] | (2ull << 40);
  if (!cpu.WriteSupervisor(cpu.state.gdtr.base + (sel & ~7u), &busy, 8)) return Flow::kFault;
  tr.attributes |= 2;  // busy
  cpu.state.tr = tr;
  return cpu.Next(in);
}

Flow Lldt(Cpu& cpu, const DecodedInsn& in) {
  if (InRealAddressing(cpu)) return cpu.FaultNoCode(kInvalidOpcode);
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  uint16_t sel;
  if (in.aux) {
    if (!cpu.Read<uint16_t>(cpu.Linear(in), &sel)) return Flow::kFault;
  } else {
    sel = cpu.Reg<uint16_t>(in.reg);
  }
  if ((sel & ~3u) == 0) {
    cpu.state.ldtr = Segment{};
    cpu.state.ldtr.selector = sel;
    cpu.state.ldtr.attributes = 0;
    return cpu.Next(in);
  }
  uint64_t d[2] = {0, 0};
  if (!ReadSystemDescriptor(cpu, sel, d)) return Flow::kFault;
  const bool long_mode = cpu.state.efer & kEferLMA;
  if (!DescriptorIsSystem(d[0]) || DescriptorType(d[0]) != kTypeLdt) {
    return cpu.Fault(kGeneralProtection, sel & ~3u);
  }
  if (!DescriptorPresent(d[0])) return cpu.Fault(kSegmentNotPresent, sel & ~3u);
  Segment ldt = SegmentFromDescriptor(sel, d[0]);
  if (long_mode) ldt.base |= (d[1] & 0xffffffff) << 32;
  if (!IsCanonical(ldt.base)) return cpu.Fault(kGeneralProtection, sel & ~3u);
  cpu.state.ldtr = ldt;
  return cpu.Next(in);
}

// STR/SLDT: store a selector.
template <bool kTr>
Flow StoreSelector(Cpu& cpu, const DecodedInsn& in) {
  if (InRealAddressing(cpu)) return cpu.FaultNoCode(kInvalidOpcode);
  uint16_t sel = kTr ? cpu.state.tr.selector : cpu.state.ldtr.selector;
  if (in.aux) return cpu.Write<uint16_t>(cpu.Linear(in), sel) ? cpu.Next(in) : Flow::kFault;
  cpu.state.gpr[in.reg >> 3] = sel;
  return cpu.Next(in);
}

// Binds the single r/m operand of LGDT-family instructions (aux = 1 for memory).
bool BindRmOperand(const ZydisInsn& z, DecodedInsn& out, Handler h) {
  out.handler = h;
  out.size = z.insn.operand_width / 8;
  const ZydisDecodedOperand& a = z.ops[0];
  if (IsReg(a)) {
    out.reg = static_cast<uint8_t>(GprOffset(a.reg.value));
    return true;
  }
  out.aux = 1;
  return BindMemory(z, a, out);
}

bool BindTables(const ZydisInsn& z, DecodedInsn& out) {
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_LGDT: return BindRmOperand(z, out, &LoadTable<false>);
    case ZYDIS_MNEMONIC_LIDT: return BindRmOperand(z, out, &LoadTable<true>);
    case ZYDIS_MNEMONIC_SGDT: return BindRmOperand(z, out, &StoreTable<false>);
    case ZYDIS_MNEMONIC_SIDT: return BindRmOperand(z, out, &StoreTable<true>);
    case ZYDIS_MNEMONIC_LTR: return BindRmOperand(z, out, Ltr);
    case ZYDIS_MNEMONIC_LLDT: return BindRmOperand(z, out, Lldt);
    case ZYDIS_MNEMONIC_STR: return BindRmOperand(z, out, &StoreSelector<true>);
    case ZYDIS_MNEMONIC_SLDT: return BindRmOperand(z, out, &StoreSelector<false>);
    default: return false;
  }
}

// ---- Control registers (SDM vol. 2 MOV—Move to/from Control Registers) -------

Flow MovToCr(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  uint64_t v = cpu.state.gpr[in.reg2 >> 3];
  if (cpu.state.mode != CpuMode::kLong64) v = static_cast<uint32_t>(v);
  switch (in.aux) {
    case 0: return cpu.WriteCr0(v) ? cpu.Leave(in) : Flow::kFault;
    case 2: cpu.state.cr2 = v; return cpu.Next(in);
    case 3: return cpu.WriteCr3(v) ? cpu.Leave(in) : Flow::kFault;
    case 4: return cpu.WriteCr4(v) ? cpu.Leave(in) : Flow::kFault;
    case 8:
      if (v >> 4) return cpu.Fault(kGeneralProtection, 0);
      cpu.state.cr8 = v;
      return cpu.Leave(in);
    default: return cpu.FaultNoCode(kInvalidOpcode);
  }
}

Flow MovFromCr(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  uint64_t v;
  switch (in.aux) {
    case 0: v = cpu.state.cr0; break;
    case 2: v = cpu.state.cr2; break;
    case 3: v = cpu.state.cr3; break;
    case 4: v = cpu.state.cr4; break;
    case 8: v = cpu.state.cr8; break;
    default: return cpu.FaultNoCode(kInvalidOpcode);
  }
  if (cpu.state.mode != CpuMode::kLong64) v = static_cast<uint32_t>(v);
  cpu.state.gpr[in.reg >> 3] = v;
  return cpu.Next(in);
}

// ---- MSRs (SDM vol. 4) -----------------------------------------------------------

constexpr uint32_t kMsrTsc = 0x10;
constexpr uint32_t kMsrApicBase = 0x1b;
constexpr uint32_t kMsrPat = 0x277;
constexpr uint32_t kMsrFixedCtr0 = 0x309;
constexpr uint32_t kMsrFixedCtr1 = 0x30a;
constexpr uint32_t kMsrSysenterCs = 0x174;
constexpr uint32_t kMsrSysenterEsp = 0x175;
constexpr uint32_t kMsrSysenterEip = 0x176;
constexpr uint32_t kMsrFixedCtrCtrl = 0x38d;
constexpr uint32_t kMsrPerfGlobalStatus = 0x38e;
constexpr uint32_t kMsrPerfGlobalCtrl = 0x38f;
constexpr uint32_t kMsrPerfGlobalOvfCtrl = 0x390;
// IA32_XSS: the supervisor state components XSAVES/XRSTORS manage. x64sim
// has none (a Skylake client's is PT, bit 8, not modelled), so it reads 0
// and only 0 may be written.
constexpr uint32_t kMsrXss = 0xda0;
constexpr uint32_t kMsrEfer = 0xc0000080;
constexpr uint32_t kMsrStar = 0xc0000081;
constexpr uint32_t kMsrLstar = 0xc0000082;
constexpr uint32_t kMsrCstar = 0xc0000083;
constexpr uint32_t kMsrFmask = 0xc0000084;
constexpr uint32_t kMsrFsBase = 0xc0000100;
constexpr uint32_t kMsrGsBase = 0xc0000101;
constexpr uint32_t kMsrKernelGsBase = 0xc0000102;
constexpr uint32_t kMsrTscAux = 0xc0000103;

// An MSR of a feature the model lacks does not exist there: RDMSR and WRMSR #GP.
bool ModelHasMsr(const CpuModel& model, uint32_t msr) {
  switch (msr) {
    case kMsrXss: return model.Has(Feature::kXsaves);
    case kMsrTscAux: return model.Has(Feature::kRdtscp) || model.Has(Feature::kRdpid);
    default: return true;
  }
}

Flow Rdmsr(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  if (!ModelHasMsr(cpu.cpu_model(), static_cast<uint32_t>(cpu.state.gpr[kRcx]))) {
    return cpu.Fault(kGeneralProtection, 0);
  }
  CpuState& s = cpu.state;
  uint64_t v;
  switch (static_cast<uint32_t>(s.gpr[kRcx])) {
    case kMsrTsc: cpu.SyncTiming(); v = cpu.cycles() + s.tsc_offset; break;
    case kMsrApicBase: v = s.apic_base; break;
    case kMsrPat: v = s.pat; break;
    case kMsrFixedCtr0: v = cpu.ReadFixedCounter0(); break;
    case kMsrFixedCtr1: cpu.SyncTiming(); v = cpu.ReadFixedCounter1(); break;
    case kMsrFixedCtrCtrl: v = s.fixed_ctr_ctrl; break;
    case kMsrPerfGlobalStatus: v = 0; break;  // no overflow is ever reported
    case kMsrPerfGlobalCtrl: v = s.perf_global_ctrl; break;
    case kMsrXss: v = 0; break;
    case kMsrEfer: v = s.efer; break;
    case kMsrStar: v = s.star; break;
    case kMsrLstar: v = s.lstar; break;
    case kMsrCstar: v = s.cstar; break;
    case kMsrFmask: v = s.fmask; break;
    case kMsrFsBase: v = s.seg[kFs].base; break;
    case kMsrGsBase: v = s.seg[kGs].base; break;
    case kMsrKernelGsBase: v = s.kernel_gs_base; break;
    case kMsrTscAux: v = s.tsc_aux; break;
    case kMsrSysenterCs: v = s.sysenter_cs; break;
    case kMsrSysenterEsp: v = s.sysenter_esp; break;
    case kMsrSysenterEip: v = s.sysenter_eip; break;
    default: return cpu.Fault(kGeneralProtection, 0);  // unknown MSRs fault
  }
  s.gpr[kRax] = static_cast<uint32_t>(v);
  s.gpr[kRdx] = v >> 32;
  return cpu.Next(in);
}

// PAT entries must be memory types 0, 1, 4, 5, 6 or 7 (SDM vol. 3A 11.12.2).
bool ValidPat(uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    uint8_t t = (v >> (8 * i)) & 0xff;
    if (t == 2 || t == 3 || t > 7) return false;
  }
  return true;
}

Flow Wrmsr(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  if (!ModelHasMsr(cpu.cpu_model(), static_cast<uint32_t>(cpu.state.gpr[kRcx]))) {
    return cpu.Fault(kGeneralProtection, 0);
  }
  CpuState& s = cpu.state;
  uint64_t v = (s.gpr[kRdx] << 32) | static_cast<uint32_t>(s.gpr[kRax]);
  auto set_base = [&](SegReg r) {
    Segment seg = s.seg[r];
    seg.base = v;
    cpu.LoadSegmentCache(r, seg);
  };
  switch (static_cast<uint32_t>(s.gpr[kRcx])) {
    case kMsrTsc: s.tsc_offset = v - cpu.cycles(); break;
    case kMsrApicBase:
      if (v & 0xfffffff0000006ffull) return cpu.Fault(kGeneralProtection, 0);
      s.apic_base = v;
      break;
    case kMsrPat:
      if (!ValidPat(v)) return cpu.Fault(kGeneralProtection, 0);
      s.pat = v;
      break;
    case kMsrFixedCtr0:
      if (v >> 48) return cpu.Fault(kGeneralProtection, 0);
      cpu.FoldFixedCounter();
      s.fixed_ctr0 = v;
      break;
    case kMsrFixedCtr1:
      if (v >> 48) return cpu.Fault(kGeneralProtection, 0);
      cpu.FoldFixedCounter();
      s.fixed_ctr1 = v;
      break;
    case kMsrFixedCtrCtrl:
      if (v & ~0xfffull) return cpu.Fault(kGeneralProtection, 0);  // three fixed-counter fields
      cpu.FoldFixedCounter();
      s.fixed_ctr_ctrl = v;
      break;
    case kMsrPerfGlobalCtrl:
      if (v & ~(3ull << 32)) return cpu.Fault(kGeneralProtection, 0);  // fixed counters 0 and 1 exist
      cpu.FoldFixedCounter();
      s.perf_global_ctrl = v;
      break;
    case kMsrPerfGlobalOvfCtrl: break;  // nothing overflows to clear
    case kMsrXss:
      if (v != 0) return cpu.Fault(kGeneralProtection, 0);
      break;
    case kMsrEfer: return cpu.WriteEfer(v) ? cpu.Leave(in) : Flow::kFault;
    case kMsrStar: s.star = v; break;
    case kMsrLstar:
    case kMsrCstar:
      if (!IsCanonical(v)) return cpu.Fault(kGeneralProtection, 0);
      (static_cast<uint32_t>(s.gpr[kRcx]) == kMsrLstar ? s.lstar : s.cstar) = v;
      break;
    case kMsrFmask: s.fmask = static_cast<uint32_t>(v); break;
    case kMsrFsBase:
    case kMsrGsBase:
    case kMsrKernelGsBase:
      if (!IsCanonical(v)) return cpu.Fault(kGeneralProtection, 0);
      if (static_cast<uint32_t>(s.gpr[kRcx]) == kMsrFsBase) set_base(kFs);
      else if (static_cast<uint32_t>(s.gpr[kRcx]) == kMsrGsBase) set_base(kGs);
      else s.kernel_gs_base = v;
      break;
    case kMsrTscAux:
      if (v >> 32) return cpu.Fault(kGeneralProtection, 0);
      s.tsc_aux = v;
      break;
    case kMsrSysenterCs: s.sysenter_cs = static_cast<uint32_t>(v); break;
    case kMsrSysenterEsp:
    case kMsrSysenterEip:
      if (!IsCanonical(v)) return cpu.Fault(kGeneralProtection, 0);
      (static_cast<uint32_t>(s.gpr[kRcx]) == kMsrSysenterEsp ? s.sysenter_esp : s.sysenter_eip) = v;
      break;
    default: return cpu.Fault(kGeneralProtection, 0);
  }
  return cpu.Leave(in);
}

// RDTSC/RDTSCP: simulated cycles; CR4.TSD restricts them to CPL 0.
template <bool kAux>
Flow Rdtsc(Cpu& cpu, const DecodedInsn& in) {
  if ((cpu.state.cr4 & kCr4TSD) && cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  cpu.SyncTiming();
  uint64_t tsc = cpu.cycles() + cpu.state.tsc_offset;
  cpu.state.gpr[kRax] = static_cast<uint32_t>(tsc);
  cpu.state.gpr[kRdx] = tsc >> 32;
  if (kAux) cpu.state.gpr[kRcx] = static_cast<uint32_t>(cpu.state.tsc_aux);
  return cpu.Next(in);
}

// RDPID r (SDM vol. 2B): IA32_TSC_AUX at any CPL, without the TSC; 64 bits
// in 64-bit mode, else 32.
Flow Rdpid(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.mode == CpuMode::kLong64) {
    cpu.SetReg<uint64_t>(in.reg, cpu.state.tsc_aux);
  } else {
    cpu.SetReg<uint32_t>(in.reg, static_cast<uint32_t>(cpu.state.tsc_aux));
  }
  return cpu.Next(in);
}

bool BindRdpid(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 1 || z.ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER) return false;
  const int reg = GprOffset(z.ops[0].reg.value);
  if (reg < 0) return false;
  out.reg = static_cast<uint8_t>(reg);
  out.handler = Rdpid;
  return true;
}

// RDPMC (SDM vol. 2): ECX bit 30 selects the fixed counters; fixed counters
// 0 and 1 exist. CPL > 0 needs CR4.PCE.
Flow Rdpmc(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0 && !(cpu.state.cr4 & kCr4PCE)) return cpu.Fault(kGeneralProtection, 0);
  // ECX bit 30 selects the fixed counters: 0 instructions, 1 unhalted cycles.
  const uint32_t counter = static_cast<uint32_t>(cpu.state.gpr[kRcx]);
  if (counter != 0x40000000 && counter != 0x40000001) return cpu.Fault(kGeneralProtection, 0);
  cpu.SyncTiming();
  uint64_t v = counter == 0x40000000 ? cpu.ReadFixedCounter0() : cpu.ReadFixedCounter1();
  cpu.state.gpr[kRax] = static_cast<uint32_t>(v);
  cpu.state.gpr[kRdx] = v >> 32;
  return cpu.Next(in);
}

Flow CpuidInsn(Cpu& cpu, const DecodedInsn& in) {
  const uint32_t leaf = static_cast<uint32_t>(cpu.state.gpr[kRax]);
  CpuidResult r = Cpuid(leaf, static_cast<uint32_t>(cpu.state.gpr[kRcx]), cpu.cpu_model(), cpu.mmu().arch());
  // Leaf 1 ECX bit 27 (OSXSAVE) reflects CR4.OSXSAVE (SDM vol. 2A table 3-10).
  if (leaf == 1 && (cpu.state.cr4 & kCr4OSXSAVE)) r.ecx |= 1u << 27;
  // Leaf 0xD EBX: the XSAVE area XCR0's components need, in the standard
  // format (sub-leaf 0) and the compacted one (sub-leaf 1; IA32_XSS is
  // always 0).
  const bool xsave = cpu.cpu_model().Has(Feature::kXsave);
  if (xsave && leaf == 0xd && static_cast<uint32_t>(cpu.state.gpr[kRcx]) == 0) {
    r.ebx = XsaveAreaSize(cpu.state.xcr0);
  }
  if (xsave && leaf == 0xd && static_cast<uint32_t>(cpu.state.gpr[kRcx]) == 1) {
    r.ebx = CompactedSize(cpu.state.xcr0);
  }
  cpu.state.gpr[kRax] = r.eax;
  cpu.state.gpr[kRbx] = r.ebx;
  cpu.state.gpr[kRcx] = r.ecx;
  cpu.state.gpr[kRdx] = r.edx;
  return cpu.Next(in);
}

// ---- TLB and caches ----------------------------------------------------------------

Flow Invlpg(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  cpu.Invlpg(cpu.UncheckedLinear(in));  // no segment checks (SDM vol. 2A INVLPG)
  return cpu.Leave(in);
}

// INVPCID (SDM vol. 2): descriptor {PCID in bits 11:0, linear address}.
Flow Invpcid(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  uint64_t desc[2];
  if (!cpu.ReadBytes(cpu.Linear(in), desc, 16)) return Flow::kFault;
  uint64_t type = cpu.state.gpr[in.reg >> 3];
  if (type > 3 || (desc[0] >> 12)) return cpu.Fault(kGeneralProtection, 0);
  uint16_t pcid = desc[0] & 0xfff;
  if (type == 0 && !IsCanonical(desc[1])) return cpu.Fault(kGeneralProtection, 0);
  if (type <= 1 && pcid != 0 && !(cpu.state.cr4 & kCr4PCIDE)) return cpu.Fault(kGeneralProtection, 0);
  cpu.Invpcid(static_cast<int>(type), pcid, desc[1]);
  return cpu.Leave(in);
}

Flow PrivilegedNop(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  return cpu.Next(in);
}

Flow Nop(Cpu& cpu, const DecodedInsn& in) { return cpu.Next(in); }

// CLFLUSH checks that the line is readable: it faults like a byte read,
// except that it may name an execute-only code segment (SDM vol. 2A
// CLFLUSH), whose limit alone then applies.
Flow Clflush(Cpu& cpu, const DecodedInsn& in) {
  uint64_t linear = cpu.Linear(in);
  if (IsSegmented(linear) && SegmentOf(linear) == kCs) {
    const Segment& cs = cpu.state.seg[kCs];
    if (!WithinLimit(cs, OffsetOf(linear), 1)) return cpu.Fault(kGeneralProtection, 0);
    linear = static_cast<uint32_t>(cs.base + OffsetOf(linear));
  }
  uint8_t byte;
  return cpu.Read<uint8_t>(linear, &byte) ? cpu.Next(in) : Flow::kFault;
}

Flow Clts(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  cpu.state.cr0 &= ~kCr0TS;
  return cpu.Next(in);
}

// ---- RD/WR FS/GS BASE (need CR4.FSGSBASE and 64-bit mode) --------------------------

template <SegReg kSeg, bool kWrite>
Flow FsGsBase(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.mode != CpuMode::kLong64 || !(cpu.state.cr4 & kCr4FSGSBASE)) {
    return cpu.FaultNoCode(kInvalidOpcode);
  }
  if constexpr (kWrite) {
    uint64_t v = in.size == 8 ? cpu.state.gpr[in.reg >> 3] : static_cast<uint32_t>(cpu.state.gpr[in.reg >> 3]);
    if (!IsCanonical(v)) return cpu.Fault(kGeneralProtection, 0);
    Segment s = cpu.state.seg[kSeg];
    s.base = v;
    cpu.LoadSegmentCache(kSeg, s);
  } else {
    uint64_t v = cpu.state.seg[kSeg].base;
    if (in.size == 8) cpu.state.gpr[in.reg >> 3] = v; else cpu.SetReg<uint32_t>(in.reg, static_cast<uint32_t>(v));
  }
  return cpu.Next(in);
}

bool BindNoOperands(const ZydisInsn& z, DecodedInsn& out) {
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_CLC: out.handler = &SetFlag<kCF, false>; return true;
    case ZYDIS_MNEMONIC_STC: out.handler = &SetFlag<kCF, true>; return true;
    case ZYDIS_MNEMONIC_CMC: out.handler = Cmc; return true;
    case ZYDIS_MNEMONIC_CLD: out.handler = &SetFlag<kDF, false>; return true;
    case ZYDIS_MNEMONIC_STD: out.handler = &SetFlag<kDF, true>; return true;
    case ZYDIS_MNEMONIC_CLI: out.handler = Cli; return true;
    case ZYDIS_MNEMONIC_STI: out.handler = Sti; return true;
    case ZYDIS_MNEMONIC_STAC: out.handler = &SetAc<true>; return true;
    case ZYDIS_MNEMONIC_CLAC: out.handler = &SetAc<false>; return true;
    case ZYDIS_MNEMONIC_HLT: out.handler = Hlt; return true;
    case ZYDIS_MNEMONIC_RDMSR: out.handler = Rdmsr; return true;
    case ZYDIS_MNEMONIC_WRMSR: out.handler = Wrmsr; return true;
    case ZYDIS_MNEMONIC_RDTSC: out.handler = &Rdtsc<false>; return true;
    case ZYDIS_MNEMONIC_RDTSCP: out.handler = &Rdtsc<true>; return true;
    case ZYDIS_MNEMONIC_CPUID: out.handler = CpuidInsn; return true;
    case ZYDIS_MNEMONIC_RDPMC: out.handler = Rdpmc; return true;
    case ZYDIS_MNEMONIC_WBINVD:
    case ZYDIS_MNEMONIC_INVD: out.handler = PrivilegedNop; return true;
    case ZYDIS_MNEMONIC_MFENCE:
    case ZYDIS_MNEMONIC_LFENCE:
    case ZYDIS_MNEMONIC_SFENCE: out.handler = Nop; return true;
    case ZYDIS_MNEMONIC_CLTS: out.handler = Clts; return true;
    default: return false;
  }
}

bool BindMemOnly(const ZydisInsn& z, DecodedInsn& out) {
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_INVLPG: out.handler = Invlpg; break;
    case ZYDIS_MNEMONIC_CLFLUSH:
    case ZYDIS_MNEMONIC_CLFLUSHOPT: out.handler = Clflush; break;
    default: return false;
  }
  return BindMemory(z, z.ops[0], out);
}

bool BindInvpcid(const ZydisInsn& z, DecodedInsn& out) {
  out.reg = static_cast<uint8_t>(GprOffset(z.ops[0].reg.value));
  out.handler = Invpcid;
  return BindMemory(z, z.ops[1], out);
}

bool BindFsGsBase(const ZydisInsn& z, DecodedInsn& out) {
  out.reg = static_cast<uint8_t>(GprOffset(z.ops[0].reg.value));
  out.size = static_cast<uint8_t>(z.ops[0].size / 8);
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_RDFSBASE: out.handler = &FsGsBase<kFs, false>; return true;
    case ZYDIS_MNEMONIC_RDGSBASE: out.handler = &FsGsBase<kGs, false>; return true;
    case ZYDIS_MNEMONIC_WRFSBASE: out.handler = &FsGsBase<kFs, true>; return true;
    case ZYDIS_MNEMONIC_WRGSBASE: out.handler = &FsGsBase<kGs, true>; return true;
    default: return false;
  }
}

}  // namespace

void RegisterSystemOps(BinderTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_CLC, ZYDIS_MNEMONIC_STC, ZYDIS_MNEMONIC_CMC,
                          ZYDIS_MNEMONIC_CLD, ZYDIS_MNEMONIC_STD, ZYDIS_MNEMONIC_CLI,
                          ZYDIS_MNEMONIC_MFENCE, ZYDIS_MNEMONIC_LFENCE, ZYDIS_MNEMONIC_SFENCE,
                          ZYDIS_MNEMONIC_CPUID, ZYDIS_MNEMONIC_RDTSC, ZYDIS_MNEMONIC_RDTSCP,
                          ZYDIS_MNEMONIC_RDMSR, ZYDIS_MNEMONIC_RDPMC}) {
    t.Add(m, BindNoOperands);
  }
  t.Add(ZYDIS_MNEMONIC_RDPID, BindRdpid);
  // These change state that later instructions of a block may depend on.
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_STI, ZYDIS_MNEMONIC_STAC, ZYDIS_MNEMONIC_CLAC,
                          ZYDIS_MNEMONIC_HLT, ZYDIS_MNEMONIC_WRMSR, ZYDIS_MNEMONIC_WBINVD,
                          ZYDIS_MNEMONIC_INVD, ZYDIS_MNEMONIC_CLTS}) {
    t.Add(m, BindNoOperands, true);
  }
  t.Add(ZYDIS_MNEMONIC_MONITOR, BindMonitor);
  t.Add(ZYDIS_MNEMONIC_MWAIT, BindMonitor, true);
  // Port I/O changes nothing a block depends on; the block ends there only
  // when the device asks the run loop to look (Cpu::NextAfterPortIo).
  t.Add(ZYDIS_MNEMONIC_IN, BindInOut);
  t.Add(ZYDIS_MNEMONIC_OUT, BindInOut);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_LGDT, ZYDIS_MNEMONIC_LIDT, ZYDIS_MNEMONIC_SGDT,
                          ZYDIS_MNEMONIC_SIDT, ZYDIS_MNEMONIC_LTR, ZYDIS_MNEMONIC_LLDT,
                          ZYDIS_MNEMONIC_STR, ZYDIS_MNEMONIC_SLDT}) {
    t.Add(m, BindTables, true);
  }
  t.Add(ZYDIS_MNEMONIC_INVLPG, BindMemOnly, true);
  t.Add(ZYDIS_MNEMONIC_CLFLUSH, BindMemOnly);
  t.Add(ZYDIS_MNEMONIC_CLFLUSHOPT, BindMemOnly);
  t.Add(ZYDIS_MNEMONIC_INVPCID, BindInvpcid, true);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_RDFSBASE, ZYDIS_MNEMONIC_RDGSBASE,
                          ZYDIS_MNEMONIC_WRFSBASE, ZYDIS_MNEMONIC_WRGSBASE}) {
    t.Add(m, BindFsGsBase);
  }
}

// MOV CRn shares its mnemonic with MOV: ops_data.cc forwards it here.
static int CrIndex(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_CR0 && r <= ZYDIS_REGISTER_CR15) return r - ZYDIS_REGISTER_CR0;
  return -1;
}

namespace {

// ---- MOV to/from DR0-DR7 (SDM vol. 2B MOV—Move to/from Debug Registers) ----
//
// CPL 0 only. With DR7.GD set, any MOV DR is a #DB fault instead, with
// DR6.BD set and GD cleared for the handler (SDM vol. 3B 17.2.4, 17.3.1.2).
// DR4/DR5 alias DR6/DR7 unless CR4.DE, which makes them #UD.
// In 64-bit mode a write of DR6 or DR7 with bits 63:32 set is #GP(0).
// The registers hold what is written (fixed bits forced); writes of DR0-DR3
// and DR7 re-arm the breakpoints (cpu/breakpoints.cc).

Flow GeneralDetect(Cpu& cpu) {
  cpu.state.dr6 |= kDr6Bd;
  cpu.state.dr7 &= ~kDr7Gd;
  // A fault-class #DB: RF is 1 in the pushed RFLAGS (SDM vol. 3B 17.3.1.1).
  cpu.state.rflags |= kRF;
  return cpu.FaultNoCode(kDebug);
}

// The debug register an access to DRn reaches, or -1 for #UD.
int DebugRegister(const Cpu& cpu, int n) {
  if (n == 4 || n == 5) return (cpu.state.cr4 & kCr4DE) ? -1 : n + 2;
  return n;
}

Flow MovToDr(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  if (cpu.state.dr7 & kDr7Gd) return GeneralDetect(cpu);
  const int n = DebugRegister(cpu, in.aux);
  if (n < 0) return cpu.FaultNoCode(kInvalidOpcode);
  uint64_t v = cpu.state.gpr[in.reg2 / 8];
  if (cpu.state.mode != CpuMode::kLong64) v = static_cast<uint32_t>(v);
  if (n < 4) {
    cpu.state.dr[n] = v;
  } else {
    if (v >> 32) return cpu.Fault(kGeneralProtection, 0);
    if (n == 6) cpu.state.dr6 = v | kDr6Fixed;
    if (n == 7) cpu.state.dr7 = (v & ~0xd800ull) | kDr7Fixed;  // bits 11, 12, 14, 15 read as 0
  }
  if (n != 6) cpu.UpdateBreakpoints();
  return cpu.Leave(in);
}

Flow MovFromDr(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  if (cpu.state.dr7 & kDr7Gd) return GeneralDetect(cpu);
  const int n = DebugRegister(cpu, in.aux);
  if (n < 0) return cpu.FaultNoCode(kInvalidOpcode);
  const uint64_t v = n < 4 ? cpu.state.dr[n] : n == 6 ? cpu.state.dr6 : cpu.state.dr7;
  if (cpu.state.mode == CpuMode::kLong64) {
    cpu.state.gpr[in.reg / 8] = v;
  } else {
    cpu.SetReg<uint32_t>(in.reg, static_cast<uint32_t>(v));
  }
  return cpu.Next(in);
}

int DrIndex(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_DR0 && r <= ZYDIS_REGISTER_DR7) return r - ZYDIS_REGISTER_DR0;
  return -1;
}

bool BindMovDebug(const ZydisInsn& z, DecodedInsn& out) {
  if (const int to = DrIndex(z.ops[0].reg.value); to >= 0) {
    out.aux = static_cast<uint8_t>(to);
    out.reg2 = static_cast<uint8_t>(GprOffset(z.ops[1].reg.value));
    out.handler = MovToDr;
    return true;
  }
  const int from = DrIndex(z.ops[1].reg.value);
  if (from < 0) return false;
  out.aux = static_cast<uint8_t>(from);
  out.reg = static_cast<uint8_t>(GprOffset(z.ops[0].reg.value));
  out.handler = MovFromDr;
  return true;
}

}  // namespace

bool BindMovControl(const ZydisInsn& z, DecodedInsn& out) {
  if (DrIndex(z.ops[0].reg.value) >= 0 || DrIndex(z.ops[1].reg.value) >= 0) return BindMovDebug(z, out);
  int to = CrIndex(z.ops[0].reg.value);
  if (to >= 0) {
    out.aux = static_cast<uint8_t>(to);
    out.reg2 = static_cast<uint8_t>(GprOffset(z.ops[1].reg.value));
    out.handler = MovToCr;
    return true;
  }
  int from = CrIndex(z.ops[1].reg.value);
  if (from < 0) return false;
  out.aux = static_cast<uint8_t>(from);
  out.reg = static_cast<uint8_t>(GprOffset(z.ops[0].reg.value));
  out.handler = MovFromCr;
  return true;
}


}  // namespace x64sim
