// The out-of-order model on hand-made instruction streams: each test
// builds the static timing of a few instructions, prices them the way the
// core does after a block runs, and checks the cycles against what the
// model's rules (docs/timing.md) must give.
#include "uarch/core_model.h"

#include <vector>

#include "cpu/decoded_insn.h"
#include "gtest/gtest.h"
#include "mmu/physical_memory.h"
#include "uarch/description_parser.h"

namespace x64sim {
namespace {

// Four ALU ports p0..p3, two load ports p4 p5; L1D 4 cycles, L2 12, L3 40,
// DRAM 200; mispredict 15; every event 50 cycles. Branches run on p3; CMP
// fuses with JB/JZ, INC with JZ, memory-immediate forms do not.
constexpr char kDescription[] = R"(x64sim-uarch 1
name test
source t "test values"
cpu GenuineIntel 6 0x5e [t]
ports p0 p1 p2 p3 p4 p5 [t]
core.issue-width 4 [t]
core.retire-width 4 [t]
core.rob 64 [t]
core.scheduler 32 [t]
core.load-buffer 32 [t]
core.store-buffer 32 [t]
core.store-forward-latency 5 [t]
core.lea-complex-latency 2 [t]
core.fill-buffers 4 [t]
branch.predictor gshare [t]
branch.history-bits 8 [t]
branch.pht-entries 1024 [t]
branch.btb-entries 64 [t]
branch.ras-entries 8 [t]
branch.mispredict-penalty 15 [t]
branch.taken-penalty 1 [t]
cache L1I size=32K ways=8 line=64 latency=4 [t]
cache L1D size=32K ways=8 line=64 latency=4 [t]
cache L2 size=256K ways=4 line=64 latency=12 [t]
cache L3 size=8M ways=16 line=64 latency=40 [t]
dram.latency 200 [t]
tlb l1i I entries=8 ways=8 pages=4K replacement=plru [t]
tlb l1d D entries=8 ways=4 pages=4K replacement=plru [t]
tlb stlb S entries=64 ways=4 pages=4K,2M replacement=lru [t]
psc pml4e=1 pdpte=1 pde=4 [t]
phys-addr-bits 39 [t]
page-1g no [t]
tlb.stlb-hit-latency 7 [t]
walk.step-overhead 1 [t]
rep.startup 20 [t]
rep.bytes-per-cycle 16 [t]
event syscall cycles=50 [t]
event sysret cycles=50 [t]
event swapgs cycles=50 [t]
event iretq cycles=50 [t]
event cr3-write cycles=50 [t]
event cr3-write-noflush cycles=50 [t]
event invlpg cycles=50 [t]
event wrmsr cycles=50 [t]
event rdmsr cycles=50 [t]
event cpuid cycles=50 [t]
event lfence cycles=50 [t]
event mfence cycles=50 [t]
event rdtsc cycles=50 [t]
event hlt cycles=50 [t]
event other-serializing cycles=50 [t]
event exception cycles=50 [t]
event interrupt cycles=50 [t]
fuse CMP : b z [t]
fuse INC : z [t]
fuse.memory-immediate no [t]
form CMP r64,r64 : lat=1 tput=0.25 uops=1 ports=1*p0123 [t]
form CMP r64,m64 : lat=1 tput=0.5 uops=1 ports=1*p0123+1*p45 [t]
form CMP m64,i8 : lat=1 tput=0.5 uops=1 ports=1*p0123+1*p45 [t]
form INC r64 : lat=1 tput=0.25 uops=1 ports=1*p0123 [t]
form JZ rel8 : lat=1 tput=1 uops=1 ports=1*p3 [t]
form JNZ rel8 : lat=1 tput=1 uops=1 ports=1*p3 [t]
form JS rel8 : lat=1 tput=1 uops=1 ports=1*p3 [t]
form DIV r64 : lat=40 tput=20 uops=1 ports=1*p0 [t]
form DIV r32 : lat=26 tput=6 uops=1 ports=1*p0 [t]
divide DIV r64 narrow : lat=10 lat-per-bit=0.5 lat-free-bits=8 tput=6 [t]
divide DIV r64 wide : lat=30 tput=25 tput-per-bit=0.5 tput-free-bits=32 [t]
)";

constexpr uint64_t kAlu = 0b001111;
constexpr uint64_t kLoadPorts = 0b110000;
constexpr uint64_t kCodeBase = 0x400000;

InsnTiming Alu(uint64_t sources, uint64_t destinations, int latency, uint16_t ports = kAlu) {
  InsnTiming t;
  t.sources = sources;
  t.destinations = destinations;
  t.latency = static_cast<uint8_t>(latency);
  t.groups = 1;
  t.group_ports[0] = ports;
  t.group_uops[0] = 1;
  t.simple = true;
  return t;
}

// A load of a register from [address register].
InsnTiming Load(uint64_t address, uint64_t destination) {
  InsnTiming t;
  t.address_sources = address;
  t.destinations = destination;
  t.latency = 0;
  t.groups = 1;
  t.group_ports[0] = kLoadPorts;
  t.group_uops[0] = 1;
  t.loads = 1;
  return t;
}

class CoreModelTest : public ::testing::Test {
 protected:
  CoreModelTest() : memory_(1 << 20), mmu_(memory_) { Reset(); }

  // A fresh model of kDescription with `extra_lines` added, started at cycle 0.
  void Reset(const std::string& extra_lines = "") {
    absl::StatusOr<UarchDescription> d =
        ParseUarch(std::string(kDescription) + extra_lines, "test.uarch");
    EXPECT_TRUE(d.ok()) << d.status();
    description_ = *d;
    model_ = std::make_unique<CoreModel>(description_, mmu_);
    model_->Start(0);
  }

  // Prices `timing` as one block of 4-byte instructions at `rip`, with
  // `accesses` made by them (rip-matched), leaving to `next_rip`.
  uint64_t Price(const std::vector<InsnTiming>& timing, std::vector<MemAccess> accesses = {},
                 uint64_t next_rip = 0, uint64_t rip = kCodeBase,
                 std::vector<DivideWork> divides = {}) {
    std::vector<InsnTiming> four_bytes = timing;
    for (InsnTiming& t : four_bytes) t.length = 4;
    const uint64_t before = model_->cycles();
    PricedRange r{};
    r.timing = four_bytes.data();
    r.begin = 0;
    r.end = static_cast<int>(timing.size());
    r.rip = rip;
    r.code_phys = rip;
    r.fetch_linear = rip;
    r.accesses = accesses.data();
    r.num_accesses = static_cast<int>(accesses.size());
    r.divides = divides.data();
    r.num_divides = static_cast<int>(divides.size());
    r.leaves_block = next_rip != 0;
    r.next_rip = next_rip;
    r.paging = false;
    const TimingModel::Used used = model_->Price(r);
    EXPECT_EQ(used.accesses, r.num_accesses);
    EXPECT_EQ(used.divides, r.num_divides);
    return model_->cycles() - before;
  }

  // Decodes `code` and annotates its instructions into consecutive entries,
  // as the core annotates a block.
  std::vector<InsnTiming> Annotate(const std::vector<uint8_t>& code) {
    ZydisDecoder decoder;
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    std::vector<InsnTiming> timing(code.size());
    size_t offset = 0;
    size_t n = 0;
    while (offset < code.size()) {
      ZydisDecodedInstruction insn;
      ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
      EXPECT_TRUE(ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code.data() + offset,
                                                      code.size() - offset, &insn, ops)));
      model_->Annotate(insn, ops, kCodeBase + offset, &timing[n++]);
      offset += insn.length;
    }
    timing.resize(n);
    return timing;
  }

  static MemAccess At(int index, uint64_t phys) {
    return MemAccess{phys, phys, static_cast<uint32_t>(kCodeBase + 4 * index), 0, 0};
  }

  PhysicalMemory memory_;
  Mmu mmu_;
  UarchDescription description_;
  std::unique_ptr<CoreModel> model_;
};

constexpr uint64_t kRax = 1ull << 0;
constexpr uint64_t kRbx = 1ull << 3;

TEST_F(CoreModelTest, DependentChainCostsItsLatencies) {
  // Warm the instruction cache line first, so only the chain is measured.
  Price({Alu(0, 0, 1)});
  std::vector<InsnTiming> chain(16, Alu(kRax, kRax, 3));  // imul rax, rax
  // Measured from the last retirement before, so the first link may overlap it.
  const uint64_t cycles = Price(chain);
  EXPECT_GE(cycles, 16u * 3 - 2);
  EXPECT_LE(cycles, 16u * 3 + 2);
}

TEST_F(CoreModelTest, IndependentOperationsOverlapUpToTheIssueWidth) {
  Price({Alu(0, 0, 1)});
  std::vector<InsnTiming> independent;
  for (int i = 0; i < 64; ++i) independent.push_back(Alu(0, 1ull << (8 + i % 8), 1));
  const uint64_t cycles = Price(independent);
  EXPECT_GE(cycles, 64u / 4);  // four a cycle at most
  EXPECT_LE(cycles, 64u / 4 + 2);
}

TEST_F(CoreModelTest, OnePortLimitsThroughput) {
  Price({Alu(0, 0, 1)});
  std::vector<InsnTiming> port0;
  for (int i = 0; i < 32; ++i) port0.push_back(Alu(0, 1ull << (8 + i % 8), 1, 0b1));
  const uint64_t cycles = Price(port0);
  EXPECT_GE(cycles, 32u);
  EXPECT_LE(cycles, 34u);
}

TEST_F(CoreModelTest, NonPipelinedUnitStaysBusy) {
  Price({Alu(0, 0, 1)});
  InsnTiming div = Alu(0, 1ull << 9, 20, 0b1);
  div.occupancy = 6;
  div.simple = false;
  std::vector<InsnTiming> divs(8, div);  // independent divisions
  const uint64_t cycles = Price(divs);
  EXPECT_GE(cycles, 7u * 6 + 20);
  EXPECT_LE(cycles, 7u * 6 + 20 + 3);
}

TEST_F(CoreModelTest, AReadyOperationUsesABusyUnitBeforeAnOlderOneWaiting) {
  Price({Alu(0, 0, 1)});
  // A 30-cycle operation feeds the first division; the second (another
  // form: instances of one form issue in order) is ready at once and uses
  // the unit while the first waits, so it does not add its 6 cycles after
  // the first (30 + 6 + 20).
  InsnTiming waiting = Alu(kRax, kRbx, 20, 0b1);
  waiting.occupancy = 6;
  waiting.simple = false;
  InsnTiming ready = Alu(0, 1ull << 9, 20, 0b1);
  ready.occupancy = 6;
  ready.simple = false;
  ready.form = 1;
  const uint64_t cycles = Price({Alu(0, kRax, 30), waiting, ready});
  EXPECT_GE(cycles, 30u + 20 - 2);  // measured from the last retirement before
  EXPECT_LE(cycles, 30u + 20 + 2);
}

// `div rcx` (or `div ecx`), `count` times: each division depends on the
// last through RAX and RDX.
std::vector<uint8_t> Divisions(int count, bool r64 = true) {
  std::vector<uint8_t> code;
  for (int i = 0; i < count; ++i) {
    if (r64) code.push_back(0x48);
    code.insert(code.end(), {0xf7, 0xf1});
  }
  return code;
}

// What the core records for `count` divisions priced as 4-byte instructions.
std::vector<DivideWork> Records(int count, int quotient_bits, bool wide) {
  std::vector<DivideWork> records;
  for (int i = 0; i < count; ++i) {
    records.push_back({static_cast<uint32_t>(kCodeBase + 4 * i),
                       static_cast<uint8_t>(quotient_bits), wide});
  }
  return records;
}

TEST_F(CoreModelTest, ADivisionCostsWhatItsOperandsMake) {
  const std::vector<InsnTiming> chain = Annotate(Divisions(8));
  ASSERT_EQ(chain.size(), 8u);
  EXPECT_NE(chain[0].divide, 0);
  EXPECT_FALSE(chain[0].simple);
  Price({Alu(0, 0, 1)});
  // Narrow with a 4-bit quotient: 10 cycles each; 40 bits: 10 + 0.5 * 32;
  // wide: 30; no record (the form's line): 40.
  auto cost = [&](std::vector<DivideWork> records) {
    return static_cast<double>(Price(chain, {}, 0, kCodeBase, std::move(records)));
  };
  EXPECT_NEAR(cost(Records(8, 4, false)), 8 * 10, 3);
  EXPECT_NEAR(cost(Records(8, 40, false)), 8 * 26, 3);
  EXPECT_NEAR(cost(Records(8, 4, true)), 8 * 30, 3);
  EXPECT_NEAR(cost({}), 8 * 40, 3);
}

TEST_F(CoreModelTest, ADivisionsThroughputFollowsItsQuotient) {
  // Independent divisions (each after `xor edx, edx` and a fresh RAX would
  // be; here the timing's sources are cleared): the divider's occupancy.
  std::vector<InsnTiming> divs = Annotate(Divisions(8));
  for (InsnTiming& t : divs) t.sources = 0;
  Price({Alu(0, 0, 1)});
  const double small = static_cast<double>(Price(divs, {}, 0, kCodeBase, Records(8, 4, true)));
  const double large = static_cast<double>(Price(divs, {}, 0, kCodeBase, Records(8, 64, true)));
  EXPECT_NEAR(small, 7 * 25 + 30, 4);  // tput 25 up to 32 bits
  EXPECT_NEAR(large - small, 7 * 16, 6);  // + 0.5 a bit beyond
}

TEST_F(CoreModelTest, ADivisionWithoutADivideLineCostsItsForm) {
  const std::vector<InsnTiming> chain = Annotate(Divisions(4, /*r64=*/false));
  Price({Alu(0, 0, 1)});
  const uint64_t cycles = Price(chain, {}, 0, kCodeBase, Records(4, 4, false));
  EXPECT_NEAR(static_cast<double>(cycles), 4 * 26, 3);
}

TEST_F(CoreModelTest, PointerChaseCostsTheCacheLevelItHits) {
  Price({Alu(0, 0, 1)});
  // First pass: every line comes from DRAM; second: all in L1D.
  std::vector<InsnTiming> chase(8, Load(kRax, kRax));
  std::vector<MemAccess> accesses;
  for (int i = 0; i < 8; ++i) accesses.push_back(At(i, 0x10000 + 4096 * i));
  const uint64_t cold = Price(chase, accesses);
  EXPECT_GE(cold, 8u * 200 - 2);
  EXPECT_LE(cold, 8u * 200 + 4);
  const uint64_t warm = Price(chase, accesses);
  EXPECT_GE(warm, 8u * 4 - 2);
  EXPECT_LE(warm, 8u * 4 + 4);
}

TEST_F(CoreModelTest, IndependentMissesOverlap) {
  Price({Alu(0, 0, 1)});
  std::vector<InsnTiming> loads;
  std::vector<MemAccess> accesses;
  for (int i = 0; i < 8; ++i) {
    loads.push_back(Load(kRbx, 1ull << (8 + i)));
    accesses.push_back(At(i, 0x80000 + 4096 * i));
  }
  const uint64_t cycles = Price(loads, accesses);
  EXPECT_GE(cycles, 200u);
  EXPECT_LE(cycles, 200u + 8);  // not 8 x 200
}

TEST_F(CoreModelTest, ReorderBufferBoundsTheWindow) {
  Price({Alu(0, 0, 1)});
  // Two independent DRAM misses 100 instructions apart: with 64 ROB entries
  // the second cannot dispatch until the first retires, so they do not
  // overlap; 100 one-cycle operations alone retire in 25 cycles.
  std::vector<InsnTiming> stream{Load(kRbx, kRax)};
  for (int i = 0; i < 100; ++i) stream.push_back(Alu(0, 1ull << (8 + i % 8), 1));
  stream.push_back(Load(kRbx, 1ull << 2));
  const uint64_t cycles = Price(stream, {At(0, 0xc0000), At(101, 0xd0000)});
  EXPECT_GE(cycles, 2u * 200);
  EXPECT_LE(cycles, 2u * 200 + 30);
}

TEST_F(CoreModelTest, StoreForwardsToALoadOfTheSameWord) {
  Price({Alu(0, 0, 1)});
  InsnTiming store;
  store.address_sources = kRbx;
  store.sources = kRax;
  store.stores = 1;
  store.groups = 1;
  store.group_ports[0] = kLoadPorts;
  store.group_uops[0] = 1;
  store.latency = 0;
  MemAccess write = At(0, 0x5000);
  write.flags = kAccessWrite;
  const uint64_t cycles = Price({store, Load(kRbx, kRax)}, {write, At(1, 0x5000)});
  EXPECT_EQ(model_->description().store_forward_latency, 5);
  EXPECT_GE(cycles, 5u - 1);
  EXPECT_LE(cycles, 5u + 3);  // the forward, not a DRAM miss
}

// A branch's cost shows in what follows it: dispatch restarts late.
TEST_F(CoreModelTest, MispredictionCostsThePenalty) {
  Price({Alu(0, 0, 1)});
  InsnTiming jcc = Alu(1ull << kSlotFlags, 0, 1);
  jcc.branch = BranchKind::kConditional;
  const std::vector<InsnTiming> next{Alu(0, kRbx, 1)};
  // A fresh predictor guesses not taken: falling through is predicted...
  const uint64_t predicted = Price({jcc}, {}, kCodeBase + 4) + Price(next);
  // ...and a taken branch is not.
  const uint64_t mispredicted = Price({jcc}, {}, kCodeBase + 0x100) + Price(next);
  EXPECT_LE(predicted, 3u);
  EXPECT_GE(mispredicted, 15u);
  EXPECT_LE(mispredicted, 15u + 3);
}

TEST_F(CoreModelTest, ReturnsArePredictedByTheReturnStack) {
  Price({Alu(0, 0, 1)});
  InsnTiming call = Alu(0, 0, 1);
  call.branch = BranchKind::kDirectCall;
  InsnTiming ret = Alu(0, 0, 1);
  ret.branch = BranchKind::kReturn;
  const std::vector<InsnTiming> next{Alu(0, kRbx, 1)};
  Price({call}, {}, 0x500000);
  const uint64_t matched = Price({ret}, {}, kCodeBase + 4) + Price(next);  // to after the call
  Price({call}, {}, 0x500000);
  const uint64_t elsewhere = Price({ret}, {}, 0x600000) + Price(next);
  EXPECT_LE(matched, 3u);
  EXPECT_GE(elsewhere, 15u);
}

TEST_F(CoreModelTest, SerialisingEventsDrainThenCost) {
  Price({Alu(0, 0, 1)});
  std::vector<InsnTiming> stream{Load(kRbx, kRax)};  // a 200-cycle miss in flight
  InsnTiming cpuid = Alu(0, kRax, 1);
  cpuid.event = TimingEvent::kCpuid;
  cpuid.simple = false;  // as Annotate marks every event
  stream.push_back(cpuid);
  const uint64_t cycles = Price(stream, {At(0, 0xe0000)});
  EXPECT_GE(cycles, 200u + 50);
  EXPECT_LE(cycles, 200u + 50 + 4);
}

TEST_F(CoreModelTest, DeliveryAndSleepMoveTheClock) {
  const uint64_t start = model_->cycles();
  model_->Deliver(TimingEvent::kException, 0);
  EXPECT_GE(model_->cycles(), start + 50);
  model_->SleepUntil(10000);
  EXPECT_EQ(model_->cycles(), 10000u);
  model_->SleepUntil(5);  // never backwards
  EXPECT_EQ(model_->cycles(), 10000u);
}

TEST_F(CoreModelTest, APredictedReturnCostsTheReturnPenalty) {
  // Call/return pairs, each followed by an independent ALU operation: the
  // returns' extra cycles show in the total.
  auto run = [&](const std::string& extra) {
    Reset(extra);
    InsnTiming call = Alu(0, 0, 1);
    call.branch = BranchKind::kDirectCall;
    InsnTiming ret = Alu(0, 0, 1);
    ret.branch = BranchKind::kReturn;
    for (int i = 0; i < 100; ++i) {
      Price({call}, {}, 0x500000);
      Price({ret}, {}, kCodeBase + 4, 0x500000);  // the callee's RET, back after the call
    }
    return model_->cycles();
  };
  const uint64_t as_taken = run("");
  const uint64_t slower = run("branch.return-penalty 4 [t]\n");
  EXPECT_NEAR(static_cast<double>(slower - as_taken), 300, 5);  // 4 - 1 cycles a return
}

TEST_F(CoreModelTest, APredictedIndirectBranchCostsTheIndirectPenalty) {
  // The same indirect JMP to one target, each followed by an independent ALU
  // operation: once predicted, only the indirect penalty differs. A direct
  // JMP costs the taken penalty whatever the indirect one.
  auto run = [&](const std::string& extra, BranchKind kind) {
    Reset(extra);
    InsnTiming jump = Alu(0, 0, 1);
    jump.branch = kind;
    for (int i = 0; i < 100; ++i) Price({jump}, {}, kCodeBase);
    return model_->cycles();
  };
  const uint64_t as_taken = run("", BranchKind::kIndirectJump);
  EXPECT_NEAR(static_cast<double>(run("branch.indirect-penalty 4 [t]\n",
                                      BranchKind::kIndirectJump) - as_taken),
              300, 10);  // 4 - 1 cycles a jump, but for the first few (mispredicted)
  EXPECT_EQ(run("branch.indirect-penalty 4 [t]\n", BranchKind::kDirectJump),
            run("", BranchKind::kDirectJump));
}

TEST_F(CoreModelTest, AScaledIndexDelaysALoadsData) {
  // mov rax, [rsi + rax*8] and mov rax, [rsi + rax]: only the scaled index
  // costs core.load-scaled-index-latency, on the data it loads. In
  // xor rax, [rsi + rcx*8] the chain through RAX does not wait for it.
  const std::vector<uint8_t> scaled = {0x48, 0x8b, 0x04, 0xc6};
  const std::vector<uint8_t> unscaled = {0x48, 0x8b, 0x04, 0x06};
  const std::vector<uint8_t> xor_scaled = {0x48, 0x33, 0x04, 0xce};
  const std::string forms =
      "form MOV r64,m64 : lat=0 tput=0.5 uops=1 ports=1*p45 [t]\n"
      "form XOR r64,m64 : lat=1 tput=0.5 uops=1 ports=1*p0123+1*p45 [t]\n";
  auto chain = [&](const std::vector<uint8_t>& load) {
    std::vector<InsnTiming> loads(8, Annotate(load).at(0));
    std::vector<MemAccess> accesses;
    for (int i = 0; i < 8; ++i) accesses.push_back(At(i, 0x10000));
    Price(loads, accesses);  // the line into L1D
    return Price(loads, accesses);
  };
  Reset(forms);
  EXPECT_EQ(Annotate(scaled).at(0).load_delay, 0);
  const uint64_t plain = chain(scaled);
  EXPECT_NEAR(static_cast<double>(plain), 8 * 4, 2);  // L1D latency each
  const uint64_t xor_plain = chain(xor_scaled);
  Reset(forms + "core.load-scaled-index-latency 1 [t]\n");
  EXPECT_EQ(Annotate(scaled).at(0).load_delay, 1);
  EXPECT_EQ(Annotate(unscaled).at(0).load_delay, 0);
  EXPECT_EQ(chain(scaled), plain + 8);
  EXPECT_EQ(chain(unscaled), plain);
  EXPECT_LE(chain(xor_scaled), xor_plain + 1);
}

constexpr uint8_t kCmpRaxRcx[] = {0x48, 0x39, 0xc8};
constexpr uint8_t kIncRax[] = {0x48, 0xff, 0xc0};
constexpr uint8_t kCmpMemImm[] = {0x48, 0x83, 0x38, 0x01};  // cmp qword [rax], 1
constexpr uint8_t kCmpRegMem[] = {0x48, 0x3b, 0x08};        // cmp rcx, [rax]
constexpr uint8_t kJz[] = {0x74, 0x00};
constexpr uint8_t kJnz[] = {0x75, 0x00};
constexpr uint8_t kJs[] = {0x78, 0x00};

template <size_t A, size_t B>
std::vector<uint8_t> Pair(const uint8_t (&first)[A], const uint8_t (&jcc)[B]) {
  std::vector<uint8_t> code(first, first + A);
  code.insert(code.end(), jcc, jcc + B);
  return code;
}

bool Fused(const std::vector<InsnTiming>& pair) {
  return pair.size() == 2 && pair[1].issue_uops == 0 && pair[1].groups == 0;
}

TEST_F(CoreModelTest, FusedPairTakesOneSlotAndBooksTheBranchPort) {
  const std::vector<InsnTiming> t = Annotate(Pair(kCmpRaxRcx, kJnz));
  ASSERT_TRUE(Fused(t));
  EXPECT_EQ(t[0].issue_uops, 1);
  EXPECT_EQ(t[0].group_ports[0], 1u << 3);  // the branch port, in place of any ALU
  EXPECT_EQ(t[1].latency, 0);               // resolves as the pair executes
}

TEST_F(CoreModelTest, FusionFollowsTheDescriptionsRules) {
  EXPECT_TRUE(Fused(Annotate(Pair(kIncRax, kJz))));
  EXPECT_FALSE(Fused(Annotate(Pair(kIncRax, kJs))));      // INC fuses with JZ only
  EXPECT_FALSE(Fused(Annotate(Pair(kCmpRaxRcx, kJs))));   // CMP with JB and JZ only
  EXPECT_FALSE(Fused(Annotate(Pair(kCmpMemImm, kJz))));   // memory and an immediate
  const std::vector<InsnTiming> reg_mem = Annotate(Pair(kCmpRegMem, kJz));
  ASSERT_TRUE(Fused(reg_mem));
  EXPECT_EQ(reg_mem[0].group_ports[0], 1u << 3);
  EXPECT_EQ(reg_mem[0].group_ports[1], kLoadPorts);  // the load stays on its ports
}

TEST_F(CoreModelTest, NoFusionAcrossBlocks) {
  // The Jcc starts another block's entries: it stays a macro-op of its own
  // even where it follows the compare in memory.
  std::vector<InsnTiming> a = Annotate({std::begin(kCmpRaxRcx), std::end(kCmpRaxRcx)});
  ZydisDecoder decoder;
  ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  ASSERT_TRUE(ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, kJnz, sizeof(kJnz), &insn, ops)));
  InsnTiming b[1];
  model_->Annotate(insn, ops, kCodeBase + sizeof(kCmpRaxRcx), &b[0]);
  EXPECT_EQ(b[0].issue_uops, 1);
  EXPECT_EQ(a[0].group_ports[0], kAlu);
}

TEST_F(CoreModelTest, FusionSavesAFrontEndSlot) {
  // Three independent ALU operations and a compare-and-branch: five
  // instructions, four macro-ops, one dispatch cycle of the 4-wide front end
  // a block (unfused, five slots: 1.25 cycles).
  const std::vector<InsnTiming> pair = Annotate(Pair(kCmpRaxRcx, kJnz));
  std::vector<InsnTiming> unfused_pair = pair;
  unfused_pair[0].group_ports[0] = kAlu;
  unfused_pair[1] = Alu(1ull << kSlotFlags, 0, 1, 1u << 3);
  auto body = [](const std::vector<InsnTiming>& p) {
    std::vector<InsnTiming> b(3, Alu(0, 0, 1));
    b.insert(b.end(), p.begin(), p.end());
    return b;
  };
  Price({Alu(0, 0, 1)});
  uint64_t fused = 0;
  uint64_t unfused = 0;
  for (int i = 0; i < 100; ++i) fused += Price(body(pair));
  for (int i = 0; i < 100; ++i) unfused += Price(body(unfused_pair));
  EXPECT_NEAR(static_cast<double>(fused), 100, 3);
  EXPECT_NEAR(static_cast<double>(unfused), 125, 3);
}

TEST_F(CoreModelTest, SameStreamSameCycles) {
  std::vector<InsnTiming> chain(10, Alu(kRax, kRax, 2));
  Price(chain);
  const uint64_t first = model_->cycles();
  model_.reset(new CoreModel(description_, mmu_));
  model_->Start(0);
  Price(chain);
  EXPECT_EQ(model_->cycles(), first);
}

}  // namespace
}  // namespace x64sim
