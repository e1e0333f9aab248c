#include "cpu/operand_forms.h"

namespace x64sim {

bool BindTwoOperands(const ZydisInsn& z, DecodedInsn& out, Form* form) {
  const ZydisDecodedOperand& a = z.ops[0];
  const ZydisDecodedOperand& b = z.ops[1];
  if (IsReg(a)) {
    int r = GprOffset(a.reg.value);
    if (r < 0) return false;
    out.reg = static_cast<uint8_t>(r);
    if (IsReg(b)) {
      int r2 = GprOffset(b.reg.value);
      if (r2 < 0) return false;
      out.reg2 = static_cast<uint8_t>(r2);
      *form = Form::kRR;
      return true;
    }
    if (IsMem(b)) {
      *form = Form::kRM;
      return BindMemory(z, b, out);
    }
    if (IsImm(b)) {
      out.imm = b.imm.value.u;
      *form = Form::kRI;
      return true;
    }
    return false;
  }
  if (IsMem(a)) {
    if (!BindMemory(z, a, out)) return false;
    if (IsReg(b)) {
      int r2 = GprOffset(b.reg.value);
      if (r2 < 0) return false;
      out.reg2 = static_cast<uint8_t>(r2);
      *form = Form::kMR;
      return true;
    }
    if (IsImm(b)) {
      out.imm = b.imm.value.u;
      *form = Form::kMI;
      return true;
    }
  }
  return false;
}

bool BindOneOperand(const ZydisInsn& z, DecodedInsn& out, bool* is_mem) {
  const ZydisDecodedOperand& a = z.ops[0];
  if (IsReg(a)) {
    int r = GprOffset(a.reg.value);
    if (r < 0) return false;
    out.reg = static_cast<uint8_t>(r);
    *is_mem = false;
    return true;
  }
  *is_mem = true;
  return BindMemory(z, a, out);
}

int ConditionOf(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_SETO: case ZYDIS_MNEMONIC_CMOVO: return 0;
    case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_SETNO: case ZYDIS_MNEMONIC_CMOVNO: return 1;
    case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_SETB: case ZYDIS_MNEMONIC_CMOVB: return 2;
    case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_SETNB: case ZYDIS_MNEMONIC_CMOVNB: return 3;
    case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_SETZ: case ZYDIS_MNEMONIC_CMOVZ: return 4;
    case ZYDIS_MNEMONIC_JNZ: case ZYDIS_MNEMONIC_SETNZ: case ZYDIS_MNEMONIC_CMOVNZ: return 5;
    case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_SETBE: case ZYDIS_MNEMONIC_CMOVBE: return 6;
    case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_SETNBE: case ZYDIS_MNEMONIC_CMOVNBE: return 7;
    case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_SETS: case ZYDIS_MNEMONIC_CMOVS: return 8;
    case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_SETNS: case ZYDIS_MNEMONIC_CMOVNS: return 9;
    case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_SETP: case ZYDIS_MNEMONIC_CMOVP: return 10;
    case ZYDIS_MNEMONIC_JNP: case ZYDIS_MNEMONIC_SETNP: case ZYDIS_MNEMONIC_CMOVNP: return 11;
    case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_SETL: case ZYDIS_MNEMONIC_CMOVL: return 12;
    case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_SETNL: case ZYDIS_MNEMONIC_CMOVNL: return 13;
    case ZYDIS_MNEMONIC_JLE: case ZYDIS_MNEMONIC_SETLE: case ZYDIS_MNEMONIC_CMOVLE: return 14;
    case ZYDIS_MNEMONIC_JNLE: case ZYDIS_MNEMONIC_SETNLE: case ZYDIS_MNEMONIC_CMOVNLE: return 15;
    default: return -1;
  }
}

}  // namespace x64sim
