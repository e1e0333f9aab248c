// Reading a whole input file (kernel image, module, trace, description)
// with an error that names the file and says what is wrong with it, for
// every kind of path a user can pass: missing, unreadable, a directory.
#ifndef X64SIM_SIM_INPUT_FILE_H_
#define X64SIM_SIM_INPUT_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace x64sim {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace x64sim

#endif  // X64SIM_SIM_INPUT_FILE_H_
