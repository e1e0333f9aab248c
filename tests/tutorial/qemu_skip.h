// Why a test must skip: its runner is QEMU (//tools:run_qemu) and
// qemu-system-x86_64 is not installed. Each test body checks, so that every
// case is reported as skipped (a GoogleTest environment's skip is reported
// as run), instead of failing on the runner's exit status.
#ifndef X64SIM_TESTS_TUTORIAL_QEMU_SKIP_H_
#define X64SIM_TESTS_TUTORIAL_QEMU_SKIP_H_

#include <string>

#include "absl/strings/match.h"
#include "tests/qemu/qemu_check.h"

namespace x64sim::testing {

// Empty unless `runner` is QEMU's and QEMU is missing.
inline std::string QemuSkipReason(const std::string& runner) {
  return absl::StrContains(runner, "run_qemu") ? QemuMissingReason() : "";
}

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_TUTORIAL_QEMU_SKIP_H_
