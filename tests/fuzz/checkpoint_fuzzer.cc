// Fuzz target: restoring a checkpoint (docs/checkpoints.md). One input is
// the machine's state sections as a checkpoint's payload holds them, before
// compression, so that mutations reach the section loaders rather than
// stopping at zstd's checksum. The machine is the one the seeds were taken
// on (tests/fuzz/make_checkpoint_seeds.sh): 8 MiB of RAM and the skylake
// model with small caches and predictor tables. A state must load with a
// clear error or load and run 2000 instructions to a documented stop.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "checkpoint/checkpoint_file.h"
#include "sim/machine.h"
#include "uarch/loader.h"

namespace x64sim::fuzz {
namespace {

// The same lines as make_checkpoint_seeds.sh passes to --uarch-set.
constexpr char kSmallSkylake[] =
    "cache L2 size=16K ways=4 line=64 latency=12;"
    "cache L3 size=32K ways=16 line=64 latency=42;"
    "tlb stlb STLB-4K/2M entries=64 ways=4 pages=4K,2M replacement=lru;"
    "branch.pht-entries 256;"
    "branch.btb-entries 64";
constexpr uint64_t kRamBytes = 8ull << 20;

const UarchDescription& Model() {
  static const UarchDescription* model = [] {
    const std::vector<std::string> lines = absl::StrSplit(kSmallSkylake, ';');
    absl::StatusOr<UarchDescription> d = LoadUarch("skylake", nullptr, lines);
    if (!d.ok()) {
      std::fprintf(stderr, "checkpoint_fuzzer: %s\n", std::string(d.status().message()).c_str());
      std::abort();
    }
    return new UarchDescription(*std::move(d));
  }();
  return *model;
}

}  // namespace
}  // namespace x64sim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace x64sim;
  absl::StatusOr<CheckpointSections> sections =
      DecodeSections(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!sections.ok()) return 0;
  MachineConfig config;
  config.ram_bytes = fuzz::kRamBytes;
  config.uarch = &fuzz::Model();
  Machine machine(config);
  machine.cpu().set_rep_slice(256);  // bounds the work of one input, as the executor fuzzer does
  if (!machine.LoadState(*sections, /*warm=*/true).ok()) return 0;
  const StopInfo stop = machine.Run(2000);
  if (stop.reason == StopReason::kNone || stop.detail.empty()) {
    std::fprintf(stderr, "checkpoint_fuzzer: the run stopped without a reason\n");
    std::abort();
  }
  return 0;
}
