// Replacing lines of a microarchitecture description from the command line
// (--uarch-set), so a parameter sweep needs no edited copy of the file.
#ifndef X64SIM_UARCH_OVERRIDES_H_
#define X64SIM_UARCH_OVERRIDES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace x64sim {

// The part of a description line that names what it sets: the keyword, or
// the keyword and its object for `tlb LEVEL NAME`, `cache LEVEL`,
// `event NAME`, `group NAME`, `source TAG`, and everything before " : " for
// `form KEY : ...`. Empty for blank and comment lines.
std::string OverrideKey(absl::string_view line);

// `text` with each line of `overrides` in place of the line that has the
// same key (the last override of a key wins). A line without a source tag
// gets `[cli]`, a source x64sim adds. An override whose key names no line
// of `text` is an error: sweeps change values, they do not add fields.
absl::StatusOr<std::string> ApplyOverrides(absl::string_view text,
                                           const std::vector<std::string>& overrides);

}  // namespace x64sim

#endif  // X64SIM_UARCH_OVERRIDES_H_
