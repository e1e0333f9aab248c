// Segment instructions beyond MOV to/from Sreg: loading a far pointer
// (LDS LES LFS LGS LSS), asking about a selector (LAR LSL VERR VERW),
// adjusting an RPL (ARPL), and the machine status word (SMSW LMSW). Each
// follows its SDM vol. 2 page.
#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/descriptors.h"
#include "cpu/segments.h"
#include "cpu/real_address.h"

namespace x64sim {
namespace {

// The source operand: a register (in.reg2) or memory, `size` bytes.
template <typename T, bool kMem>
bool ReadSource(Cpu& cpu, const DecodedInsn& in, T* v) {
  if constexpr (kMem) {
    return cpu.Read<T>(cpu.Linear(in), v);
  } else {
    *v = cpu.Reg<T>(in.reg2);
    return true;
  }
}

void SetZf(Cpu& cpu, bool zf) {
  cpu.state.rflags = zf ? cpu.state.rflags | kZF : cpu.state.rflags & ~kZF;
}

// ---- LDS LES LFS LGS LSS r, m16:16/32/64 ------------------------------------

// The offset goes to the register, the selector to the segment register,
// which is loaded with MOV's checks; neither changes if that faults.
template <typename T>
Flow LoadFarPointer(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t linear = cpu.Linear(in);
  T offset;
  uint16_t selector;
  if (!cpu.Read<T>(linear, &offset) || !cpu.Read<uint16_t>(linear + sizeof(T), &selector)) {
    return Flow::kFault;
  }
  const auto reg = static_cast<SegReg>(in.aux);
  if (!LoadDataSegment(cpu, reg, selector)) return Flow::kFault;
  cpu.SetReg<T>(in.reg, offset);
  return cpu.Leave(in);
}

bool BindLoadFarPointer(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !BindMemory(z, z.ops[1], out)) return false;
  const int reg = GprOffset(z.ops[0].reg.value);
  if (reg < 0) return false;
  out.reg = static_cast<uint8_t>(reg);
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_LDS: out.aux = kDs; break;
    case ZYDIS_MNEMONIC_LES: out.aux = kEs; break;
    case ZYDIS_MNEMONIC_LFS: out.aux = kFs; break;
    case ZYDIS_MNEMONIC_LGS: out.aux = kGs; break;
    default: out.aux = kSs; break;
  }
  switch (z.ops[0].size) {
    case 16: out.handler = &LoadFarPointer<uint16_t>; return true;
    case 32: out.handler = &LoadFarPointer<uint32_t>; return true;
    case 64: out.handler = &LoadFarPointer<uint64_t>; return true;
    default: return false;
  }
}

// ---- LAR LSL VERR VERW --------------------------------------------------------

enum class Query : uint8_t { kAccessRights, kLimit, kReadable, kWritable };

enum class Visible : uint8_t { kNo, kYes, kFault };

// Whether LAR/LSL/VERR/VERW may look at the descriptor `selector` names: in
// the GDT or LDT and, unless a conforming code segment, at DPL >= CPL and >= RPL.
// A selector they may not look at is no fault (ZF = 0); a page fault
// reading the GDT is.
Visible VisibleDescriptor(Cpu& cpu, uint16_t selector, uint64_t* d) {
  uint64_t linear;
  if ((selector & ~3u) == 0 || !DescriptorLinear(cpu.state, selector, 8, &linear)) return Visible::kNo;
  if (!cpu.ReadSupervisor(linear, d, 8)) return Visible::kFault;
  const bool conforming_code = !DescriptorIsSystem(*d) && DescriptorIsCode(*d) && CodeDescriptorConforming(*d);
  const int dpl = DescriptorDpl(*d);
  return conforming_code || (dpl >= cpu.state.cpl && dpl >= (selector & 3)) ? Visible::kYes : Visible::kNo;
}

// System descriptor types LAR (gates too) or LSL (segments only) accept
// (SDM vol. 2A LAR table 3-61, LSL table 3-64): in IA-32e mode only the LDT,
// 64-bit TSSs and, for LAR, call gates.
bool SystemTypeValid(const Cpu& cpu, int type, bool gates) {
  if (cpu.state.efer & kEferLMA) {
    return type == 0x2 || type == 0x9 || type == 0xb || (gates && type == 0xc);
  }
  switch (type) {
    case 0x1: case 0x2: case 0x3: case 0x9: case 0xb: return true;
    case 0x4: case 0x5: case 0xc: return gates;
    default: return false;
  }
}

template <Query Q, typename T, bool kMem>
Flow QuerySelector(Cpu& cpu, const DecodedInsn& in) {
  if (InRealAddressing(cpu)) return cpu.FaultNoCode(kInvalidOpcode);  // a protected-mode instruction
  uint16_t selector;
  if (!ReadSource<uint16_t, kMem>(cpu, in, &selector)) return Flow::kFault;
  uint64_t d = 0;
  const Visible visible = VisibleDescriptor(cpu, selector, &d);
  if (visible == Visible::kFault) return Flow::kFault;
  bool valid = visible == Visible::kYes;
  if (valid) {
    const bool system = DescriptorIsSystem(d);
    switch (Q) {
      case Query::kAccessRights:
      case Query::kLimit:
        valid = !system || SystemTypeValid(cpu, DescriptorType(d), Q == Query::kAccessRights);
        break;
      case Query::kReadable:  // data, or readable code
        valid = !system && (!DescriptorIsCode(d) || CodeDescriptorReadable(d));
        break;
      case Query::kWritable:
        valid = DescriptorIsWritableData(d);
        break;
    }
  }
  SetZf(cpu, valid);
  if (!valid) return cpu.Next(in);
  if constexpr (Q == Query::kAccessRights) {
    // Type, S, DPL, P and, but for 16-bit operands, AVL L D/B G.
    const uint32_t rights = static_cast<uint32_t>(d >> 32) & (sizeof(T) == 2 ? 0xff00 : 0x00f0ff00);
    cpu.SetReg<T>(in.reg, static_cast<T>(rights));
  } else if constexpr (Q == Query::kLimit) {
    uint32_t limit = static_cast<uint32_t>((d & 0xffff) | ((d >> 32) & 0xf0000));
    if ((d >> 55) & 1) limit = (limit << 12) | 0xfff;  // G
    cpu.SetReg<T>(in.reg, static_cast<T>(limit));
  }
  return cpu.Next(in);
}

template <Query Q>
bool BindQuery(const ZydisInsn& z, DecodedInsn& out) {
  const bool has_dest = Q == Query::kAccessRights || Q == Query::kLimit;
  const ZydisDecodedOperand& src = z.ops[has_dest ? 1 : 0];
  if (z.insn.operand_count_visible != (has_dest ? 2 : 1)) return false;
  const bool mem = IsMem(src);
  if (mem) {
    if (!BindMemory(z, src, out)) return false;
  } else {
    const int reg2 = GprOffset(src.reg.value);
    if (reg2 < 0) return false;
    out.reg2 = static_cast<uint8_t>(reg2);
  }
  int size = 2;
  if (has_dest) {
    const int reg = GprOffset(z.ops[0].reg.value);
    if (reg < 0) return false;
    out.reg = static_cast<uint8_t>(reg);
    size = z.ops[0].size / 8;
  }
  // 64-bit destinations get the 32-bit result zero-extended.
  switch (size) {
    case 2: out.handler = mem ? &QuerySelector<Q, uint16_t, true> : &QuerySelector<Q, uint16_t, false>; break;
    case 4: out.handler = mem ? &QuerySelector<Q, uint32_t, true> : &QuerySelector<Q, uint32_t, false>; break;
    default: out.handler = mem ? &QuerySelector<Q, uint64_t, true> : &QuerySelector<Q, uint64_t, false>; break;
  }
  return true;
}

// ---- ARPL r/m16, r16 (outside 64-bit mode) ------------------------------------

template <bool kMem>
Flow Arpl(Cpu& cpu, const DecodedInsn& in) {
  if (InRealAddressing(cpu)) return cpu.FaultNoCode(kInvalidOpcode);
  const uint64_t linear = kMem ? cpu.Linear(in) : 0;
  uint16_t dest;
  if (!ReadSource<uint16_t, kMem>(cpu, in, &dest)) return Flow::kFault;
  const uint16_t src = cpu.Reg<uint16_t>(in.reg);
  if ((dest & 3) >= (src & 3)) {
    SetZf(cpu, false);
    return cpu.Next(in);
  }
  dest = static_cast<uint16_t>((dest & ~3u) | (src & 3));
  if (kMem) {
    if (!cpu.Write<uint16_t>(linear, dest)) return Flow::kFault;
  } else {
    cpu.SetReg<uint16_t>(in.reg2, dest);
  }
  SetZf(cpu, true);
  return cpu.Next(in);
}

bool BindArpl(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  const int reg = GprOffset(z.ops[1].reg.value);
  if (reg < 0) return false;
  out.reg = static_cast<uint8_t>(reg);
  if (IsMem(z.ops[0])) {
    out.handler = &Arpl<true>;
    return BindMemory(z, z.ops[0], out);
  }
  const int reg2 = GprOffset(z.ops[0].reg.value);
  if (reg2 < 0) return false;
  out.reg2 = static_cast<uint8_t>(reg2);
  out.handler = &Arpl<false>;
  return true;
}

// ---- SMSW and LMSW --------------------------------------------------------------

// SMSW: CR0's low 16 bits to memory; a register gets all of CR0, as current
// processors give it (the SDM leaves the upper bits undefined).
template <typename T, bool kMem>
Flow Smsw(Cpu& cpu, const DecodedInsn& in) {
  if constexpr (kMem) {
    if (!cpu.Write<uint16_t>(cpu.Linear(in), static_cast<uint16_t>(cpu.state.cr0))) return Flow::kFault;
  } else {
    cpu.SetReg<T>(in.reg2, static_cast<T>(cpu.state.cr0));
  }
  return cpu.Next(in);
}

// LMSW (CPL 0): PE MP EM TS from the source; PE cannot be cleared by it.
template <bool kMem>
Flow Lmsw(Cpu& cpu, const DecodedInsn& in) {
  if (cpu.state.cpl != 0) return cpu.Fault(kGeneralProtection, 0);
  uint16_t msw;
  if (!ReadSource<uint16_t, kMem>(cpu, in, &msw)) return Flow::kFault;
  const uint64_t low4 = kCr0PE | kCr0MP | kCr0EM | kCr0TS;
  const uint64_t cr0 = (cpu.state.cr0 & ~(low4 & ~kCr0PE)) | (msw & low4);
  if (!cpu.WriteCr0(cr0)) return Flow::kFault;
  return cpu.Leave(in);  // the mode or the FPU's availability may change
}

bool BindMsw(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 1) return false;
  const ZydisDecodedOperand& op = z.ops[0];
  const bool store = z.insn.mnemonic == ZYDIS_MNEMONIC_SMSW;
  if (IsMem(op)) {
    out.handler = store ? &Smsw<uint16_t, true> : &Lmsw<true>;
    return BindMemory(z, op, out);
  }
  const int reg2 = GprOffset(op.reg.value);
  if (reg2 < 0) return false;
  out.reg2 = static_cast<uint8_t>(reg2);
  if (!store) {
    out.handler = &Lmsw<false>;
  } else {
    out.handler = op.size == 64 ? &Smsw<uint64_t, false> : op.size == 32 ? &Smsw<uint32_t, false>
                                                                           : &Smsw<uint16_t, false>;
  }
  return true;
}

}  // namespace

void RegisterSegmentOps(BinderTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_LDS, ZYDIS_MNEMONIC_LES, ZYDIS_MNEMONIC_LFS, ZYDIS_MNEMONIC_LGS,
                          ZYDIS_MNEMONIC_LSS}) {
    t.Add(m, BindLoadFarPointer, /*ends_block=*/true);
  }
  t.Add(ZYDIS_MNEMONIC_LAR, BindQuery<Query::kAccessRights>);
  t.Add(ZYDIS_MNEMONIC_LSL, BindQuery<Query::kLimit>);
  t.Add(ZYDIS_MNEMONIC_VERR, BindQuery<Query::kReadable>);
  t.Add(ZYDIS_MNEMONIC_VERW, BindQuery<Query::kWritable>);
  t.Add(ZYDIS_MNEMONIC_ARPL, BindArpl);
  t.Add(ZYDIS_MNEMONIC_SMSW, BindMsw);
  t.Add(ZYDIS_MNEMONIC_LMSW, BindMsw, /*ends_block=*/true);
}

}  // namespace x64sim
