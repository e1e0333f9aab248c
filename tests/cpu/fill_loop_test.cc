// Fill loops run a page at a time (cpu/fill_loop.h) must give exactly what
// running every iteration gives: registers, flags, memory, the instruction
// count, faults, a stop at an instruction limit, the state a boundary hook
// sees, where a timer interrupt is taken, and stores into decoded code.
// A retire observer makes the CPU step, which never runs a loop in bulk, so
// a run with one is the reference for a run without; the CPU's count of
// bulk runs shows that the run without one really used them.
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "sim/local_apic.h"
#include "tests/cpu/system_machine.h"
#include "tests/cpu/test_code.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

// mov rdi, start; mov rcx, end; mov rdx, value; then the loop
//   fill: STORE; add rdi, size; cmp rdi, rcx; jCC fill
// followed by `tail`.
std::vector<uint8_t> FillProgram(uint64_t start, uint64_t end, uint64_t value,
                                 const std::vector<uint8_t>& store, uint8_t size, uint8_t jcc,
                                 const std::vector<uint8_t>& tail = {}) {
  std::vector<uint8_t> code = {0x48, 0xbf};
  Append(code, start, 8);
  code.insert(code.end(), {0x48, 0xb9});
  Append(code, end, 8);
  code.insert(code.end(), {0x48, 0xba});
  Append(code, value, 8);
  std::vector<uint8_t> loop = store;
  loop.insert(loop.end(), {0x48, 0x83, 0xc7, size});  // add rdi, size
  loop.insert(loop.end(), {0x48, 0x39, 0xcf});        // cmp rdi, rcx
  loop.insert(loop.end(), {jcc, static_cast<uint8_t>(-(static_cast<int>(loop.size()) + 2))});
  code.insert(code.end(), loop.begin(), loop.end());
  code.insert(code.end(), tail.begin(), tail.end());
  return code;
}

constexpr uint8_t kJne = 0x75, kJb = 0x72;
const std::vector<uint8_t> kStoreZeroQword = {0x48, 0xc7, 0x07, 0, 0, 0, 0};  // mov qword [rdi], 0
const std::vector<uint8_t> kStoreRdxAt16 = {0x48, 0x89, 0x57, 0x10};          // mov [rdi+16], rdx
const std::vector<uint8_t> kStoreDword = {0xc7, 0x07, 0x78, 0x56, 0x34, 0x12};  // mov dword [rdi], 0x12345678
const std::vector<uint8_t> kStoreEdx = {0x89, 0x17};                            // mov [rdi], edx

struct Result {
  M::Result run;
  uint64_t retired, bulk_repeats, rip, rflags;
  uint64_t gpr[16];
  std::vector<uint8_t> memory;  // the region the test looks at
};

struct RunSetup {
  std::function<void(M&)> before;  // after the machine is built
  uint64_t max_instructions = 1000000;
};

Result RunProgram(const std::vector<uint8_t>& code, bool step, uint64_t region, size_t region_bytes,
                  const RunSetup& setup = {}) {
  M m;
  SteppingObserver observer;
  if (step) m.cpu().set_retire_observer(&observer);
  // Earlier contents the fill must overwrite exactly, and not beyond.
  for (uint64_t a = region; a < region + region_bytes; a += 8) m.Put64(a, a * 0x9e3779b97f4a7c15ull);
  if (setup.before) setup.before(m);
  std::vector<uint8_t> bytes = code;
  bytes.push_back(0xf4);
  m.Load(M::kCode, bytes);
  const uint64_t before = m.cpu().instret();
  Result r;
  r.run = m.RunFrom(M::kCode, setup.max_instructions);
  r.retired = m.cpu().instret() - before;
  r.bulk_repeats = m.cpu().bulk_repeats();
  r.rip = m.state().rip;
  r.rflags = m.state().rflags;
  for (int i = 0; i < 16; ++i) r.gpr[i] = m.state().gpr[i];
  r.memory.resize(region_bytes);
  m.memory().CopyOut(region, r.memory.data(), region_bytes);
  return r;
}

void ExpectSame(const Result& bulk, const Result& stepped) {
  EXPECT_EQ(bulk.run.outcome.reason, stepped.run.outcome.reason);
  EXPECT_EQ(bulk.run.outcome.vector, stepped.run.outcome.vector);
  EXPECT_EQ(bulk.run.outcome.error_code, stepped.run.outcome.error_code);
  EXPECT_EQ(bulk.run.outcome.fault_rip, stepped.run.outcome.fault_rip);
  EXPECT_EQ(bulk.retired, stepped.retired);
  EXPECT_EQ(bulk.rip, stepped.rip);
  EXPECT_EQ(bulk.rflags, stepped.rflags);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(bulk.gpr[i], stepped.gpr[i]) << "gpr " << i;
  EXPECT_TRUE(bulk.memory == stepped.memory) << "memory differs";
  EXPECT_EQ(stepped.bulk_repeats, 0u);
}

struct Case {
  const char* name;
  uint64_t start, end, value;
  std::vector<uint8_t> store;
  uint8_t size, jcc;
};

// Page-aligned and not, quadwords and doublewords, from an immediate and
// from a register, a displacement, JNE and JB (whose end need not be
// reached exactly), stores that straddle two pages.
std::vector<Case> Cases() {
  const uint64_t d = M::kData;
  return {
      {"memzero", d, d + 3 * kPageSize + 24, 0, kStoreZeroQword, 8, kJne},
      {"register, displacement, straddling", d + 0x7f5, d + 0x7f5 + 2 * kPageSize + 80,
       0x1122334455667788, kStoreRdxAt16, 8, kJne},
      {"doublewords, JB", d + 0x10, d + 3 * kPageSize + 7, 0, kStoreDword, 4, kJb},
      {"doubleword register, straddling, JB", d + 0xffe, d + 0xffe + kPageSize + 40, 0xaabbccdd,
       kStoreEdx, 4, kJb},
  };
}

TEST(FillLoopTest, BulkRunMatchesSteppedRun) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const std::vector<uint8_t> code = FillProgram(c.start, c.end, c.value, c.store, c.size, c.jcc);
    const uint64_t region = M::kData - kPageSize;
    const size_t bytes = 6 * kPageSize;
    Result bulk = RunProgram(code, false, region, bytes);
    Result stepped = RunProgram(code, true, region, bytes);
    ASSERT_EQ(bulk.run.outcome.reason, StopReason::kHaltedForever);
    EXPECT_EQ(bulk.run.outcome.vector, -1);
    ExpectSame(bulk, stepped);
    const uint64_t iterations = (c.end - c.start + c.size - 1) / c.size;
    EXPECT_EQ(bulk.retired, 3 + 4 * iterations + 1);  // three MOVs, the loop, HLT
    EXPECT_GT(bulk.bulk_repeats, iterations / 2);
  }
}

// A loop whose end is never reached (JNE, the distance not a multiple of
// the step) runs into an unmapped page: the #PF names the store's address
// and comes with the flags of the last CMP, as when stepping.
TEST(FillLoopTest, FaultInsideTheLoopIsExact) {
  const uint64_t start = M::kRamBytes - 3 * kPageSize + 8;  // nothing is mapped at kRamBytes
  const std::vector<uint8_t> code = FillProgram(start, start + 4, 0, kStoreZeroQword, 8, kJne);
  Result bulk = RunProgram(code, false, start - 8, 3 * kPageSize);
  Result stepped = RunProgram(code, true, start - 8, 3 * kPageSize);
  EXPECT_EQ(bulk.run.outcome.vector, kPageFault);
  EXPECT_EQ(bulk.gpr[kRdi], M::kRamBytes);
  EXPECT_EQ(bulk.run.outcome.error_code, 0x2u);  // a supervisor write to a not-present page
  ExpectSame(bulk, stepped);
  EXPECT_GT(bulk.bulk_repeats, 1000u);
}

// The limit falls before, inside and after bulk runs: the run stops after
// exactly that many instructions, in the state stepping stops in.
TEST(FillLoopTest, InstructionLimitIsExact) {
  const Case c = Cases()[1];
  const std::vector<uint8_t> code = FillProgram(c.start, c.end, c.value, c.store, c.size, c.jcc);
  for (uint64_t limit : {3, 4, 7, 70, 100, 513, 1000, 2049, 2050, 4000}) {
    SCOPED_TRACE(limit);
    RunSetup setup;
    setup.max_instructions = limit;
    Result bulk = RunProgram(code, false, M::kData, 3 * kPageSize, setup);
    Result stepped = RunProgram(code, true, M::kData, 3 * kPageSize, setup);
    ASSERT_EQ(bulk.run.outcome.reason, StopReason::kInstructionLimit);
    EXPECT_EQ(bulk.retired, limit);
    ExpectSame(bulk, stepped);
    if (limit >= 1000) {
      EXPECT_GT(bulk.bulk_repeats, 0u);
    }
  }
}

// A boundary hook (how checkpoints are taken) sees the machine at the same
// instruction and in the same state in both runs.
TEST(FillLoopTest, BoundaryHookSeesTheSameState) {
  const Case c = Cases()[0];
  const std::vector<uint8_t> code = FillProgram(c.start, c.end, c.value, c.store, c.size, c.jcc);
  for (uint64_t at : {5, 600, 1234, 3000}) {
    SCOPED_TRACE(at);
    uint64_t seen[2][2] = {};
    for (int step = 0; step < 2; ++step) {
      RunSetup setup;
      setup.before = [&, step](M& m) {
        m.cpu().set_boundary_hook([&, step, cpu = &m.cpu()] {
          seen[step][0] = cpu->instret();
          seen[step][1] = cpu->state.gpr[kRdi];
        });
        m.cpu().ScheduleBoundaryHook(m.cpu().instret() + at);
      };
      RunProgram(code, step == 1, M::kData, kPageSize, setup);
    }
    EXPECT_GE(seen[0][0], at);
    EXPECT_EQ(seen[0][0], seen[1][0]);
    EXPECT_EQ(seen[0][1], seen[1][1]);
  }
}

// A store into a page that holds decoded code drops that code: the loop
// fills a function's page, and the next, with RET, and calling the function
// again returns at once instead of running the stale `mov eax, 1`. (Only
// the second page can be filled in bulk: the fast path never writes into
// decoded code.)
TEST(FillLoopTest, StoresIntoDecodedCodeDropIt) {
  const uint64_t function = M::kData + 2 * kPageSize;
  auto call_function = [&](std::vector<uint8_t>& code) {  // call rel32, at the end of `code`
    code.push_back(0xe8);
    Append(code, function - (M::kCode + code.size() + 4), 4);
  };
  // call f; the fill; xor eax, eax; call f
  std::vector<uint8_t> code;
  call_function(code);
  const std::vector<uint8_t> fill = FillProgram(function, function + 2 * kPageSize, 0xc3c3c3c3c3c3c3c3,
                                                {0x48, 0x89, 0x17}, 8, kJne, {0x31, 0xc0});
  code.insert(code.end(), fill.begin(), fill.end());
  call_function(code);
  RunSetup setup;
  setup.before = [&](M& m) { m.Load(function, {0xb8, 0x01, 0, 0, 0, 0xc3}); };  // mov eax, 1; ret
  Result bulk = RunProgram(code, false, function, 2 * kPageSize, setup);
  Result stepped = RunProgram(code, true, function, 2 * kPageSize, setup);
  ASSERT_EQ(bulk.run.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(bulk.run.outcome.vector, -1);
  EXPECT_EQ(bulk.gpr[kRax], 0u);
  ExpectSame(bulk, stepped);
  EXPECT_GT(bulk.bulk_repeats, 0u);
}

// A local APIC timer interrupt that falls inside the fill is taken at the
// same instruction in both runs: its handler records RDI and the time.
TEST(FillLoopTest, TimerInterruptIsTakenWhereSteppingTakesIt) {
  constexpr int kVector = 32;
  const uint64_t apic_linear = 0xf00000;
  const uint64_t record = M::kData - 16;
  const Case c = Cases()[0];
  for (uint32_t count : {500, 1700, 2500}) {
    SCOPED_TRACE(count);
    Result results[2];
    for (int step = 0; step < 2; ++step) {
      std::unique_ptr<LocalApic> apic;
      RunSetup setup;
      setup.before = [&](M& m) {
        apic = std::make_unique<LocalApic>([cpu = &m.cpu()] { return cpu->cycles(); },
                                           [cpu = &m.cpu()] { cpu->RecheckInterrupts(); });
        m.memory().MapMmio(LocalApic::kBase, kPageSize, apic.get());
        m.cpu().set_interrupt_controller(apic.get());
        m.Put64(M::kPageTables + (apic_linear >> kPageShift) * 8, LocalApic::kBase | 0x13);
        m.cpu().Invlpg(apic_linear);
        // An interrupt gate to the vector's stub, where the handler goes.
        m.state().idtr.limit = (kVector + 1) * 16 - 1;
        m.SetGate(kVector, /*dpl=*/0);
        // mov [record], rdi; rdtsc; mov [record+8], eax; mov dword [EOI], 0; iretq
        std::vector<uint8_t> isr = {0x48, 0x89, 0x3c, 0x25};
        Append(isr, record, 4);
        isr.insert(isr.end(), {0x0f, 0x31, 0x89, 0x04, 0x25});
        Append(isr, record + 8, 4);
        isr.insert(isr.end(), {0xc7, 0x04, 0x25});
        Append(isr, apic_linear + 0xb0, 4);
        Append(isr, 0, 4);
        isr.insert(isr.end(), {0x48, 0xcf});
        m.Load(M::kStubs + 16 * kVector, isr);
        m.state().rflags |= kIF;
      };
      // mov rbx, apic; SVR on; divide by 1; LVT timer one-shot; count; the fill.
      std::vector<uint8_t> code = {0x48, 0xc7, 0xc3, 0x00, 0x00, 0xf0, 0x00};
      for (auto [reg, value] : {std::pair<uint32_t, uint32_t>{0xf0, 0x1ff}, {0x3e0, 0xb},
                                {0x320, kVector}, {0x380, count}}) {
        code.insert(code.end(), {0xc7, 0x83});
        Append(code, reg, 4);
        Append(code, value, 4);
      }
      const std::vector<uint8_t> fill = FillProgram(c.start, c.end, c.value, c.store, c.size, c.jcc);
      code.insert(code.end(), fill.begin(), fill.end());
      results[step] = RunProgram(code, step == 1, record, 16 + c.end - c.start, setup);
      EXPECT_EQ(results[step].run.outcome.reason, StopReason::kHaltedForever);
      EXPECT_EQ(results[step].run.outcome.vector, -1);
      EXPECT_EQ(apic->timer_interrupts(), 1u);
    }
    ExpectSame(results[0], results[1]);  // the record is in the compared memory
    uint64_t rdi_at_interrupt;
    std::memcpy(&rdi_at_interrupt, results[0].memory.data(), 8);
    EXPECT_GT(rdi_at_interrupt, c.start);
    EXPECT_LT(rdi_at_interrupt, c.end);
    EXPECT_GT(results[0].bulk_repeats, 0u);
  }
}

}  // namespace
}  // namespace x64sim::testing
