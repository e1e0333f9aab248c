// Boots the guest kernel with one root server and captures its console,
// either in QEMU (a real machine to compare with) or in the simulator.
#ifndef TESTS_TUTORIAL_GUEST_RUNNER_H_
#define TESTS_TUTORIAL_GUEST_RUNNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace x64sim::testing {

struct BootResult {
  std::string console;  // everything the guest wrote to COM1
  int exit_code = -1;   // the runner process's exit code
};

class GuestRunner {
 public:
  virtual ~GuestRunner() = default;
  // Boots `kernel` with `root_server` as its first multiboot module.
  virtual absl::StatusOr<BootResult> Boot(const std::string& root_server) = 0;
  virtual std::string Name() const = 0;
};

// `qemu-system-x86_64 -kernel KERNEL -initrd ROOT_SERVER`, console on the
// serial port, ended by the kernel through the isa-debug-exit device.
std::unique_ptr<GuestRunner> MakeQemuRunner(std::string kernel_elf32);

// `x64sim --kernel=KERNEL --module=ROOT_SERVER`, console on stdout.
std::unique_ptr<GuestRunner> MakeSimulatorRunner(std::string simulator,
                                                 std::string kernel);

// "qemu" or "sim", with the paths both need.
absl::StatusOr<std::unique_ptr<GuestRunner>> MakeRunner(
    const std::string& kind, const std::string& kernel,
    const std::string& simulator);

}  // namespace x64sim::testing

#endif  // TESTS_TUTORIAL_GUEST_RUNNER_H_
