// Guest block copies, fills and compares: REP MOVS/STOS/CMPS (page-run fast
// path), a MOVDQU copy loop, and the fill loop compilers make of a C
// memset (run a page at a time, cpu/fill_loop.h; once more with a NOP in
// it, which keeps it from being recognised), each over 1 MiB in a 64-bit
// guest. Reports
// guest bytes per host second; "apart_4MiB" places source and destination
// 4 MiB apart, where they share a slot of the core's direct-mapped soft TLB.
//
//   bazel run -c opt //bench:string_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "tests/cpu/long_mode_machine.h"

namespace x64sim {
namespace {

using testing::LongModeMachine;

constexpr uint64_t kBytes = 1 << 20;

struct Workload {
  std::vector<uint8_t> code;
  uint64_t count;  // RCX
  bool down;       // DF
};

void RunWorkload(benchmark::State& state, const Workload& w) {
  const uint64_t gap = state.range(0) ? (4u << 20) : (5u << 19);
  auto m = std::make_unique<LongModeMachine>();
  CpuState& s = m->state();
  const uint64_t end = w.down ? kBytes - 1 : 0;
  auto run = [&] {
    s.gpr[kRsi] = LongModeMachine::kData + end;
    s.gpr[kRdi] = LongModeMachine::kData + gap + end;
    s.gpr[kRcx] = w.count;
    s.rflags = kFlagsFixed1 | (w.down ? kDF : 0);
    return m->Run(w.code, uint64_t{1} << 40);
  };
  if (run().vector != -1) state.SkipWithError("guest fault");
  for (auto _ : state) run();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBytes));
  state.SetLabel(state.range(0) ? "apart_4MiB" : "apart_2.5MiB");
}

void BM_RepMovsb(benchmark::State& state) { RunWorkload(state, {{0xf3, 0xa4}, kBytes, false}); }
void BM_RepMovsq(benchmark::State& state) {
  RunWorkload(state, {{0xf3, 0x48, 0xa5}, kBytes / 8, false});
}
void BM_RepMovsbDown(benchmark::State& state) { RunWorkload(state, {{0xf3, 0xa4}, kBytes, true}); }
void BM_RepStosb(benchmark::State& state) { RunWorkload(state, {{0xf3, 0xaa}, kBytes, false}); }
void BM_RepStosq(benchmark::State& state) {
  RunWorkload(state, {{0xf3, 0x48, 0xab}, kBytes / 8, false});
}
// Equal buffers (both zero): the compare runs the whole length.
void BM_RepeCmpsb(benchmark::State& state) { RunWorkload(state, {{0xf3, 0xa6}, kBytes, false}); }
// movdqu xmm0,[rsi]; movdqu [rdi],xmm0; add rsi,16; add rdi,16; dec rcx; jnz back
void BM_MovdquLoop(benchmark::State& state) {
  RunWorkload(state, {{0xf3, 0x0f, 0x6f, 0x06, 0xf3, 0x0f, 0x7f, 0x07, 0x48, 0x83, 0xc6, 0x10,
                       0x48, 0x83, 0xc7, 0x10, 0x48, 0xff, 0xc9, 0x75, 0xeb},
                      kBytes / 16, false});
}

// lea rax,[rdi+rcx*8]; back: mov qword [rdi],0; add rdi,8; cmp rdi,rax; jne back
void BM_FillLoop(benchmark::State& state) {
  RunWorkload(state, {{0x48, 0x8d, 0x04, 0xcf, 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x00, 0x48,
                       0x83, 0xc7, 0x08, 0x48, 0x39, 0xc7, 0x75, 0xf0},
                      kBytes / 8, false});
}
// The same with a NOP after the store: every iteration interpreted.
void BM_FillLoopWithNop(benchmark::State& state) {
  RunWorkload(state, {{0x48, 0x8d, 0x04, 0xcf, 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x00, 0x90,
                       0x48, 0x83, 0xc7, 0x08, 0x48, 0x39, 0xc7, 0x75, 0xef},
                      kBytes / 8, false});
}

BENCHMARK(BM_RepMovsb)->Arg(0)->Arg(1);
BENCHMARK(BM_RepMovsq)->Arg(0)->Arg(1);
BENCHMARK(BM_RepMovsbDown)->Arg(0)->Arg(1);
BENCHMARK(BM_RepStosb)->Arg(0);
BENCHMARK(BM_RepStosq)->Arg(0);
BENCHMARK(BM_RepeCmpsb)->Arg(0)->Arg(1);
BENCHMARK(BM_MovdquLoop)->Arg(0)->Arg(1);
BENCHMARK(BM_FillLoop)->Arg(0);
BENCHMARK(BM_FillLoopWithNop)->Arg(0);

}  // namespace
}  // namespace x64sim

BENCHMARK_MAIN();
