// A bare x64sim core in 64-bit mode at CPL 0 for instruction tests: 16 MiB
// of RAM identity-mapped with 4 KiB pages, a GDT with a 64-bit code segment,
// and an IDT whose every vector lands on a HLT stub, so a test can run a few
// instructions and see either a clean stop or exactly which exception was
// raised, with its error code and the RIP it reported.
#ifndef X64SIM_TESTS_CPU_LONG_MODE_MACHINE_H_
#define X64SIM_TESTS_CPU_LONG_MODE_MACHINE_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/io_bus.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"

namespace x64sim::testing {

// Port I/O with nothing attached, as on a PC: reads give all ones. Every
// access is recorded for the tests that look; `input`, when not empty,
// gives the values reads return, in turn, and `on_out` acts as a device
// would on a write.
class TestPorts : public IoBus {
 public:
  struct Access {
    uint16_t port;
    int size;
    uint32_t value;
    bool operator==(const Access&) const = default;
  };
  uint32_t In(uint16_t port, int size) override {
    const uint32_t v = next_input < input.size() ? input[next_input++] : 0xffffffff;
    ins.push_back({port, size, v});
    return v;
  }
  void Out(uint16_t port, int size, uint32_t value) override {
    outs.push_back({port, size, value});
    if (on_out) on_out();
  }

  std::vector<uint32_t> input;
  std::function<void()> on_out;  // what a device does on a write, if anything
  size_t next_input = 0;
  std::vector<Access> ins;
  std::vector<Access> outs;
};

class LongModeMachine {
 public:
  static constexpr uint64_t kRamBytes = 16ull << 20;
  static constexpr uint64_t kIdt = 0x1000;
  static constexpr uint64_t kGdt = 0x2000;
  static constexpr uint64_t kStubs = 0x3000;  // vector v: HLT at kStubs + 16 * v
  static constexpr uint64_t kPml4 = 0x8000;
  static constexpr uint64_t kPdpt = 0x9000;
  static constexpr uint64_t kPd = 0xa000;
  static constexpr uint64_t kPageTables = 0xb000;  // 8 tables map 16 MiB
  static constexpr uint64_t kStackTop = 0x30000;
  static constexpr uint64_t kCode = 0x40000;
  static constexpr uint64_t kData = 0x100000;  // free for tests up to kRamBytes
  static constexpr uint64_t kPteFlags = 0x3;     // present, writable

  struct Outcome {
    StopReason reason = StopReason::kNone;
    int vector = -1;  // the exception taken, or -1 if the code ran to its end
    uint64_t error_code = 0;
    uint64_t fault_rip = 0;  // the RIP the exception frame holds
  };

  LongModeMachine() : memory_(kRamBytes), mmu_(memory_), cpu_(memory_, mmu_, ports_) {
    for (uint64_t page = 0; page < kRamBytes; page += kPageSize) {
      Put64(kPageTables + (page >> kPageShift) * 8, page | kPteFlags);
    }
    for (uint64_t t = 0; t < kRamBytes >> 21; ++t) {
      Put64(kPd + t * 8, (kPageTables + t * kPageSize) | kPteFlags);
    }
    Put64(kPdpt, kPd | kPteFlags);
    Put64(kPml4, kPdpt | kPteFlags);
    Put64(kGdt + 8, 0x00af9a000000ffffull);   // 64-bit code, DPL 0
    Put64(kGdt + 16, 0x00cf92000000ffffull);  // data
    for (uint64_t v = 0; v < 32; ++v) {
      uint64_t target = kStubs + 16 * v;
      Put64(kIdt + 16 * v, (target & 0xffff) | (8ull << 16) | (0x8eull << 40) |
                               ((target >> 16 & 0xffff) << 48));
      Put64(kIdt + 16 * v + 8, target >> 32);
      uint8_t hlt = 0xf4;
      memory_.CopyIn(target, &hlt, 1);
    }
    CpuState& s = cpu_.state;
    s.gdtr = {kGdt, 23};
    s.idtr = {kIdt, 32 * 16 - 1};
    cpu_.WriteEfer(kEferLME | kEferNXE);
    cpu_.WriteCr4(kCr4PAE | kCr4OSFXSR | kCr4OSXMMEXCPT);
    cpu_.WriteCr3(kPml4);
    cpu_.WriteCr0(kCr0PE | kCr0PG | kCr0ET | kCr0NE | kCr0WP | kCr0MP);
    cpu_.LoadSegmentCache(kCs, Segment{8, 0, 0xffffffff, 0xaf9a});
    for (SegReg r : {kSs, kDs, kEs, kFs, kGs}) {
      cpu_.LoadSegmentCache(r, Segment{16, 0, 0xffffffff, 0xcf92});
    }
    cpu_.SetCpl(0);
  }

  Cpu& cpu() { return cpu_; }
  CpuState& state() { return cpu_.state; }
  PhysicalMemory& memory() { return memory_; }
  TestPorts& ports() { return ports_; }

  // Rewrites the PTE of the (identity-mapped) page holding `linear`.
  void SetPteFlags(uint64_t linear, uint64_t flags) { MapPage(linear, linear, flags); }

  // Maps the page holding `linear` (below kRamBytes) to the frame holding `phys`.
  void MapPage(uint64_t linear, uint64_t phys, uint64_t flags = kPteFlags) {
    uint64_t page = linear & ~(kPageSize - 1);
    Put64(kPageTables + (page >> kPageShift) * 8, (phys & ~(kPageSize - 1)) | flags);
    cpu_.Invlpg(page);
  }

  // Runs `code` followed by HLT from kCode with RSP = kStackTop.
  Outcome Run(const std::vector<uint8_t>& code, uint64_t max_instructions = 100000) {
    std::vector<uint8_t> bytes = code;
    bytes.push_back(0xf4);
    // Stored through the CPU, so blocks decoded from earlier code here are dropped.
    for (size_t off = 0; off < bytes.size(); off += 16) {
      int n = static_cast<int>(std::min<size_t>(16, bytes.size() - off));
      cpu_.WriteSupervisor(kCode + off, bytes.data() + off, n);
    }
    cpu_.state.rip = kCode;
    cpu_.state.gpr[kRsp] = kStackTop;
    cpu_.state.halted = false;
    StopInfo stop = cpu_.Run(max_instructions);
    Outcome out;
    out.reason = stop.reason;
    uint64_t rip = cpu_.state.rip;
    if (rip > kStubs && rip <= kStubs + 32 * 16) {
      out.vector = static_cast<int>((rip - 1 - kStubs) / 16);
      uint64_t rsp = cpu_.state.gpr[kRsp];
      bool has_code = out.vector == kDoubleFault || (out.vector >= kInvalidTss &&
                                                     out.vector <= kPageFault) ||
                      out.vector == kAlignmentCheck;
      if (has_code) {
        out.error_code = Get64(rsp);
        rsp += 8;
      }
      out.fault_rip = Get64(rsp);
    }
    return out;
  }

  void Put64(uint64_t phys, uint64_t v) { memory_.CopyIn(phys, &v, 8); }
  uint64_t Get64(uint64_t phys) {
    uint64_t v = 0;
    memory_.CopyOut(phys, &v, 8);
    return v;
  }

 private:
  PhysicalMemory memory_;
  Mmu mmu_;
  TestPorts ports_;
  Cpu cpu_;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_LONG_MODE_MACHINE_H_
