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
constexpr int kTimeoutSeconds = 120;

absl::StatusOr<BootResult> RunCapturingStdout(const std::string& command) {
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
  if (result.exit_code == 124) {
    return absl::DeadlineExceededError(
        absl::StrCat("guest did not end within ", kTimeoutSeconds,
                     "s; console so far:\n", result.console));
  }
  return result;
}

class QemuRunner : public GuestRunner {
 public:
  explicit QemuRunner(std::string kernel) : kernel_(std::move(kernel)) {}

  absl::StatusOr<BootResult> Boot(const std::string& root_server) override {
    return RunCapturingStdout(absl::StrCat(
        "timeout ", kTimeoutSeconds, " qemu-system-x86_64 -kernel ", kernel_,
        " -initrd ", root_server,
        " -serial stdio -display none -monitor none -no-reboot -m 512M"
        " -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null"));
  }
  std::string Name() const override { return "qemu"; }

 private:
  std::string kernel_;
};

class SimulatorRunner : public GuestRunner {
 public:
  SimulatorRunner(std::string simulator, std::string kernel)
      : simulator_(std::move(simulator)), kernel_(std::move(kernel)) {}

  absl::StatusOr<BootResult> Boot(const std::string& root_server) override {
    return RunCapturingStdout(absl::StrCat("timeout ", kTimeoutSeconds, " ",
                                           simulator_, " --kernel=", kernel_,
                                           " --module=", root_server,
                                           " </dev/null"));
  }
  std::string Name() const override { return "sim"; }

 private:
  std::string simulator_;
  std::string kernel_;
};

}  // namespace

std::unique_ptr<GuestRunner> MakeQemuRunner(std::string kernel_elf32) {
  return std::make_unique<QemuRunner>(std::move(kernel_elf32));
}

std::unique_ptr<GuestRunner> MakeSimulatorRunner(std::string simulator,
                                                 std::string kernel) {
  return std::make_unique<SimulatorRunner>(std::move(simulator),
                                           std::move(kernel));
}

absl::StatusOr<std::unique_ptr<GuestRunner>> MakeRunner(
    const std::string& kind, const std::string& kernel,
    const std::string& simulator) {
  if (kind == "qemu") return MakeQemuRunner(kernel);
  if (kind == "sim") return MakeSimulatorRunner(simulator, kernel);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown runner '", kind, "' (qemu or sim)"));
}

}  // namespace x64sim::testing
