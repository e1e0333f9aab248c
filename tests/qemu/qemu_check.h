// Whether QEMU can run here: tests that boot guests under //tools:run_qemu
// skip, saying why, when qemu-system-x86_64 is not installed, instead of
// failing every case with the runner's exit status.
#ifndef TESTS_QEMU_QEMU_CHECK_H_
#define TESTS_QEMU_QEMU_CHECK_H_

#include <string>

namespace x64sim::testing {

// Empty when qemu-system-x86_64 is an executable on PATH; otherwise the
// one-line reason to give for skipping.
std::string QemuMissingReason();

}  // namespace x64sim::testing

#endif  // TESTS_QEMU_QEMU_CHECK_H_
