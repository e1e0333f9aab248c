// Every instruction form x64sim implements: the forms (uarch/form_key.h) of
// all encodings the BinderTable binds, found by decoding a systematic sweep
// of encodings in 64-bit mode and in compatibility mode with 32-bit and with
// 16-bit code (CS.D = 0; what 32-bit protected mode decodes the same way).
#ifndef X64SIM_UARCH_IMPLEMENTED_FORMS_H_
#define X64SIM_UARCH_IMPLEMENTED_FORMS_H_

#include <Zydis/Zydis.h>

#include <cstdint>
#include <string>
#include <vector>

namespace x64sim {

enum class FormMode : uint8_t { kLong64, kCompat32, kCompat16 };

// Bits of ImplementedForm::modes.
inline constexpr uint8_t kInLong64 = 1u << 0;
inline constexpr uint8_t kInCompat32 = 1u << 1;
inline constexpr uint8_t kInCompat16 = 1u << 2;

struct ImplementedForm {
  std::string key;
  // One encoding of the form that x64sim binds, and the mode it was decoded in
  // (the first of 64-bit, 32-bit and 16-bit code it exists in).
  std::vector<uint8_t> bytes;
  FormMode mode;
  uint8_t modes;  // kInLong64 | kInCompat32 | kInCompat16: where any swept encoding bound
};

// Sorted by key; computed once.
const std::vector<ImplementedForm>& ImplementedForms();

const char* FormModeName(FormMode mode);  // "64", "compat32" or "compat16"

// Sets up `decoder` for the mode's code (Zydis machine mode and stack width).
void InitFormDecoder(ZydisDecoder* decoder, FormMode mode);

// A form the sweep decodes, bound by x64sim or not, with the ISA set Zydis
// files it under: what a coverage report counts.
struct SweptForm {
  std::string key;
  ZydisMnemonic mnemonic;
  ZydisISASet isa_set;
  bool bound;  // in either mode
};

// Every form the sweep decodes in the three modes (the VEX
// maps at both vector lengths), sorted by key. Computed on each call.
std::vector<SweptForm> AllSweptForms();

// Whether x64sim binds this decoded instruction: its mnemonic's binder,
// called with the fields Cpu::DecodeBlock sets before calling it.
bool X64simBinds(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops,
                 bool long_mode);

}  // namespace x64sim

#endif  // X64SIM_UARCH_IMPLEMENTED_FORMS_H_
