#include "tests/cpu/avx_differential.h"

#include <cstddef>
#include <cstring>

#include "gtest/gtest.h"

// x64sim_run_native_avx(AvxImage* image /* rdi */, const void* code /* rsi */):
// as x64sim_run_native (native_runner.cc), with whole YMM registers.
asm(R"(
  .text
  .globl x64sim_run_native_avx
  .type x64sim_run_native_avx, @function
x64sim_run_native_avx:
  mov %rdi, %r8
  mov %rsi, %r9
  vmovdqu 0(%r8), %ymm0
  vmovdqu 32(%r8), %ymm1
  vmovdqu 64(%r8), %ymm2
  vmovdqu 96(%r8), %ymm3
  mov 128(%r8), %rax
  mov 136(%r8), %rcx
  mov 144(%r8), %rdx
  mov 152(%r8), %rsi
  mov 160(%r8), %rdi
  pushq 168(%r8)
  popfq
  call *%r9
  pushfq
  popq 168(%r8)
  cld
  vmovdqu %ymm0, 0(%r8)
  vmovdqu %ymm1, 32(%r8)
  vmovdqu %ymm2, 64(%r8)
  vmovdqu %ymm3, 96(%r8)
  vzeroupper
  mov %rax, 128(%r8)
  mov %rcx, 136(%r8)
  mov %rdx, 144(%r8)
  mov %rsi, 152(%r8)
  mov %rdi, 160(%r8)
  ret
  .size x64sim_run_native_avx, .-x64sim_run_native_avx
)");

extern "C" void x64sim_run_native_avx(x64sim::testing::AvxImage* image, const void* code);

namespace x64sim::testing {

static_assert(offsetof(AvxImage, rax) == 128 && offsetof(AvxImage, rflags) == 168);

namespace {
constexpr uint64_t kMemOffset = 64;  // RSI 32-byte aligned on both sides
}  // namespace

std::vector<uint8_t> VexBytes(VexOpcode op, int length, int vvvv, const std::vector<uint8_t>& rest) {
  std::vector<uint8_t> bytes = {
      0xc4, static_cast<uint8_t>(0xe0 | op.map),  // R, X, B clear (stored inverted)
      static_cast<uint8_t>((op.w ? 0x80 : 0) | ((~vvvv & 0xf) << 3) | (length == 256 ? 4 : 0) |
                           op.pp),
      op.opcode};
  for (uint8_t b : rest) bytes.push_back(b);  // (GCC 12 misreads insert's bounds here)
  return bytes;
}

std::vector<SseForm> VexForms(const std::string& name, VexOpcode op, VexShape shape,
                              std::vector<int> lengths, int imm, int modrm_reg) {
  struct Source {
    const char* text;
    std::vector<uint8_t> modrm;  // with the reg field 0
  };
  const Source kSources[] = {{"2", {0xc2}}, {"[rsi]", {0x06}}, {"[rsi+1]", {0x46, 0x01}}};
  std::vector<SseForm> forms;
  for (int length : lengths) {
    const std::string r = length == 256 ? "ymm" : "xmm";
    for (const Source& src : kSources) {
      std::vector<uint8_t> rest = src.modrm;
      int vvvv = 0;
      std::string text = name + " " + r + "0,";
      if (modrm_reg >= 0) {
        rest[0] |= static_cast<uint8_t>(modrm_reg << 3);
      } else if (shape == VexShape::kNds) {
        vvvv = 1;
        text += r + "1,";
      }
      text += src.text[0] == '[' ? std::string(src.text) : r + src.text;
      if (imm >= 0) {
        rest.push_back(static_cast<uint8_t>(imm));
        text += "," + std::to_string(imm);
      }
      forms.push_back({text, VexBytes(op, length, vvvv, rest)});
    }
  }
  return forms;
}

int CompareAvxForms(const std::vector<SseForm>& forms, int rounds,
                    void (*fill)(std::mt19937_64&, uint8_t*), const std::vector<uint32_t>& mxcsrs,
                    const std::function<void(std::mt19937_64&, AvxRun&)>& adjust) {
  int runs = 0;
  for (size_t f = 0; f < forms.size(); ++f) {
    AvxDifferential d(forms[f].bytes);
    std::mt19937_64 rng(f + 1);
    for (uint32_t mxcsr : mxcsrs) {
      for (int round = 0; round < rounds; ++round) {
        AvxRun run;
        run.mxcsr = mxcsr;
        for (auto& reg : run.regs.ymm) {
          for (int i = 0; i < 32; i += 16) fill(rng, reg + i);
        }
        for (int i = 0; i < AvxRun::kMemBytes; i += 16) fill(rng, run.mem + i);
        if (rng() % 8 == 0) {  // equal operands
          std::memcpy(run.regs.ymm[1], run.regs.ymm[0], 32);
          std::memcpy(run.regs.ymm[2], run.regs.ymm[0], 32);
          std::memcpy(run.mem, run.regs.ymm[0], 32);
          std::memcpy(run.mem + 1, run.regs.ymm[0], 32);
        }
        run.regs.rax = rng();
        run.regs.rcx = rng();
        run.regs.rdx = rng();
        run.regs.rdi = rng();
        run.regs.rflags = 0x2 | (rng() & 0x8d5);
        if (adjust) adjust(rng, run);
        if (!d.Matches(run, forms[f].text + " mxcsr " + std::to_string(mxcsr) + " round " +
                                std::to_string(round))) {
          return runs;
        }
        ++runs;
      }
    }
  }
  return runs;
}

void EnableAvx(LongModeMachine& m) {
  m.cpu().WriteCr4(m.state().cr4 | kCr4OSXSAVE);
  m.state().xcr0 = kXcr0X87 | kXcr0Sse | kXcr0Avx;
}

AvxDifferential::AvxDifferential(const std::vector<uint8_t>& bytes)
    : bytes_(bytes), native_(bytes), host_mem_(4096) {
  EnableAvx(machine_);
}

uint32_t AvxDifferential::RunHost(const AvxRun& run, uint32_t mxcsr, AvxImage* image,
                                  bool* faulted) {
  *image = run.regs;
  image->rsi = reinterpret_cast<uint64_t>(host_mem_.data()) + kMemOffset;
  std::memcpy(host_mem_.data() + kMemOffset, run.mem, AvxRun::kMemBytes);
  return RunUnderMxcsr(mxcsr, [&] { x64sim_run_native_avx(image, native_.code()); }, faulted);
}

bool AvxDifferential::Matches(const AvxRun& run, const std::string& what) {
  AvxImage host;
  bool host_faulted;
  uint32_t host_mxcsr = RunHost(run, run.mxcsr, &host, &host_faulted);
  std::vector<uint8_t> host_mem(host_mem_.data() + kMemOffset,
                                host_mem_.data() + kMemOffset + AvxRun::kMemBytes);
  if (host_faulted) {
    host_mxcsr |= SdmPrecisionFlag(run.mxcsr, host_mxcsr, [&](uint32_t masked) {
      AvxImage image;
      bool faulted;
      return RunHost(run, masked, &image, &faulted);
    });
  }

  CpuState& s = machine_.state();
  s.sse.mxcsr = run.mxcsr;
  for (int r = 0; r < 4; ++r) {
    std::memcpy(s.sse.xmm[r], run.regs.ymm[r], 16);
    std::memcpy(s.sse.ymm_hi[r], run.regs.ymm[r] + 16, 16);
  }
  s.gpr[kRax] = run.regs.rax;
  s.gpr[kRcx] = run.regs.rcx;
  s.gpr[kRdx] = run.regs.rdx;
  s.gpr[kRdi] = run.regs.rdi;
  s.gpr[kRsi] = LongModeMachine::kData + kMemOffset;
  s.rflags = run.regs.rflags;
  machine_.memory().CopyIn(LongModeMachine::kData + kMemOffset, run.mem, AvxRun::kMemBytes);
  LongModeMachine::Outcome out = machine_.Run(bytes_);
  EXPECT_EQ(out.vector, host_faulted ? kSimdError : -1) << what;
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(0, std::memcmp(s.sse.xmm[r], host.ymm[r], 16)) << "ymm" << r << " low, " << what;
    EXPECT_EQ(0, std::memcmp(s.sse.ymm_hi[r], host.ymm[r] + 16, 16))
        << "ymm" << r << " high, " << what;
  }
  EXPECT_EQ(s.gpr[kRax], host.rax) << what;
  EXPECT_EQ(s.gpr[kRcx], host.rcx) << what;
  EXPECT_EQ(s.gpr[kRdx], host.rdx) << what;
  EXPECT_EQ(s.gpr[kRdi], host.rdi) << what;
  EXPECT_EQ(s.rflags & kArithFlags, host.rflags & kArithFlags) << what;
  EXPECT_EQ(s.sse.mxcsr, host_mxcsr) << what;
  uint8_t mem[AvxRun::kMemBytes];
  machine_.memory().CopyOut(LongModeMachine::kData + kMemOffset, mem, AvxRun::kMemBytes);
  EXPECT_EQ(0, std::memcmp(mem, host_mem.data(), AvxRun::kMemBytes)) << what;
  return !::testing::Test::HasFailure();
}

}  // namespace x64sim::testing
