// Prints every implemented instruction form, sorted by key, one per line:
// key TAB mode TAB example bytes (hex) TAB Intel-syntax disassembly.
#include <Zydis/Zydis.h>

#include <cstdio>
#include <string>

#include "uarch/implemented_forms.h"

int main() {
  using x64sim::FormMode;
  ZydisDecoder long64, compat32;
  ZydisDecoderInit(&long64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisDecoderInit(&compat32, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  // Always `dword ptr` etc., so that assemblers (llvm-mca) know the size.
  ZydisFormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_FORCE_SIZE, ZYAN_TRUE);
  for (const x64sim::ImplementedForm& f : x64sim::ImplementedForms()) {
    const ZydisDecoder* decoder = f.mode == FormMode::kLong64 ? &long64 : &compat32;
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    char text[256] = "(undecodable)";
    if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(decoder, f.bytes.data(), f.bytes.size(), &insn, ops))) {
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
