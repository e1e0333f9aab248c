#include "uarch/implemented_forms.h"

#include <algorithm>
#include <map>

#include "cpu/binder.h"
#include "cpu/code_decoder.h"
#include "cpu/isa_gate.h"
#include "cpu/state.h"
#include "uarch/form_key.h"

namespace x64sim {
namespace {

// Legacy prefix sequences tried before each opcode: none, operand and
// address size, the mandatory/repeat prefixes, LOCK, and the pairs that
// make 16-bit REP/LOCK and 66-plus-F2/F3 forms.
const std::vector<std::vector<uint8_t>>& LegacyPrefixes() {
  static const std::vector<std::vector<uint8_t>> kPrefixes = {
      {}, {0x66}, {0x67}, {0xf2}, {0xf3}, {0xf0}, {0x66, 0xf2}, {0x66, 0xf3}, {0xf0, 0x66},
  };
  return kPrefixes;
}

// Opcode bytes of the one-byte map that are prefixes or escapes, not opcodes.
bool IsPrefixOrEscape(uint8_t b, bool long_mode) {
  switch (b) {
    case 0x0f: case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3: return true;
    default: return long_mode && (b & 0xf0) == 0x40;  // REX
  }
}

// Filler for everything after the ModRM byte: SIB, displacement and
// immediate bytes take whatever they need from it.
constexpr uint8_t kFiller = 0x01;
constexpr int kFillerBytes = 15;

class Sweep {
 public:
  // Records the forms x64sim binds in `found` and, if `all` is given,
  // every form decoded in it.
  Sweep(FormMode mode, std::map<std::string, ImplementedForm>& found,
        std::map<std::string, SweptForm>* all = nullptr)
      : mode_(mode), long_mode_(mode == FormMode::kLong64), found_(found), all_(all) {
    InitFormDecoder(&decoder_, mode);
    // Encodings mean what they mean on the default CPU model (no MPX: 0F 1A
    // and 0F 1B are NOPs), as in cpu/cpu.cc.
    IsaGate(DefaultCpuModel()).ConfigureDecoder(&decoder_);
  }

  void Run() {
    static const std::vector<std::vector<uint8_t>> kMaps = {{}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}};
    std::vector<std::vector<uint8_t>> rex = {{}};
    if (long_mode_) rex.push_back({0x48});
    for (const std::vector<uint8_t>& legacy : LegacyPrefixes()) {
      for (const std::vector<uint8_t>& w : rex) {
        for (const std::vector<uint8_t>& map : kMaps) {
          for (int op = 0; op < 256; ++op) {
            if (map.empty() && IsPrefixOrEscape(op, long_mode_)) continue;
            if (map.size() == 1 && (op == 0x38 || op == 0x3a)) continue;
            std::vector<uint8_t> head = legacy;
            head.insert(head.end(), w.begin(), w.end());
            head.insert(head.end(), map.begin(), map.end());
            head.push_back(static_cast<uint8_t>(op));
            TryOpcode(head);
          }
        }
      }
    }
    SweepVex();
  }

 private:
  // The three-byte VEX prefix (SDM vol. 2 2.3.5) for the 0F, 0F38 and 0F3A
  // maps, every implied prefix (pp), VEX.W and vector length; R X B
  // clear and vvvv naming register 1 (so it differs from the ModRM
  // registers' first choice) or, for forms that must not use it, none. In
  // 32-bit mode C4 is LES unless the next byte's top bits are set, which
  // they are here.
  void SweepVex() {
    for (int map = 1; map <= 3; ++map) {
      for (int pp = 0; pp < 4; ++pp) {
        for (int wl = 0; wl < 4; ++wl) {
          const int w = wl & 1;
          const int l = wl >> 1;
          const uint8_t byte1 = static_cast<uint8_t>(0xe0 | map);
          for (int op = 0; op < 256; ++op) {
            for (int inverted_vvvv : {0xe, 0xf}) {
              const uint8_t byte2 = static_cast<uint8_t>(w << 7 | inverted_vvvv << 3 | l << 2 | pp);
              const std::vector<uint8_t> head = {0xc4, byte1, byte2, static_cast<uint8_t>(op)};
              // Most of the VEX space is undefined: sweep the ModRM bytes
              // only where the opcode decodes with some /digit, memory (with
              // or without SIB) or register operand.
              if (DecodesWithSomeDigit(head)) TryOpcode(head);
            }
          }
        }
      }
    }
  }

  // Tries the opcode followed by filler; if it has a ModRM byte, then with
  // every register ModRM byte and memory ModRM bytes for each /reg digit.
  // Register forms try rm != reg first, so that a form's example does not
  // name one register twice (`xor eax, eax` is a zero idiom to timing tools).
  void TryOpcode(const std::vector<uint8_t>& head) {
    bool has_modrm = true;
    if (TryEncoding(head, kFiller, &has_modrm) && !has_modrm) return;
    for (int reg = 0; reg < 8; ++reg) {
      for (int i = 1; i <= 8; ++i) {
        TryEncoding(head, 0xc0 | reg << 3 | ((reg + i) & 7), &has_modrm);
      }
      TryEncoding(head, reg << 3, &has_modrm);  // [rax] / [eax] / [bx+si]
      // [rcx + rax] (the filler's SIB byte): the gathers' VSIB operand needs
      // a SIB byte, and their destination must differ from the index
      // (register 0) and the mask (VEX.vvvv, register 1).
      if (reg >= 2) TryEncoding(head, reg << 3 | 4, &has_modrm);
    }
  }

  bool DecodesWithSomeDigit(const std::vector<uint8_t>& head) {
    for (int digit = 0; digit < 8; ++digit) {
      if (Decodes(head, digit << 3 | 1) || Decodes(head, digit << 3 | 4) ||
          Decodes(head, 0xc0 | digit << 3 | 1)) {
        return true;
      }
    }
    return false;
  }

  bool Decodes(const std::vector<uint8_t>& head, int modrm) {
    uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH + 16];
    size_t n = head.size();
    std::copy(head.begin(), head.end(), bytes);
    bytes[n++] = static_cast<uint8_t>(modrm);
    for (int i = 0; i < kFillerBytes; ++i) bytes[n++] = kFiller;
    ZydisDecoderContext context;
    ZydisDecodedInstruction insn;
    return ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder_, &context, bytes, n, &insn));
  }

  // Decodes head + modrm + filler; records the form if x64sim binds it.
  // Returns whether it decoded; *has_modrm tells if the ModRM byte was used.
  bool TryEncoding(const std::vector<uint8_t>& head, int modrm, bool* has_modrm) {
    uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH + 16];
    size_t n = head.size();
    std::copy(head.begin(), head.end(), bytes);
    bytes[n++] = static_cast<uint8_t>(modrm);
    for (int i = 0; i < kFillerBytes; ++i) bytes[n++] = kFiller;
    ZydisDecoderContext context;
    ZydisDecodedInstruction insn;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder_, &context, bytes, n, &insn))) {
      return false;
    }
    *has_modrm = (insn.attributes & ZYDIS_ATTRIB_HAS_MODRM) != 0;
    if (all_ == nullptr && BinderTable::Get().binder(insn.mnemonic) == nullptr) return true;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&decoder_, &context, &insn, ops,
                                                 ZYDIS_MAX_OPERAND_COUNT))) {
      return true;
    }
    const bool bound = X64simBinds(insn, ops, long_mode_);
    std::string key = FormKey(insn, ops);
    if (all_ != nullptr) {
      auto [it, inserted] = all_->try_emplace(key, SweptForm{key, insn.mnemonic, insn.meta.isa_set, bound});
      it->second.bound |= bound;
    }
    if (!bound) return true;
    const uint8_t mode_bit = static_cast<uint8_t>(1u << static_cast<int>(mode_));
    auto [it, inserted] = found_.try_emplace(key);
    if (inserted) {
      it->second = ImplementedForm{key, std::vector<uint8_t>(bytes, bytes + insn.length), mode_, 0};
    }
    it->second.modes |= mode_bit;
    return true;
  }

  FormMode mode_;
  bool long_mode_;
  ZydisDecoder decoder_;
  std::map<std::string, ImplementedForm>& found_;
  std::map<std::string, SweptForm>* all_;
};

std::vector<ImplementedForm> FindForms() {
  std::map<std::string, ImplementedForm> found;
  Sweep(FormMode::kLong64, found).Run();
  Sweep(FormMode::kCompat32, found).Run();
  Sweep(FormMode::kCompat16, found).Run();
  std::vector<ImplementedForm> forms;
  forms.reserve(found.size());
  for (auto& [key, form] : found) forms.push_back(std::move(form));
  return forms;
}

}  // namespace

bool X64simBinds(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops,
                 bool long_mode) {
  Binder binder = BinderTable::Get().binder(insn.mnemonic);
  if (binder == nullptr) return false;
  DecodedInsn out{};
  out.base = kZeroReg;
  out.index = kZeroReg;
  out.seg = kDs;
  out.length = insn.length;
  out.mnemonic = insn.mnemonic;
  if (insn.attributes & ZYDIS_ATTRIB_HAS_LOCK) out.flags |= kInsnLock;
  if (insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE)) out.flags |= kInsnRep;
  if (insn.attributes & ZYDIS_ATTRIB_HAS_REPNE) out.flags |= kInsnRepne;
  out.size = insn.operand_width / 8;
  ZydisInsn z{insn, ops, long_mode};
  return binder(z, out);
}

const std::vector<ImplementedForm>& ImplementedForms() {
  static const std::vector<ImplementedForm>* forms = new std::vector<ImplementedForm>(FindForms());
  return *forms;
}

const char* FormModeName(FormMode mode) {
  switch (mode) {
    case FormMode::kLong64: return "64";
    case FormMode::kCompat32: return "compat32";
    case FormMode::kCompat16: return "compat16";
  }
  return "?";
}

void InitFormDecoder(ZydisDecoder* decoder, FormMode mode) {
  constexpr CodeWidth kWidth[] = {CodeWidth::k64, CodeWidth::k32, CodeWidth::k16};  // by FormMode
  InitCodeDecoder(decoder, kWidth[static_cast<int>(mode)]);
}

std::vector<SweptForm> AllSweptForms() {
  std::map<std::string, ImplementedForm> found;
  std::map<std::string, SweptForm> all;
  Sweep(FormMode::kLong64, found, &all).Run();
  Sweep(FormMode::kCompat32, found, &all).Run();
  Sweep(FormMode::kCompat16, found, &all).Run();
  std::vector<SweptForm> forms;
  forms.reserve(all.size());
  for (auto& [key, form] : all) forms.push_back(std::move(form));
  return forms;
}

}  // namespace x64sim
