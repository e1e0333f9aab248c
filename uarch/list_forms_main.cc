// Prints every implemented instruction form, sorted by key, one per line:
// key TAB mode TAB example bytes (hex) TAB Intel-syntax disassembly.
#include <Zydis/Zydis.h>

#include <cstdio>
#include <string>

#include "uarch/implemented_forms.h"

int main() {
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  // Always `dword ptr` etc., so that assemblers (llvm-mca) know the size.
  ZydisFormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_FORCE_SIZE, ZYAN_TRUE);
  for (const x64sim::ImplementedForm& f : x64sim::ImplementedForms()) {
    ZydisDecoder decoder;
    x64sim::InitFormDecoder(&decoder, f.mode);
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    char text[256] = "(undecodable)";
    if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, f.bytes.data(), f.bytes.size(), &insn, ops))) {
      ZydisFormatterFormatInstruction(&formatter, &insn, ops, insn.operand_count_visible, text,
                                      sizeof(text), 0, nullptr);
    }
    std::string hex;
    for (uint8_t b : f.bytes) {
      char byte[4];
      std::snprintf(byte, sizeof(byte), "%s%02x", hex.empty() ? "" : " ", b);
      hex += byte;
    }
    std::printf("%s\t%s\t%s\t%s\n", f.key.c_str(), x64sim::FormModeName(f.mode), hex.c_str(), text);
  }
  return 0;
}
