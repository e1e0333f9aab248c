// A microarchitecture description: everything the timing model and the
// MMU need to know about one core, as read from a .uarch file
// (docs/uarch-format.md). Every number in the file carries its source; the
// parser keeps them so the stats report and errors can name them.
#ifndef X64SIM_UARCH_DESCRIPTION_H_
#define X64SIM_UARCH_DESCRIPTION_H_

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "cpu/timing.h"
#include "mmu/microarch.h"

namespace x64sim {

inline constexpr int kMaxPorts = 32;

struct UopGroup {
  uint32_t ports = 0;  // bit i: port i may execute it
  int uops = 0;
};

// One instruction form's cost (uops.info's columns).
struct FormTiming {
  int id = 0;                // 0, 1, ... in the order the file gives them
  int latency = 0;           // inputs to register result, memory access excluded
  double throughput = 0;     // reciprocal throughput, cycles
  int uops = 0;              // front-end micro-ops
  std::vector<UopGroup> groups;
};

// A divider's cost by its operands (a `divide` line): latency and
// reciprocal throughput, each a base plus so much per quotient bit beyond
// its free bits.
struct DivideCost {
  bool given = false;
  double latency = 0;
  double latency_per_bit = 0;
  int latency_free_bits = 0;
  double throughput = 0;
  double throughput_per_bit = 0;
  int throughput_free_bits = 0;
};

struct CacheGeometry {
  std::string name;
  int size_bytes = 0;
  int ways = 0;
  int line_bytes = 64;
  int latency = 0;  // load-to-use cycles on a hit at this level
};

enum class DirectionPredictor : uint8_t { kGshare, kBimodal, kTage };

struct BranchPredictorConfig {
  DirectionPredictor kind = DirectionPredictor::kGshare;
  int history_bits = 0;
  int pht_entries = 0;  // two-bit counters, a power of two (TAGE's bimodal table)
  // TAGE (uarch/tage.h): tagged tables, entries in each (a power of two),
  // tag width, and the shortest history (the longest is history_bits).
  int tage_tables = 0;
  int tage_entries = 0;
  int tage_tag_bits = 0;
  int tage_min_history = 0;
  int btb_entries = 0;  // indirect-target buffer, a power of two
  int ras_entries = 0;
  int mispredict_penalty = 0;
  int taken_penalty = 0;  // dispatch cycles a correctly predicted taken branch costs
  int return_penalty = -1;  // the same for a RET (-1: not given, taken_penalty)
  int indirect_penalty = -1;  // the same for an indirect JMP or CALL (-1: not given, taken_penalty)
};

// The condition families of Jcc, each with its negation (JZ and JNZ are
// kJccZ): what macro-fusion rules are written in.
enum JccFamily : uint8_t { kJccO, kJccS, kJccP, kJccB, kJccBe, kJccZ, kJccL, kJccLe, kJccFamilies };

// Their names in .uarch files ("o", "s", "p", "b", "be", "z", "l", "le").
const char* JccFamilyName(JccFamily f);

struct UarchDescription {
  std::string name;
  std::string path;  // where it was read from ("built-in:skylake" for shipped ones)
  std::string text;  // the whole description as parsed (after --uarch-set), for checkpoints
  // CPUID identity this model describes, for --uarch=host.
  std::string vendor;
  int family = 0;
  std::vector<int> models;

  std::vector<std::string> ports;
  absl::flat_hash_map<std::string, uint32_t> port_groups;

  int issue_width = 0;
  int retire_width = 0;
  int rob_entries = 0;
  int scheduler_entries = 0;
  int load_buffer = 0;
  int store_buffer = 0;
  int store_forward_latency = 0;
  int lea_complex_latency = 0;  // LEA base+index+disp (or scaled): its own latency
  // Extra load-to-use cycles of a load whose address has a scaled index
  // (optional; 0 without the line).
  int load_scaled_index_latency = 0;

  // Macro-fusion: a first instruction (upper-case mnemonic) and the Jcc
  // right after it become one macro-op when the Jcc's family bit is set.
  absl::flat_hash_map<std::string, uint8_t> fusion;
  bool fuse_memory_immediate = false;  // whether `cmp [mem], imm` and the like fuse too

  BranchPredictorConfig branch;
  CacheGeometry l1i, l1d, l2, l3;
  int dram_latency = 0;
  int walk_step_overhead = 0;  // cycles per page-walk reference beyond its cache access
  int stlb_hit_latency = 0;    // extra cycles of a first-level TLB miss that hits the STLB
  int fill_buffers = 0;        // L1D misses in flight at once
  int rep_startup = 0;         // REP MOVS/STOS: fixed cost
  double rep_bytes_per_cycle = 0;

  MicroArch tlb;                       // the MMU's geometry
  std::deque<std::string> tlb_names;   // storage for tlb's array names

  std::array<int, static_cast<int>(TimingEvent::kCount)> event_cycles{};

  absl::flat_hash_map<std::string, FormTiming> forms;
  // DIV/IDIV by DivideKind, for a narrow [0] and a wide [1] dividend; where
  // none is given the form's line prices the division.
  std::array<std::array<DivideCost, 2>, kDivideKinds> divides{};
};

// The name a TimingEvent has in .uarch files ("syscall", "cr3-write", ...).
const char* TimingEventName(TimingEvent e);

}  // namespace x64sim

#endif  // X64SIM_UARCH_DESCRIPTION_H_
