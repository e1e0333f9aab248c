// The machine's state as checkpoint sections (docs/checkpoints.md). Each
// section is one StateArchive; the model sections are loaded only into a
// machine with the same timing description.
#include <functional>

#include "absl/strings/str_format.h"
#include "sim/machine.h"

namespace x64sim {

namespace {

// Section names, in the order they are loaded.
constexpr char kMachineSection[] = "machine";
constexpr char kRamSection[] = "ram";
constexpr char kCpuSection[] = "cpu";
constexpr char kDevicesSection[] = "devices";
constexpr char kMmuSection[] = "mmu";
constexpr char kCoreCachesSection[] = "cpu.caches";
constexpr char kCoreModelSection[] = "core";

}  // namespace

void Machine::SerializeMachine(StateArchive& ar) {
  ar.Sized(regions_, 1u << 20, "regions of interest");
}

void Machine::SerializeDevices(StateArchive& ar) {
  ar(com1_, apic_, io_apic_, pics_.master(), pics_.slave(), lines_, pit_, hpet_, ports_);
}

Machine::StateSections Machine::SaveState() {
  StateSections sections;
  auto save = [&sections](const char* name, const std::function<void(StateArchive&)>& fn) {
    StateArchive ar = StateArchive::ForSaving();
    fn(ar);
    sections.emplace_back(name, ar.bytes());
  };
  save(kMachineSection, [this](StateArchive& ar) { SerializeMachine(ar); });
  save(kRamSection, [this](StateArchive& ar) { memory_.SerializeRam(ar); });
  save(kCpuSection, [this](StateArchive& ar) { cpu_.SerializeArchitecture(ar, true); });
  save(kDevicesSection, [this](StateArchive& ar) { SerializeDevices(ar); });
  save(kMmuSection, [this](StateArchive& ar) { mmu_.Serialize(ar); });
  save(kCoreCachesSection, [this](StateArchive& ar) { cpu_.SerializeCaches(ar); });
  if (core_model_ != nullptr) {
    save(kCoreModelSection, [this](StateArchive& ar) { core_model_->Serialize(ar); });
  }
  return sections;
}

absl::Status Machine::LoadState(const StateSections& sections, bool warm) {
  auto find = [&sections](const char* name) -> const std::string* {
    for (const auto& [n, bytes] : sections) {
      if (n == name) return &bytes;
    }
    return nullptr;
  };
  auto load = [&find](const char* name, const std::function<void(StateArchive&)>& fn) {
    const std::string* bytes = find(name);
    if (bytes == nullptr) return absl::DataLossError(absl::StrFormat("no '%s' section", name));
    StateArchive ar = StateArchive::ForLoading(*bytes);
    fn(ar);
    if (ar.ok() && !ar.consumed()) ar.Fail("bytes left over");
    if (!ar.ok()) {
      return absl::DataLossError(absl::StrFormat("section '%s': %s", name, ar.error()));
    }
    return absl::OkStatus();
  };
  const bool model_state = warm && core_model_ != nullptr && find(kCoreModelSection) != nullptr;
  const std::pair<const char*, std::function<void(StateArchive&)>> steps[] = {
      {kMachineSection, [this](StateArchive& ar) { SerializeMachine(ar); }},
      {kRamSection, [this](StateArchive& ar) { memory_.SerializeRam(ar); }},
      {kCpuSection, [&](StateArchive& ar) { cpu_.SerializeArchitecture(ar, model_state); }},
      {kDevicesSection, [this](StateArchive& ar) { SerializeDevices(ar); }},
  };
  for (const auto& [name, fn] : steps) {
    if (absl::Status s = load(name, fn); !s.ok()) return s;
  }
  if (warm) {
    // The blocks are decoded again before the model's state is loaded, so
    // that the counters decoding touches end as they were saved.
    if (absl::Status s = load(kMmuSection, [this](StateArchive& ar) { mmu_.Serialize(ar); }); !s.ok()) {
      return s;
    }
    if (absl::Status s = load(kCoreCachesSection, [this](StateArchive& ar) { cpu_.SerializeCaches(ar); });
        !s.ok()) {
      return s;
    }
    if (model_state) {
      if (absl::Status s = load(kCoreModelSection, [this](StateArchive& ar) { core_model_->Serialize(ar); });
          !s.ok()) {
        return s;
      }
    }
  }
  // Timed as this machine's configuration says, from the clock restored.
  const bool region_begun = !regions_.empty();
  SetTiming(config_.timing && (!config_.fast_forward || region_begun));
  return absl::OkStatus();
}

}  // namespace x64sim
