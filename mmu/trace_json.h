// Reading MMU trace lines (docs/trace-format.md), one JSON event a line,
// with nlohmann::json. The accessors give a fallback for a missing or
// mistyped field: explain-fault describes what it can of a damaged trace.
#ifndef X64SIM_MMU_TRACE_JSON_H_
#define X64SIM_MMU_TRACE_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace x64sim {

using Json = nlohmann::json;

// The event on one trace line, or an error saying where it stops being JSON.
absl::StatusOr<Json> ParseTraceLine(std::string_view line);

std::string FieldString(const Json& event, std::string_view name, std::string fallback = "");
uint64_t FieldHex(const Json& event, std::string_view name, uint64_t fallback = 0);  // "0x..."
uint64_t FieldUnsigned(const Json& event, std::string_view name, uint64_t fallback = 0);

}  // namespace x64sim

#endif  // X64SIM_MMU_TRACE_JSON_H_
