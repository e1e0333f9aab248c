// AVX and AVX2 integer, logic, shuffle and move instructions (VEX.128 and
// VEX.256) against the host: register, aligned and misaligned memory
// operands, random and edge values; the upper-half rules (VEX.128 zeroes
// bits 255:128, legacy SSE keeps them); VZEROUPPER/VZEROALL; and the VEX
// gate (#UD without CR4.OSXSAVE or XCR0[2:1] = 11b, or after a legacy
// prefix; #NM with CR0.TS; #GP only for the aligned moves).
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/avx_differential.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

const std::vector<int> kBoth = {128, 256};
const std::vector<int> k128 = {128};

struct Binary {
  const char* name;
  VexOpcode op;
};

// "ymm0, ymm1, ymm2/m": the SSE2 integer and bit operations.
const Binary kBinaries[] = {
    {"vpxor", {1, 1, 0xef}},      {"vpor", {1, 1, 0xeb}},       {"vpand", {1, 1, 0xdb}},
    {"vpandn", {1, 1, 0xdf}},     {"vxorps", {1, 0, 0x57}},     {"vxorpd", {1, 1, 0x57}},
    {"vorps", {1, 0, 0x56}},      {"vorpd", {1, 1, 0x56}},      {"vandps", {1, 0, 0x54}},
    {"vandpd", {1, 1, 0x54}},     {"vandnps", {1, 0, 0x55}},    {"vandnpd", {1, 1, 0x55}},
    {"vpcmpeqb", {1, 1, 0x74}},   {"vpcmpeqw", {1, 1, 0x75}},   {"vpcmpeqd", {1, 1, 0x76}},
    {"vpcmpgtb", {1, 1, 0x64}},   {"vpcmpgtw", {1, 1, 0x65}},   {"vpcmpgtd", {1, 1, 0x66}},
    {"vpaddb", {1, 1, 0xfc}},     {"vpaddw", {1, 1, 0xfd}},     {"vpaddd", {1, 1, 0xfe}},
    {"vpaddq", {1, 1, 0xd4}},     {"vpsubb", {1, 1, 0xf8}},     {"vpsubw", {1, 1, 0xf9}},
    {"vpsubd", {1, 1, 0xfa}},     {"vpsubq", {1, 1, 0xfb}},     {"vpaddsb", {1, 1, 0xec}},
    {"vpaddsw", {1, 1, 0xed}},    {"vpaddusb", {1, 1, 0xdc}},   {"vpaddusw", {1, 1, 0xdd}},
    {"vpsubsb", {1, 1, 0xe8}},    {"vpsubsw", {1, 1, 0xe9}},    {"vpsubusb", {1, 1, 0xd8}},
    {"vpsubusw", {1, 1, 0xd9}},   {"vpminub", {1, 1, 0xda}},    {"vpmaxub", {1, 1, 0xde}},
    {"vpminsw", {1, 1, 0xea}},    {"vpmaxsw", {1, 1, 0xee}},    {"vpavgb", {1, 1, 0xe0}},
    {"vpavgw", {1, 1, 0xe3}},     {"vpmullw", {1, 1, 0xd5}},    {"vpmulhw", {1, 1, 0xe5}},
    {"vpmulhuw", {1, 1, 0xe4}},   {"vpmuludq", {1, 1, 0xf4}},   {"vpmaddwd", {1, 1, 0xf5}},
    {"vpsadbw", {1, 1, 0xf6}},    {"vpacksswb", {1, 1, 0x63}},  {"vpackssdw", {1, 1, 0x6b}},
    {"vpackuswb", {1, 1, 0x67}},  {"vpunpcklbw", {1, 1, 0x60}}, {"vpunpcklwd", {1, 1, 0x61}},
    {"vpunpckldq", {1, 1, 0x62}}, {"vpunpcklqdq", {1, 1, 0x6c}}, {"vpunpckhbw", {1, 1, 0x68}},
    {"vpunpckhwd", {1, 1, 0x69}}, {"vpunpckhdq", {1, 1, 0x6a}}, {"vpunpckhqdq", {1, 1, 0x6d}},
    {"vunpcklps", {1, 0, 0x14}},  {"vunpckhps", {1, 0, 0x15}},  {"vunpcklpd", {1, 1, 0x14}},
    {"vunpckhpd", {1, 1, 0x15}},
};

// Shifts by the count in xmm2/m128 (the same count for both lanes).
const Binary kShiftsByVector[] = {
    {"vpsllw", {1, 1, 0xf1}}, {"vpslld", {1, 1, 0xf2}}, {"vpsllq", {1, 1, 0xf3}},
    {"vpsrlw", {1, 1, 0xd1}}, {"vpsrld", {1, 1, 0xd2}}, {"vpsrlq", {1, 1, 0xd3}},
    {"vpsraw", {1, 1, 0xe1}}, {"vpsrad", {1, 1, 0xe2}},
};

std::vector<SseForm> Without(std::vector<SseForm> forms, const std::string& part) {
  std::erase_if(forms, [&](const SseForm& f) { return f.text.find(part) != std::string::npos; });
  return forms;
}

std::vector<SseForm> IntegerForms() {
  std::vector<SseForm> forms;
  auto add = [&forms](std::vector<SseForm> more) {
    forms.insert(forms.end(), more.begin(), more.end());
  };
  for (const Binary& b : kBinaries) add(VexForms(b.name, b.op, VexShape::kNds, kBoth));
  for (const Binary& b : kShiftsByVector) add(VexForms(b.name, b.op, VexShape::kNds, kBoth));
  for (int imm : {0x1b, 0xe4, 0x4e, 0x00}) {
    add(VexForms("vpshufd", {1, 1, 0x70}, VexShape::kNoNds, kBoth, imm));
    add(VexForms("vpshufhw", {1, 2, 0x70}, VexShape::kNoNds, kBoth, imm));
    add(VexForms("vpshuflw", {1, 3, 0x70}, VexShape::kNoNds, kBoth, imm));
    add(VexForms("vshufps", {1, 0, 0xc6}, VexShape::kNds, kBoth, imm));
    add(VexForms("vshufpd", {1, 1, 0xc6}, VexShape::kNds, kBoth, imm & 3));
  }
  // Shifts by an immediate: the destination is VEX.vvvv, the opcode
  // extension in ModRM.reg; register sources only.
  const struct {
    const char* name;
    uint8_t opcode, ext;
  } kShiftsByImm[] = {{"vpsrlw", 0x71, 2}, {"vpsraw", 0x71, 4}, {"vpsllw", 0x71, 6},
                      {"vpsrld", 0x72, 2}, {"vpsrad", 0x72, 4}, {"vpslld", 0x72, 6},
                      {"vpsrlq", 0x73, 2}, {"vpsrldq", 0x73, 3}, {"vpsllq", 0x73, 6},
                      {"vpslldq", 0x73, 7}};
  for (const auto& s : kShiftsByImm) {
    for (int imm : {0, 1, 7, 15, 16, 31, 33, 63, 64, 200}) {
      add(Without(Without(VexForms(s.name, {1, 1, s.opcode}, VexShape::kNoNds, kBoth, imm, s.ext),
                          "[rsi]"),
                  "[rsi+1]"));
    }
  }
  // SSSE3, SSE4.1, SSE4.2 (0F38, 66): lane by lane at both lengths.
  const Binary kMap2[] = {
      {"vpshufb", {2, 1, 0x00}},   {"vphaddw", {2, 1, 0x01}},   {"vphaddd", {2, 1, 0x02}},
      {"vphaddsw", {2, 1, 0x03}},  {"vpmaddubsw", {2, 1, 0x04}}, {"vphsubw", {2, 1, 0x05}},
      {"vphsubd", {2, 1, 0x06}},   {"vphsubsw", {2, 1, 0x07}},  {"vpsignb", {2, 1, 0x08}},
      {"vpsignw", {2, 1, 0x09}},   {"vpsignd", {2, 1, 0x0a}},   {"vpmulhrsw", {2, 1, 0x0b}},
      {"vpmuldq", {2, 1, 0x28}},   {"vpcmpeqq", {2, 1, 0x29}},  {"vpackusdw", {2, 1, 0x2b}},
      {"vpcmpgtq", {2, 1, 0x37}},  {"vpminsb", {2, 1, 0x38}},   {"vpminsd", {2, 1, 0x39}},
      {"vpminuw", {2, 1, 0x3a}},   {"vpminud", {2, 1, 0x3b}},   {"vpmaxsb", {2, 1, 0x3c}},
      {"vpmaxsd", {2, 1, 0x3d}},   {"vpmaxuw", {2, 1, 0x3e}},   {"vpmaxud", {2, 1, 0x3f}},
      {"vpmulld", {2, 1, 0x40}},
  };
  for (const Binary& b : kMap2) add(VexForms(b.name, b.op, VexShape::kNds, kBoth));
  for (const auto& [name, opcode] : {std::pair{"vpabsb", 0x1c}, std::pair{"vpabsw", 0x1d},
                                     std::pair{"vpabsd", 0x1e}}) {
    add(VexForms(name, {2, 1, static_cast<uint8_t>(opcode)}, VexShape::kNoNds, kBoth));
  }
  // PMOVSX/ZX (the 256-bit forms widen across lanes) and PHMINPOSUW.
  const char* kExtends[] = {"vpmovsxbw", "vpmovsxbd", "vpmovsxbq", "vpmovsxwd", "vpmovsxwq",
                            "vpmovsxdq", nullptr,     nullptr,     nullptr,     nullptr,
                            nullptr,     nullptr,     nullptr,     nullptr,     nullptr,
                            nullptr,     "vpmovzxbw", "vpmovzxbd", "vpmovzxbq", "vpmovzxwd",
                            "vpmovzxwq", "vpmovzxdq"};
  for (int i = 0; i < 22; ++i) {
    if (kExtends[i]) {
      add(VexForms(kExtends[i], {2, 1, static_cast<uint8_t>(0x20 + i)}, VexShape::kNoNds, kBoth));
    }
  }
  add(VexForms("vphminposuw", {2, 1, 0x41}, VexShape::kNoNds, k128));
  // With an immediate (0F3A): the blends' and VMPSADBW's upper lane takes
  // the next immediate bits.
  for (int imm : {0x00, 0x5a, 0xa5, 0xff, 0x2c, 0x13, 0x27}) {
    add(VexForms("vpalignr", {3, 1, 0x0f}, VexShape::kNds, kBoth, imm & 0x1f));
    add(VexForms("vpblendw", {3, 1, 0x0e}, VexShape::kNds, kBoth, imm));
    add(VexForms("vmpsadbw", {3, 1, 0x42}, VexShape::kNds, kBoth, imm));
    add(VexForms("vblendps", {3, 1, 0x0c}, VexShape::kNds, kBoth, imm));
    add(VexForms("vblendpd", {3, 1, 0x0d}, VexShape::kNds, kBoth, imm));
    add(VexForms("vpclmulqdq", {3, 1, 0x44}, VexShape::kNds, k128, imm));
    add(VexForms("vaeskeygenassist", {3, 1, 0xdf}, VexShape::kNoNds, k128, imm));
  }
  add(VexForms("vpalignr", {3, 1, 0x0f}, VexShape::kNds, kBoth, 40));
  for (const auto& [name, opcode] : {std::pair{"vaesenc", 0xdc}, std::pair{"vaesenclast", 0xdd},
                                     std::pair{"vaesdec", 0xde}, std::pair{"vaesdeclast", 0xdf}}) {
    add(VexForms(name, {2, 1, static_cast<uint8_t>(opcode)}, VexShape::kNds, k128));
  }
  add(VexForms("vaesimc", {2, 1, 0xdb}, VexShape::kNoNds, k128));
  // AVX's own: permutes within lanes, variable blends (the mask in ymm3,
  // imm8[7:4]), tests (EFLAGS compared), sign masks (EAX <- ymm2).
  for (int imm : {0x1b, 0xe4, 0x4e, 0x00, 0xb1, 0x5c}) {
    add(VexForms("vpermilps", {3, 1, 0x04}, VexShape::kNoNds, kBoth, imm));
    add(VexForms("vpermilpd", {3, 1, 0x05}, VexShape::kNoNds, kBoth, imm));
  }
  add(VexForms("vpermilps", {2, 1, 0x0c}, VexShape::kNds, kBoth));
  add(VexForms("vpermilpd", {2, 1, 0x0d}, VexShape::kNds, kBoth));
  add(VexForms("vblendvps", {3, 1, 0x4a}, VexShape::kNds, kBoth, 0x30));
  add(VexForms("vblendvpd", {3, 1, 0x4b}, VexShape::kNds, kBoth, 0x30));
  add(VexForms("vpblendvb", {3, 1, 0x4c}, VexShape::kNds, kBoth, 0x30));
  add(VexForms("vptest", {2, 1, 0x17}, VexShape::kNoNds, kBoth));
  add(VexForms("vtestps", {2, 1, 0x0e}, VexShape::kNoNds, kBoth));
  add(VexForms("vtestpd", {2, 1, 0x0f}, VexShape::kNoNds, kBoth));
  for (const auto& [name, op] : {std::pair{"vmovmskps eax", VexOpcode{1, 0, 0x50}},
                                 std::pair{"vmovmskpd eax", VexOpcode{1, 1, 0x50}},
                                 std::pair{"vpmovmskb eax", VexOpcode{1, 1, 0xd7}}}) {
    add(Without(Without(VexForms(name, op, VexShape::kNoNds, kBoth), "[rsi]"), "[rsi+1]"));
  }
  // AVX2: variable shifts, VPBLENDD, whole-register permutes.
  const Binary kVariableShifts[] = {
      {"vpsllvd", {2, 1, 0x47}},          {"vpsllvq", {2, 1, 0x47, true}},
      {"vpsrlvd", {2, 1, 0x45}},          {"vpsrlvq", {2, 1, 0x45, true}},
      {"vpsravd", {2, 1, 0x46}},          {"vpermd", {2, 1, 0x36}},
      {"vpermps", {2, 1, 0x16}},
  };
  for (const Binary& b : kVariableShifts) {
    add(VexForms(b.name, b.op, VexShape::kNds, b.name[4] == 'm' ? std::vector<int>{256} : kBoth));
  }
  for (int imm : {0x1b, 0xe4, 0x4e, 0x00, 0xb1, 0x5c}) {
    add(VexForms("vpblendd", {3, 1, 0x02}, VexShape::kNds, kBoth, imm));
    add(VexForms("vpermq", {3, 1, 0x00, true}, VexShape::kNoNds, {256}, imm));
    add(VexForms("vpermpd", {3, 1, 0x01, true}, VexShape::kNoNds, {256}, imm));
  }
  add(VexForms("vmovshdup", {1, 2, 0x16}, VexShape::kNoNds, kBoth));
  add(VexForms("vmovsldup", {1, 2, 0x12}, VexShape::kNoNds, kBoth));
  // 0F 12/16 with two registers are VMOVHLPS/VMOVLHPS, with memory VMOVLPS/VMOVHPS.
  add(VexForms("vmovhlps|vmovlps", {1, 0, 0x12}, VexShape::kNds, k128));
  add(VexForms("vmovlhps|vmovhps", {1, 0, 0x16}, VexShape::kNds, k128));
  add(Without(VexForms("vmovlpd", {1, 1, 0x12}, VexShape::kNds, k128), "xmm2"));
  add(Without(VexForms("vmovhpd", {1, 1, 0x16}, VexShape::kNds, k128), "xmm2"));
  return forms;
}

std::vector<SseForm> MoveForms() {
  std::vector<SseForm> forms;
  auto add = [&forms](std::vector<SseForm> more) {
    forms.insert(forms.end(), more.begin(), more.end());
  };
  // Whole-register loads and stores ("[rsi], ymm0" for the stores, whose
  // register form moves ymm0 into ymm2); the aligned ones at [rsi] only.
  const struct {
    const char* name;
    VexOpcode op;
    bool aligned;
  } kMoves[] = {
      {"vmovaps", {1, 0, 0x28}, true},   {"vmovaps(store)", {1, 0, 0x29}, true},
      {"vmovapd", {1, 1, 0x28}, true},   {"vmovapd(store)", {1, 1, 0x29}, true},
      {"vmovdqa", {1, 1, 0x6f}, true},   {"vmovdqa(store)", {1, 1, 0x7f}, true},
      {"vmovups", {1, 0, 0x10}, false},  {"vmovups(store)", {1, 0, 0x11}, false},
      {"vmovupd", {1, 1, 0x10}, false},  {"vmovupd(store)", {1, 1, 0x11}, false},
      {"vmovdqu", {1, 2, 0x6f}, false},  {"vmovdqu(store)", {1, 2, 0x7f}, false},
  };
  for (const auto& m : kMoves) {
    std::vector<SseForm> f = VexForms(m.name, m.op, VexShape::kNoNds, kBoth);
    add(m.aligned ? Without(f, "[rsi+1]") : f);
  }
  const struct {
    const char* name;
    VexOpcode op;
  } kMemoryOnly[] = {{"vmovntps(store)", {1, 0, 0x2b}}, {"vmovntpd(store)", {1, 1, 0x2b}},
                     {"vmovntdq(store)", {1, 1, 0xe7}}, {"vmovntdqa", {2, 1, 0x2a}}};
  for (const auto& m : kMemoryOnly) {
    add(Without(Without(VexForms(m.name, m.op, VexShape::kNoNds, kBoth), "[rsi+1]"), "mm2"));
  }
  add(Without(VexForms("vlddqu", {1, 3, 0xf0}, VexShape::kNoNds, kBoth), "mm2"));
  // VMOVSS/VMOVSD: merging register forms, zero-extending loads, stores.
  for (const auto& [name, pp] : {std::pair{"vmovss", 2}, std::pair{"vmovsd", 3}}) {
    const uint8_t p = static_cast<uint8_t>(pp);
    add(Without(Without(VexForms(name, {1, p, 0x10}, VexShape::kNds, k128), "[rsi]"), "[rsi+1]"));
    add(Without(VexForms(name, {1, p, 0x10}, VexShape::kNoNds, k128), "xmm2"));
    add(Without(VexForms(std::string(name) + "(store)", {1, p, 0x11}, VexShape::kNoNds, k128),
                "xmm2"));
  }
  // VMOVD/VMOVQ: xmm0 <- edx/rdx/m (66 0F 6E), edx/rdx/m <- xmm0 (66 0F 7E),
  // VMOVQ xmm0 <- xmm2/m64 (F3 0F 7E), m64 <- xmm0 (66 0F D6).
  for (bool w : {false, true}) {
    add(VexForms(w ? "vmovq(gpr rdx)" : "vmovd(gpr edx)", {1, 1, 0x6e, w}, VexShape::kNoNds, k128));
    add(VexForms(w ? "vmovq(to gpr rdx)" : "vmovd(to gpr edx)", {1, 1, 0x7e, w}, VexShape::kNoNds,
                 k128));
  }
  add(VexForms("vmovq", {1, 2, 0x7e}, VexShape::kNoNds, k128));
  // VPINSRB/W/D/Q xmm0, xmm1, edx/rdx/m, imm8 and VPEXTRB/W/D/Q edx/rdx/m,
  // xmm0, imm8 (66 0F3A 20/C4/22 with 0F 16/22 as W), VPEXTRW's 0F C5 form
  // "eax, xmm2, imm8" (register only); immediates past the element count wrap.
  for (int imm : {0, 1, 3, 7, 15, 0x5a}) {
    add(VexForms("vpinsrb(gpr edx)", {3, 1, 0x20}, VexShape::kNds, k128, imm));
    add(VexForms("vpinsrw(gpr edx)", {1, 1, 0xc4}, VexShape::kNds, k128, imm));
    add(VexForms("vpinsrd(gpr edx)", {3, 1, 0x22}, VexShape::kNds, k128, imm));
    add(VexForms("vpinsrq(gpr rdx)", {3, 1, 0x22, true}, VexShape::kNds, k128, imm));
    add(VexForms("vpextrb(to gpr edx)", {3, 1, 0x14}, VexShape::kNoNds, k128, imm));
    add(VexForms("vpextrw(to gpr edx)", {3, 1, 0x15}, VexShape::kNoNds, k128, imm));
    add(VexForms("vpextrd(to gpr edx)", {3, 1, 0x16}, VexShape::kNoNds, k128, imm));
    add(VexForms("vpextrq(to gpr rdx)", {3, 1, 0x16, true}, VexShape::kNoNds, k128, imm));
    add(Without(VexForms("vpextrw(eax)", {1, 1, 0xc5}, VexShape::kNoNds, k128, imm), "[rsi"));
    add(VexForms("vextractps(to gpr edx)", {3, 1, 0x17}, VexShape::kNoNds, k128, imm));
  }
  // Masked loads "ymm0, ymm1 (mask), [rsi]" (66 0F38 2C/2D, 8C with W0/W1).
  for (const auto& [name, op] : {std::pair{"vmaskmovps", VexOpcode{2, 1, 0x2c}},
                                 std::pair{"vmaskmovpd", VexOpcode{2, 1, 0x2d}},
                                 std::pair{"vpmaskmovd", VexOpcode{2, 1, 0x8c}},
                                 std::pair{"vpmaskmovq", VexOpcode{2, 1, 0x8c, true}}}) {
    add(Without(VexForms(name, op, VexShape::kNds, kBoth), "mm2"));
  }
  // Masked stores "[rsi], ymm1 (mask), ymm0" (66 0F38 2E/2F, 8E with W0/W1):
  // random masks, the memory compared.
  for (const auto& [name, op] : {std::pair{"vmaskmovps(store)", VexOpcode{2, 1, 0x2e}},
                                 std::pair{"vmaskmovpd(store)", VexOpcode{2, 1, 0x2f}},
                                 std::pair{"vpmaskmovd(store)", VexOpcode{2, 1, 0x8e}},
                                 std::pair{"vpmaskmovq(store)", VexOpcode{2, 1, 0x8e, true}}}) {
    add(Without(VexForms(name, op, VexShape::kNds, kBoth), "mm2"));
  }
  // VINSERTPS xmm0, xmm1, xmm2/m32, imm8: source element imm8[7:6] (a
  // register's), destination element imm8[5:4], zero mask imm8[3:0].
  for (int imm : {0x00, 0x4e, 0x91, 0xf0, 0x38, 0xcf, 0x6a, 0x1f, 0xb0}) {
    add(VexForms("vinsertps", {3, 1, 0x21}, VexShape::kNds, k128, imm));
  }
  add(Without(VexForms("vmovq(store)", {1, 1, 0xd6}, VexShape::kNoNds, k128), "xmm2"));
  add(Without(VexForms("vmovlps(store)", {1, 0, 0x13}, VexShape::kNoNds, k128), "xmm2"));
  add(Without(VexForms("vmovlpd(store)", {1, 1, 0x13}, VexShape::kNoNds, k128), "xmm2"));
  add(Without(VexForms("vmovhps(store)", {1, 0, 0x17}, VexShape::kNoNds, k128), "xmm2"));
  add(Without(VexForms("vmovhpd(store)", {1, 1, 0x17}, VexShape::kNoNds, k128), "xmm2"));
  add(VexForms("vmovddup", {1, 3, 0x12}, VexShape::kNoNds, kBoth));
  // Broadcasts: AVX's from memory, AVX2's from a register too.
  const struct {
    const char* name;
    uint8_t opcode;
    std::vector<int> lengths;
    bool memory_only;
  } kBroadcasts[] = {{"vbroadcastss", 0x18, kBoth, false}, {"vbroadcastsd", 0x19, {256}, false},
                     {"vbroadcastf128", 0x1a, {256}, true}, {"vbroadcasti128", 0x5a, {256}, true},
                     {"vpbroadcastb", 0x78, kBoth, false},  {"vpbroadcastw", 0x79, kBoth, false},
                     {"vpbroadcastd", 0x58, kBoth, false},  {"vpbroadcastq", 0x59, kBoth, false}};
  for (const auto& b : kBroadcasts) {
    std::vector<SseForm> f = VexForms(b.name, {2, 1, b.opcode}, VexShape::kNoNds, b.lengths);
    add(b.memory_only ? Without(f, "mm2") : f);
  }
  // 128-bit lanes: insert (ymm1 with xmm2/m128 at imm8[0]), extract
  // ("xmm2/[rsi] <- lane of ymm0"), VPERM2F128/VPERM2I128.
  for (int imm : {0, 1, 2, 3}) {
    add(VexForms("vinsertf128", {3, 1, 0x18}, VexShape::kNds, {256}, imm));
    add(VexForms("vinserti128", {3, 1, 0x38}, VexShape::kNds, {256}, imm));
    add(VexForms("vextractf128(store)", {3, 1, 0x19}, VexShape::kNoNds, {256}, imm));
    add(VexForms("vextracti128(store)", {3, 1, 0x39}, VexShape::kNoNds, {256}, imm));
  }
  for (int imm : {0x20, 0x31, 0x02, 0x13, 0x88, 0x08, 0x80, 0x21, 0xff, 0x56}) {
    add(VexForms("vperm2f128", {3, 1, 0x06}, VexShape::kNds, {256}, imm));
    add(VexForms("vperm2i128", {3, 1, 0x46}, VexShape::kNds, {256}, imm));
  }
  return forms;
}

// Shift counts: mostly small, so that the shifts do shift (the variable
// shifts take a count per element: dwords below 40 in all of ymm2 and the
// memory, now and then).
void SmallCounts(std::mt19937_64& rng, AvxRun& run) {
  if (rng() % 4 == 0) return;
  if (rng() % 2 == 0) {
    for (int i = 0; i < 32; i += 4) {
      const uint32_t count = static_cast<uint32_t>(rng() % 40);
      std::memcpy(run.regs.ymm[2] + i, &count, 4);
      std::memcpy(run.mem + i, &count, 4);
      std::memcpy(run.mem + 1 + i, &count, 4);
    }
    return;
  }
  const uint64_t count = rng() % 70;
  std::memcpy(run.regs.ymm[2], &count, 8);
  std::memcpy(run.mem, &count, 8);
  std::memcpy(run.mem + 1, &count, 8);
}

TEST(AvxDifferentialTest, IntegerFormsMatchTheHost) {
  const std::vector<SseForm> forms = IntegerForms();
  const int runs = CompareAvxForms(forms, 60, &FillIntegerValue, {0x1f80}, &SmallCounts);
  std::printf("AVX/AVX2 integer forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

// String-like operands for VPCMPxSTRx: bytes from a small alphabet with
// NULs, and lengths in RAX/RDX around the element counts (negative ones
// too; with VEX.W1 the upper half counts).
void StringOperands(std::mt19937_64& rng, AvxRun& run) {
  static constexpr uint8_t kAlphabet[] = {0, 'a', 'b', 'c', 'a', 'b', 0x80, 0xff};
  for (uint8_t* bytes : {run.regs.ymm[0], run.regs.ymm[2], run.mem, run.mem + 16, run.mem + 32}) {
    for (int i = 0; i < 16; ++i) {
      if (rng() % 4) bytes[i] = kAlphabet[rng() % 8];
    }
  }
  run.regs.rax = static_cast<uint64_t>(static_cast<int64_t>(rng() % 48) - 24);
  run.regs.rdx = static_cast<uint64_t>(static_cast<int64_t>(rng() % 48) - 24);
  if (rng() % 4 == 0) run.regs.rax ^= uint64_t{1} << 40;
  if (rng() % 4 == 0) run.regs.rdx &= 0xffffffff;
}

// VPCMPESTRM/ESTRI/ISTRM/ISTRI xmm0, xmm2/m128, imm8 (66 0F3A 60-63, VEX.W0
// and W1) with every imm8 below 0x80 and a few above.
TEST(AvxDifferentialTest, StringComparesMatchTheHost) {
  std::vector<SseForm> forms;
  for (uint8_t opcode = 0x60; opcode <= 0x63; ++opcode) {
    for (int imm = 0; imm < 0x84; ++imm) {
      const int i = imm < 0x80 ? imm : 0x80 | (imm * 0x35 & 0x7f);
      for (bool w : {false, true}) {
        for (SseForm& f : VexForms(std::string("vpcmpxstrx") + (w ? "(W1) " : " ") +
                                       std::to_string(opcode),
                                   {3, 1, opcode, w}, VexShape::kNoNds, k128, i)) {
          forms.push_back(f);
        }
      }
    }
  }
  const int runs = CompareAvxForms(forms, 20, &FillIntegerValue, {0x1f80}, &StringOperands);
  std::printf("VPCMPxSTRx forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

// VSTMXCSR [rsi] and VLDMXCSR [rsi] (a reserved bit set is #GP).
TEST(AvxMxcsrTest, LoadAndStore) {
  LongModeMachine m;
  EnableAvx(m);
  m.state().gpr[kRsi] = LongModeMachine::kData;
  m.state().sse.mxcsr = 0x1fa0;
  ASSERT_EQ(m.Run({0xc5, 0xf8, 0xae, 0x1e}).vector, -1);  // vstmxcsr [rsi]
  EXPECT_EQ(m.Get64(LongModeMachine::kData) & 0xffffffff, 0x1fa0u);
  m.Put64(LongModeMachine::kData, 0x7f80);
  ASSERT_EQ(m.Run({0xc5, 0xf8, 0xae, 0x16}).vector, -1);  // vldmxcsr [rsi]
  EXPECT_EQ(m.state().sse.mxcsr, 0x7f80u);
  m.Put64(LongModeMachine::kData, 0x10000);
  EXPECT_EQ(m.Run({0xc5, 0xf8, 0xae, 0x16}).vector, kGeneralProtection);
  EXPECT_EQ(m.state().sse.mxcsr, 0x7f80u);
}

TEST(AvxDifferentialTest, MoveFormsMatchTheHost) {
  const std::vector<SseForm> forms = MoveForms();
  const int runs = CompareAvxForms(forms, 30, &FillIntegerValue, {0x1f80});
  std::printf("AVX move forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

// ---- Upper halves and the gate -------------------------------------------------

const std::vector<uint8_t> kVpaddb128 = VexBytes({1, 1, 0xfc}, 128, 1, {0xc2});  // vpaddb xmm0,xmm1,xmm2
const std::vector<uint8_t> kPaddb = {0x66, 0x0f, 0xfc, 0xc2};                    // paddb xmm0,xmm2
const std::vector<uint8_t> kVzeroupper = {0xc5, 0xf8, 0x77};
const std::vector<uint8_t> kVzeroall = {0xc5, 0xfc, 0x77};

void FillYmm(CpuState& s, uint8_t base) {
  for (int r = 0; r < 16; ++r) {
    std::memset(s.sse.xmm[r], base + r, 16);
    std::memset(s.sse.ymm_hi[r], base + 0x40 + r, 16);
  }
}

TEST(AvxUpperHalfTest, Vex128ZeroesAndLegacySseKeepsTheUpperHalf) {
  LongModeMachine m;
  EnableAvx(m);
  FillYmm(m.state(), 1);
  ASSERT_EQ(m.Run(kPaddb).vector, -1);
  EXPECT_EQ(m.state().sse.ymm_hi[0][0], 0x41);  // legacy: unchanged
  ASSERT_EQ(m.Run(kVpaddb128).vector, -1);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(m.state().sse.ymm_hi[0][i], 0) << i;
  EXPECT_EQ(m.state().sse.ymm_hi[1][0], 0x42);  // sources unchanged
}

TEST(AvxUpperHalfTest, VzeroupperAndVzeroall) {
  LongModeMachine m;
  EnableAvx(m);
  FillYmm(m.state(), 1);
  ASSERT_EQ(m.Run(kVzeroupper).vector, -1);
  for (int r = 0; r < 16; ++r) {
    EXPECT_EQ(m.state().sse.ymm_hi[r][5], 0) << r;
    EXPECT_EQ(m.state().sse.xmm[r][5], 1 + r) << r;
  }
  FillYmm(m.state(), 1);
  ASSERT_EQ(m.Run(kVzeroall).vector, -1);
  for (int r = 0; r < 16; ++r) {
    EXPECT_EQ(m.state().sse.ymm_hi[r][5], 0) << r;
    EXPECT_EQ(m.state().sse.xmm[r][5], 0) << r;
  }
}

// SDM vol. 2A 2.8: #UD without CR4.OSXSAVE or with XCR0[2:1] != 11b, #NM
// with CR0.TS; CR0.EM and CR4.OSFXSR do not matter.
TEST(AvxGateTest, ControlRegistersAndXcr0) {
  const std::vector<uint8_t> kVmovapsLoad = VexBytes({1, 0, 0x28}, 256, 0, {0x06});
  for (const auto* code : {&kVpaddb128, &kVzeroupper, &kVmovapsLoad}) {
    LongModeMachine m;
    m.state().gpr[kRsi] = LongModeMachine::kData;
    EXPECT_EQ(m.Run(*code).vector, kInvalidOpcode);  // CR4.OSXSAVE clear
    EnableAvx(m);
    m.state().xcr0 = kXcr0X87 | kXcr0Sse;
    EXPECT_EQ(m.Run(*code).vector, kInvalidOpcode);
    m.state().xcr0 = kXcr0X87 | kXcr0Sse | kXcr0Avx;
    m.state().cr0 |= kCr0TS;
    EXPECT_EQ(m.Run(*code).vector, kDeviceNotAvailable);
    m.state().cr0 = (m.state().cr0 & ~kCr0TS) | kCr0EM;
    m.cpu().WriteCr4(m.state().cr4 & ~kCr4OSFXSR);
    EXPECT_EQ(m.Run(*code).vector, -1);
  }
}

TEST(AvxGateTest, LegacyPrefixBeforeVexIsUd) {
  for (uint8_t prefix : {0xf0, 0x66, 0xf2, 0xf3, 0x40}) {
    LongModeMachine m;
    EnableAvx(m);
    std::vector<uint8_t> code = {prefix};
    for (uint8_t b : kVpaddb128) code.push_back(b);
    EXPECT_EQ(m.Run(code).vector, kInvalidOpcode) << int{prefix};
  }
}

// VMASKMOVPS ymm0, ymm1, [rsi] with [rsi] 16 bytes below a non-present
// page: the upper four elements masked off never touch it; one enabled
// there is a #PF (read, not present: error code 0, CR2 its address) with
// ymm0 unchanged.
TEST(AvxMaskedMoveTest, MaskedOffElementsDoNotFault) {
  const std::vector<uint8_t> kLoad = VexBytes({2, 1, 0x2c}, 256, 1, {0x06});
  const uint64_t kPage = LongModeMachine::kData + 0x5000;
  for (bool enabled : {false, true}) {
    SCOPED_TRACE(enabled);
    LongModeMachine m;
    EnableAvx(m);
    m.SetPteFlags(kPage, 0);
    m.state().gpr[kRsi] = kPage - 16;
    m.Put64(kPage - 16, 0x1716151413121110);
    m.Put64(kPage - 8, 0x1f1e1d1c1b1a1918);
    std::memset(m.state().sse.xmm[1], 0xff, 16);
    std::memset(m.state().sse.ymm_hi[1], 0, 16);
    if (enabled) m.state().sse.ymm_hi[1][15] = 0x80;  // element 7
    std::memset(m.state().sse.xmm[0], 0x5a, 16);
    const LongModeMachine::Outcome o = m.Run(kLoad);
    if (!enabled) {
      ASSERT_EQ(o.vector, -1);
      EXPECT_EQ(m.state().sse.xmm[0][0], 0x10);
      EXPECT_EQ(m.state().sse.xmm[0][15], 0x1f);
      EXPECT_EQ(m.state().sse.ymm_hi[0][0], 0);
      continue;
    }
    ASSERT_EQ(o.vector, kPageFault);
    EXPECT_EQ(o.error_code, 0u);
    EXPECT_EQ(m.state().cr2, kPage + 12);
    EXPECT_EQ(m.state().sse.xmm[0][0], 0x5a);
  }
}

// VMASKMOVPS [rsi], ymm1, ymm0 with [rsi] 16 bytes below a page that is
// not present or read-only: masked off, the upper four elements are
// neither written nor checked; element 7 enabled is a write #PF (CR2 its
// address) before anything is stored, even the enabled elements below it.
TEST(AvxMaskedMoveTest, MaskedStoreFaultsBeforeStoringAnything) {
  const std::vector<uint8_t> kStore = VexBytes({2, 1, 0x2e}, 256, 1, {0x06});
  const uint64_t kPage = LongModeMachine::kData + 0x5000;
  const uint64_t kBefore = 0x0123456789abcdef;
  for (uint64_t pte : {uint64_t{0}, uint64_t{1}}) {
    for (bool enabled : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "pte " << pte << " enabled " << enabled);
      LongModeMachine m;
      EnableAvx(m);
      m.SetPteFlags(kPage, pte);
      m.state().gpr[kRsi] = kPage - 16;
      m.Put64(kPage - 16, kBefore);
      m.Put64(kPage - 8, kBefore);
      std::memset(m.state().sse.xmm[1], 0xff, 16);
      std::memset(m.state().sse.ymm_hi[1], 0, 16);
      if (enabled) m.state().sse.ymm_hi[1][15] = 0x80;  // element 7
      std::memset(m.state().sse.xmm[0], 0x5a, 16);
      const LongModeMachine::Outcome o = m.Run(kStore);
      if (!enabled) {
        ASSERT_EQ(o.vector, -1);
        EXPECT_EQ(m.Get64(kPage - 16), 0x5a5a5a5a5a5a5a5au);
        EXPECT_EQ(m.Get64(kPage - 8), 0x5a5a5a5a5a5a5a5au);
        continue;
      }
      ASSERT_EQ(o.vector, kPageFault);
      EXPECT_EQ(o.error_code, 2u | pte);  // a supervisor write; present if read-only
      EXPECT_EQ(m.state().cr2, kPage + 12);
      EXPECT_EQ(o.fault_rip, LongModeMachine::kCode);
      EXPECT_EQ(m.Get64(kPage - 16), kBefore);
      EXPECT_EQ(m.Get64(kPage - 8), kBefore);
    }
  }
}

// VMASKMOVPD [rsi], xmm1, xmm0 with element 1 across the page boundary
// onto a non-present page: its first half, on the present page, is not
// stored either; CR2 is the start of the missing page. Element 0 enabled
// alone stores.
TEST(AvxMaskedMoveTest, MaskedStoreOfAnElementAcrossPages) {
  const std::vector<uint8_t> kStore = VexBytes({2, 1, 0x2f}, 128, 1, {0x06});
  const uint64_t kPage = LongModeMachine::kData + 0x7000;
  for (int element : {0, 1}) {
    SCOPED_TRACE(element);
    LongModeMachine m;
    EnableAvx(m);
    m.SetPteFlags(kPage, 0);
    m.state().gpr[kRsi] = kPage - 12;
    m.Put64(kPage - 16, 0);
    m.Put64(kPage - 8, 0);
    std::memset(m.state().sse.xmm[1], 0, 16);
    m.state().sse.xmm[1][8 * element + 7] = 0x80;
    std::memset(m.state().sse.xmm[0], 0x77, 16);
    const LongModeMachine::Outcome o = m.Run(kStore);
    if (element == 0) {
      ASSERT_EQ(o.vector, -1);
      EXPECT_EQ(m.Get64(kPage - 12), 0x7777777777777777u);
      continue;
    }
    ASSERT_EQ(o.vector, kPageFault);
    EXPECT_EQ(o.error_code, 2u);
    EXPECT_EQ(m.state().cr2, kPage);
    EXPECT_EQ(m.Get64(kPage - 8), 0u);
  }
}

// VMASKMOVDQU xmm0, xmm1 (VEX.128 66 0F F7): MASKMOVDQU's byte-selective
// store at DS:rDI; VEX.256 is #UD, and so is any without the VEX gate.
TEST(AvxMaskedMoveTest, VmaskmovdquStoresTheSelectedBytes) {
  LongModeMachine m;
  EnableAvx(m);
  const uint64_t kAt = LongModeMachine::kData + 0x40;
  m.state().gpr[kRdi] = kAt;
  m.Put64(kAt, 0x1111111111111111);
  m.Put64(kAt + 8, 0x1111111111111111);
  for (int i = 0; i < 16; ++i) {
    m.state().sse.xmm[0][i] = static_cast<uint8_t>(0xa0 + i);
    m.state().sse.xmm[1][i] = (i % 3 == 0) ? 0x80 : 0x7f;
  }
  ASSERT_EQ(m.Run(VexBytes({1, 1, 0xf7}, 128, 0, {0xc1})).vector, -1);
  uint8_t got[16];
  m.memory().CopyOut(kAt, got, 16);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(got[i], i % 3 == 0 ? 0xa0 + i : 0x11) << i;
  }
  EXPECT_EQ(m.Run(VexBytes({1, 1, 0xf7}, 256, 0, {0xc1})).vector, kInvalidOpcode);
  m.cpu().WriteCr4(m.state().cr4 & ~kCr4OSXSAVE);
  EXPECT_EQ(m.Run(VexBytes({1, 1, 0xf7}, 128, 0, {0xc1})).vector, kInvalidOpcode);
}

// Only VMOVAPS/APD/DQA and the non-temporal moves check alignment (to the
// operand's size); the other VEX forms take any address.
TEST(AvxGateTest, AlignmentOnlyForTheAlignedMoves) {
  LongModeMachine m;
  EnableAvx(m);
  const std::vector<uint8_t> kVmovaps256 = VexBytes({1, 0, 0x28}, 256, 0, {0x06});
  const std::vector<uint8_t> kVmovaps128 = VexBytes({1, 0, 0x28}, 128, 0, {0x06});
  const std::vector<uint8_t> kVpaddbMem = VexBytes({1, 1, 0xfc}, 256, 1, {0x06});
  m.state().gpr[kRsi] = LongModeMachine::kData + 16;
  EXPECT_EQ(m.Run(kVmovaps256).vector, kGeneralProtection);
  EXPECT_EQ(m.Run(kVmovaps128).vector, -1);
  m.state().gpr[kRsi] = LongModeMachine::kData + 1;
  EXPECT_EQ(m.Run(kVmovaps128).vector, kGeneralProtection);
  EXPECT_EQ(m.Run(kVpaddbMem).vector, -1);
}

}  // namespace
}  // namespace x64sim::testing
