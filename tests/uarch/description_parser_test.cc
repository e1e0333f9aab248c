#include "uarch/description_parser.h"

#include <string>

#include "gtest/gtest.h"

namespace x64sim {
namespace {

// The smallest complete description; tests replace one line to break it.
std::string Minimal() {
  return R"(x64sim-uarch 1
name tiny
source s "a test"
cpu GenuineIntel 6 0x5e [s]
ports p0 p1 p2 [s]
group alu p0 p1 [s]
core.issue-width 4 [s]
core.retire-width 4 [s]
core.rob 32 [s]
core.scheduler 16 [s]
core.load-buffer 8 [s]
core.store-buffer 8 [s]
core.store-forward-latency 5 [s]
core.lea-complex-latency 2 [s]
core.fill-buffers 4 [s]
branch.predictor gshare [s]
branch.history-bits 8 [s]
branch.pht-entries 256 [s]
branch.btb-entries 64 [s]
branch.ras-entries 8 [s]
branch.mispredict-penalty 10 [s]
branch.taken-penalty 1 [s]
cache L1I size=4K ways=2 line=64 latency=3 [s]
cache L1D size=4K ways=2 line=64 latency=4 [s]
cache L2 size=64K ways=4 line=64 latency=10 [s]
cache L3 size=1M ways=8 line=64 latency=30 [s]
dram.latency 100 [s]
tlb l1i I entries=8 ways=8 pages=4K replacement=plru [s]
tlb l1d D entries=8 ways=4 pages=4K,2M replacement=lru [s]
tlb stlb S entries=64 ways=4 pages=4K,2M,1G replacement=lru [s]
psc pml4e=1 pdpte=1 pde=4 [s]
phys-addr-bits 39 [s]
page-1g yes [s]
tlb.stlb-hit-latency 7 [s]
walk.step-overhead 1 [s]
rep.startup 20 [s]
rep.bytes-per-cycle 16 [s]
event syscall cycles=1 [s]
event sysret cycles=2 [s]
event swapgs cycles=3 [s]
event iretq cycles=4 [s]
event cr3-write cycles=5 [s]
event cr3-write-noflush cycles=6 [s]
event invlpg cycles=7 [s]
event wrmsr cycles=8 [s]
event rdmsr cycles=9 [s]
event cpuid cycles=10 [s]
event lfence cycles=11 [s]
event mfence cycles=12 [s]
event rdtsc cycles=13 [s]
event hlt cycles=14 [s]
event other-serializing cycles=15 [s]
event exception cycles=16 [s]
event interrupt cycles=17 [s]
form ADD r64,r64 : lat=1 tput=0.25 uops=1 ports=1*p01 [s]
form ADD r64,m64 : lat=1 tput=0.5 uops=2 ports=1*alu+1*p2 [s]
)";
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(DescriptionParserTest, ReadsEveryField) {
  absl::StatusOr<UarchDescription> d = ParseUarch(Minimal(), "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->name, "tiny");
  EXPECT_EQ(d->vendor, "GenuineIntel");
  EXPECT_EQ(d->family, 6);
  EXPECT_EQ(d->models, std::vector<int>{0x5e});
  EXPECT_EQ(d->ports.size(), 3u);
  EXPECT_EQ(d->rob_entries, 32);
  EXPECT_EQ(d->l2.size_bytes, 64 << 10);
  EXPECT_EQ(d->l3.latency, 30);
  EXPECT_EQ(d->dram_latency, 100);
  EXPECT_DOUBLE_EQ(d->rep_bytes_per_cycle, 16);
  EXPECT_EQ(d->tlb.l1d.arrays[0].page_sizes, kHold4K | kHold2M);
  EXPECT_EQ(d->tlb.l1d.arrays[0].replacement, Replacement::kLru);
  EXPECT_STREQ(d->tlb.stlb.arrays[0].name, "S");
  EXPECT_EQ(d->tlb.psc.pde_entries, 4);
  EXPECT_EQ(d->event_cycles[static_cast<int>(TimingEvent::kInterrupt)], 17);
  EXPECT_EQ(d->event_cycles[static_cast<int>(TimingEvent::kSyscall)], 1);
  const FormTiming& add = d->forms.at("ADD r64,m64");
  EXPECT_EQ(add.latency, 1);
  EXPECT_DOUBLE_EQ(add.throughput, 0.5);
  ASSERT_EQ(add.groups.size(), 2u);
  EXPECT_EQ(add.groups[0].ports, 0b011);  // the group 'alu'
  EXPECT_EQ(add.groups[1].ports, 0b100);  // p2
  EXPECT_EQ(d->forms.at("ADD r64,r64").groups[0].ports, 0b011);  // p01: Intel-style digits
}

// Each error names the file, the line and the field.
TEST(DescriptionParserTest, ErrorsNameFileLineAndField) {
  struct Case {
    std::string from, to, message;
  };
  const Case cases[] = {
      {"core.rob 32 [s]", "core.rob x [s]", "tiny.uarch:9: core.rob: expected an integer >= 1, got 'x'"},
      {"core.rob 32 [s]", "core.rob 32", "tiny.uarch:9: core.rob: the line must end with its source tag"},
      {"core.rob 32 [s]", "core.rob 32 [nowhere]", "tiny.uarch:9: core.rob: source tag [nowhere] is not defined"},
      {"core.rob 32 [s]", "", "tiny.uarch:57: core.rob: missing"},
      {"core.rob 32 [s]", "core.robe 32 [s]", "tiny.uarch:9: core.robe: unknown field"},
      {"x64sim-uarch 1", "x64sim-uarch 2", "tiny.uarch:1: header: format version 2 is not supported"},
      {"cache L2 size=64K", "cache L2 size=64001", "tiny.uarch:25: cache L2: size must be"},
      {"ports=1*p01 [s]", "ports=1*p09 [s]", "tiny.uarch:55: form ADD r64,r64.ports: expected COUNT*GROUP"},
      {"event hlt cycles=14 [s]", "event halt cycles=14 [s]", "tiny.uarch:51: event: unknown event halt"},
      {"replacement=plru [s]", "replacement=fifo [s]", "tiny.uarch:28: tlb I.replacement: expected lru or plru"},
      {"tlb l1d D entries=8 ways=4", "tlb l1d D entries=8 ways=3", "tiny.uarch:29: tlb D: entries must be a multiple of ways"},
      {"branch.pht-entries 256", "branch.pht-entries 250", "pht-entries and btb-entries must be powers of two"},
      {"form ADD r64,r64 : lat=1", "form ADD r64,r64 : lat=1 bogus=1", "form ADD r64,r64: unknown key 'bogus'"},
      {"branch.predictor gshare", "branch.predictor perceptron", "tiny.uarch:16: branch.predictor: expected gshare, bimodal or tage"},
      {"branch.predictor gshare", "branch.predictor tage tables=4 entries=1000 tag-bits=11 min-history=4", "tiny.uarch:16: branch.predictor.entries: must be a power of two"},
      {"branch.predictor gshare", "branch.predictor tage tables=4 entries=2097152 tag-bits=11 min-history=4", "branch.predictor.entries: must be a power of two, at most 1M"},
      {"branch.predictor gshare", "branch.predictor tage tables=4 entries=1024 tag-bits=17 min-history=4", "branch.predictor.tag-bits: at most 16"},
      {"branch.predictor gshare", "branch.predictor tage tables=4 entries=1024 min-history=4", "branch.predictor: missing tag-bits="},
      {"branch.predictor gshare", "branch.predictor tage tables=4 entries=1024 tag-bits=9 min-history=9", "branch.history-bits: TAGE needs min-history <= history-bits <= 64"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<UarchDescription> d = ParseUarch(Replace(Minimal(), c.from, c.to), "tiny.uarch");
    ASSERT_FALSE(d.ok()) << c.to;
    EXPECT_NE(std::string(d.status().message()).find(c.message), std::string::npos)
        << "got: " << d.status().message() << "\nwant: " << c.message;
  }
}

TEST(DescriptionParserTest, ReadsTage) {
  absl::StatusOr<UarchDescription> d = ParseUarch(
      Replace(Minimal(), "branch.predictor gshare",
              "branch.predictor tage tables=3 entries=512 tag-bits=10 min-history=2"),
      "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->branch.kind, DirectionPredictor::kTage);
  EXPECT_EQ(d->branch.tage_tables, 3);
  EXPECT_EQ(d->branch.tage_entries, 512);
  EXPECT_EQ(d->branch.tage_tag_bits, 10);
  EXPECT_EQ(d->branch.tage_min_history, 2);
}

TEST(DescriptionParserTest, DuplicateFormIsAnError) {
  std::string text = Minimal() + "form ADD r64,r64 : lat=1 tput=1 uops=1 ports=1*p0 [s]\n";
  absl::StatusOr<UarchDescription> d = ParseUarch(text, "tiny.uarch");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(std::string(d.status().message()).find("given twice"), std::string::npos);
}

TEST(DescriptionParserTest, ReadsFusionRules) {
  absl::StatusOr<UarchDescription> d = ParseUarch(
      Minimal() + "fuse CMP ADD : b z [s]\nfuse INC : le [s]\nfuse.memory-immediate yes [s]\n",
      "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->fusion.at("CMP"), (1 << kJccB) | (1 << kJccZ));
  EXPECT_EQ(d->fusion.at("ADD"), (1 << kJccB) | (1 << kJccZ));
  EXPECT_EQ(d->fusion.at("INC"), 1 << kJccLe);
  EXPECT_FALSE(d->fusion.contains("TEST"));
  EXPECT_TRUE(d->fuse_memory_immediate);
  EXPECT_TRUE(ParseUarch(Minimal(), "tiny.uarch")->fusion.empty());
}

TEST(DescriptionParserTest, ReturnPenaltyDefaultsToTheTakenPenalty) {
  absl::StatusOr<UarchDescription> d = ParseUarch(Minimal(), "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->branch.return_penalty, d->branch.taken_penalty);
  d = ParseUarch(Minimal() + "branch.return-penalty 3 [s]\n", "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->branch.return_penalty, 3);
  EXPECT_FALSE(ParseUarch(Minimal() + "branch.return-penalty -1 [s]\n", "t").ok());
}

TEST(DescriptionParserTest, IndirectPenaltyDefaultsToTheTakenPenalty) {
  absl::StatusOr<UarchDescription> d = ParseUarch(Minimal(), "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->branch.indirect_penalty, d->branch.taken_penalty);
  d = ParseUarch(Minimal() + "branch.indirect-penalty 2 [s]\n", "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->branch.indirect_penalty, 2);
  EXPECT_EQ(d->branch.return_penalty, d->branch.taken_penalty);
  EXPECT_FALSE(ParseUarch(Minimal() + "branch.indirect-penalty -1 [s]\n", "t").ok());
  EXPECT_FALSE(ParseUarch(Minimal() + "branch.indirect-penalty 1 2 [s]\n", "t").ok());
  absl::StatusOr<UarchDescription> twice = ParseUarch(
      Minimal() + "branch.indirect-penalty 1 [s]\nbranch.indirect-penalty 2 [s]\n", "t");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(std::string(twice.status().message()).find("branch.indirect-penalty"),
            std::string::npos)
      << twice.status().message();
}

TEST(DescriptionParserTest, LoadScaledIndexLatencyIsOptional) {
  absl::StatusOr<UarchDescription> d = ParseUarch(Minimal(), "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->load_scaled_index_latency, 0);
  d = ParseUarch(Minimal() + "core.load-scaled-index-latency 1 [s]\n", "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->load_scaled_index_latency, 1);
  EXPECT_FALSE(ParseUarch(Minimal() + "core.load-scaled-index-latency -1 [s]\n", "t").ok());
  EXPECT_FALSE(ParseUarch(Minimal() +
                              "core.load-scaled-index-latency 1 [s]\n"
                              "core.load-scaled-index-latency 1 [s]\n",
                          "t")
                   .ok());
}

TEST(DescriptionParserTest, BadFusionRulesAreErrors) {
  for (const char* line : {"fuse MOV : z [s]", "fuse CMP : nz [s]", "fuse CMP z [s]",
                           "fuse.memory-immediate maybe [s]"}) {
    absl::StatusOr<UarchDescription> d = ParseUarch(Minimal() + line + "\n", "tiny.uarch");
    EXPECT_FALSE(d.ok()) << line;
  }
  EXPECT_FALSE(ParseUarch(Minimal() + "fuse CMP : z [s]\nfuse CMP : b [s]\n", "t").ok());
}

TEST(DescriptionParserTest, ReadsDivideLines) {
  absl::StatusOr<UarchDescription> d = ParseUarch(
      Minimal() +
          "divide DIV r64 narrow : lat=9.5 lat-per-bit=0.125 lat-free-bits=8 tput=6.6 "
          "tput-per-bit=0.25 tput-free-bits=32 [s]\n"
          "divide DIV r64 wide : lat=91 tput=83 [s]\n"
          "divide IDIV r8 : lat=25 tput=6 [s]\n",
      "tiny.uarch");
  ASSERT_TRUE(d.ok()) << d.status();
  const DivideCost& narrow = d->divides[DivideKind(false, 64)][0];
  EXPECT_TRUE(narrow.given);
  EXPECT_DOUBLE_EQ(narrow.latency, 9.5);
  EXPECT_DOUBLE_EQ(narrow.latency_per_bit, 0.125);
  EXPECT_EQ(narrow.latency_free_bits, 8);
  EXPECT_DOUBLE_EQ(narrow.throughput, 6.6);
  EXPECT_DOUBLE_EQ(narrow.throughput_per_bit, 0.25);
  EXPECT_EQ(narrow.throughput_free_bits, 32);
  EXPECT_DOUBLE_EQ(d->divides[DivideKind(false, 64)][1].latency, 91);
  EXPECT_EQ(d->divides[DivideKind(false, 64)][1].throughput_per_bit, 0);
  // A line without narrow/wide prices both.
  EXPECT_TRUE(d->divides[DivideKind(true, 8)][0].given);
  EXPECT_TRUE(d->divides[DivideKind(true, 8)][1].given);
  EXPECT_FALSE(d->divides[DivideKind(true, 64)][0].given);
  EXPECT_FALSE(d->divides[DivideKind(false, 32)][1].given);
}

TEST(DescriptionParserTest, BadDivideLinesAreErrorsNamingTheField) {
  const struct {
    const char* line;
    const char* message;
  } cases[] = {
      {"divide MUL r64 : lat=1 tput=1 [s]", "divide MUL r64: expected DIV or IDIV"},
      {"divide DIV r128 : lat=1 tput=1 [s]", "divide DIV r128: the operand size"},
      {"divide DIV r64 short : lat=1 tput=1 [s]", "expected narrow or wide, got 'short'"},
      {"divide DIV r64 : tput=1 [s]", "divide DIV r64: missing lat="},
      {"divide DIV r64 : lat=1 tput=1 per-bit=2 [s]", "unknown key 'per-bit'"},
      {"divide DIV r64 : lat=x tput=1 [s]", "divide DIV r64.lat: expected a number"},
      {"divide DIV r64 : lat=1 tput=1 lat-free-bits=65 [s]", "free bits are at most 64"},
      {"divide DIV : lat=1 tput=1 [s]", "expected: divide DIV|IDIV"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<UarchDescription> d = ParseUarch(Minimal() + c.line + "\n", "tiny.uarch");
    ASSERT_FALSE(d.ok()) << c.line;
    EXPECT_NE(std::string(d.status().message()).find(c.message), std::string::npos)
        << d.status();
    EXPECT_NE(std::string(d.status().message()).find("tiny.uarch:"), std::string::npos);
  }
  // A division priced twice: by two lines for one case, or a line for both
  // after one for a case.
  for (const char* twice : {"divide DIV r64 wide : lat=1 tput=1 [s]\ndivide DIV r64 wide : lat=2 tput=1 [s]\n",
                            "divide DIV r64 narrow : lat=1 tput=1 [s]\ndivide DIV r64 : lat=2 tput=1 [s]\n"}) {
    absl::StatusOr<UarchDescription> d = ParseUarch(Minimal() + twice, "tiny.uarch");
    ASSERT_FALSE(d.ok()) << twice;
    EXPECT_NE(std::string(d.status().message()).find("already priced"), std::string::npos);
  }
}

TEST(DescriptionParserTest, CoverageNamesMissingForms) {
  absl::StatusOr<UarchDescription> d = ParseUarch(Minimal(), "tiny.uarch");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(CheckFormCoverage(*d, {"ADD r64,r64"}).ok());
  absl::Status s = CheckFormCoverage(*d, {"ADD r64,r64", "SUB r64,r64"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("tiny.uarch: form: 1 instruction forms"), std::string::npos);
  EXPECT_NE(std::string(s.message()).find("SUB r64,r64"), std::string::npos);
}

}  // namespace
}  // namespace x64sim
