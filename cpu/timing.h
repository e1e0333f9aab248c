// The contract between the core and a timing model.
//
// Function and timing are separate: the core runs instructions and records
// what a timing model cannot know in advance (the memory accesses each
// instruction made, where each block went, the events it took, what each
// division's operands were); the model prices that record. What is the same
// every time a block runs (micro-ops, ports, latencies, which registers each
// instruction reads and writes) is worked out once, when the block is
// decoded, and stored with it.
//
// The core prices a block when it leaves it (at a branch into the next
// block, or back in the run loop), and part of a block when an instruction
// reads time (RDTSC, RDPMC) or touches a device, so the clock it reads has
// counted every instruction before it. Functional results never depend on
// the model: it sees execution, it cannot change it.
#ifndef X64SIM_CPU_TIMING_H_
#define X64SIM_CPU_TIMING_H_

#include <Zydis/Zydis.h>

#include <cstdint>

namespace x64sim {

// Register slots a timing model tracks dependencies through: the 16 GPRs,
// RFLAGS, then XMM0..15.
inline constexpr int kSlotFlags = 16;
inline constexpr int kSlotXmm0 = 17;

// Control transfers, by how a front end predicts them.
enum class BranchKind : uint8_t {
  kNone,
  kConditional,     // Jcc, JRCXZ, LOOP
  kDirectJump,      // JMP rel
  kDirectCall,      // CALL rel
  kIndirectJump,    // JMP r/m
  kIndirectCall,    // CALL r/m
  kReturn,          // RET
  kOther,           // far transfers, SYSCALL, IRET...: priced as events
};

// Instructions whose cost is not a pipeline cost: they serialise the core
// or change privilege or address space. Priced from the description's
// event table; the pipeline drains before them.
enum class TimingEvent : uint8_t {
  kNone,
  kSyscall, kSysret, kSwapgs, kIret, kCr3Write, kCr3WriteNoFlush, kInvlpg, kWrmsr,
  kRdmsr, kCpuid, kLfence, kMfence, kRdtsc, kHlt, kOtherSerializing,
  kException,  // delivery of an exception (not an instruction)
  kInterrupt,  // delivery of an external interrupt
  kCount,
};

// The static timing of one decoded instruction, filled by the model.
struct InsnTiming {
  uint64_t sources = 0;        // register slots read (address registers excluded)
  uint64_t address_sources = 0;
  uint64_t destinations = 0;
  uint32_t group_ports[4] = {};  // port mask of each micro-op group
  uint8_t group_uops[4] = {};
  uint8_t groups = 0;
  uint8_t latency = 1;      // inputs to result, memory access excluded
  uint8_t issue_uops = 1;   // front-end slots (fused domain)
  uint8_t occupancy = 0;    // cycles a non-pipelined unit stays busy (0: pipelined)
  uint16_t throughput = 0;  // reciprocal throughput in 1/60 cycles (0: the ports bound it)
  uint16_t form = 0;        // the description's form id, for its throughput bound
  uint8_t loads = 0;        // memory reads / writes the form makes
  uint8_t stores = 0;
  uint8_t load_delay = 0;   // cycles its loads' address generation adds (a scaled index)
  BranchKind branch = BranchKind::kNone;
  TimingEvent event = TimingEvent::kNone;
  bool rep_string = false;
  // A DIV or IDIV the description prices by its operands (kDivide* below):
  // 0, or 1 + its DivideKind.
  uint8_t divide = 0;
  bool new_line = false;      // its last byte is in another cache line than the byte before it
  uint8_t length = 0;         // bytes (the instruction's, kept here beside its timing)
  // None of: memory, event, REP, a busy unit, several groups: the model's
  // short path.
  bool simple = false;
};
static_assert(sizeof(InsnTiming) == 64, "an instruction's timing fills one cache line");

// One data access an instruction made, as the core saw it.
struct MemAccess {
  uint64_t linear;
  uint64_t phys;         // physical address (the cache model's index)
  uint32_t rip;          // low bits of the instruction's RIP, to match it
  uint16_t walk_cycles;  // slow path: what translating it cost
  uint8_t flags;         // kAccess* below
};
inline constexpr uint8_t kAccessWrite = 1u << 0;
inline constexpr uint8_t kAccessFastPath = 1u << 1;  // the CPU's soft TLB supplied it

// A REP string instruction's work: elements done, their size, where the
// destination (and source) runs started.
struct RepWork {
  uint32_t rip;
  uint32_t element_size;
  uint64_t elements;
  uint64_t dst_phys;
  uint64_t src_phys;  // kNoSource for STOS, SCAS, LODS
};
inline constexpr uint64_t kNoSource = ~0ull;

// DIV and IDIV by operand size, the index of a description's divide table.
inline constexpr int kDivideKinds = 8;
inline int DivideKind(bool is_signed, int operand_bits) {
  const int size = operand_bits == 8 ? 0 : operand_bits == 16 ? 1 : operand_bits == 32 ? 2 : 3;
  return (is_signed ? 4 : 0) + size;
}

// What a divider's time depends on, for one division that completed: the
// quotient's significant bits (of its magnitude, for IDIV) and whether the
// dividend was wider than the operand (its high half, RDX/EDX/DX/AH, is not
// the zero or sign extension of the low half).
struct DivideWork {
  uint32_t rip;
  uint8_t quotient_bits;
  bool wide;
};

// Instructions [begin, end) of one block, as they ran.
struct PricedRange {
  const InsnTiming* timing;
  int begin;
  int end;
  uint64_t rip;        // RIP of timing[begin]'s instruction
  uint64_t code_phys;  // its physical address
  uint64_t fetch_linear;
  const MemAccess* accesses;
  int num_accesses;
  const RepWork* reps;
  int num_reps;
  const DivideWork* divides;
  int num_divides;
  bool leaves_block;   // the block is being left after timing[end - 1]'s: next_rip is where it went
  uint64_t next_rip;
  int cpl;
  bool paging;         // CR0.PG: without it no TLB is involved
  uint16_t pcid;
  bool cr3_noflush;    // the last CR3 write kept the PCID's translations
};

class TimingModel {
 public:
  virtual ~TimingModel() = default;
  // At decode time: the static timing of one instruction x64sim bound.
  // `phys` is the instruction's physical address.
  virtual void Annotate(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops,
                        uint64_t phys, InsnTiming* out) = 0;
  // Prices the range; returns how many of its accesses, REP and division
  // records belonged to it (the rest belong to instructions not yet priced).
  struct Used {
    int accesses;
    int reps;
    int divides;
  };
  virtual Used Price(const PricedRange& range) = 0;
  // An exception or interrupt was delivered at privilege `cpl`.
  virtual void Deliver(TimingEvent event, int cpl) = 0;
  // Modelled core cycles so far.
  virtual uint64_t cycles() const = 0;
  // Starts the clock at `cycle` (the first timed instruction follows it).
  virtual void Start(uint64_t cycle) = 0;
  // The core sleeps (HLT) until `cycle`.
  virtual void SleepUntil(uint64_t cycle) = 0;
  // Cycles the page walks since the last call cost; the core records them
  // with the access that needed them.
  virtual uint32_t TakeWalkCycles() = 0;
};

}  // namespace x64sim

#endif  // X64SIM_CPU_TIMING_H_
