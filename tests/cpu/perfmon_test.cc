// Architectural performance monitoring: CPUID leaf 0xA, the fixed counter
// MSRs, and RDPMC counting retired instructions (SDM vol. 3B 20.2.2).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/cpu/long_mode_machine.h"

namespace x64sim {
namespace {

using testing::LongModeMachine;

// mov ecx, imm32
std::vector<uint8_t> MovEcx(uint32_t v) {
  return {0xb9, static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 24)};
}
void Append(std::vector<uint8_t>& a, const std::vector<uint8_t>& b) { a.insert(a.end(), b.begin(), b.end()); }

// WRMSR of `value` to `msr`.
std::vector<uint8_t> Wrmsr(uint32_t msr, uint64_t value) {
  std::vector<uint8_t> code = MovEcx(msr);
  uint32_t lo = static_cast<uint32_t>(value), hi = static_cast<uint32_t>(value >> 32);
  Append(code, {0xb8, static_cast<uint8_t>(lo), static_cast<uint8_t>(lo >> 8),
                static_cast<uint8_t>(lo >> 16), static_cast<uint8_t>(lo >> 24)});  // mov eax
  Append(code, {0xba, static_cast<uint8_t>(hi), static_cast<uint8_t>(hi >> 8),
                static_cast<uint8_t>(hi >> 16), static_cast<uint8_t>(hi >> 24)});  // mov edx
  Append(code, {0x0f, 0x30});
  return code;
}

// rdpmc of fixed counter `counter`; mov r8, rax; 10 x nop; rdpmc; sub rax, r8.
std::vector<uint8_t> MeasureTenNops(uint32_t counter = 0) {
  std::vector<uint8_t> code = MovEcx(0x40000000 | counter);
  Append(code, {0x0f, 0x33, 0x49, 0x89, 0xc0});
  for (int i = 0; i < 10; ++i) code.push_back(0x90);
  Append(code, {0x0f, 0x33, 0x4c, 0x29, 0xc0});
  return code;
}

TEST(PerfmonTest, CpuidReportsTwoFixedCounters) {
  auto m = std::make_unique<LongModeMachine>();
  m->state().gpr[kRax] = 0xa;
  m->Run({0x0f, 0xa2});
  EXPECT_EQ(m->state().gpr[kRax] & 0xff, 2u) << "version 2";
  EXPECT_EQ((m->state().gpr[kRax] >> 16) & 0xff, 48u);
  EXPECT_EQ(m->state().gpr[kRdx] & 0x1f, 2u) << "instructions retired, unhalted cycles";
  EXPECT_EQ((m->state().gpr[kRdx] >> 5) & 0xff, 48u);
}

TEST(PerfmonTest, DisabledCounterStaysPut) {
  auto m = std::make_unique<LongModeMachine>();
  auto out = m->Run(MeasureTenNops());
  EXPECT_EQ(out.vector, -1);
  EXPECT_EQ(m->state().gpr[kRax], 0u);
}

TEST(PerfmonTest, EnabledCounterCountsRetiredInstructions) {
  auto m = std::make_unique<LongModeMachine>();
  std::vector<uint8_t> code = Wrmsr(0x38d, 0x3);           // count at every CPL
  Append(code, Wrmsr(0x38f, 1ull << 32));                   // enable fixed counter 0
  Append(code, MeasureTenNops());
  auto out = m->Run(code);
  EXPECT_EQ(out.vector, -1);
  // The first RDPMC, the MOV and ten NOPs retire between the two reads.
  EXPECT_EQ(m->state().gpr[kRax], 12u);
}

// Without a timing model a cycle is an instruction, so fixed counter 1
// counts what counter 0 does; it has its own enable bits.
TEST(PerfmonTest, FixedCounterOneCountsUnhaltedCycles) {
  auto m = std::make_unique<LongModeMachine>();
  std::vector<uint8_t> code = Wrmsr(0x38d, 0x30);           // counter 1, every CPL
  Append(code, Wrmsr(0x38f, 1ull << 33));                   // enable fixed counter 1
  Append(code, MeasureTenNops(1));
  auto out = m->Run(code);
  EXPECT_EQ(out.vector, -1);
  EXPECT_EQ(m->state().gpr[kRax], 12u);
  auto counter0 = std::make_unique<LongModeMachine>();
  std::vector<uint8_t> only_one = Wrmsr(0x38d, 0x30);
  Append(only_one, Wrmsr(0x38f, 1ull << 33));
  Append(only_one, MeasureTenNops(0));  // counter 0 is not enabled
  counter0->Run(only_one);
  EXPECT_EQ(counter0->state().gpr[kRax], 0u);
}

TEST(PerfmonTest, CountsOnlyAtEnabledPrivilegeLevels) {
  auto m = std::make_unique<LongModeMachine>();
  std::vector<uint8_t> code = Wrmsr(0x38d, 0x2);  // CPL > 0 only; this code runs at CPL 0
  Append(code, Wrmsr(0x38f, 1ull << 32));
  Append(code, MeasureTenNops());
  m->Run(code);
  EXPECT_EQ(m->state().gpr[kRax], 0u);
}

TEST(PerfmonTest, CounterIsWritableAndReadableAsMsr) {
  auto m = std::make_unique<LongModeMachine>();
  std::vector<uint8_t> code = Wrmsr(0x309, 1000);
  Append(code, MovEcx(0x309));
  Append(code, {0x0f, 0x32});  // rdmsr
  m->Run(code);
  EXPECT_EQ(m->state().gpr[kRax], 1000u);
}

TEST(PerfmonTest, BadCounterOrReservedBitsFault) {
  {
    auto m = std::make_unique<LongModeMachine>();
    std::vector<uint8_t> code = MovEcx(0);  // general-purpose counter 0 does not exist
    Append(code, {0x0f, 0x33});
    EXPECT_EQ(m->Run(code).vector, kGeneralProtection);
  }
  {
    auto m = std::make_unique<LongModeMachine>();
    EXPECT_EQ(m->Run(Wrmsr(0x38f, 1)).vector, kGeneralProtection) << "no GP counter 0 to enable";
  }
  {
    auto m = std::make_unique<LongModeMachine>();
    EXPECT_EQ(m->Run(Wrmsr(0x38f, 1ull << 34)).vector, kGeneralProtection) << "no fixed counter 2";
  }
  {
    auto m = std::make_unique<LongModeMachine>();
    std::vector<uint8_t> code = MovEcx(0x40000002);  // fixed counter 2 does not exist
    Append(code, {0x0f, 0x33});
    EXPECT_EQ(m->Run(code).vector, kGeneralProtection);
  }
  {
    auto m = std::make_unique<LongModeMachine>();
    EXPECT_EQ(m->Run(Wrmsr(0x309, 1ull << 48)).vector, kGeneralProtection) << "beyond 48 bits";
  }
}

}  // namespace
}  // namespace x64sim
