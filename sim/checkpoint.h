// Checkpoint files of a whole machine (docs/checkpoints.md): what the
// simulator writes with --checkpoint and reads with --restore.
#ifndef X64SIM_SIM_CHECKPOINT_H_
#define X64SIM_SIM_CHECKPOINT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sim/machine.h"
#include "sim/platform_clock.h"

namespace x64sim {

// What a checkpoint says about itself beside the machine's state: the
// metadata a person reads in its header, and how it was being run.
struct CheckpointInfo {
  std::string guest;  // the kernel and modules it booted, with their command lines
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  uint64_t memory_mib = 0;
  uint64_t core_mhz = PlatformClock::kDefaultCoreMhz;  // --core-mhz
  std::string cpuid;       // the CPU model's name (--cpuid)
  std::string uarch;       // the description's name
  std::string uarch_text;  // the whole description (stored compressed with the state)
  bool timing = true;
  bool tlb_model = true;
  bool fast_forward = false;
};

// Writes `machine` (stopped between two blocks) to `path`, complete or not
// at all.
absl::Status WriteCheckpoint(const std::string& path, Machine& machine, const CheckpointInfo& info);

struct LoadedCheckpoint {
  CheckpointInfo info;
  Machine::StateSections sections;
};

// Reads and checks a checkpoint; errors name the file.
absl::StatusOr<LoadedCheckpoint> ReadCheckpoint(const std::string& path);

}  // namespace x64sim

#endif  // X64SIM_SIM_CHECKPOINT_H_
