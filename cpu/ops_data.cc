// Data movement: MOV and its extending forms, LEA, XCHG, PUSH/POP, flag
// transfers, sign extensions of the accumulator, CMOVcc, SETcc, BSWAP,
// XLAT, ENTER and LEAVE.
#include "cpu/host_flags.h"
#include "cpu/operand_forms.h"
#include "cpu/segments.h"
#include "cpu/vm86.h"

namespace x64sim {
namespace {

template <typename T, Form F>
struct MovOp {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) { return Body<Path::kFastOnly>(cpu, in); }
  template <Path kPath>
  static Flow Body(Cpu& cpu, const DecodedInsn& in) {
    T v;
    const uint64_t linear = DestIsMem(F) ? cpu.Linear(in) : 0;
    if (!ReadSource<T, F, kPath>(cpu, in, &v) || !WriteDest<T, F, kPath>(cpu, in, v, linear)) {
      return AccessFailed<MovOp, kPath>(cpu, in);
    }
    return cpu.Next(in);
  }
};

// MOV r, [base + disp] and MOV [base + disp], r of 32 and 64 bits in
// 64-bit mode through a segment other than FS and GS, whose base is 0
// there (SDM vol. 1 3.4.2.1): compiled code's stack-slot accesses, without
// the general operand's index, address-size and segment-base work.
// A miss runs MovOp's full body, whose Cpu::Linear gives the same address.
template <typename T>
Flow LoadBaseDisp64(Cpu& cpu, const DecodedInsn& in) {
  T v;
  if (!cpu.TryFastRead<T>(cpu.LinearOf<AddressForm::kBaseDisp64>(in), &v)) [[unlikely]] {
    return RunFull<MovOp<T, Form::kRM>>(cpu, in);
  }
  cpu.SetReg<T>(in.reg, v);
  return cpu.Next(in);
}
template <typename T>
Flow StoreBaseDisp64(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t linear = cpu.LinearOf<AddressForm::kBaseDisp64>(in);
  if (!cpu.TryFastWrite<T>(linear, cpu.Reg<T>(in.reg2))) [[unlikely]] {
    return RunFull<MovOp<T, Form::kMR>>(cpu, in);
  }
  return cpu.Next(in);
}

// MOV [mem], 0: how compiled code clears memory (seL4 clears every object
// it creates this way), without writing what is zero already.
template <typename T>
Flow StoreZero(Cpu& cpu, const DecodedInsn& in) {
  return cpu.WriteZero<T>(cpu.Linear(in)) ? cpu.Next(in) : Flow::kFault;
}

Handler StoreZeroHandler(int bytes) {
  switch (bytes) {
    case 1: return &StoreZero<uint8_t>;
    case 2: return &StoreZero<uint16_t>;
    case 4: return &StoreZero<uint32_t>;
    case 8: return &StoreZero<uint64_t>;
  }
  return nullptr;
}

// The handler for a MOV of `form` and `bytes` whose memory operand is a
// base and a displacement in 64-bit mode, or null.
Handler BaseDisp64Handler(const DecodedInsn& in, Form form) {
  if (in.address_form != AddressForm::kBaseDisp64) return nullptr;
  if (form == Form::kRM && in.size == 8) return &LoadBaseDisp64<uint64_t>;
  if (form == Form::kRM && in.size == 4) return &LoadBaseDisp64<uint32_t>;
  if (form == Form::kMR && in.size == 8) return &StoreBaseDisp64<uint64_t>;
  if (form == Form::kMR && in.size == 4) return &StoreBaseDisp64<uint32_t>;
  return nullptr;
}

bool BindMov(const ZydisInsn& z, DecodedInsn& out) {
  if ((IsReg(z.ops[0]) && SegIndex(z.ops[0].reg.value) >= 0) ||
      (IsReg(z.ops[1]) && SegIndex(z.ops[1].reg.value) >= 0)) {
    return BindMovSegment(z, out);
  }
  auto is_system = [](const ZydisDecodedOperand& op) {  // CR0-CR15 or DR0-DR7
    return IsReg(op) && ((op.reg.value >= ZYDIS_REGISTER_CR0 && op.reg.value <= ZYDIS_REGISTER_CR15) ||
                         (op.reg.value >= ZYDIS_REGISTER_DR0 && op.reg.value <= ZYDIS_REGISTER_DR7));
  };
  if (IsReg(z.ops[0]) && IsReg(z.ops[1]) && (is_system(z.ops[0]) || is_system(z.ops[1]))) {
    return BindMovControl(z, out);
  }
  Form form;
  if (!BindTwoOperands(z, out, &form)) return false;
  out.handler = form == Form::kMI && out.imm == 0 ? StoreZeroHandler(out.size)
                                                   : BaseDisp64Handler(out, form);
  if (out.handler == nullptr) out.handler = FormTable<MovOp>::Pick(out.size, form);
  return out.handler != nullptr;
}

// MOVZX/MOVSX/MOVSXD: D <- extend(S).
template <typename D, typename S, bool kSigned, bool kMem>
struct Extend {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) { return Body<Path::kFastOnly>(cpu, in); }
  template <Path kPath>
  static Flow Body(Cpu& cpu, const DecodedInsn& in) {
    S v;
    if constexpr (kMem) {
      if (!ReadMemoryOperand<S, false, kPath>(cpu, cpu.Linear(in), &v)) {
        return AccessFailed<Extend, kPath>(cpu, in);
      }
    } else {
      v = cpu.Reg<S>(in.reg2);
    }
    using SS = std::make_signed_t<S>;
    D r = kSigned ? static_cast<D>(static_cast<SS>(v)) : static_cast<D>(v);
    cpu.SetReg<D>(in.reg, r);
    return cpu.Next(in);
  }
};

template <bool kSigned>
Handler PickExtend(int dst, int src, bool mem) {
#define X64SIM_EXT(D, S, DB, SB)                                                    \
  if (dst == DB && src == SB) {                                                     \
    return mem ? &Extend<D, S, kSigned, true>::Run : &Extend<D, S, kSigned, false>::Run; \
  }
  X64SIM_EXT(uint16_t, uint8_t, 2, 1)
  X64SIM_EXT(uint32_t, uint8_t, 4, 1)
  X64SIM_EXT(uint64_t, uint8_t, 8, 1)
  X64SIM_EXT(uint32_t, uint16_t, 4, 2)
  X64SIM_EXT(uint64_t, uint16_t, 8, 2)
  X64SIM_EXT(uint64_t, uint32_t, 8, 4)
  X64SIM_EXT(uint32_t, uint32_t, 4, 4)  // MOVSXD r32, r/m32 behaves as MOV
  X64SIM_EXT(uint16_t, uint16_t, 2, 2)
  // MOVSXD r16, m: Zydis sizes the operand m32, the SDM r/m16 (a move of
  // its 16 bits), which is what a Skylake reads.
  X64SIM_EXT(uint16_t, uint16_t, 2, 4)
#undef X64SIM_EXT
  return nullptr;
}

template <bool kSigned>
bool BindExtend(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || (form != Form::kRR && form != Form::kRM)) return false;
  out.handler = PickExtend<kSigned>(z.ops[0].size / 8, z.ops[1].size / 8, form == Form::kRM);
  return out.handler != nullptr;
}

// LEA: the effective address without the segment base.
template <typename T>
Flow Lea(Cpu& cpu, const DecodedInsn& in) {
  cpu.SetReg<T>(in.reg, static_cast<T>(cpu.EffectiveAddress(in)));
  return cpu.Next(in);
}

bool BindLea(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || form != Form::kRM) return false;
  switch (out.size) {
    case 2: out.handler = &Lea<uint16_t>; break;
    case 4: out.handler = &Lea<uint32_t>; break;
    case 8: out.handler = &Lea<uint64_t>; break;
    default: return false;
  }
  return true;
}

template <typename T, Form F>
struct XchgOp {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) {
    T a;
    uint64_t linear = 0;
    if (!ReadDest<T, F, true>(cpu, in, &a, &linear)) return Flow::kFault;
    T b = cpu.Reg<T>(in.reg2);
    if (!WriteDest<T, F>(cpu, in, b, linear)) return Flow::kFault;
    cpu.SetReg<T>(in.reg2, a);
    return cpu.Next(in);
  }
};

bool BindXchg(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form)) return false;
  if (form == Form::kRM) {  // normalise to [mem] <-> reg
    out.reg2 = out.reg;
    form = Form::kMR;
  }
  if (form != Form::kRR && form != Form::kMR) return false;
  out.handler = FormTable<XchgOp>::Pick(out.size, form);
  return out.handler != nullptr;
}

// PUSH/POP: 64-bit mode uses the fast 8-byte path.
// PUSH r64 and POP r64: the fast path alone inline, so that it needs no
// stack frame (as for the stack-slot MOVs above); the rest apart.
[[gnu::noinline]] Flow PushReg64Slow(Cpu& cpu, const DecodedInsn& in) {
  return cpu.Push64(cpu.state.gpr[in.reg >> 3]) ? cpu.Next(in) : Flow::kFault;
}
Flow PushReg64(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t rsp = cpu.state.gpr[kRsp] - 8;
  if (!cpu.TryFastWrite<uint64_t>(rsp, cpu.state.gpr[in.reg >> 3])) [[unlikely]] return PushReg64Slow(cpu, in);
  cpu.state.gpr[kRsp] = rsp;
  return cpu.Next(in);
}
[[gnu::noinline]] Flow PopReg64Slow(Cpu& cpu, const DecodedInsn& in) {
  uint64_t v = 0;
  if (!cpu.Pop64(&v)) return Flow::kFault;
  cpu.state.gpr[in.reg >> 3] = v;
  return cpu.Next(in);
}
Flow PopReg64(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t rsp = cpu.state.gpr[kRsp];
  uint64_t v;
  if (!cpu.TryFastRead<uint64_t>(rsp, &v)) [[unlikely]] return PopReg64Slow(cpu, in);
  cpu.state.gpr[kRsp] = rsp + 8;
  cpu.state.gpr[in.reg >> 3] = v;  // POP RSP keeps the value popped
  return cpu.Next(in);
}
Flow PushImm(Cpu& cpu, const DecodedInsn& in) {
  return cpu.Push(in.imm, in.size) ? cpu.Next(in) : Flow::kFault;
}
Flow PushGeneric(Cpu& cpu, const DecodedInsn& in) {
  uint64_t v = 0;
  if (in.aux) {
    if (!cpu.ReadBytes(cpu.Linear(in), &v, in.size)) return Flow::kFault;
  } else {
    std::memcpy(&v, reinterpret_cast<const uint8_t*>(cpu.state.gpr) + in.reg, in.size);
  }
  return cpu.Push(v, in.size) ? cpu.Next(in) : Flow::kFault;
}
Flow PopGeneric(Cpu& cpu, const DecodedInsn& in) {
  uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t v;
  if (!cpu.Pop(&v, in.size)) return Flow::kFault;
  if (in.aux) {
    // SDM vol. 2 POP: an RSP-based address is computed after the increment.
    if (!cpu.WriteBytes(cpu.Linear(in), &v, in.size)) {
      cpu.state.gpr[kRsp] = saved_rsp;
      return Flow::kFault;
    }
  } else if (in.size == 4) {
    cpu.SetReg<uint32_t>(in.reg, static_cast<uint32_t>(v));
  } else if (in.size == 2) {
    cpu.SetReg<uint16_t>(in.reg, static_cast<uint16_t>(v));
  } else {
    cpu.SetReg<uint64_t>(in.reg, v);
  }
  return cpu.Next(in);
}

// PUSH Sreg (SDM vol. 2B PUSH): the stack pointer moves by the operand
// size, but with a 32- or 64-bit operand a Skylake writes the selector
// alone, leaving the slot's upper bytes as they were ("all recent Intel
// Core and Intel Atom processors perform a 16-bit move").
Flow PushSegment(Cpu& cpu, const DecodedInsn& in) {
  return cpu.Push(cpu.state.seg[in.aux].selector, in.size, 2) ? cpu.Next(in) : Flow::kFault;
}

// POP Sreg: the selector is the popped value's low 16 bits, loaded as MOV
// loads it (POP SS holds events one instruction too); a fault leaves the
// stack pointer as it was.
Flow PopSegment(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t v;
  if (!cpu.Pop(&v, in.size)) return Flow::kFault;
  if (!MoveToSegment(cpu, static_cast<SegReg>(in.aux), static_cast<uint16_t>(v))) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return Flow::kFault;
  }
  return cpu.Leave(in);
}

bool BindPush(const ZydisInsn& z, DecodedInsn& out) {
  const ZydisDecodedOperand& a = z.ops[0];
  out.size = z.insn.operand_width / 8;
  if (IsImm(a)) {
    out.imm = a.imm.value.u;
    out.handler = PushImm;
    return true;
  }
  if (IsReg(a)) {
    if (SegIndex(a.reg.value) >= 0) {
      out.aux = static_cast<uint8_t>(SegIndex(a.reg.value));
      out.handler = PushSegment;
      return true;
    }
    int r = GprOffset(a.reg.value);
    if (r < 0) return false;
    out.reg = static_cast<uint8_t>(r);
    out.handler = (z.long_mode && out.size == 8) ? PushReg64 : PushGeneric;
    return true;
  }
  out.aux = 1;
  out.handler = PushGeneric;
  return BindMemory(z, a, out);
}

bool BindPop(const ZydisInsn& z, DecodedInsn& out) {
  const ZydisDecodedOperand& a = z.ops[0];
  out.size = z.insn.operand_width / 8;
  if (IsReg(a)) {
    if (SegIndex(a.reg.value) >= 0) {
      out.aux = static_cast<uint8_t>(SegIndex(a.reg.value));
      out.handler = PopSegment;
      return true;
    }
    int r = GprOffset(a.reg.value);
    if (r < 0) return false;
    out.reg = static_cast<uint8_t>(r);
    out.handler = (z.long_mode && out.size == 8) ? PopReg64 : PopGeneric;
    return true;
  }
  out.aux = 1;
  out.handler = PopGeneric;
  return BindMemory(z, a, out);
}

// PUSHF/POPF (SDM vol. 2 POPF): at CPL > 0 IOPL is kept, IF changes only if
// CPL <= IOPL; VM and RF are never loaded; PUSHF clears VM and RF in the image.
// In virtual-8086 mode both need IOPL = 3.
Flow Pushf(Cpu& cpu, const DecodedInsn& in) {
  if (InVm86(cpu) && !Vm86IoplAllows(cpu)) return Flow::kFault;
  return cpu.Push(cpu.state.rflags & ~(kVM | kRF), in.size) ? cpu.Next(in) : Flow::kFault;
}
Flow Popf(Cpu& cpu, const DecodedInsn& in) {
  if (InVm86(cpu) && !Vm86IoplAllows(cpu)) return Flow::kFault;
  uint64_t v;
  if (!cpu.Pop(&v, in.size)) return Flow::kFault;
  uint64_t writable = kFlagsWritable & ~kRF;
  int iopl = (cpu.state.rflags >> 12) & 3;
  if (cpu.state.cpl > 0) writable &= ~kIOPL;
  if (cpu.state.cpl > iopl) writable &= ~kIF;
  if (in.size == 2) writable &= 0xffff;
  cpu.SetRflags((cpu.state.rflags & ~writable) | (v & writable));
  return cpu.Leave(in);  // IF or TF may have changed
}
bool BindFlagsStack(const ZydisInsn& z, DecodedInsn& out) {
  out.size = z.insn.operand_width / 8;
  out.handler = z.insn.mnemonic == ZYDIS_MNEMONIC_PUSHF || z.insn.mnemonic == ZYDIS_MNEMONIC_PUSHFD ||
                        z.insn.mnemonic == ZYDIS_MNEMONIC_PUSHFQ
                    ? Pushf
                    : Popf;
  return true;
}

// LAHF/SAHF: SF ZF AF PF CF <-> AH.
Flow Lahf(Cpu& cpu, const DecodedInsn& in) {
  cpu.SetReg<uint8_t>(kRax * 8 + 1, static_cast<uint8_t>(cpu.state.rflags | kFlagsFixed1));
  return cpu.Next(in);
}
Flow Sahf(Cpu& cpu, const DecodedInsn& in) {
  constexpr uint64_t kMask = kSF | kZF | kAF | kPF | kCF;
  cpu.state.rflags = (cpu.state.rflags & ~kMask) | (cpu.Reg<uint8_t>(kRax * 8 + 1) & kMask);
  return cpu.Next(in);
}

// CBW/CWDE/CDQE: sign-extend the low half of the accumulator into the whole.
template <typename D, typename S>
Flow ExtendAccumulator(Cpu& cpu, const DecodedInsn& in) {
  cpu.SetReg<D>(kRax * 8, static_cast<D>(static_cast<std::make_signed_t<S>>(cpu.Reg<S>(kRax * 8))));
  return cpu.Next(in);
}
// CWD/CDQ/CQO: rDX <- sign of rAX.
template <typename T>
Flow SignIntoRdx(Cpu& cpu, const DecodedInsn& in) {
  T sign = (cpu.Reg<T>(kRax * 8) >> (sizeof(T) * 8 - 1)) ? static_cast<T>(~T{0}) : T{0};
  cpu.SetReg<T>(kRdx * 8, sign);
  return cpu.Next(in);
}

template <typename T, bool kMem>
Flow Cmov(Cpu& cpu, const DecodedInsn& in) {
  T v;
  // SDM vol. 2 CMOVcc: the source is read (and may fault) whatever the condition.
  if constexpr (kMem) {
    if (!cpu.Read<T>(cpu.Linear(in), &v)) return Flow::kFault;
  } else {
    v = cpu.Reg<T>(in.reg2);
  }
  if (EvalCondition(in.cond, cpu.state.rflags)) {
    cpu.SetReg<T>(in.reg, v);
  } else if constexpr (sizeof(T) == 4) {
    cpu.SetReg<T>(in.reg, cpu.Reg<T>(in.reg));  // a 32-bit destination is zero-extended anyway
  }
  return cpu.Next(in);
}

bool BindCmov(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || (form != Form::kRR && form != Form::kRM)) return false;
  out.cond = static_cast<uint8_t>(ConditionOf(z.insn.mnemonic));
  bool mem = form == Form::kRM;
  switch (out.size) {
    case 2: out.handler = mem ? &Cmov<uint16_t, true> : &Cmov<uint16_t, false>; break;
    case 4: out.handler = mem ? &Cmov<uint32_t, true> : &Cmov<uint32_t, false>; break;
    case 8: out.handler = mem ? &Cmov<uint64_t, true> : &Cmov<uint64_t, false>; break;
    default: return false;
  }
  return true;
}

template <bool kMem>
Flow Setcc(Cpu& cpu, const DecodedInsn& in) {
  uint8_t v = EvalCondition(in.cond, cpu.state.rflags) ? 1 : 0;
  if constexpr (kMem) return cpu.Write<uint8_t>(cpu.Linear(in), v) ? cpu.Next(in) : Flow::kFault;
  cpu.SetReg<uint8_t>(in.reg, v);
  return cpu.Next(in);
}

bool BindSetcc(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (!BindOneOperand(z, out, &mem)) return false;
  out.cond = static_cast<uint8_t>(ConditionOf(z.insn.mnemonic));
  out.handler = mem ? &Setcc<true> : &Setcc<false>;
  return true;
}

template <typename T>
Flow Bswap(Cpu& cpu, const DecodedInsn& in) {
  if constexpr (sizeof(T) == 8) cpu.SetReg<T>(in.reg, __builtin_bswap64(cpu.Reg<T>(in.reg)));
  if constexpr (sizeof(T) == 4) cpu.SetReg<T>(in.reg, __builtin_bswap32(cpu.Reg<T>(in.reg)));
  if constexpr (sizeof(T) == 2) cpu.SetReg<T>(in.reg, 0);  // SDM: undefined; cleared here
  return cpu.Next(in);
}

bool BindBswap(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (!BindOneOperand(z, out, &mem) || mem) return false;
  out.handler = out.size == 8 ? &Bswap<uint64_t> : out.size == 4 ? &Bswap<uint32_t> : &Bswap<uint16_t>;
  return true;
}

// LEAVE: RSP <- RBP, ESP <- EBP or SP <- BP by the stack size; pop RBP.
Flow Leave(Cpu& cpu, const DecodedInsn& in) {
  uint64_t saved = cpu.state.gpr[kRsp];
  if (cpu.state.mode == CpuMode::kLong64) {
    cpu.state.gpr[kRsp] = cpu.state.gpr[kRbp];
  } else if (cpu.state.seg[kSs].default_big()) {
    cpu.state.gpr[kRsp] = static_cast<uint32_t>(cpu.state.gpr[kRbp]);
  } else {
    cpu.SetReg<uint16_t>(kRsp * 8, cpu.Reg<uint16_t>(kRbp * 8));
  }
  uint64_t v;
  if (!cpu.Pop(&v, in.size)) {
    cpu.state.gpr[kRsp] = saved;
    return Flow::kFault;
  }
  if (in.size == 8) cpu.state.gpr[kRbp] = v;
  else if (in.size == 4) cpu.SetReg<uint32_t>(kRbp * 8, static_cast<uint32_t>(v));
  else cpu.SetReg<uint16_t>(kRbp * 8, static_cast<uint16_t>(v));
  return cpu.Next(in);
}

// XLAT: AL <- [seg:(R/E)BX + AL], the sum wrapped to the address size
// (SDM vol. 2B XLAT).
Flow Xlat(Cpu& cpu, const DecodedInsn& in) {
  uint64_t offset = cpu.state.gpr[kRbx] + (cpu.state.gpr[kRax] & 0xff);
  if (in.flags & kInsnAddr32) offset = static_cast<uint32_t>(offset);
  if (in.flags & kInsnAddr16) offset = static_cast<uint16_t>(offset);
  uint8_t value;
  if (!cpu.Read<uint8_t>(cpu.AccessBase(static_cast<SegReg>(in.seg)) + offset, &value)) return Flow::kFault;
  cpu.SetReg<uint8_t>(kRax * 8, value);
  return cpu.Next(in);
}

bool BindXlat(const ZydisInsn& z, DecodedInsn& out) {
  out.seg = kDs;
  for (int i = 0; i < z.insn.operand_count; ++i) {
    if (!IsMem(z.ops[i])) continue;
    const int seg = SegIndex(z.ops[i].mem.segment);
    if (seg >= 0) out.seg = static_cast<uint8_t>(seg);
  }
  if (z.insn.address_width == 32) out.flags |= kInsnAddr32;
  if (z.insn.address_width == 16) out.flags |= kInsnAddr16;
  out.handler = Xlat;
  return true;
}

// ENTER size, level (SDM vol. 2A ENTER): push the frame pointer, copy
// level - 1 frame pointers of the enclosing frames from below the old one
// (the display), push the new frame's own, then point the frame pointer at
// the new frame and allocate `size` bytes. Pointers are the operand size;
// RBP/EBP/BP and the display reads follow the stack size. Like LEAVE, a
// fault part-way leaves RSP and RBP as they were.
Flow Enter(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  const uint64_t saved_rsp = s.gpr[kRsp];
  const uint64_t saved_rbp = s.gpr[kRbp];
  const int op_size = in.size;
  const int stack_size = s.mode == CpuMode::kLong64 ? 8 : s.seg[kSs].default_big() ? 4 : 2;
  auto wrap = [stack_size](uint64_t v) {
    return stack_size == 8 ? v : stack_size == 4 ? static_cast<uint32_t>(v) : static_cast<uint16_t>(v);
  };
  auto fail = [&] {
    s.gpr[kRsp] = saved_rsp;
    s.gpr[kRbp] = saved_rbp;
    return Flow::kFault;
  };
  const uint64_t size = in.imm & 0xffff;
  const int level = static_cast<int>(in.imm >> 16) & 31;
  if (!cpu.Push(saved_rbp, op_size)) return fail();
  const uint64_t frame = wrap(s.gpr[kRsp]);
  uint64_t display = wrap(saved_rbp);
  for (int i = 1; i < level; ++i) {
    display = wrap(display - op_size);
    uint64_t pointer = 0;
    if (!cpu.ReadBytes(cpu.AccessBase(kSs) + display, &pointer, op_size)) return fail();
    if (!cpu.Push(pointer, op_size)) return fail();
  }
  if (level > 0 && !cpu.Push(frame, op_size)) return fail();
  const uint64_t rsp = wrap(s.gpr[kRsp] - size);
  // The frame pointer gets the operand size's part of the new frame; the
  // stack pointer the stack size's (SDM: EBP := FrameTemp, SP := SP - Size).
  if (op_size == 2) {
    cpu.SetReg<uint16_t>(kRbp * 8, static_cast<uint16_t>(frame));
  } else {
    s.gpr[kRbp] = op_size == 4 ? static_cast<uint32_t>(frame) : frame;
  }
  if (stack_size == 2) {
    cpu.SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(rsp));
  } else {
    s.gpr[kRsp] = rsp;
  }
  return cpu.Next(in);
}

bool BindEnter(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsImm(z.ops[0]) || !IsImm(z.ops[1])) return false;
  out.size = static_cast<uint8_t>(z.insn.operand_width / 8);
  out.imm = (z.ops[0].imm.value.u & 0xffff) | ((z.ops[1].imm.value.u & 0xff) << 16);
  out.handler = Enter;
  return true;
}

Flow Nop(Cpu& cpu, const DecodedInsn& in) { return cpu.Next(in); }

// x64sim's marker: a NOP (so the same code runs unchanged on hardware)
// whose memory operand is [rax + 0x5853000N] (guest/roi/x64sim_roi.h).
Flow Marker(Cpu& cpu, const DecodedInsn& in) {
  cpu.Mark(static_cast<uint32_t>(in.imm));
  return cpu.Leave(in);
}

bool IsMarker(const ZydisInsn& z, uint32_t* command) {
  if (z.insn.operand_count_visible < 1 || !IsMem(z.ops[0])) return false;
  const ZydisDecodedOperand& m = z.ops[0];
  const uint64_t disp = static_cast<uint64_t>(m.mem.disp.value);
  if (m.mem.base != ZYDIS_REGISTER_RAX || m.mem.index != ZYDIS_REGISTER_NONE ||
      (disp >> 16) != (kMarkerTag >> 16)) {
    return false;
  }
  *command = static_cast<uint32_t>(disp & 0xffff);
  return true;
}

bool BindSimple(const ZydisInsn& z, DecodedInsn& out) {
  out.size = z.insn.operand_width / 8;
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_LAHF: out.handler = Lahf; return true;
    case ZYDIS_MNEMONIC_SAHF: out.handler = Sahf; return true;
    case ZYDIS_MNEMONIC_CBW: out.handler = &ExtendAccumulator<uint16_t, uint8_t>; return true;
    case ZYDIS_MNEMONIC_CWDE: out.handler = &ExtendAccumulator<uint32_t, uint16_t>; return true;
    case ZYDIS_MNEMONIC_CDQE: out.handler = &ExtendAccumulator<uint64_t, uint32_t>; return true;
    case ZYDIS_MNEMONIC_CWD: out.handler = &SignIntoRdx<uint16_t>; return true;
    case ZYDIS_MNEMONIC_CDQ: out.handler = &SignIntoRdx<uint32_t>; return true;
    case ZYDIS_MNEMONIC_CQO: out.handler = &SignIntoRdx<uint64_t>; return true;
    case ZYDIS_MNEMONIC_LEAVE: out.handler = Leave; return true;
    case ZYDIS_MNEMONIC_NOP:
      if (uint32_t command; IsMarker(z, &command)) {
        out.handler = Marker;
        out.imm = command;
        return true;
      }
      out.handler = Nop;
      return true;
    case ZYDIS_MNEMONIC_PAUSE:
    case ZYDIS_MNEMONIC_ENDBR64:
    case ZYDIS_MNEMONIC_ENDBR32:
    case ZYDIS_MNEMONIC_PREFETCHT0:
    case ZYDIS_MNEMONIC_PREFETCHT1:
    case ZYDIS_MNEMONIC_PREFETCHT2:
    case ZYDIS_MNEMONIC_PREFETCHNTA:
    case ZYDIS_MNEMONIC_PREFETCH:  // 0F 0D /0 and /3-/7: XED's PREFETCH_NOP, a NOP on Intel
    case ZYDIS_MNEMONIC_PREFETCHW:
      out.handler = Nop;
      return true;
    default: return false;
  }
}

}  // namespace

bool IsMovToMemory(Handler h, int bytes, bool from_register) {
  if (h == FormTable<MovOp>::Pick(bytes, from_register ? Form::kMR : Form::kMI)) return true;
  if (!from_register) return h == StoreZeroHandler(bytes);
  return (bytes == 8 && h == &StoreBaseDisp64<uint64_t>) || (bytes == 4 && h == &StoreBaseDisp64<uint32_t>);
}

void RegisterDataOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_MOV, BindMov);
  t.Add(ZYDIS_MNEMONIC_MOVZX, BindExtend<false>);
  t.Add(ZYDIS_MNEMONIC_MOVSX, BindExtend<true>);
  t.Add(ZYDIS_MNEMONIC_MOVSXD, BindExtend<true>);
  t.Add(ZYDIS_MNEMONIC_LEA, BindLea);
  t.Add(ZYDIS_MNEMONIC_XCHG, BindXchg);
  t.Add(ZYDIS_MNEMONIC_PUSH, BindPush);
  t.Add(ZYDIS_MNEMONIC_POP, BindPop);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_PUSHF, ZYDIS_MNEMONIC_PUSHFD, ZYDIS_MNEMONIC_PUSHFQ}) {
    t.Add(m, BindFlagsStack);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_POPF, ZYDIS_MNEMONIC_POPFD, ZYDIS_MNEMONIC_POPFQ}) {
    t.Add(m, BindFlagsStack, /*ends_block=*/true);
  }
  for (ZydisMnemonic m :
       {ZYDIS_MNEMONIC_LAHF, ZYDIS_MNEMONIC_SAHF, ZYDIS_MNEMONIC_CBW, ZYDIS_MNEMONIC_CWDE,
        ZYDIS_MNEMONIC_CDQE, ZYDIS_MNEMONIC_CWD, ZYDIS_MNEMONIC_CDQ, ZYDIS_MNEMONIC_CQO,
        ZYDIS_MNEMONIC_LEAVE, ZYDIS_MNEMONIC_NOP, ZYDIS_MNEMONIC_PAUSE, ZYDIS_MNEMONIC_ENDBR64,
        ZYDIS_MNEMONIC_ENDBR32, ZYDIS_MNEMONIC_PREFETCHT0, ZYDIS_MNEMONIC_PREFETCHT1,
        ZYDIS_MNEMONIC_PREFETCHT2, ZYDIS_MNEMONIC_PREFETCHNTA, ZYDIS_MNEMONIC_PREFETCH,
        ZYDIS_MNEMONIC_PREFETCHW}) {
    t.Add(m, BindSimple);
  }
  for (int m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; ++m) {
    auto mn = static_cast<ZydisMnemonic>(m);
    int cc = ConditionOf(mn);
    if (cc < 0) continue;
    const char* name = ZydisMnemonicGetString(mn);
    if (name[0] == 'c') t.Add(mn, BindCmov);
    if (name[0] == 's') t.Add(mn, BindSetcc);
  }
  t.Add(ZYDIS_MNEMONIC_BSWAP, BindBswap);
  t.Add(ZYDIS_MNEMONIC_XLAT, BindXlat);
  t.Add(ZYDIS_MNEMONIC_ENTER, BindEnter);
}

}  // namespace x64sim
