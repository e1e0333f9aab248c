#include "uarch/form_key.h"
#include <cctype>
#include "absl/strings/str_cat.h"
namespace x64sim {
std::string FormKey(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops) {
  std::string key;
  if (insn.attributes & ZYDIS_ATTRIB_HAS_LOCK) key += "LOCK ";
  if (insn.attributes & ZYDIS_ATTRIB_HAS_REP) key += "REP ";
  if (insn.attributes & ZYDIS_ATTRIB_HAS_REPE) key += "REPE ";
  if (insn.attributes & ZYDIS_ATTRIB_HAS_REPNE) key += "REPNE ";
  std::string m = ZydisMnemonicGetString(insn.mnemonic);
  for (char& c : m) c = static_cast<char>(std::toupper(c));
  key += m;
  for (int i = 0; i < insn.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = ops[i];
    key += i == 0 ? " " : ",";
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE) { key += ZydisRegisterGetString(op.reg.value); continue; }
      switch (ZydisRegisterGetClass(op.reg.value)) {
        case ZYDIS_REGCLASS_GPR8: key += "r8"; break;
        case ZYDIS_REGCLASS_GPR16: key += "r16"; break;
        case ZYDIS_REGCLASS_GPR32: key += "r32"; break;
        case ZYDIS_REGCLASS_GPR64: key += "r64"; break;
        case ZYDIS_REGCLASS_XMM: key += "xmm"; break;
        case ZYDIS_REGCLASS_SEGMENT: key += "sreg"; break;
        case ZYDIS_REGCLASS_CONTROL: key += "cr"; break;
        case ZYDIS_REGCLASS_DEBUG: key += "dr"; break;
        default: key += "reg"; break;
      }
    } else if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
      if (op.mem.type == ZYDIS_MEMOP_TYPE_AGEN) key += "agen";
      else key += op.size ? absl::StrCat("m", op.size) : "m";
    } else if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
      if (op.encoding == ZYDIS_OPERAND_ENCODING_NONE) key += absl::StrCat(op.imm.value.u);
      else if (op.imm.is_relative) key += absl::StrCat("rel", insn.raw.imm[0].size);
      else key += absl::StrCat("i", insn.raw.imm[0].size);
    } else {
      key += "ptr";
    }
  }
  return key;
}
}
