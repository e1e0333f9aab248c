// Reads .uarch files (docs/uarch-format.md). Every error names the file,
// the line and the field: "skylake.uarch:42: core.rob: expected a positive
// integer, got 'x'".
#ifndef X64SIM_UARCH_DESCRIPTION_PARSER_H_
#define X64SIM_UARCH_DESCRIPTION_PARSER_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "uarch/description.h"

namespace x64sim {

// Parses the text of a description; `path` only names it in errors.
absl::StatusOr<UarchDescription> ParseUarch(absl::string_view text, absl::string_view path);

// An error naming the description's file unless every key in `forms` has
// an entry (a missing form is an error, never a silent default).
absl::Status CheckFormCoverage(const UarchDescription& d, const std::vector<std::string>& forms);

}  // namespace x64sim

#endif  // X64SIM_UARCH_DESCRIPTION_PARSER_H_
