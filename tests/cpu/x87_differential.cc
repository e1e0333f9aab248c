#include "tests/cpu/x87_differential.h"

#include <cctype>
#include <cstring>

#include "gtest/gtest.h"

namespace x64sim::testing {

namespace {

constexpr int kImageBytes = 512;
constexpr int kFsw = 2, kMxcsr = 24, kSt = 32;
// fxrstor64 [rsi] before the instruction; fxsave64 [rsi] and fninit after.
const std::vector<uint8_t> kPrologue = {0x48, 0x0f, 0xae, 0x0e};
const std::vector<uint8_t> kEpilogue = {0x48, 0x0f, 0xae, 0x06, 0xdb, 0xe3};

std::vector<uint8_t> Wrap(const std::vector<uint8_t>& insn) {
  std::vector<uint8_t> code = kPrologue;
  code.insert(code.end(), insn.begin(), insn.end());
  code.insert(code.end(), kEpilogue.begin(), kEpilogue.end());
  return code;
}

void Image(const X87Run& run, uint8_t* image) {
  std::memset(image, 0, kImageBytes);
  std::memcpy(image, &run.fcw, 2);
  std::memcpy(image + kFsw, &run.fsw, 2);
  image[4] = run.ftw;
  const uint32_t mxcsr = 0x1f80;
  std::memcpy(image + kMxcsr, &mxcsr, 4);
  for (int i = 0; i < 8; ++i) std::memcpy(image + kSt + 16 * i, run.st[i], 10);
  std::memcpy(image + kImageBytes, run.mem, sizeof(run.mem));
}

void PutF80(uint8_t out[10], uint64_t significand, uint16_t sign_exponent) {
  std::memcpy(out, &significand, 8);
  std::memcpy(out + 8, &sign_exponent, 2);
}

}  // namespace

std::vector<uint8_t> MemoryForm(uint8_t op, int reg) {
  return {op, static_cast<uint8_t>(0x86 | (reg << 3)), kX87MemOffset & 0xff, kX87MemOffset >> 8,
          0, 0};
}

void X87Values::F80(uint8_t out[10]) {
  const uint16_t sign = (rng_() & 1) ? 0x8000 : 0;
  const uint64_t j = 1ull << 63;
  const uint64_t r = rng_();
  switch (rng_() % 16) {
    case 0: return PutF80(out, 0, sign);                                   // zero
    case 1: return PutF80(out, r & (j - 1), sign);                         // denormal
    case 2: return PutF80(out, r | j, sign);                               // pseudo-denormal
    case 3: return PutF80(out, r & (j - 1), sign | (1 + rng_() % 0x7ffe));  // unnormal
    case 4: return PutF80(out, j, sign | 0x7fff);                          // infinity
    case 5: return PutF80(out, r | (3ull << 62), sign | 0x7fff);           // QNaN
    case 6: return PutF80(out, ((r & ((1ull << 62) - 1)) | 1) | j, sign | 0x7fff);  // SNaN
    case 7: return PutF80(out, r & (j - 1), sign | 0x7fff);                // pseudo-NaN/infinity
    case 8: return PutF80(out, r | j, sign | (rng_() % 0x7fff));           // any normal
    case 9: {  // a small integer
      const uint64_t n = 1 + rng_() % 100000;
      const int lz = __builtin_clzll(n);
      return PutF80(out, n << lz, sign | (0x3fff + 63 - lz));
    }
    case 10: return PutF80(out, r | j, sign | (0x3fff + 50 + rng_() % 30));  // near 2^63
    default: return PutF80(out, r | j, sign | (0x3fff - 8 + rng_() % 16));  // near 1
  }
}

void X87Values::Memory(char kind, uint8_t out[112]) {
  std::memset(out, 0, 112);
  uint64_t r = rng_();
  const bool special = rng_() % 3 == 0;
  switch (kind) {
    case 'f': {
      uint32_t v = static_cast<uint32_t>(r);
      if (special) {
        const uint32_t pool[] = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001,
                                 0x00000001, 0x007fffff, 0x3f800000, 0x7f7fffff};
        v = pool[rng_() % 10];
      } else if (rng_() & 1) {
        v = (v & 0x807fffff) | ((120 + rng_() % 16) << 23);
      }
      std::memcpy(out, &v, 4);
      return;
    }
    case 'd': {
      if (special) {
        const uint64_t pool[] = {0, 1ull << 63, 0x7ff0000000000000, 0xfff0000000000000,
                                 0x7ff8000000000000, 0x7ff0000000000001, 1, 0x000fffffffffffff,
                                 0x3ff0000000000000, 0x7fefffffffffffff};
        r = pool[rng_() % 10];
      } else if (rng_() & 1) {
        r = (r & 0x800fffffffffffff) | ((1016ull + rng_() % 16) << 52);
      }
      std::memcpy(out, &r, 8);
      return;
    }
    case 't': return F80(out);
    case 'w': case 'l': case 'q': {
      const int bytes = kind == 'w' ? 2 : kind == 'l' ? 4 : 8;
      if (special) r = (rng_() & 1) ? (1ull << (8 * bytes - 1)) : rng_() % 3;
      else if (rng_() & 1) r = static_cast<uint64_t>(static_cast<int64_t>(rng_() % 2001) - 1000);
      std::memcpy(out, &r, bytes);
      return;
    }
    case 'b': {
      for (int i = 0; i < 9; ++i) {
        out[i] = static_cast<uint8_t>((rng_() % 10) | ((rng_() % 10) << 4));
      }
      if (special) out[rng_() % 9] = static_cast<uint8_t>(rng_());  // invalid digits
      out[9] = (rng_() & 1) ? 0x80 : 0;
      return;
    }
    default: return;
  }
}

X87Run X87Values::State(char mem_kind) {
  X87Run run;
  run.fcw = static_cast<uint16_t>(0x0040 | (rng_() & 0x0f3f));
  if (rng_() % 4 == 0) run.fcw |= 0x3f;  // often everything masked
  const uint16_t top = static_cast<uint16_t>(rng_() % 8);
  const uint16_t conditions = static_cast<uint16_t>(rng_() & 0x4700);
  const uint16_t flags = static_cast<uint16_t>(rng_() & run.fcw & 0x3f);
  run.fsw = static_cast<uint16_t>((top << 11) | conditions | flags);
  switch (rng_() % 8) {
    case 0: run.ftw = 0xff; break;
    case 1: run.ftw = 0; break;
    case 2: run.ftw = static_cast<uint8_t>(rng_()); break;
    default: run.ftw = static_cast<uint8_t>(~(1u << ((top + 7) & 7)) & ~(rng_() & rng_() & 0xff));
  }
  for (auto& st : run.st) F80(st);
  Memory(mem_kind, run.mem);
  run.rax = rng_();
  run.rflags = 0x2 | (rng_() & 0x8d5);
  return run;
}

X87Differential::X87Differential(const std::vector<uint8_t>& insn)
    : code_(Wrap(insn)), native_(code_), host_mem_(4096) {}

bool X87Differential::Matches(const X87Run& run, uint16_t undefined_fsw, const std::string& what,
                              int skip_from, int skip_to) {
  uint8_t* host = host_mem_.data();
  Image(run, host);
  RegisterImage regs{};
  regs.rsi = reinterpret_cast<uint64_t>(host);
  regs.rax = run.rax;
  regs.rflags = run.rflags;
  native_.Run(&regs);

  CpuState& s = machine_.state();
  uint8_t image[kImageBytes + sizeof(X87Run::mem)];
  Image(run, image);
  machine_.memory().CopyIn(LongModeMachine::kData, image, sizeof(image));
  s.gpr[kRsi] = LongModeMachine::kData;
  s.gpr[kRax] = run.rax;
  s.rflags = run.rflags;
  const LongModeMachine::Outcome out = machine_.Run(code_);
  uint8_t sim[kImageBytes + sizeof(X87Run::mem)];
  machine_.memory().CopyOut(LongModeMachine::kData, sim, sizeof(sim));

  EXPECT_EQ(out.vector, -1) << what;
  uint16_t host_fsw, sim_fsw;
  std::memcpy(&host_fsw, host + kFsw, 2);
  std::memcpy(&sim_fsw, sim + kFsw, 2);
  EXPECT_EQ(sim_fsw & ~undefined_fsw, host_fsw & ~undefined_fsw)
      << std::hex << "fsw: x64sim " << sim_fsw << " host " << host_fsw << ", " << what;
  EXPECT_EQ(0, std::memcmp(sim, host, kFsw)) << "fcw, " << what;
  EXPECT_EQ(sim[4], host[4]) << "abridged tags, " << what;
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(0, std::memcmp(sim + kSt + 16 * i, host + kSt + 16 * i, 16)) << "ST(" << i << "), "
                                                                           << what;
  }
  for (int b = 0; b < static_cast<int>(sizeof(run.mem)); ++b) {
    if (b >= skip_from && b < skip_to) continue;
    EXPECT_EQ(sim[kImageBytes + b], host[kImageBytes + b]) << "memory operand byte " << b << ", "
                                                           << what;
  }
  EXPECT_EQ(s.gpr[kRax], regs.rax) << what;
  EXPECT_EQ(s.rflags & kArithFlags, regs.rflags & kArithFlags) << what;
  return !::testing::Test::HasFailure();
}

void CheckForm(const X87Form& f, uint32_t seed, int runs) {
  X87Values values(seed);
  const int variants = f.register_index ? 8 : 1;
  for (int i = 0; i < variants; ++i) {
    std::vector<uint8_t> bytes = f.bytes;
    bytes.back() = static_cast<uint8_t>(bytes.back() + i);
    X87Differential d(bytes);
    for (int run = 0; run < runs / variants; ++run) {
      const X87Run r = values.State(f.mem_kind ? f.mem_kind : 't');
      ASSERT_TRUE(d.Matches(r, f.undefined, f.name + " i=" + std::to_string(i) + " run " +
                                                std::to_string(run)));
    }
  }
}

std::string FormTestName(const X87Form& f) {
  std::string n;
  for (char c : f.name) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return n;
}

}  // namespace x64sim::testing
