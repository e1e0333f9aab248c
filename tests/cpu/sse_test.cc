// SSE/SSE2: every implemented instruction form against the host CPU, and
// the architectural checks the host cannot show (CR0/CR4 gating, alignment
// faults, fault atomicity, MXCSR and the FXSAVE image).
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/native_runner.h"

namespace x64sim::testing {
namespace {

struct Case {
  const char* text;
  std::vector<uint8_t> bytes;
};

// Encodings produced by GNU as; memory operands are based on RSI and the
// aligned forms use 16-byte-aligned offsets.
const Case kCases[] = {
    {"movaps xmm0,xmm1", {0x0f, 0x28, 0xc1}},
    {"movaps xmm0,[rsi]", {0x0f, 0x28, 0x06}},
    {"movaps [rsi+0x10],xmm1", {0x0f, 0x29, 0x4e, 0x10}},
    {"movups xmm0,[rsi+0x3]", {0x0f, 0x10, 0x46, 0x03}},
    {"movups [rsi+0x5],xmm1", {0x0f, 0x11, 0x4e, 0x05}},
    {"movapd xmm2,[rsi+0x20]", {0x66, 0x0f, 0x28, 0x56, 0x20}},
    {"movupd xmm0,[rsi+0x1]", {0x66, 0x0f, 0x10, 0x46, 0x01}},
    {"movupd [rsi+0x7],xmm2", {0x66, 0x0f, 0x11, 0x56, 0x07}},
    {"movdqa xmm0,xmm1", {0x66, 0x0f, 0x6f, 0xc1}},
    {"movdqa xmm2,[rsi]", {0x66, 0x0f, 0x6f, 0x16}},
    {"movdqa [rsi+0x10],xmm3", {0x66, 0x0f, 0x7f, 0x5e, 0x10}},
    {"movdqu xmm0,[rsi+0x9]", {0xf3, 0x0f, 0x6f, 0x46, 0x09}},
    {"movdqu [rsi+0x1],xmm1", {0xf3, 0x0f, 0x7f, 0x4e, 0x01}},
    {"movntdq [rsi+0x20],xmm1", {0x66, 0x0f, 0xe7, 0x4e, 0x20}},
    {"movntps [rsi],xmm2", {0x0f, 0x2b, 0x16}},
    {"movnti [rsi+0x4],eax", {0x0f, 0xc3, 0x46, 0x04}},
    {"movnti [rsi+0x8],rdx", {0x48, 0x0f, 0xc3, 0x56, 0x08}},
    {"movd xmm0,eax", {0x66, 0x0f, 0x6e, 0xc0}},
    {"movq xmm0,rax", {0x66, 0x48, 0x0f, 0x6e, 0xc0}},
    {"movd eax,xmm1", {0x66, 0x0f, 0x7e, 0xc8}},
    {"movq rax,xmm1", {0x66, 0x48, 0x0f, 0x7e, 0xc8}},
    {"movd edx,xmm3", {0x66, 0x0f, 0x7e, 0xda}},
    {"movd xmm0,[rsi+0x4]", {0x66, 0x0f, 0x6e, 0x46, 0x04}},
    {"movq xmm0,[rsi+0x4]", {0xf3, 0x0f, 0x7e, 0x46, 0x04}},
    {"movd [rsi+0x2],xmm1", {0x66, 0x0f, 0x7e, 0x4e, 0x02}},
    {"movq [rsi+0x2],xmm1", {0x66, 0x0f, 0xd6, 0x4e, 0x02}},
    {"movq xmm0,xmm1", {0xf3, 0x0f, 0x7e, 0xc1}},
    {"movq xmm0,xmm1 (66 0F D6)", {0x66, 0x0f, 0xd6, 0xc8}},
    {"movss xmm0,xmm1", {0xf3, 0x0f, 0x10, 0xc1}},
    {"movss xmm0,[rsi+0x4]", {0xf3, 0x0f, 0x10, 0x46, 0x04}},
    {"movss [rsi+0x4],xmm1", {0xf3, 0x0f, 0x11, 0x4e, 0x04}},
    {"movsd xmm0,xmm1", {0xf2, 0x0f, 0x10, 0xc1}},
    {"movsd xmm0,[rsi+0x8]", {0xf2, 0x0f, 0x10, 0x46, 0x08}},
    {"movsd [rsi+0x8],xmm1", {0xf2, 0x0f, 0x11, 0x4e, 0x08}},
    {"movlps xmm0,[rsi+0x8]", {0x0f, 0x12, 0x46, 0x08}},
    {"movlps [rsi],xmm1", {0x0f, 0x13, 0x0e}},
    {"movhps xmm0,[rsi+0x8]", {0x0f, 0x16, 0x46, 0x08}},
    {"movhps [rsi],xmm1", {0x0f, 0x17, 0x0e}},
    {"movlpd xmm2,[rsi+0x3]", {0x66, 0x0f, 0x12, 0x56, 0x03}},
    {"movhpd [rsi+0x5],xmm3", {0x66, 0x0f, 0x17, 0x5e, 0x05}},
    {"movhlps xmm0,xmm1", {0x0f, 0x12, 0xc1}},
    {"movlhps xmm0,xmm1", {0x0f, 0x16, 0xc1}},
    {"pxor xmm0,xmm1", {0x66, 0x0f, 0xef, 0xc1}},
    {"pxor xmm0,[rsi]", {0x66, 0x0f, 0xef, 0x06}},
    {"xorps xmm0,xmm1", {0x0f, 0x57, 0xc1}},
    {"xorpd xmm2,[rsi+0x10]", {0x66, 0x0f, 0x57, 0x56, 0x10}},
    {"por xmm0,xmm1", {0x66, 0x0f, 0xeb, 0xc1}},
    {"orps xmm0,[rsi]", {0x0f, 0x56, 0x06}},
    {"orpd xmm3,xmm0", {0x66, 0x0f, 0x56, 0xd8}},
    {"pand xmm0,xmm1", {0x66, 0x0f, 0xdb, 0xc1}},
    {"andps xmm0,xmm1", {0x0f, 0x54, 0xc1}},
    {"andpd xmm0,[rsi+0x20]", {0x66, 0x0f, 0x54, 0x46, 0x20}},
    {"pandn xmm0,xmm1", {0x66, 0x0f, 0xdf, 0xc1}},
    {"andnps xmm0,[rsi]", {0x0f, 0x55, 0x06}},
    {"andnpd xmm1,xmm2", {0x66, 0x0f, 0x55, 0xca}},
    {"pcmpeqb xmm0,xmm1", {0x66, 0x0f, 0x74, 0xc1}},
    {"pcmpeqb xmm0,[rsi]", {0x66, 0x0f, 0x74, 0x06}},
    {"pcmpeqw xmm0,xmm1", {0x66, 0x0f, 0x75, 0xc1}},
    {"pcmpeqd xmm0,xmm1", {0x66, 0x0f, 0x76, 0xc1}},
    {"pcmpgtb xmm0,xmm1", {0x66, 0x0f, 0x64, 0xc1}},
    {"pcmpgtw xmm0,[rsi+0x10]", {0x66, 0x0f, 0x65, 0x46, 0x10}},
    {"pcmpgtd xmm0,xmm1", {0x66, 0x0f, 0x66, 0xc1}},
    {"pmovmskb eax,xmm1", {0x66, 0x0f, 0xd7, 0xc1}},
    {"pmovmskb edx,xmm0", {0x66, 0x0f, 0xd7, 0xd0}},
    {"movmskps eax,xmm1", {0x0f, 0x50, 0xc1}},
    {"movmskpd edx,xmm1", {0x66, 0x0f, 0x50, 0xd1}},
    {"punpcklbw xmm0,xmm1", {0x66, 0x0f, 0x60, 0xc1}},
    {"punpcklwd xmm0,xmm1", {0x66, 0x0f, 0x61, 0xc1}},
    {"punpckldq xmm0,xmm1", {0x66, 0x0f, 0x62, 0xc1}},
    {"punpcklqdq xmm0,xmm1", {0x66, 0x0f, 0x6c, 0xc1}},
    {"punpckhbw xmm0,xmm1", {0x66, 0x0f, 0x68, 0xc1}},
    {"punpckhwd xmm0,xmm1", {0x66, 0x0f, 0x69, 0xc1}},
    {"punpckhdq xmm0,[rsi]", {0x66, 0x0f, 0x6a, 0x06}},
    {"punpckhqdq xmm0,xmm1", {0x66, 0x0f, 0x6d, 0xc1}},
    {"unpcklps xmm0,xmm1", {0x0f, 0x14, 0xc1}},
    {"unpckhps xmm0,xmm1", {0x0f, 0x15, 0xc1}},
    {"unpcklpd xmm0,xmm1", {0x66, 0x0f, 0x14, 0xc1}},
    {"unpckhpd xmm0,[rsi+0x10]", {0x66, 0x0f, 0x15, 0x46, 0x10}},
    {"pshufd xmm0,xmm1,0x1b", {0x66, 0x0f, 0x70, 0xc1, 0x1b}},
    {"pshufd xmm0,[rsi],0xe4", {0x66, 0x0f, 0x70, 0x06, 0xe4}},
    {"pshufd xmm2,xmm2,0x93", {0x66, 0x0f, 0x70, 0xd2, 0x93}},
    {"pshuflw xmm0,xmm1,0x93", {0xf2, 0x0f, 0x70, 0xc1, 0x93}},
    {"pshufhw xmm0,xmm1,0x39", {0xf3, 0x0f, 0x70, 0xc1, 0x39}},
    {"shufps xmm0,xmm1,0x8d", {0x0f, 0xc6, 0xc1, 0x8d}},
    {"shufps xmm0,[rsi],0x72", {0x0f, 0xc6, 0x06, 0x72}},
    {"shufpd xmm0,xmm1,0x1", {0x66, 0x0f, 0xc6, 0xc1, 0x01}},
    {"shufpd xmm0,xmm1,0x2", {0x66, 0x0f, 0xc6, 0xc1, 0x02}},
    {"paddb xmm0,xmm1", {0x66, 0x0f, 0xfc, 0xc1}},
    {"paddw xmm0,xmm1", {0x66, 0x0f, 0xfd, 0xc1}},
    {"paddd xmm0,[rsi]", {0x66, 0x0f, 0xfe, 0x06}},
    {"paddq xmm0,xmm1", {0x66, 0x0f, 0xd4, 0xc1}},
    {"psubb xmm0,xmm1", {0x66, 0x0f, 0xf8, 0xc1}},
    {"psubw xmm0,xmm1", {0x66, 0x0f, 0xf9, 0xc1}},
    {"psubd xmm0,xmm1", {0x66, 0x0f, 0xfa, 0xc1}},
    {"psubq xmm0,[rsi+0x10]", {0x66, 0x0f, 0xfb, 0x46, 0x10}},
    {"paddsb xmm0,xmm1", {0x66, 0x0f, 0xec, 0xc1}},
    {"paddsw xmm0,xmm1", {0x66, 0x0f, 0xed, 0xc1}},
    {"paddusb xmm0,xmm1", {0x66, 0x0f, 0xdc, 0xc1}},
    {"paddusw xmm0,xmm1", {0x66, 0x0f, 0xdd, 0xc1}},
    {"psubsb xmm0,xmm1", {0x66, 0x0f, 0xe8, 0xc1}},
    {"psubsw xmm0,xmm1", {0x66, 0x0f, 0xe9, 0xc1}},
    {"psubusb xmm0,xmm1", {0x66, 0x0f, 0xd8, 0xc1}},
    {"psubusw xmm0,xmm1", {0x66, 0x0f, 0xd9, 0xc1}},
    {"pminub xmm0,xmm1", {0x66, 0x0f, 0xda, 0xc1}},
    {"pmaxub xmm0,[rsi]", {0x66, 0x0f, 0xde, 0x06}},
    {"pminsw xmm0,xmm1", {0x66, 0x0f, 0xea, 0xc1}},
    {"pmaxsw xmm0,xmm1", {0x66, 0x0f, 0xee, 0xc1}},
    {"pavgb xmm0,xmm1", {0x66, 0x0f, 0xe0, 0xc1}},
    {"pavgw xmm0,xmm1", {0x66, 0x0f, 0xe3, 0xc1}},
    {"pmullw xmm0,xmm1", {0x66, 0x0f, 0xd5, 0xc1}},
    {"pmulhw xmm0,xmm1", {0x66, 0x0f, 0xe5, 0xc1}},
    {"pmulhuw xmm0,xmm1", {0x66, 0x0f, 0xe4, 0xc1}},
    {"pmuludq xmm0,xmm1", {0x66, 0x0f, 0xf4, 0xc1}},
    {"pmaddwd xmm0,xmm1", {0x66, 0x0f, 0xf5, 0xc1}},
    {"psadbw xmm0,xmm1", {0x66, 0x0f, 0xf6, 0xc1}},
    {"packsswb xmm0,xmm1", {0x66, 0x0f, 0x63, 0xc1}},
    {"packssdw xmm0,xmm1", {0x66, 0x0f, 0x6b, 0xc1}},
    {"packuswb xmm0,[rsi]", {0x66, 0x0f, 0x67, 0x06}},
    {"psllw xmm0,xmm1", {0x66, 0x0f, 0xf1, 0xc1}},
    {"psllw xmm0,0x3", {0x66, 0x0f, 0x71, 0xf0, 0x03}},
    {"psllw xmm0,0x11", {0x66, 0x0f, 0x71, 0xf0, 0x11}},
    {"pslld xmm0,xmm1", {0x66, 0x0f, 0xf2, 0xc1}},
    {"pslld xmm0,0x1f", {0x66, 0x0f, 0x72, 0xf0, 0x1f}},
    {"psllq xmm0,xmm1", {0x66, 0x0f, 0xf3, 0xc1}},
    {"psllq xmm0,0x3f", {0x66, 0x0f, 0x73, 0xf0, 0x3f}},
    {"psllq xmm0,[rsi]", {0x66, 0x0f, 0xf3, 0x06}},
    {"psrlw xmm0,xmm1", {0x66, 0x0f, 0xd1, 0xc1}},
    {"psrlw xmm0,0x9", {0x66, 0x0f, 0x71, 0xd0, 0x09}},
    {"psrld xmm0,xmm1", {0x66, 0x0f, 0xd2, 0xc1}},
    {"psrld xmm0,0x20", {0x66, 0x0f, 0x72, 0xd0, 0x20}},
    {"psrlq xmm0,xmm1", {0x66, 0x0f, 0xd3, 0xc1}},
    {"psrlq xmm0,0x1", {0x66, 0x0f, 0x73, 0xd0, 0x01}},
    {"psraw xmm0,xmm1", {0x66, 0x0f, 0xe1, 0xc1}},
    {"psraw xmm0,0x4", {0x66, 0x0f, 0x71, 0xe0, 0x04}},
    {"psraw xmm0,0xc8", {0x66, 0x0f, 0x71, 0xe0, 0xc8}},
    {"psrad xmm0,xmm1", {0x66, 0x0f, 0xe2, 0xc1}},
    {"psrad xmm0,0x1f", {0x66, 0x0f, 0x72, 0xe0, 0x1f}},
    {"pslldq xmm0,0x5", {0x66, 0x0f, 0x73, 0xf8, 0x05}},
    {"pslldq xmm0,0x10", {0x66, 0x0f, 0x73, 0xf8, 0x10}},
    {"psrldq xmm0,0x3", {0x66, 0x0f, 0x73, 0xd8, 0x03}},
    {"psrldq xmm1,0xf", {0x66, 0x0f, 0x73, 0xd9, 0x0f}},
    {"pextrw eax,xmm1,0x5", {0x66, 0x0f, 0xc5, 0xc1, 0x05}},
    {"pextrw edx,xmm0,0x0", {0x66, 0x0f, 0xc5, 0xd0, 0x00}},
    {"pinsrw xmm0,eax,0x3", {0x66, 0x0f, 0xc4, 0xc0, 0x03}},
    {"pinsrw xmm0,[rsi+0x2],0x6", {0x66, 0x0f, 0xc4, 0x46, 0x02, 0x06}},
    {"pextrw [rsi+0x6],xmm2,0x5", {0x66, 0x0f, 0x3a, 0x15, 0x56, 0x06, 0x05}},
    {"pextrb eax,xmm1,0x9", {0x66, 0x0f, 0x3a, 0x14, 0xc8, 0x09}},
    {"pextrb [rsi+0x3],xmm3,0x1f", {0x66, 0x0f, 0x3a, 0x14, 0x5e, 0x03, 0x1f}},
    {"pextrd edx,xmm2,0x3", {0x66, 0x0f, 0x3a, 0x16, 0xd2, 0x03}},
    {"pextrd [rsi],xmm0,0x1", {0x66, 0x0f, 0x3a, 0x16, 0x06, 0x01}},
    {"pextrq rax,xmm1,0x1", {0x66, 0x48, 0x0f, 0x3a, 0x16, 0xc8, 0x01}},
    {"pextrq [rsi+0x8],xmm3,0x2", {0x66, 0x48, 0x0f, 0x3a, 0x16, 0x5e, 0x08, 0x02}},
    {"pinsrb xmm0,eax,0xd", {0x66, 0x0f, 0x3a, 0x20, 0xc0, 0x0d}},
    {"pinsrb xmm1,[rsi+0x5],0x12", {0x66, 0x0f, 0x3a, 0x20, 0x4e, 0x05, 0x12}},
    {"pinsrd xmm2,ecx,0x2", {0x66, 0x0f, 0x3a, 0x22, 0xd1, 0x02}},
    {"pinsrd xmm0,[rsi+0x4],0x7", {0x66, 0x0f, 0x3a, 0x22, 0x46, 0x04, 0x07}},
    {"pinsrq xmm1,rdx,0x1", {0x66, 0x48, 0x0f, 0x3a, 0x22, 0xca, 0x01}},
    {"pinsrq xmm3,[rsi+0x10],0x0", {0x66, 0x48, 0x0f, 0x3a, 0x22, 0x5e, 0x10, 0x00}},
    {"movddup xmm0,xmm1", {0xf2, 0x0f, 0x12, 0xc1}},
    {"movddup xmm2,[rsi+0x3]", {0xf2, 0x0f, 0x12, 0x56, 0x03}},
    {"movshdup xmm0,xmm1", {0xf3, 0x0f, 0x16, 0xc1}},
    {"movshdup xmm2,[rsi+0x10]", {0xf3, 0x0f, 0x16, 0x56, 0x10}},
    {"movsldup xmm0,xmm3", {0xf3, 0x0f, 0x12, 0xc3}},
    {"movsldup xmm1,[rsi]", {0xf3, 0x0f, 0x12, 0x0e}},
    {"lddqu xmm0,[rsi+0x3]", {0xf2, 0x0f, 0xf0, 0x46, 0x03}},
    {"lddqu xmm3,[rsi+0x10]", {0xf2, 0x0f, 0xf0, 0x5e, 0x10}},
    {"prefetcht0 [rsi]", {0x0f, 0x18, 0x0e}},
    {"prefetcht1 [rsi+0x40]", {0x0f, 0x18, 0x56, 0x40}},
    {"prefetcht2 [rsi]", {0x0f, 0x18, 0x1e}},
    {"prefetchnta [rsi+0x1000]", {0x0f, 0x18, 0x86, 0x00, 0x10, 0x00, 0x00}},
    // 0F 0D: PREFETCHW (/1) and the prefetches Intel runs as NOPs (/0, /3-/7).
    {"prefetch [rsi]", {0x0f, 0x0d, 0x06}},
    {"prefetchw [rsi+0x40]", {0x0f, 0x0d, 0x4e, 0x40}},
    {"0f 0d /4 [rsi]", {0x0f, 0x0d, 0x26}},
};

constexpr int kMemBytes = 256;
constexpr uint64_t kMemOffset = 64;

// Inputs that hit the edges (zero, all ones, sign bits, saturation limits)
// before random ones. Every third round the count register XMM1 holds a
// small shift count.
void FillInputs(int round, std::mt19937_64& rng, RegisterImage* img, uint8_t* mem) {
  static const uint8_t kPatterns[] = {0x00, 0xff, 0x80, 0x7f, 0x01};
  for (auto& reg : img->xmm) {
    for (uint8_t& b : reg) {
      b = round < 5 ? kPatterns[round] : static_cast<uint8_t>(rng());
    }
  }
  if (round >= 5 && round % 3 == 0) {
    uint64_t count = rng() % 70;
    std::memcpy(img->xmm[1], &count, 8);
  }
  img->rax = rng();
  img->rcx = rng();
  img->rdx = rng();
  img->rdi = rng();
  img->rflags = 0x2 | (rng() & 0x8d5);  // arithmetic flags, DF clear
  for (int i = 0; i < kMemBytes; ++i) mem[i] = static_cast<uint8_t>(rng());
}

TEST(SseDifferentialTest, EveryFormMatchesTheHost) {
  LowMemory host_mem(4096);
  int forms = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    LongModeMachine m;
    NativeCode native(c.bytes);
    std::mt19937_64 rng(forms + 1);
    for (int round = 0; round < 40; ++round) {
      RegisterImage in;
      uint8_t mem[kMemBytes];
      FillInputs(round, rng, &in, mem);

      RegisterImage host = in;
      host.rsi = reinterpret_cast<uint64_t>(host_mem.data()) + kMemOffset;
      std::memcpy(host_mem.data(), mem, kMemBytes);
      native.Run(&host);

      CpuState& s = m.state();
      std::memcpy(s.sse.xmm, in.xmm, sizeof(in.xmm));
      s.gpr[kRax] = in.rax;
      s.gpr[kRcx] = in.rcx;
      s.gpr[kRdx] = in.rdx;
      s.gpr[kRsi] = LongModeMachine::kData + kMemOffset;
      s.gpr[kRdi] = in.rdi;
      s.rflags = in.rflags;
      m.memory().CopyIn(LongModeMachine::kData, mem, kMemBytes);
      LongModeMachine::Outcome out = m.Run(c.bytes);
      ASSERT_EQ(out.vector, -1) << "round " << round;
      ASSERT_EQ(out.reason, StopReason::kHaltedForever);

      for (int r = 0; r < 4; ++r) {
        EXPECT_EQ(0, std::memcmp(s.sse.xmm[r], host.xmm[r], 16)) << "xmm" << r << " round " << round;
      }
      EXPECT_EQ(s.gpr[kRax], host.rax) << "round " << round;
      EXPECT_EQ(s.gpr[kRcx], host.rcx);
      EXPECT_EQ(s.gpr[kRdx], host.rdx) << "round " << round;
      EXPECT_EQ(s.rflags & (kArithFlags | kDF), host.rflags & (kArithFlags | kDF));
      uint8_t sim_mem[kMemBytes];
      m.memory().CopyOut(LongModeMachine::kData, sim_mem, kMemBytes);
      EXPECT_EQ(0, std::memcmp(sim_mem, host_mem.data(), kMemBytes)) << "memory, round " << round;
      if (::testing::Test::HasFailure()) return;
    }
    ++forms;
  }
  std::printf("SSE forms compared with the host: %d\n", forms);
}

// ---- Architectural checks ---------------------------------------------------

const std::vector<uint8_t> kPxorReg = {0x66, 0x0f, 0xef, 0xc1};          // pxor xmm0, xmm1
const std::vector<uint8_t> kMovdqaLoad = {0x66, 0x0f, 0x6f, 0x06};       // movdqa xmm0, [rsi]
const std::vector<uint8_t> kMovapsStore = {0x0f, 0x29, 0x0e};            // movaps [rsi], xmm1
const std::vector<uint8_t> kMovdquLoad = {0xf3, 0x0f, 0x6f, 0x06};       // movdqu xmm0, [rsi]
const std::vector<uint8_t> kMovdquStore = {0xf3, 0x0f, 0x7f, 0x0e};      // movdqu [rsi], xmm1
const std::vector<uint8_t> kPaddMem = {0x66, 0x0f, 0xfe, 0x06};          // paddd xmm0, [rsi]
const std::vector<uint8_t> kMovshdupMem = {0xf3, 0x0f, 0x16, 0x06};      // movshdup xmm0, [rsi]
const std::vector<uint8_t> kLddqu = {0xf2, 0x0f, 0xf0, 0x06};            // lddqu xmm0, [rsi]
const std::vector<uint8_t> kFxsave64 = {0x48, 0x0f, 0xae, 0x06};         // fxsave64 [rsi]
const std::vector<uint8_t> kFxrstor64 = {0x48, 0x0f, 0xae, 0x0e};        // fxrstor64 [rsi]
const std::vector<uint8_t> kLdmxcsr = {0x0f, 0xae, 0x16};                // ldmxcsr [rsi]
const std::vector<uint8_t> kStmxcsr = {0x0f, 0xae, 0x5e, 0x04};          // stmxcsr [rsi+4]
const std::vector<uint8_t> kPrefetch = {0x0f, 0x18, 0x06};               // prefetchnta [rsi]
const std::vector<uint8_t> kMovnti = {0x0f, 0xc3, 0x06};                 // movnti [rsi], eax

void SetXmm(CpuState& s, int r, uint8_t fill) { std::memset(s.sse.xmm[r], fill, 16); }

// SDM vol. 2A 2.4: #UD when CR0.EM=1 or CR4.OSFXSR=0 (checked first), #NM when CR0.TS=1.
TEST(SseChecksTest, ControlRegistersGateSse) {
  struct Setting {
    uint64_t cr0_set;
    bool osfxsr;
    int vector;
  };
  const Setting kSettings[] = {
      {0, true, -1},
      {kCr0TS, true, kDeviceNotAvailable},
      {kCr0EM, true, kInvalidOpcode},
      {0, false, kInvalidOpcode},
      {kCr0TS, false, kInvalidOpcode},
  };
  for (const Setting& st : kSettings) {
    LongModeMachine m;
    m.state().cr0 |= st.cr0_set;
    if (!st.osfxsr) m.state().cr4 &= ~kCr4OSFXSR;
    SetXmm(m.state(), 0, 0x5a);
    SetXmm(m.state(), 1, 0x0f);
    LongModeMachine::Outcome out = m.Run(kPxorReg);
    EXPECT_EQ(out.vector, st.vector) << "cr0 bits " << st.cr0_set << " osfxsr " << st.osfxsr;
    uint8_t expect = st.vector < 0 ? 0x55 : 0x5a;
    EXPECT_EQ(m.state().sse.xmm[0][7], expect);
    if (st.vector >= 0) {
      EXPECT_EQ(out.fault_rip, LongModeMachine::kCode);
    }
  }
}

// The scalar moves with memory (MOVSD and MOVD here; MOVQ and MOVSS share
// their handlers) check CR0 and CR4 before their access even when the page
// is already in the fast path (the first run puts it there): #NM or #UD,
// the register and memory unchanged. A not-present page still raises #PF
// with its address in CR2.
TEST(SseChecksTest, ScalarMovesCheckSseStateBeforeTheirAccess) {
  struct Move {
    const char* name;
    std::vector<uint8_t> code;
    bool store;
    int bytes;
  };
  const Move kMoves[] = {
      {"movsd xmm0, [rsi]", {0xf2, 0x0f, 0x10, 0x06}, false, 8},
      {"movsd [rsi], xmm0", {0xf2, 0x0f, 0x11, 0x06}, true, 8},
      {"movd xmm0, [rsi]", {0x66, 0x0f, 0x6e, 0x06}, false, 4},
      {"movd [rsi], xmm0", {0x66, 0x0f, 0x7e, 0x06}, true, 4},
  };
  constexpr uint64_t kMemory = 0x1122334455667788;
  for (const Move& move : kMoves) {
    SCOPED_TRACE(move.name);
    for (auto [cr0_set, vector] : {std::pair<uint64_t, int>{kCr0TS, kDeviceNotAvailable},
                                   std::pair<uint64_t, int>{kCr0EM, kInvalidOpcode}}) {
      LongModeMachine m;
      m.state().gpr[kRsi] = LongModeMachine::kData;
      m.Put64(LongModeMachine::kData, kMemory);
      SetXmm(m.state(), 0, 0xa5);
      ASSERT_EQ(m.Run(move.code).vector, -1);
      const uint64_t mask = move.bytes == 8 ? ~0ull : 0xffffffffull;
      uint64_t xmm[2];
      std::memcpy(xmm, m.state().sse.xmm[0], 16);
      if (move.store) {  // the bytes past the operand stay as they were
        EXPECT_EQ(m.Get64(LongModeMachine::kData), (kMemory & ~mask) | (0xa5a5a5a5a5a5a5a5ull & mask));
      } else {  // the rest of the register is zeroed
        EXPECT_EQ(xmm[0], kMemory & mask);
        EXPECT_EQ(xmm[1], 0u);
      }

      SetXmm(m.state(), 0, 0x3c);
      m.Put64(LongModeMachine::kData, kMemory);
      m.state().cr0 |= cr0_set;
      EXPECT_EQ(m.Run(move.code).vector, vector);
      EXPECT_EQ(m.state().sse.xmm[0][0], 0x3c);
      EXPECT_EQ(m.state().sse.xmm[0][15], 0x3c);
      EXPECT_EQ(m.Get64(LongModeMachine::kData), kMemory);
    }
    LongModeMachine m;
    m.state().gpr[kRsi] = LongModeMachine::kData;
    ASSERT_EQ(m.Run(move.code).vector, -1);
    m.SetPteFlags(LongModeMachine::kData, 0);
    LongModeMachine::Outcome out = m.Run(move.code);
    EXPECT_EQ(out.vector, kPageFault);
    EXPECT_EQ(m.state().cr2, LongModeMachine::kData);
    EXPECT_EQ(out.error_code, move.store ? 2u : 0u);
  }
}

// PREFETCHh and MOVNTI are not SSE-state instructions: CR0.TS/EM do not apply.
TEST(SseChecksTest, PrefetchAndMovntiIgnoreTsAndEm) {
  LongModeMachine m;
  m.state().cr0 |= kCr0TS | kCr0EM;
  m.state().gpr[kRsi] = LongModeMachine::kData;
  m.state().gpr[kRax] = 0x11223344;
  EXPECT_EQ(m.Run(kPrefetch).vector, -1);
  EXPECT_EQ(m.Run(kMovnti).vector, -1);
  EXPECT_EQ(m.Get64(LongModeMachine::kData) & 0xffffffff, 0x11223344u);
}

// SDM vol. 2A 2.4.1: legacy SSE 128-bit operands must be 16-byte aligned.
TEST(SseChecksTest, MisalignedAlignedFormsRaiseGp) {
  for (const auto* code : {&kMovdqaLoad, &kPaddMem, &kMovshdupMem}) {
    LongModeMachine m;
    m.state().gpr[kRsi] = LongModeMachine::kData + 8;
    SetXmm(m.state(), 0, 0x33);
    LongModeMachine::Outcome out = m.Run(*code);
    EXPECT_EQ(out.vector, kGeneralProtection);
    EXPECT_EQ(out.error_code, 0u);
    EXPECT_EQ(out.fault_rip, LongModeMachine::kCode);
    EXPECT_EQ(m.state().sse.xmm[0][0], 0x33);
  }
  LongModeMachine m;
  m.state().gpr[kRsi] = LongModeMachine::kData + 4;
  SetXmm(m.state(), 1, 0x77);
  EXPECT_EQ(m.Run(kMovapsStore).vector, kGeneralProtection);
  EXPECT_EQ(m.Get64(LongModeMachine::kData + 4), 0u);
  // The unaligned forms accept the same address.
  EXPECT_EQ(m.Run(kMovdquStore).vector, -1);
  EXPECT_EQ(m.Get64(LongModeMachine::kData + 4), 0x7777777777777777u);
  EXPECT_EQ(m.Run(kMovdquLoad).vector, -1);
  EXPECT_EQ(m.state().sse.xmm[0][15], 0x77);
  SetXmm(m.state(), 0, 0);
  EXPECT_EQ(m.Run(kLddqu).vector, -1);  // SSE3's unaligned load
  EXPECT_EQ(m.state().sse.xmm[0][15], 0x77);
}

// A 16-byte store split across a present and a not-present page faults
// without writing either part.
TEST(SseChecksTest, SplitStoreFaultWritesNothing) {
  LongModeMachine m;
  const uint64_t second = LongModeMachine::kData + 0x2000;
  m.SetPteFlags(second, 0);  // not present
  m.state().gpr[kRsi] = second - 8;
  SetXmm(m.state(), 1, 0xab);
  LongModeMachine::Outcome out = m.Run(kMovdquStore);
  EXPECT_EQ(out.vector, kPageFault);
  EXPECT_EQ(out.error_code, kPfWrite);
  EXPECT_EQ(m.state().cr2, second);
  EXPECT_EQ(m.Get64(second - 8), 0u);
  // Once mapped, the restarted store writes both halves.
  m.SetPteFlags(second, LongModeMachine::kPteFlags);
  EXPECT_EQ(m.Run(kMovdquStore).vector, -1);
  EXPECT_EQ(m.Get64(second - 8), 0xababababababababu);
  EXPECT_EQ(m.Get64(second), 0xababababababababu);
}

// SDM vol. 2A LDMXCSR: reserved bits (beyond MXCSR_MASK) are #GP(0).
TEST(SseChecksTest, LdmxcsrChecksReservedBits) {
  LongModeMachine m;
  m.state().gpr[kRsi] = LongModeMachine::kData;
  m.Put64(LongModeMachine::kData, 0x9fc0);  // FTZ, DAZ, masks
  EXPECT_EQ(m.Run(kLdmxcsr).vector, -1);
  EXPECT_EQ(m.state().sse.mxcsr, 0x9fc0u);
  EXPECT_EQ(m.Run(kStmxcsr).vector, -1);
  EXPECT_EQ(m.Get64(LongModeMachine::kData) >> 32, 0x9fc0u);
  m.Put64(LongModeMachine::kData, 0x10000 | 0x1f80);
  LongModeMachine::Outcome out = m.Run(kLdmxcsr);
  EXPECT_EQ(out.vector, kGeneralProtection);
  EXPECT_EQ(out.error_code, 0u);
  EXPECT_EQ(m.state().sse.mxcsr, 0x9fc0u);
}

// SDM vol. 1 10.5.1, table 10-2: the 64-bit FXSAVE image.
TEST(FxsaveTest, SavesTheDocumentedLayout) {
  LongModeMachine m;
  CpuState& s = m.state();
  s.sse.fcw = 0x027f;
  s.sse.fsw = 0x3800;
  s.sse.ftw = 0x81;
  s.sse.mxcsr = 0x1fa0;
  for (int r = 0; r < 16; ++r) SetXmm(s, r, static_cast<uint8_t>(0x10 + r));
  std::vector<uint8_t> junk(512, 0xee);
  m.memory().CopyIn(LongModeMachine::kData, junk.data(), junk.size());
  s.gpr[kRsi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run(kFxsave64).vector, -1);
  uint8_t area[512];
  m.memory().CopyOut(LongModeMachine::kData, area, 512);
  uint16_t fcw, fsw;
  uint32_t mxcsr, mask;
  std::memcpy(&fcw, area + 0, 2);
  std::memcpy(&fsw, area + 2, 2);
  std::memcpy(&mxcsr, area + 24, 4);
  std::memcpy(&mask, area + 28, 4);
  EXPECT_EQ(fcw, 0x027f);
  EXPECT_EQ(fsw, 0x3800);
  EXPECT_EQ(area[4], 0x81);
  EXPECT_EQ(mxcsr, 0x1fa0u);
  EXPECT_EQ(mask, 0xffffu);
  for (int i = 6; i < 24; ++i) EXPECT_EQ(area[i], 0) << "FOP/FIP/FDP byte " << i;
  for (int i = 32; i < 160; ++i) EXPECT_EQ(area[i], 0) << "ST/MM byte " << i;
  for (int r = 0; r < 16; ++r) EXPECT_EQ(area[160 + 16 * r + 5], 0x10 + r) << "xmm" << r;
  for (int i = 416; i < 512; ++i) EXPECT_EQ(area[i], 0xee) << "reserved byte " << i;

  // FXRSTOR brings the image back.
  for (int r = 0; r < 16; ++r) SetXmm(s, r, 0);
  s.sse = SseState{};
  ASSERT_EQ(m.Run(kFxrstor64).vector, -1);
  EXPECT_EQ(s.sse.fcw, 0x027f);
  EXPECT_EQ(s.sse.fsw, 0x3800);
  EXPECT_EQ(s.sse.ftw, 0x81);
  EXPECT_EQ(s.sse.mxcsr, 0x1fa0u);
  for (int r = 0; r < 16; ++r) EXPECT_EQ(s.sse.xmm[r][9], 0x10 + r);
}

// The XMM and MXCSR parts of the image match the host's FXSAVE (not
// MXCSR_MASK: AMD hosts add their misaligned-exception mask bit 17).
TEST(FxsaveTest, XmmAndMxcsrPartsMatchTheHost) {
  alignas(16) uint8_t host_area[512] = {};
  alignas(16) uint8_t xmm_values[4][16];
  for (int r = 0; r < 4; ++r) std::memset(xmm_values[r], 0xa0 + r, 16);
  asm volatile(
      "movdqu 0(%1), %%xmm0\n\tmovdqu 16(%1), %%xmm1\n\t"
      "movdqu 32(%1), %%xmm2\n\tmovdqu 48(%1), %%xmm3\n\tfxsave64 %0"
      : "=m"(host_area)
      : "r"(xmm_values)
      : "xmm0", "xmm1", "xmm2", "xmm3");
  LongModeMachine m;
  CpuState& s = m.state();
  std::memcpy(s.sse.xmm, xmm_values, sizeof(xmm_values));
  std::memcpy(&s.sse.mxcsr, host_area + 24, 4);
  s.gpr[kRsi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run(kFxsave64).vector, -1);
  uint8_t area[512];
  m.memory().CopyOut(LongModeMachine::kData, area, 512);
  EXPECT_EQ(0, std::memcmp(area + 24, host_area + 24, 4)) << "MXCSR";
  EXPECT_EQ(0, std::memcmp(area + 160, host_area + 160, 64)) << "XMM0-3";
}

TEST(FxsaveTest, AlignmentAndDeviceChecks) {
  LongModeMachine m;
  m.state().gpr[kRsi] = LongModeMachine::kData + 8;
  LongModeMachine::Outcome out = m.Run(kFxsave64);
  EXPECT_EQ(out.vector, kGeneralProtection);
  EXPECT_EQ(out.error_code, 0u);
  // SDM vol. 2A FXSAVE: CR0.EM gives #NM here, not #UD.
  m.state().gpr[kRsi] = LongModeMachine::kData;
  m.state().cr0 |= kCr0EM;
  EXPECT_EQ(m.Run(kFxsave64).vector, kDeviceNotAvailable);
}

// An image that spans into a not-present page faults before any byte changes.
TEST(FxsaveTest, FaultOnSecondPageWritesNothing) {
  LongModeMachine m;
  const uint64_t second = LongModeMachine::kData + 0x3000;
  m.SetPteFlags(second, 0);
  m.state().gpr[kRsi] = second - 256;
  SetXmm(m.state(), 0, 0x99);
  LongModeMachine::Outcome out = m.Run(kFxsave64);
  EXPECT_EQ(out.vector, kPageFault);
  EXPECT_EQ(m.state().cr2, second);
  for (uint64_t a = second - 256; a < second; a += 8) EXPECT_EQ(m.Get64(a), 0u);
}

// Outside 64-bit mode the image holds XMM0-7 only (SDM vol. 1 10.5.1,
// table 10-3); the bytes after them are not written.
TEST(FxsaveTest, ProtectedModeSavesEightXmmRegisters) {
  LongModeMachine m;
  Cpu& cpu = m.cpu();
  cpu.LoadSegmentCache(kCs, Segment{8, 0, 0xffffffff, 0xcf9a});  // 32-bit code
  ASSERT_TRUE(cpu.WriteCr0(kCr0PE | kCr0ET));
  cpu.WriteEfer(0);
  ASSERT_EQ(m.state().mode, CpuMode::kProtected32);
  for (int r = 0; r < 16; ++r) SetXmm(m.state(), r, static_cast<uint8_t>(0x30 + r));
  std::vector<uint8_t> junk(512, 0xee);
  m.memory().CopyIn(LongModeMachine::kData, junk.data(), junk.size());
  m.state().gpr[kRsi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run({0x0f, 0xae, 0x06}).vector, -1);  // fxsave [esi]
  uint8_t area[512];
  m.memory().CopyOut(LongModeMachine::kData, area, 512);
  for (int r = 0; r < 8; ++r) EXPECT_EQ(area[160 + 16 * r], 0x30 + r) << "xmm" << r;
  for (int i = 288; i < 512; ++i) EXPECT_EQ(area[i], 0xee) << "byte " << i;
}

// SDM vol. 2A FXRSTOR: reserved MXCSR bits in the image are #GP(0), and
// nothing is restored.
TEST(FxsaveTest, RestoreRejectsReservedMxcsrBits) {
  LongModeMachine m;
  CpuState& s = m.state();
  SetXmm(s, 0, 0x42);
  s.gpr[kRsi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run(kFxsave64).vector, -1);
  m.Put64(LongModeMachine::kData + 24, 0xffff00001f80ull | (1ull << 20));
  SetXmm(s, 0, 0x17);
  LongModeMachine::Outcome out = m.Run(kFxrstor64);
  EXPECT_EQ(out.vector, kGeneralProtection);
  EXPECT_EQ(s.sse.xmm[0][0], 0x17);
}

}  // namespace
}  // namespace x64sim::testing
