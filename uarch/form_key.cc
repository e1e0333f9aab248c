#include "uarch/form_key.h"

#include <cctype>

namespace x64sim {
namespace {

std::string Lower(const char* s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(const char* s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string RegisterWord(const ZydisDecodedOperand& op) {
  if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE) {
    return Lower(ZydisRegisterGetString(op.reg.value));  // fixed by the opcode: by name
  }
  switch (ZydisRegisterGetClass(op.reg.value)) {
    case ZYDIS_REGCLASS_GPR8: return "r8";
    case ZYDIS_REGCLASS_GPR16: return "r16";
    case ZYDIS_REGCLASS_GPR32: return "r32";
    case ZYDIS_REGCLASS_GPR64: return "r64";
    case ZYDIS_REGCLASS_X87: return "st";
    case ZYDIS_REGCLASS_MMX: return "mm";
    case ZYDIS_REGCLASS_XMM: return "xmm";
    case ZYDIS_REGCLASS_YMM: return "ymm";
    case ZYDIS_REGCLASS_ZMM: return "zmm";
    case ZYDIS_REGCLASS_TMM: return "tmm";
    case ZYDIS_REGCLASS_SEGMENT: return "sreg";
    case ZYDIS_REGCLASS_CONTROL: return "cr";
    case ZYDIS_REGCLASS_DEBUG: return "dr";
    case ZYDIS_REGCLASS_MASK: return "k";
    case ZYDIS_REGCLASS_BOUND: return "bnd";
    default: return Lower(ZydisRegisterGetString(op.reg.value));  // no class of its own
  }
}

std::string MemoryWord(const ZydisDecodedOperand& op) {
  if (op.mem.type == ZYDIS_MEMOP_TYPE_AGEN) return "agen";
  if (op.size == 0) return "m";
  return "m" + std::to_string(op.size);
}

// `nth_encoded`: how many encoded immediates precede this one.
std::string ImmediateWord(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand& op,
                          int nth_encoded) {
  if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE) return std::to_string(op.imm.value.u);
  std::string bits = std::to_string(insn.raw.imm[nth_encoded].size);
  return (op.imm.is_relative ? "rel" : "i") + bits;
}

}  // namespace

std::string FormKey(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops) {
  std::string key;
  if (insn.attributes & ZYDIS_ATTRIB_HAS_LOCK) key += "LOCK ";
  if (insn.attributes & ZYDIS_ATTRIB_HAS_REP) key += "REP ";
  if (insn.attributes & ZYDIS_ATTRIB_HAS_REPE) key += "REPE ";
  if (insn.attributes & ZYDIS_ATTRIB_HAS_REPNE) key += "REPNE ";
  key += Upper(ZydisMnemonicGetString(insn.mnemonic));
  if (insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) key += " FAR";
  int encoded_immediates = 0;
  for (int i = 0; i < insn.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = ops[i];
    key += i == 0 ? " " : ",";
    switch (op.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER: key += RegisterWord(op); break;
      case ZYDIS_OPERAND_TYPE_MEMORY: key += MemoryWord(op); break;
      case ZYDIS_OPERAND_TYPE_POINTER: key += "ptr" + std::to_string(op.size); break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        key += ImmediateWord(insn, op, encoded_immediates);
        if (op.encoding != ZYDIS_OPERAND_ENCODING_NONE) ++encoded_immediates;
        break;
      default: key += "?"; break;
    }
  }
  return key;
}

}  // namespace x64sim
