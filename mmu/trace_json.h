// A small JSON reader for MMU trace lines (docs/trace-format.md): objects,
// arrays, strings, numbers, booleans and null. Offline tooling only; it
// allocates freely.
#ifndef X64SIM_MMU_TRACE_JSON_H_
#define X64SIM_MMU_TRACE_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace x64sim {

struct JsonValue {
  enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // kString: the string; kNumber: the digits as written
  std::vector<JsonValue> items;                            // kArray
  std::vector<std::pair<std::string, JsonValue>> fields;   // kObject, in order

  // The field `name` of an object, or null.
  const JsonValue* Find(std::string_view name) const;
  // Convenience accessors with defaults for a missing or mistyped field.
  std::string String(std::string_view name, std::string fallback = "") const;
  uint64_t Hex(std::string_view name, uint64_t fallback = 0) const;  // "0x..." strings
  uint64_t Unsigned(std::string_view name, uint64_t fallback = 0) const;
};

absl::StatusOr<JsonValue> ParseJson(std::string_view text);

}  // namespace x64sim

#endif  // X64SIM_MMU_TRACE_JSON_H_
