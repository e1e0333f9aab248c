// Command-line parsing for x64sim on top of absl flags, with two additions:
// repeated --module flags accumulate, and every error (unknown flag, bad
// value, stray argument) is returned instead of ending the process, so the
// simulator can exit with its documented code. `--foo-bar` means `--foo_bar`.
#ifndef X64SIM_SIM_COMMAND_LINE_H_
#define X64SIM_SIM_COMMAND_LINE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"

namespace x64sim {

struct ParsedCommandLine {
  std::vector<std::string> modules;  // each --module value, in order
  bool help = false;                 // --help was given
  // The flags given, by name with underscores ("memory_mib").
  absl::flat_hash_set<std::string> given;
};

absl::Status ParseCommandLine(int argc, char** argv, ParsedCommandLine* out);

}  // namespace x64sim

#endif  // X64SIM_SIM_COMMAND_LINE_H_
