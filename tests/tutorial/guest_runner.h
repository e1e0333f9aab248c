// Boots the guest kernel with one root server and captures its console.
// The runner is a program taking `--kernel=IMAGE --module=FILE`: the
// simulator (//sim:x64sim) or QEMU behind the same flags (//tools:run_qemu).
#ifndef TESTS_TUTORIAL_GUEST_RUNNER_H_
#define TESTS_TUTORIAL_GUEST_RUNNER_H_

#include <string>

#include "absl/status/statusor.h"

namespace x64sim::testing {

struct BootResult {
  std::string console;  // everything the guest wrote to COM1
  int exit_code = -1;   // the runner's exit code: after a debug exit of v, 0 for 0, else (v << 1) | 1
};

class GuestRunner {
 public:
  GuestRunner(std::string runner, std::string kernel);

  // Boots the kernel with `root_server` as its first multiboot module;
  // `runner_flags` go to the runner as they are.
  absl::StatusOr<BootResult> Boot(const std::string& root_server,
                                  const std::string& runner_flags = "") const;

 private:
  std::string runner_;
  std::string kernel_;
};

}  // namespace x64sim::testing

#endif  // TESTS_TUTORIAL_GUEST_RUNNER_H_
