// Instructions valid only outside 64-bit mode (in 64-bit mode their
// opcodes are #UD, which the decoder already gives): the decimal
// adjustments DAA DAS AAA AAS AAM AAD, BOUND, INTO, PUSHA, POPA and SALC. Each follows the
// operation section of its SDM vol. 2 page; flags the SDM leaves undefined
// are cleared, as everywhere in x64sim (cpu/host_flags.h).
#include <type_traits>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/host_flags.h"

namespace x64sim {
namespace {

uint8_t Al(const Cpu& cpu) { return static_cast<uint8_t>(cpu.state.gpr[kRax]); }
uint8_t Ah(const Cpu& cpu) { return static_cast<uint8_t>(cpu.state.gpr[kRax] >> 8); }

void SetAx(Cpu& cpu, uint8_t al, uint8_t ah) {
  cpu.SetReg<uint16_t>(kRax * 8, static_cast<uint16_t>(al | (ah << 8)));
}

// Replaces every arithmetic flag: `set` are the ones to be 1.
void SetArithFlags(Cpu& cpu, uint64_t set) {
  cpu.state.rflags = (cpu.state.rflags & ~kArithFlags) | (set & kArithFlags);
}

// DAA/DAS (SDM vol. 2A): adjust AL after a packed-BCD ADD/SUB. OF undefined.
template <bool kSubtract>
Flow DecimalAdjust(Cpu& cpu, const DecodedInsn& in) {
  const uint8_t old_al = Al(cpu);
  const bool old_cf = cpu.state.rflags & kCF;
  uint8_t al = old_al;
  bool cf = false;
  bool af = false;
  if ((al & 0x0f) > 9 || (cpu.state.rflags & kAF)) {
    cf = old_cf || (kSubtract ? al < 6 : al > 0xff - 6);
    al = static_cast<uint8_t>(kSubtract ? al - 6 : al + 6);
    af = true;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<uint8_t>(kSubtract ? al - 0x60 : al + 0x60);
    cf = true;
  } else if (!kSubtract) {
    cf = false;  // DAA's ELSE CF := 0; DAS has none
  }
  cpu.SetReg<uint8_t>(kRax * 8, al);
  SetArithFlags(cpu, ResultFlags<uint8_t>(al) | (cf ? kCF : 0) | (af ? kAF : 0));
  return cpu.Next(in);
}

// AAA/AAS (SDM vol. 2A): adjust AX after an unpacked-BCD ADD/SUB. OF SF ZF
// PF undefined.
template <bool kSubtract>
Flow AsciiAdjust(Cpu& cpu, const DecodedInsn& in) {
  uint8_t al = Al(cpu);
  uint8_t ah = Ah(cpu);
  const bool adjust = (al & 0x0f) > 9 || (cpu.state.rflags & kAF);
  if (adjust) {
    // AAA: AX := AX + 106H; AAS: AX := AX - 6, AH := AH - 1.
    uint16_t ax = static_cast<uint16_t>(al | (ah << 8));
    ax = static_cast<uint16_t>(kSubtract ? ax - 6 : ax + 0x106);
    al = static_cast<uint8_t>(ax);
    ah = static_cast<uint8_t>((ax >> 8) - (kSubtract ? 1 : 0));
  }
  SetAx(cpu, al & 0x0f, ah);
  SetArithFlags(cpu, adjust ? kCF | kAF : 0);
  return cpu.Next(in);
}

// AAM imm8 (SDM vol. 2A): AH := AL / imm8, AL := AL mod imm8; #DE for 0.
// SF ZF PF from AL; OF AF CF undefined.
Flow AsciiAdjustMultiply(Cpu& cpu, const DecodedInsn& in) {
  const uint8_t base = static_cast<uint8_t>(in.imm);
  if (base == 0) return cpu.FaultNoCode(kDivideError);
  const uint8_t al = Al(cpu);
  SetAx(cpu, al % base, al / base);
  SetArithFlags(cpu, ResultFlags<uint8_t>(al % base));
  return cpu.Next(in);
}

// AAD imm8 (SDM vol. 2A): AL := (AL + AH * imm8) AND FFH, AH := 0.
// SF ZF PF from AL; OF AF CF undefined.
Flow AsciiAdjustDivide(Cpu& cpu, const DecodedInsn& in) {
  const uint8_t al = static_cast<uint8_t>(Al(cpu) + Ah(cpu) * static_cast<uint8_t>(in.imm));
  SetAx(cpu, al, 0);
  SetArithFlags(cpu, ResultFlags<uint8_t>(al));
  return cpu.Next(in);
}

// BOUND r, m (SDM vol. 2A): #BR unless lower <= r <= upper, both bounds
// signed and read from the memory pair.
template <typename T>
Flow Bound(Cpu& cpu, const DecodedInsn& in) {
  const uint64_t linear = cpu.Linear(in);
  T lower, upper;
  if (!cpu.Read<T>(linear, &lower) || !cpu.Read<T>(linear + sizeof(T), &upper)) return Flow::kFault;
  using Signed = std::make_signed_t<T>;
  const Signed value = static_cast<Signed>(cpu.Reg<T>(in.reg));
  if (value < static_cast<Signed>(lower) || value > static_cast<Signed>(upper)) {
    return cpu.FaultNoCode(kBoundRange);
  }
  return cpu.Next(in);
}

bool BindBound(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !BindMemory(z, z.ops[1], out)) return false;
  const int reg = GprOffset(z.ops[0].reg.value);
  if (reg < 0) return false;
  out.reg = static_cast<uint8_t>(reg);
  out.handler = z.ops[0].size == 16 ? &Bound<uint16_t> : &Bound<uint32_t>;
  return true;
}

// PUSHA/PUSHAD (SDM vol. 2B): EAX ECX EDX EBX, ESP as it was before the
// first push, EBP ESI EDI, each of the operand size. A fault leaves ESP as
// it was.
Flow PushAll(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  const uint64_t saved_rsp = s.gpr[kRsp];
  for (Gpr r : {kRax, kRcx, kRdx, kRbx, kRsp, kRbp, kRsi, kRdi}) {
    if (!cpu.Push(r == kRsp ? saved_rsp : s.gpr[r], in.size)) {
      s.gpr[kRsp] = saved_rsp;
      return Flow::kFault;
    }
  }
  return cpu.Next(in);
}

// POPA/POPAD: EDI ESI EBP, a slot skipped (ESP's), EBX EDX ECX EAX; nothing
// changes if a read faults.
Flow PopAll(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  const uint64_t saved_rsp = s.gpr[kRsp];
  uint64_t v[8];
  for (uint64_t& slot : v) {
    if (!cpu.Pop(&slot, in.size)) {
      s.gpr[kRsp] = saved_rsp;
      return Flow::kFault;
    }
  }
  const Gpr order[8] = {kRdi, kRsi, kRbp, kRsp, kRbx, kRdx, kRcx, kRax};
  for (int i = 0; i < 8; ++i) {
    if (order[i] == kRsp) continue;
    if (in.size == 2) {
      cpu.SetReg<uint16_t>(order[i] * 8, static_cast<uint16_t>(v[i]));
    } else {
      cpu.SetReg<uint32_t>(order[i] * 8, static_cast<uint32_t>(v[i]));
    }
  }
  return cpu.Next(in);
}

// SALC (D6, outside 64-bit mode; the SDM's opcode map lists it): AL is
// FFH with CF set, else 0. No flag changes.
Flow Salc(Cpu& cpu, const DecodedInsn& in) {
  cpu.SetReg<uint8_t>(kRax * 8, (cpu.state.rflags & kCF) ? 0xff : 0x00);
  return cpu.Next(in);
}

// INTO (SDM vol. 2A INT n/INTO/INT3/INT1): with OF set, the overflow trap,
// delivered as a software interrupt (its gate's DPL is checked as for INT n).
Flow Into(Cpu& cpu, const DecodedInsn& in) {
  if (!(cpu.state.rflags & kOF)) return cpu.Next(in);
  return cpu.SoftwareInterrupt(kOverflow, cpu.state.rip + in.length);
}

bool BindLegacy(const ZydisInsn& z, DecodedInsn& out) {
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_DAA: out.handler = &DecimalAdjust<false>; return true;
    case ZYDIS_MNEMONIC_DAS: out.handler = &DecimalAdjust<true>; return true;
    case ZYDIS_MNEMONIC_AAA: out.handler = &AsciiAdjust<false>; return true;
    case ZYDIS_MNEMONIC_AAS: out.handler = &AsciiAdjust<true>; return true;
    case ZYDIS_MNEMONIC_AAM:
    case ZYDIS_MNEMONIC_AAD:
      if (z.insn.operand_count_visible != 1 || !IsImm(z.ops[0])) return false;
      out.imm = z.ops[0].imm.value.u & 0xff;
      out.handler = z.insn.mnemonic == ZYDIS_MNEMONIC_AAM ? AsciiAdjustMultiply : AsciiAdjustDivide;
      return true;
    case ZYDIS_MNEMONIC_INTO: out.handler = Into; return true;
    case ZYDIS_MNEMONIC_SALC: out.handler = Salc; return true;
    case ZYDIS_MNEMONIC_PUSHA:
    case ZYDIS_MNEMONIC_PUSHAD: out.handler = PushAll; return true;
    case ZYDIS_MNEMONIC_POPA:
    case ZYDIS_MNEMONIC_POPAD: out.handler = PopAll; return true;
    default: return false;
  }
}

}  // namespace

void RegisterLegacy32Ops(BinderTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_DAA, ZYDIS_MNEMONIC_DAS, ZYDIS_MNEMONIC_AAA, ZYDIS_MNEMONIC_AAS,
                          ZYDIS_MNEMONIC_AAM, ZYDIS_MNEMONIC_AAD}) {
    t.Add(m, BindLegacy);
  }
  t.Add(ZYDIS_MNEMONIC_INTO, BindLegacy, /*ends_block=*/true);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_PUSHA, ZYDIS_MNEMONIC_PUSHAD, ZYDIS_MNEMONIC_POPA, ZYDIS_MNEMONIC_POPAD,
                          ZYDIS_MNEMONIC_SALC}) {
    t.Add(m, BindLegacy);
  }
  t.Add(ZYDIS_MNEMONIC_BOUND, BindBound);
}

}  // namespace x64sim
