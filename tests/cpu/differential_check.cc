#include "tests/cpu/differential_check.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <set>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace x64sim::testing {
namespace {

const char* const kGprNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

std::string FlagString(uint64_t f) {
  std::string s;
  const std::pair<uint64_t, char> names[] = {{kOF, 'O'}, {kSF, 'S'}, {kZF, 'Z'},
                                             {kAF, 'A'}, {kPF, 'P'}, {kCF, 'C'}};
  for (auto [bit, c] : names) s += (f & bit) ? c : '-';
  return s;
}

std::string Inputs(const MachineState& in) {
  std::string s = "  inputs:";
  for (int r = 0; r < 16; ++r) absl::StrAppendFormat(&s, " %s=%#x", kGprNames[r], in.gpr[r]);
  absl::StrAppendFormat(&s, " flags=%s\n", FlagString(in.rflags));
  return s;
}

int64_t total_runs = 0;

std::set<std::string>& Forms() {
  static auto* forms = new std::set<std::string>();
  return *forms;
}

std::set<std::string>& BaseForms() {
  static auto* forms = new std::set<std::string>();
  return *forms;
}

// Prints the number of forms once all tests of the binary have run.
class FormReport : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!Forms().empty()) {
      std::printf("instruction forms compared with the host CPU: %d, %d without register-class "
                  "variants (%lld runs)\n",
                  FormCount(), static_cast<int>(BaseForms().size()),
                  static_cast<long long>(total_runs));
    }
  }
};
[[maybe_unused]] auto* const kFormReport = ::testing::AddGlobalTestEnvironment(new FormReport);

}  // namespace

void CountForm(const std::string& name, const std::string& base) {
  Forms().insert(name);
  BaseForms().insert(base);
}
int FormCount() { return static_cast<int>(Forms().size()); }

bool DifferentialChecker::Check(const std::string& form, const MachineState& in,
                                const Expect& expect) {
  ++runs_;
  ++total_runs;
  machine_.RunNative(in, &native_);
  SimOutcome o = machine_.RunSim(in, &sim_);
  std::string diff;
  if (!o.clean) {
    diff += o.vector >= 0 ? absl::StrFormat("  x64sim raised vector %d (error %#x) at %#x\n",
                                            o.vector, o.error_code, o.fault_rip)
                          : "  x64sim: " + o.detail + "\n";
  } else {
    for (int r = 0; r < 16; ++r) {
      if ((expect.undefined_regs & RegBit(r)) || native_.gpr[r] == sim_.gpr[r]) continue;
      absl::StrAppendFormat(&diff, "  %s: host %#018x x64sim %#018x\n", kGprNames[r],
                            native_.gpr[r], sim_.gpr[r]);
    }
    if ((native_.rflags ^ sim_.rflags) & expect.flags) {
      absl::StrAppendFormat(&diff, "  flags (compared %s): host %s x64sim %s\n",
                            FlagString(expect.flags), FlagString(native_.rflags),
                            FlagString(sim_.rflags));
    }
    if (sim_.rflags & expect.undefined_flags) {
      absl::StrAppendFormat(&diff, "  undefined flags %s not cleared by x64sim: %s\n",
                            FlagString(expect.undefined_flags), FlagString(sim_.rflags));
    }
    for (uint64_t i = 0; i < kDataBytes; ++i) {
      if (i == 0 && native_.data == sim_.data) break;
      if (native_.data[i] == sim_.data[i]) continue;
      absl::StrAppendFormat(&diff, "  memory at %#x: host %02x x64sim %02x (input %02x)\n",
                            kDataAddr + i, native_.data[i], sim_.data[i], in.data[i]);
      break;
    }
  }
  if (diff.empty()) return true;
  ADD_FAILURE() << form << " differs from the host:\n" << diff << Inputs(in);
  return false;
}

bool DifferentialChecker::CheckSimFault(const std::string& form, const MachineState& in,
                                        int vector) {
  ++runs_;
  ++total_runs;
  SimOutcome o = machine_.RunSim(in, &sim_);
  std::string diff;
  if (o.vector != vector) {
    diff += absl::StrFormat("  expected vector %d, got %s\n", vector,
                            o.vector >= 0 ? absl::StrFormat("vector %d", o.vector)
                                          : (o.clean ? "a clean exit" : o.detail));
  } else {
    if (o.fault_rip != kCodeAddr) {
      absl::StrAppendFormat(&diff, "  frame RIP %#x, expected %#x\n", o.fault_rip, kCodeAddr);
    }
    for (int r = 0; r < 16; ++r) {
      if (r == kRsp || in.gpr[r] == sim_.gpr[r]) continue;
      absl::StrAppendFormat(&diff, "  %s changed: %#x -> %#x\n", kGprNames[r], in.gpr[r],
                            sim_.gpr[r]);
    }
  }
  if (diff.empty()) return true;
  ADD_FAILURE() << form << ":\n" << diff << Inputs(in);
  return false;
}

std::vector<uint64_t> Values::Edges(int size) {
  const int bits = 8 * size;
  const uint64_t sign = uint64_t{1} << (bits - 1);
  std::vector<uint64_t> v = {0,        1,        2,        static_cast<uint64_t>(bits - 1),
                             static_cast<uint64_t>(bits), static_cast<uint64_t>(bits + 1),
                             sign - 1, sign,     sign + 1, ~uint64_t{0},
                             ~uint64_t{1}, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull};
  for (uint64_t& x : v) x = Truncate(x, size);
  return v;
}

uint64_t Values::Random(int size) {
  uint64_t r = rng_();
  switch (rng_() % 4) {
    case 0: r &= 0xff; break;                                           // small
    case 1: r ^= uint64_t{1} << (8 * size - 1); r |= 0; break;          // flip the sign
    case 2: r = (uint64_t{1} << (8 * size - 1)) + (r & 0xf) - 8; break;  // near the boundary
    default: break;
  }
  return Truncate(r, size);
}

uint64_t Values::WithRandomUpper(uint64_t v, int size) {
  if (size == 8) return v;
  return (rng_() & ~Truncate(~uint64_t{0}, size)) | Truncate(v, size);
}

MachineState Values::RandomState() {
  MachineState s;
  for (uint64_t& r : s.gpr) r = rng_();
  s.gpr[kRsp] = kStackTop;
  s.rflags = RandomFlags();
  if (background_.empty()) {
    background_.resize(kDataBytes);
    for (size_t i = 0; i < background_.size(); i += 8) {
      uint64_t r = rng_();
      std::memcpy(background_.data() + i, &r, 8);
    }
  }
  s.data = background_;
  return s;
}

void Put(MachineState& s, const Place& p, uint64_t v, int size, Values& values) {
  if (p.is_mem) {
    s.Store(p.addr, v, size);
  } else if (p.reg.high) {
    s.gpr[p.reg.num] = (s.gpr[p.reg.num] & ~uint64_t{0xff00}) | ((v & 0xff) << 8);
  } else {
    s.gpr[p.reg.num] = values.WithRandomUpper(v, size);
  }
}

}  // namespace x64sim::testing
