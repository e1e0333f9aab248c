// Finds and reads the microarchitecture description --uarch names: a
// shipped model by name, "host" for the shipped model matching this
// machine's CPU, or a file. Checks that it prices every instruction form
// x64sim implements.
#ifndef X64SIM_UARCH_LOADER_H_
#define X64SIM_UARCH_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "uarch/description.h"

namespace x64sim {

struct HostCpu {
  std::string vendor;  // "GenuineIntel", "AuthenticAMD"
  int family = 0;      // display family (SDM vol. 2A CPUID: base + extended)
  int model = 0;       // display model
};

// The CPU this process runs on, from CPUID leaves 0 and 1.
HostCpu ReadHostCpu();

// The shipped model whose `cpu` line matches `host`, or an error naming
// the host CPU and the models shipped.
absl::StatusOr<std::string> MatchShippedModel(const HostCpu& host);

// `what` is a shipped model's name, "host", or a path to a .uarch file.
// `chosen` (if not null) says which model "host" picked. `overrides` are
// description lines that replace the lines with the same key
// (uarch/overrides.h), before the description is parsed and checked.
absl::StatusOr<UarchDescription> LoadUarch(const std::string& what, std::string* chosen = nullptr,
                                           const std::vector<std::string>& overrides = {});

// A description from its text (a checkpoint's copy), parsed and checked as
// LoadUarch does; `path` names it in errors.
absl::StatusOr<UarchDescription> LoadUarchText(const std::string& text, const std::string& path);

}  // namespace x64sim

#endif  // X64SIM_UARCH_LOADER_H_
