// SSE4.2 against the host: PCMPGTQ; CRC32 with every operand size,
// register (including AH) and memory sources, 32- and 64-bit destinations;
// PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM with every imm8 from 0 to 127
// (and reserved bit 7 set), explicit lengths from EAX/EDX and RAX/RDX
// (REX.W) including negative, oversized and upper-half values, implicit
// lengths with NUL elements anywhere or nowhere: ECX, XMM0, EFLAGS. Then
// what the host cannot show: unaligned string operands, #UD/#NM.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/sse_differential.h"

namespace x64sim::testing {
namespace {

TEST(Sse42DifferentialTest, PcmpgtqMatchesTheHost) {
  const std::vector<SseForm> forms = RegisterAndMemoryForms("pcmpgtq", {0x66, 0x0f, 0x38, 0x37});
  const int runs = CompareIntegerForms(forms, 1000);
  EXPECT_EQ(runs, 2000);
}

TEST(Sse42DifferentialTest, Crc32MatchesTheHost) {
  const std::vector<SseForm> forms = {
      {"crc32 eax,cl", {0xf2, 0x0f, 0x38, 0xf0, 0xc1}},
      {"crc32 eax,ah", {0xf2, 0x0f, 0x38, 0xf0, 0xc4}},
      {"crc32 edi,dl", {0xf2, 0x0f, 0x38, 0xf0, 0xfa}},
      {"crc32 eax,byte [rsi]", {0xf2, 0x0f, 0x38, 0xf0, 0x06}},
      {"crc32 rax,cl", {0xf2, 0x48, 0x0f, 0x38, 0xf0, 0xc1}},
      {"crc32 rax,byte [rsi]", {0xf2, 0x48, 0x0f, 0x38, 0xf0, 0x06}},
      {"crc32 eax,cx", {0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc1}},
      {"crc32 eax,word [rsi]", {0x66, 0xf2, 0x0f, 0x38, 0xf1, 0x06}},
      {"crc32 eax,ecx", {0xf2, 0x0f, 0x38, 0xf1, 0xc1}},
      {"crc32 edx,edi", {0xf2, 0x0f, 0x38, 0xf1, 0xd7}},
      {"crc32 eax,dword [rsi]", {0xf2, 0x0f, 0x38, 0xf1, 0x06}},
      {"crc32 rax,rcx", {0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc1}},
      {"crc32 rax,qword [rsi]", {0xf2, 0x48, 0x0f, 0x38, 0xf1, 0x06}},
      {"crc32 rcx,rcx", {0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc9}},
  };
  const int runs = CompareIntegerForms(forms, 1000);
  EXPECT_EQ(runs, 1000 * static_cast<int>(forms.size()));
  std::printf("CRC32 forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

// A length register: small values either side of 0, 8 and 16, the 32- and
// 64-bit extremes, small low halves under a non-zero upper half (REX.W
// decides whether it counts), or random bits.
uint64_t RandomLength(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
    case 1:
      return static_cast<uint64_t>(static_cast<int64_t>(rng() % 41) - 20);
    case 2: {
      const uint64_t edges[] = {0x80000000, 0xffffffff80000000, 0x8000000000000000,
                                0x7fffffff, 0x100000005,        0xfffffffe00000003,
                                0xffffffff, 0x0000000100000000};
      return edges[rng() % std::size(edges)];
    }
    default:
      return rng();
  }
}

// Strings worth comparing: bytes from a small alphabet (so that elements
// match and ranges hold), a NUL element now and then (both bytes of a word,
// so it is NUL as either), and the second operand sometimes a piece of the
// first, shifted (for "equal ordered").
void StringOperands(std::mt19937_64& rng, SseRun& run) {
  run.regs.rax = RandomLength(rng);
  run.regs.rdx = RandomLength(rng);
  uint8_t* values[] = {run.regs.xmm[0], run.regs.xmm[1], run.regs.xmm[2], run.regs.xmm[3], run.mem};
  for (uint8_t* v : values) {
    if (rng() % 2) {
      const uint8_t alphabet[] = {'a', 'b', 'c', 'd', 0x80, 0xff, 0x7f, 0x01};
      for (int i = 0; i < 16; ++i) v[i] = alphabet[rng() % (rng() % 2 ? 3 : 8)];
    }
    if (rng() % 2) {
      const int at = 2 * static_cast<int>(rng() % 8);
      v[at] = v[at + 1] = 0;
    }
  }
  if (rng() % 4 == 0) {
    const int shift = static_cast<int>(rng() % 8);
    std::memmove(run.regs.xmm[1] + shift, run.regs.xmm[0], 16 - shift);
    std::memcpy(run.mem, run.regs.xmm[1], 16);
    std::memmove(run.regs.xmm[3] + shift, run.regs.xmm[2], 16 - shift);
  }
}

std::vector<SseForm> StringForms() {
  const struct {
    const char* name;
    uint8_t opcode;
  } kOps[] = {{"pcmpestrm", 0x60}, {"pcmpestri", 0x61}, {"pcmpistrm", 0x62}, {"pcmpistri", 0x63}};
  std::vector<SseForm> forms;
  for (const auto& op : kOps) {
    std::vector<int> imms;
    for (int imm = 0; imm < 128; ++imm) imms.push_back(imm);
    for (int imm : {0x80, 0x8d, 0xc4, 0xff}) imms.push_back(imm);
    for (int imm : imms) {
      for (const SseForm& f : RegisterAndMemoryForms(op.name, {0x66, 0x0f, 0x3a, op.opcode}, imm)) {
        forms.push_back(f);
      }
    }
    // Other registers (xmm2, xmm3: the mask still goes to XMM0), and REX.W
    // (lengths from RAX/RDX for the explicit forms, nothing for the others).
    for (int imm : {0x00, 0x0c, 0x18, 0x44, 0x35, 0x7d}) {
      const std::string i = "," + std::to_string(imm);
      forms.push_back({op.name + std::string(" xmm2,xmm3") + i,
                       {0x66, 0x0f, 0x3a, op.opcode, 0xd3, static_cast<uint8_t>(imm)}});
      forms.push_back({op.name + std::string(" (REX.W) xmm0,xmm1") + i,
                       {0x66, 0x48, 0x0f, 0x3a, op.opcode, 0xc1, static_cast<uint8_t>(imm)}});
      forms.push_back({op.name + std::string(" (REX.W) xmm0,[rsi]") + i,
                       {0x66, 0x48, 0x0f, 0x3a, op.opcode, 0x06, static_cast<uint8_t>(imm)}});
    }
  }
  return forms;
}

TEST(Sse42DifferentialTest, StringComparesMatchTheHost) {
  const std::vector<SseForm> forms = StringForms();
  const int runs = CompareIntegerForms(forms, 150, &StringOperands);
  EXPECT_EQ(runs, 150 * static_cast<int>(forms.size()));
  std::printf("PCMPxSTRx forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

const std::vector<uint8_t> kPcmpistriMem = {0x66, 0x0f, 0x3a,
                                            0x63, 0x06, 0x0c};  // pcmpistri xmm0, [rsi], 0x0c
const std::vector<uint8_t> kPcmpgtqMem = {0x66, 0x0f, 0x38, 0x37, 0x06};  // pcmpgtq xmm0, [rsi]
const std::vector<uint8_t> kCrc32Byte = {0xf2, 0x0f, 0x38, 0xf0, 0xc1};   // crc32 eax, cl

// PCMPxSTRx read 16 bytes at any address (SDM vol. 2B PCMPISTRI); PCMPGTQ
// needs 16-byte alignment like other legacy SSE operands.
TEST(Sse42ChecksTest, Alignment) {
  LongModeMachine m;
  const char text[] = "xxhello, world!!xxxxxxxxxxxxxxxx";
  m.memory().CopyIn(LongModeMachine::kData, text, sizeof(text));
  m.state().gpr[kRsi] = LongModeMachine::kData + 2;
  std::memcpy(m.state().sse.xmm[0], "o,\0", 3);  // equal ordered: "o,"
  EXPECT_EQ(m.Run(kPcmpistriMem).vector, -1);
  EXPECT_EQ(m.state().gpr[kRcx], 4u);  // "hello, ..." has "o," at 4
  EXPECT_EQ(m.Run(kPcmpgtqMem).vector, kGeneralProtection);
}

// The SSE rules apply to the string compares, not to CRC32, a
// general-register instruction (SDM vol. 2A CRC32: #UD only for LOCK or
// without SSE4.2).
TEST(Sse42ChecksTest, ControlRegistersGate) {
  LongModeMachine m;
  m.state().gpr[kRsi] = LongModeMachine::kData;
  m.state().cr0 |= kCr0TS;
  EXPECT_EQ(m.Run(kPcmpistriMem).vector, kDeviceNotAvailable);
  EXPECT_EQ(m.Run(kCrc32Byte).vector, -1);
  m.state().cr0 |= kCr0EM;
  EXPECT_EQ(m.Run(kPcmpistriMem).vector, kInvalidOpcode);
  EXPECT_EQ(m.Run(kCrc32Byte).vector, -1);
  m.state().cr0 &= ~(kCr0EM | kCr0TS);
  m.state().cr4 &= ~kCr4OSFXSR;
  EXPECT_EQ(m.Run(kPcmpistriMem).vector, kInvalidOpcode);
  EXPECT_EQ(m.Run(kCrc32Byte).vector, -1);
}

// CRC-32C of "123456789" is E3069283h (the check value of the polynomial),
// from an all-ones start with the result inverted.
TEST(Sse42ChecksTest, Crc32cCheckValue) {
  LongModeMachine m;
  m.memory().CopyIn(LongModeMachine::kData, "123456789", 9);
  m.state().gpr[kRsi] = LongModeMachine::kData;
  m.state().gpr[kRax] = 0xffffffff;
  std::vector<uint8_t> code;
  for (int i = 0; i < 9; ++i) {  // crc32 eax, byte [rsi+i]
    code.insert(code.end(), {0xf2, 0x0f, 0x38, 0xf0, 0x46, static_cast<uint8_t>(i)});
  }
  EXPECT_EQ(m.Run(code).vector, -1);
  EXPECT_EQ(~m.state().gpr[kRax] & 0xffffffff, 0xe3069283u);
}

}  // namespace
}  // namespace x64sim::testing
