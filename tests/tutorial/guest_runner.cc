#include "tests/tutorial/guest_runner.h"

#include <sys/wait.h>

#include <cstdio>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace x64sim::testing {
namespace {

// A wall-clock bound on a guest that never ends, so a hang fails the test
// instead of stalling it; guests end themselves long before it.
constexpr int kTimeoutSeconds = 300;
constexpr int kTimeoutExitCode = 124;

}  // namespace

GuestRunner::GuestRunner(std::string runner, std::string kernel)
    : runner_(std::move(runner)), kernel_(std::move(kernel)) {}

absl::StatusOr<BootResult> GuestRunner::Boot(const std::string& root_server,
                                             const std::string& runner_flags) const {
  std::string command =
      absl::StrCat("timeout ", kTimeoutSeconds, " ", runner_, " --kernel=", kernel_,
                   " --module=", root_server, " ", runner_flags, " </dev/null");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return absl::InternalError(absl::StrCat("cannot run: ", command));
  }
  BootResult result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    result.console.append(buffer, n);
  }
  int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status)) {
    return absl::InternalError(absl::StrCat("abnormal end of: ", command));
  }
  result.exit_code = WEXITSTATUS(status);
  if (result.exit_code == kTimeoutExitCode) {
    return absl::DeadlineExceededError(absl::StrCat(
        "guest did not end within ", kTimeoutSeconds, "s; console so far:\n", result.console));
  }
  return result;
}

}  // namespace x64sim::testing
