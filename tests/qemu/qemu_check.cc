#include "tests/qemu/qemu_check.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_split.h"

namespace x64sim::testing {

std::string QemuMissingReason() {
  constexpr char kQemu[] = "qemu-system-x86_64";
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "", ':')) {
    if (dir.empty()) continue;
    const std::string candidate = std::string(dir) + "/" + kQemu;
    if (access(candidate.c_str(), X_OK) == 0) return "";
  }
  return std::string(kQemu) +
         " is not installed (not on PATH): QEMU test skipped; tools/setup.sh installs it";
}

}  // namespace x64sim::testing
