#include "tests/cpu/x86_encoder.h"

#include <cstdio>
#include <cstdlib>

namespace x64sim::testing {
namespace {

[[noreturn]] void Impossible(const char* why) {
  std::fprintf(stderr, "x86_encoder: %s\n", why);
  std::abort();
}

// The 3-bit register field value and whether it needs REX / forbids REX.
struct RegBits {
  int low3;
  int ext;  // REX.R/X/B bit
  bool needs_rex;
  bool forbids_rex;
};

RegBits Bits(Reg r) {
  if (r.high) {
    if (r.size != 1 || r.num > 3) Impossible("high byte register must be AH..BH");
    return {r.num + 4, 0, false, true};
  }
  // SPL..DIL exist only with a REX prefix (SDM vol. 2 2.2.1).
  bool byte_rex = r.size == 1 && r.num >= 4 && r.num <= 7;
  return {r.num & 7, r.num >> 3, byte_rex, false};
}

void Put(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint8_t Rex(bool w, int r, int x, int b) {
  return static_cast<uint8_t>(0x40 | (w ? 8 : 0) | (r << 2) | (x << 1) | b);
}

}  // namespace

std::vector<uint8_t> Encode(const ModRmInsn& in) {
  std::vector<uint8_t> out = in.prefixes;
  if (in.opsize == 2) out.push_back(0x66);
  if (in.rm.is_mem && in.rm.mem.addr32) out.push_back(0x67);

  bool needs_rex = in.opsize == 8, forbids_rex = false;
  int rex_r = 0, rex_x = 0, rex_b = 0;
  int reg_field;
  if (in.digit >= 0) {
    reg_field = in.digit;
  } else {
    RegBits b = Bits(in.reg);
    reg_field = b.low3;
    rex_r = b.ext;
    needs_rex |= b.needs_rex;
    forbids_rex |= b.forbids_rex;
  }

  std::vector<uint8_t> modrm_and_rest;
  if (!in.rm.is_mem) {
    RegBits b = Bits(in.rm.reg);
    rex_b = b.ext;
    needs_rex |= b.needs_rex;
    forbids_rex |= b.forbids_rex;
    modrm_and_rest.push_back(static_cast<uint8_t>(0xc0 | (reg_field << 3) | b.low3));
  } else {
    const Mem& m = in.rm.mem;
    int ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
    if (m.index == 4) Impossible("RSP cannot be an index");
    int index3 = 4;  // SIB index 100 without REX.X: no index
    if (m.index != kNoReg) {
      index3 = m.index & 7;
      rex_x = m.index >> 3;
    }
    if (m.base == kRipBase) {
      if (m.index != kNoReg) Impossible("RIP-relative addressing has no index");
      modrm_and_rest.push_back(static_cast<uint8_t>((reg_field << 3) | 5));
      Put(modrm_and_rest, static_cast<uint32_t>(m.disp), 4);
    } else if (m.base == kNoReg) {
      // SIB with base 101 and mod 00: disp32, no base.
      modrm_and_rest.push_back(static_cast<uint8_t>((reg_field << 3) | 4));
      modrm_and_rest.push_back(static_cast<uint8_t>((ss << 6) | (index3 << 3) | 5));
      Put(modrm_and_rest, static_cast<uint32_t>(m.disp), 4);
    } else {
      int base3 = m.base & 7;
      rex_b = m.base >> 3;
      int disp_bytes = m.disp_bytes;
      if (disp_bytes < 0) {
        if (m.disp == 0 && base3 != 5) disp_bytes = 0;  // rBP/r13 need a displacement
        else if (m.disp >= -128 && m.disp <= 127) disp_bytes = 1;
        else disp_bytes = 4;
      }
      if (disp_bytes == 0 && base3 == 5) Impossible("rBP/r13 base needs a displacement");
      int mod = disp_bytes == 0 ? 0 : disp_bytes == 1 ? 1 : 2;
      bool sib = m.index != kNoReg || base3 == 4;
      modrm_and_rest.push_back(static_cast<uint8_t>((mod << 6) | (reg_field << 3) | (sib ? 4 : base3)));
      if (sib) modrm_and_rest.push_back(static_cast<uint8_t>((ss << 6) | (index3 << 3) | base3));
      Put(modrm_and_rest, static_cast<uint32_t>(m.disp), disp_bytes);
    }
  }
  needs_rex |= rex_r || rex_x || rex_b;
  if (needs_rex && forbids_rex) Impossible("AH..BH cannot be encoded with a REX prefix");
  if (needs_rex) out.push_back(Rex(in.opsize == 8, rex_r, rex_x, rex_b));
  out.insert(out.end(), in.opcode.begin(), in.opcode.end());
  out.insert(out.end(), modrm_and_rest.begin(), modrm_and_rest.end());
  Put(out, in.imm, in.imm_bytes);
  return out;
}

std::vector<uint8_t> EncodeOpReg(std::vector<uint8_t> opcode, Reg reg, int opsize, uint64_t imm,
                                 int imm_bytes) {
  std::vector<uint8_t> out;
  if (opsize == 2) out.push_back(0x66);
  RegBits b = Bits(reg);
  bool needs_rex = opsize == 8 || b.ext || b.needs_rex;
  if (needs_rex && b.forbids_rex) Impossible("AH..BH cannot be encoded with a REX prefix");
  if (needs_rex) out.push_back(Rex(opsize == 8, 0, 0, b.ext));
  opcode.back() = static_cast<uint8_t>(opcode.back() + b.low3);
  out.insert(out.end(), opcode.begin(), opcode.end());
  Put(out, imm, imm_bytes);
  return out;
}

std::vector<uint8_t> EncodePlain(std::vector<uint8_t> opcode, int opsize, uint64_t imm,
                                 int imm_bytes) {
  std::vector<uint8_t> out;
  if (opsize == 2) out.push_back(0x66);
  if (opsize == 8) out.push_back(0x48);
  out.insert(out.end(), opcode.begin(), opcode.end());
  Put(out, imm, imm_bytes);
  return out;
}

std::string RegName(Reg r) {
  static const char* const k64[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
  static const char* const k32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
  static const char* const k16[] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
  static const char* const k8[] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
  static const char* const kHigh[] = {"ah", "ch", "dh", "bh"};
  if (r.high) return kHigh[r.num & 3];
  if (r.num >= 8) {
    std::string n = "r" + std::to_string(r.num);
    return r.size == 8 ? n : r.size == 4 ? n + "d" : r.size == 2 ? n + "w" : n + "b";
  }
  switch (r.size) {
    case 8: return k64[r.num];
    case 4: return k32[r.num];
    case 2: return k16[r.num];
    default: return k8[r.num];
  }
}

std::string MemName(const Mem& m) {
  std::string s = "[";
  int width = m.addr32 ? 4 : 8;
  if (m.base == kRipBase) s += m.addr32 ? "eip" : "rip";
  else if (m.base != kNoReg) s += RegName({m.base, width});
  if (m.index != kNoReg) {
    if (s.size() > 1) s += "+";
    s += RegName({m.index, width}) + "*" + std::to_string(m.scale);
  }
  if (m.disp != 0 || s.size() == 1 || m.disp_bytes > 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%s0x%x", s.size() > 1 ? (m.disp < 0 ? "-" : "+") : "",
                  s.size() == 1 && m.disp < 0 ? "-" : "",
                  m.disp < 0 ? static_cast<unsigned>(-static_cast<int64_t>(m.disp))
                             : static_cast<unsigned>(m.disp));
    s += buf;
    if (m.disp_bytes > 0) s += m.disp_bytes == 1 ? "(d8)" : "(d32)";
  }
  return s + "]";
}

std::string RmName(const Rm& rm, int size) {
  if (!rm.is_mem) return RegName(rm.reg);
  const char* width = size == 1 ? "byte " : size == 2 ? "word " : size == 4 ? "dword " :
                      size == 8 ? "qword " : "";
  return width + MemName(rm.mem);
}

}  // namespace x64sim::testing
