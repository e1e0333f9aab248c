// Near control transfers: JMP, Jcc, CALL, RET, LOOP, JrCXZ, INT n, INT3,
// INT1, and UD0 UD1 UD2 and RSM outside SMM, whose whole operation is #UD.
#include "cpu/operand_forms.h"
#include "cpu/vm86.h"
#include "mmu/paging_bits.h"

namespace x64sim {
namespace {

// Next RIP after a taken near branch outside 64-bit mode: EIP wraps at
// 4 GiB, and IP at 64 KiB with a 16-bit operand size (66h).
inline uint64_t WrapTarget(const DecodedInsn& in, uint64_t target) {
  return in.size == 2 ? static_cast<uint16_t>(target) : static_cast<uint32_t>(target);
}

// 64-bit mode ignores 66h on near branches, as Intel processors do.
inline uint64_t BranchTarget(const Cpu& cpu, const DecodedInsn& in, uint64_t target) {
  return cpu.state.mode == CpuMode::kLong64 ? target : WrapTarget(in, target);
}

// Outside 64-bit mode a near branch's target must lie within CS's limit,
// else #GP(0) at the branch (SDM vol. 2A JMP, Jcc, CALL, LOOP; 2B RET).
inline bool WithinCode(Cpu& cpu, uint64_t target) {
  if (target <= cpu.state.seg[kCs].limit) return true;
  cpu.Fault(kGeneralProtection, 0);
  return false;
}

// SDM vol. 2 JMP/CALL: a non-canonical target raises #GP(0) at the branch,
// and outside 64-bit mode one beyond CS's limit.
inline bool CheckTarget(Cpu& cpu, uint64_t target) {
  if (cpu.state.mode == CpuMode::kLong64 ? paging::IsCanonical(target)
                                         : target <= cpu.state.seg[kCs].limit) {
    return true;
  }
  cpu.Fault(kGeneralProtection, 0);
  return false;
}

Flow JmpRel(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t target = BranchTarget(cpu, in, cpu.state.rip + in.length + in.imm);
  if (cpu.state.mode != CpuMode::kLong64 && !WithinCode(cpu, target)) return Flow::kFault;
  return cpu.Branch(target);
}

// The hottest handler: specialised by mode, so 64-bit code does not test it.
template <int kCond, bool kLong>
Flow Jcc(Cpu& cpu, const DecodedInsn& in) {
  if (!EvalCondition(kCond, cpu.state.rflags)) return cpu.Next(in);
  const uint64_t target = cpu.state.rip + in.length + in.imm;
  if constexpr (kLong) {
    return cpu.Branch(target);
  } else {
    const uint64_t wrapped = WrapTarget(in, target);
    return WithinCode(cpu, wrapped) ? cpu.Branch(wrapped) : Flow::kFault;
  }
}

template <bool kLong, int... kConds>
constexpr std::array<Handler, 16> MakeJccTable(std::integer_sequence<int, kConds...>) {
  return {&Jcc<kConds, kLong>...};
}
constexpr std::array<Handler, 16> kJccHandlers32 =
    MakeJccTable<false>(std::make_integer_sequence<int, 16>());
constexpr std::array<Handler, 16> kJccHandlers64 =
    MakeJccTable<true>(std::make_integer_sequence<int, 16>());

// Indirect targets are read in full before anything changes; with a
// 16-bit operand size (66h outside 64-bit mode) they are 16 bits.
template <bool kMem>
bool ReadTarget(Cpu& cpu, const DecodedInsn& in, uint64_t* target) {
  if constexpr (kMem) {
    if (in.size == 8) return cpu.Read<uint64_t>(cpu.Linear(in), target);
    if (in.size == 2) {
      uint16_t t16;
      if (!cpu.Read<uint16_t>(cpu.Linear(in), &t16)) return false;
      *target = t16;
      return true;
    }
    uint32_t t32;
    if (!cpu.Read<uint32_t>(cpu.Linear(in), &t32)) return false;
    *target = t32;
    return true;
  } else {
    const uint64_t r = cpu.state.gpr[in.reg >> 3];
    *target = in.size == 8 ? r : in.size == 2 ? static_cast<uint16_t>(r) : static_cast<uint32_t>(r);
    return true;
  }
}

template <bool kMem>
Flow JmpIndirect(Cpu& cpu, const DecodedInsn& in) {
  uint64_t target;
  if (!ReadTarget<kMem>(cpu, in, &target) || !CheckTarget(cpu, target)) return Flow::kFault;
  return cpu.Branch(target);
}

bool PushReturn(Cpu& cpu, const DecodedInsn& in, uint64_t return_rip) {
  return in.size == 8 ? cpu.Push64(return_rip) : cpu.Push(return_rip, in.size);
}

Flow CallRel(Cpu& cpu, const DecodedInsn& in) {
  uint64_t ret = cpu.state.rip + in.length;
  uint64_t target = BranchTarget(cpu, in, ret + in.imm);
  if (!CheckTarget(cpu, target)) return Flow::kFault;
  if (!PushReturn(cpu, in, ret)) return Flow::kFault;
  return cpu.Branch(target);
}

template <bool kMem>
Flow CallIndirect(Cpu& cpu, const DecodedInsn& in) {
  uint64_t target;
  if (!ReadTarget<kMem>(cpu, in, &target) || !CheckTarget(cpu, target)) return Flow::kFault;
  if (!PushReturn(cpu, in, cpu.state.rip + in.length)) return Flow::kFault;
  return cpu.Branch(target);
}

Flow Ret(Cpu& cpu, const DecodedInsn& in) {
  uint64_t saved_rsp = cpu.state.gpr[kRsp];
  uint64_t target;
  bool ok = in.size == 8 ? cpu.Pop64(&target) : cpu.Pop(&target, in.size);
  if (!ok) return Flow::kFault;
  if (!CheckTarget(cpu, target)) {
    cpu.state.gpr[kRsp] = saved_rsp;
    return Flow::kFault;
  }
  // RET imm16 releases arguments, in SP alone on a 16-bit stack.
  const uint64_t rsp = cpu.state.gpr[kRsp] + in.imm;
  if (cpu.state.mode == CpuMode::kLong64) {
    cpu.state.gpr[kRsp] = rsp;
  } else if (cpu.state.seg[kSs].default_big()) {
    cpu.state.gpr[kRsp] = static_cast<uint32_t>(rsp);
  } else {
    cpu.SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(rsp));
  }
  return cpu.Branch(target);
}

// 64-bit mode's CALL rel32 and RET, the kernel's commonest branches: the
// stack access in the fast path and no mode tests. Anything else (a miss
// in the fast path, a non-canonical target) goes to the general form,
// which does it all and raises what the SDM says.
Flow CallRel64(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t ret = cpu.state.rip + in.length;
  const uint64_t target = ret + in.imm;
  const uint64_t rsp = cpu.state.gpr[kRsp] - 8;
  if (!paging::IsCanonical(target) || !cpu.TryFastWrite<uint64_t>(rsp, ret)) [[unlikely]] {
    return CallRel(cpu, in);
  }
  cpu.state.gpr[kRsp] = rsp;
  return cpu.Branch(target);
}

Flow Ret64(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t rsp = cpu.state.gpr[kRsp];
  uint64_t target;
  if (!cpu.TryFastRead<uint64_t>(rsp, &target)) [[unlikely]] return Ret(cpu, in);
  if (!paging::IsCanonical(target)) [[unlikely]] {  // RSP unchanged, as Ret leaves it
    cpu.Fault(kGeneralProtection, 0);
    return Flow::kFault;
  }
  cpu.state.gpr[kRsp] = rsp + 8 + in.imm;
  return cpu.Branch(target);
}

// LOOP/LOOPE/LOOPNE/JrCXZ: the counter is RCX, ECX or CX by address size
// (in.aux: 8, 4 or 2 bytes). A target beyond CS's limit faults before the
// counter changes.
template <int kKind>  // 0 LOOP, 1 LOOPE, 2 LOOPNE, 3 JrCXZ
Flow LoopOp(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t mask = in.aux == 8 ? ~0ull : in.aux == 4 ? 0xffffffffull : 0xffffull;
  uint64_t count = cpu.state.gpr[kRcx] & mask;
  bool taken;
  if constexpr (kKind == 3) {
    taken = count == 0;
  } else {
    count = (count - 1) & mask;
    bool zf = cpu.state.rflags & kZF;
    taken = count != 0 && (kKind == 0 || (kKind == 1 ? zf : !zf));
  }
  const uint64_t target = BranchTarget(cpu, in, cpu.state.rip + in.length + in.imm);
  if (taken && cpu.state.mode != CpuMode::kLong64 && !WithinCode(cpu, target)) return Flow::kFault;
  if constexpr (kKind != 3) {
    if (in.aux == 8) {
      cpu.state.gpr[kRcx] = count;
    } else if (in.aux == 4) {
      cpu.SetReg<uint32_t>(kRcx * 8, static_cast<uint32_t>(count));
    } else {
      cpu.SetReg<uint16_t>(kRcx * 8, static_cast<uint16_t>(count));
    }
  }
  return taken ? cpu.Branch(target) : cpu.Next(in);
}

// INT n, unlike INT3, INTO and INT1, needs IOPL = 3 in virtual-8086 mode.
Flow IntN(Cpu& cpu, const DecodedInsn& in) {
  if (InVm86(cpu) && !Vm86IoplAllows(cpu)) return Flow::kFault;
  return cpu.SoftwareInterrupt(static_cast<uint8_t>(in.imm), cpu.state.rip + in.length);
}
Flow Int3(Cpu& cpu, const DecodedInsn& in) {
  return cpu.SoftwareInterrupt(kBreakpoint, cpu.state.rip + in.length);
}
Flow Ud2(Cpu& cpu, const DecodedInsn&) { return cpu.FaultNoCode(kInvalidOpcode); }
// INT1/ICEBP (SDM vol. 2A INT n/INTO/INT3/INT1): #DB as a trap, delivered
// like the hardware's (no gate-DPL check), naming the next instruction.
Flow Int1(Cpu& cpu, const DecodedInsn& in) {
  cpu.state.rip += in.length;
  return cpu.FaultNoCode(kDebug);
}

bool BindRelative(const ZydisInsn& z, DecodedInsn& out, Handler h) {
  const ZydisDecodedOperand& a = z.ops[0];
  if (!IsImm(a)) return false;
  out.imm = a.imm.value.u;
  out.handler = h;
  return true;
}

// A near branch's operand size: 64 bits in 64-bit mode, where Intel
// processors ignore 66h (SDM vol. 2A JMP, CALL; 2B RET); outside it 32, or
// 16 with 66h (IP and a 16-bit return address).
int NearBranchSize(const ZydisInsn& z) { return z.long_mode ? 8 : z.insn.operand_width / 8; }

bool BindJmp(const ZydisInsn& z, DecodedInsn& out) {
  const ZydisDecodedOperand& a = z.ops[0];
  if (IsImm(a)) return BindRelative(z, out, JmpRel);
  bool mem;
  if (z.insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) return BindFarJmp(z, out);
  if (!BindOneOperand(z, out, &mem)) return false;
  out.size = NearBranchSize(z);
  out.handler = mem ? &JmpIndirect<true> : &JmpIndirect<false>;
  return true;
}

bool BindJcc(const ZydisInsn& z, DecodedInsn& out) {
  const int cond = ConditionOf(z.insn.mnemonic);
  return BindRelative(z, out, z.long_mode ? kJccHandlers64[cond] : kJccHandlers32[cond]);
}

bool BindCall(const ZydisInsn& z, DecodedInsn& out) {
  const ZydisDecodedOperand& a = z.ops[0];
  out.size = NearBranchSize(z);
  if (IsImm(a)) return BindRelative(z, out, z.long_mode ? CallRel64 : CallRel);
  if (z.insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) return BindFarCall(z, out);
  bool mem;
  if (!BindOneOperand(z, out, &mem)) return false;
  out.size = NearBranchSize(z);
  out.handler = mem ? &CallIndirect<true> : &CallIndirect<false>;
  return true;
}

bool BindRet(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) return BindFarRet(z, out);
  out.size = NearBranchSize(z);
  out.imm = z.insn.operand_count_visible > 0 && IsImm(z.ops[0]) ? z.ops[0].imm.value.u : 0;
  out.handler = z.long_mode ? Ret64 : Ret;
  return true;
}

bool BindLoop(const ZydisInsn& z, DecodedInsn& out) {
  out.aux = z.insn.address_width / 8;
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_LOOP: return BindRelative(z, out, &LoopOp<0>);
    case ZYDIS_MNEMONIC_LOOPE: return BindRelative(z, out, &LoopOp<1>);
    case ZYDIS_MNEMONIC_LOOPNE: return BindRelative(z, out, &LoopOp<2>);
    default: return BindRelative(z, out, &LoopOp<3>);
  }
}

bool BindInt(const ZydisInsn& z, DecodedInsn& out) {
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_INT:
      out.imm = z.ops[0].imm.value.u & 0xff;
      out.handler = IntN;
      return true;
    case ZYDIS_MNEMONIC_INT3: out.handler = Int3; return true;
    case ZYDIS_MNEMONIC_INT1: out.handler = Int1; return true;
    case ZYDIS_MNEMONIC_RSM:  // outside system-management mode, which x64sim has none of
    case ZYDIS_MNEMONIC_UD0:
    case ZYDIS_MNEMONIC_UD1:
    case ZYDIS_MNEMONIC_UD2: out.handler = Ud2; return true;
    default: return false;
  }
}

}  // namespace

void RegisterControlOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_JMP, BindJmp, true);
  for (int m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; ++m) {
    auto mn = static_cast<ZydisMnemonic>(m);
    // Blocks run on past a conditional branch: a taken one leaves the block,
    // a fall-through continues in it.
    if (IsConditionalJump(mn)) t.Add(mn, BindJcc);
  }
  t.Add(ZYDIS_MNEMONIC_CALL, BindCall, true);
  t.Add(ZYDIS_MNEMONIC_RET, BindRet, true);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_LOOP, ZYDIS_MNEMONIC_LOOPE, ZYDIS_MNEMONIC_LOOPNE,
                          ZYDIS_MNEMONIC_JRCXZ, ZYDIS_MNEMONIC_JECXZ, ZYDIS_MNEMONIC_JCXZ}) {
    t.Add(m, BindLoop);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_INT, ZYDIS_MNEMONIC_INT3, ZYDIS_MNEMONIC_INT1, ZYDIS_MNEMONIC_RSM, ZYDIS_MNEMONIC_UD0,
                          ZYDIS_MNEMONIC_UD1, ZYDIS_MNEMONIC_UD2}) {
    t.Add(m, BindInt, true);
  }
}

}  // namespace x64sim
