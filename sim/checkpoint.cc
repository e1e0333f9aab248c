#include "sim/checkpoint.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "checkpoint/checkpoint_file.h"
#include "sim/input_file.h"
#include "sim/output_file.h"

namespace x64sim {
namespace {

constexpr char kUarchSection[] = "uarch";

}  // namespace

absl::Status WriteCheckpoint(const std::string& path, Machine& machine, const CheckpointInfo& info) {
  const nlohmann::ordered_json metadata = {
      {"format_version", kCheckpointFormatVersion},
      {"guest", info.guest},
      {"instructions", info.instructions},
      {"cycles", info.cycles},
      {"memory_mib", info.memory_mib},
      {"core_mhz", info.core_mhz},
      {"cpuid", info.cpuid},
      {"uarch", info.uarch},
      {"timing", info.timing},
      {"tlb_model", info.tlb_model},
      {"fast_forward", info.fast_forward},
  };
  CheckpointContents contents;
  contents.metadata = metadata.dump(2) + "\n";
  contents.sections = machine.SaveState();
  contents.sections.emplace_back(kUarchSection, info.uarch_text);
  return WriteFileWhole(path, EncodeCheckpoint(contents));
}

absl::StatusOr<LoadedCheckpoint> ReadCheckpoint(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  auto bad = [&path](absl::string_view why) {
    return absl::DataLossError(absl::StrFormat("checkpoint %s: %s", path, why));
  };
  absl::StatusOr<CheckpointContents> contents = DecodeCheckpoint(*bytes);
  if (!contents.ok()) return bad(contents.status().message());
  LoadedCheckpoint loaded;
  const nlohmann::json metadata = nlohmann::json::parse(contents->metadata, nullptr, false);
  if (metadata.is_discarded() || !metadata.is_object()) return bad("its metadata is not a JSON object");
  try {
    CheckpointInfo& info = loaded.info;
    info.guest = metadata.at("guest").get<std::string>();
    info.instructions = metadata.at("instructions").get<uint64_t>();
    info.cycles = metadata.at("cycles").get<uint64_t>();
    info.memory_mib = metadata.at("memory_mib").get<uint64_t>();
    // Checkpoints from before --core-mhz ran at the default clock.
    info.core_mhz = metadata.value("core_mhz", PlatformClock::kDefaultCoreMhz);
    info.cpuid = metadata.at("cpuid").get<std::string>();
    info.uarch = metadata.at("uarch").get<std::string>();
    info.timing = metadata.at("timing").get<bool>();
    info.tlb_model = metadata.at("tlb_model").get<bool>();
    info.fast_forward = metadata.at("fast_forward").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    return bad(absl::StrFormat("its metadata lacks a field or has a wrong type (%s)", e.what()));
  }
  for (auto& [name, section] : contents->sections) {
    if (name == kUarchSection) {
      loaded.info.uarch_text = std::move(section);
    } else {
      loaded.sections.emplace_back(std::move(name), std::move(section));
    }
  }
  if (loaded.info.uarch_text.empty()) return bad("it has no timing description");
  if (!PlatformClock::Accepts(loaded.info.core_mhz)) {
    return bad(absl::StrFormat("its core clock, %d MHz, is outside %d..%d", loaded.info.core_mhz,
                               PlatformClock::kMinCoreMhz, PlatformClock::kMaxCoreMhz));
  }
  return loaded;
}

}  // namespace x64sim
