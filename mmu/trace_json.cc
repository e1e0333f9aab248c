#include "mmu/trace_json.h"

#include <cstdlib>

#include "absl/status/status.h"

namespace x64sim {
namespace {

const Json* Field(const Json& event, std::string_view name) {
  if (!event.is_object()) return nullptr;
  auto it = event.find(name);
  return it == event.end() ? nullptr : &*it;
}

}  // namespace

absl::StatusOr<Json> ParseTraceLine(std::string_view line) {
  try {
    return Json::parse(line);
  } catch (const Json::exception& e) {  // bad syntax, or a number no type holds
    return absl::InvalidArgumentError(e.what());
  }
}

std::string FieldString(const Json& event, std::string_view name, std::string fallback) {
  const Json* v = Field(event, name);
  return v != nullptr && v->is_string() ? v->get<std::string>() : fallback;
}

uint64_t FieldHex(const Json& event, std::string_view name, uint64_t fallback) {
  const Json* v = Field(event, name);
  if (v == nullptr || !v->is_string()) return fallback;
  const std::string& text = v->get_ref<const std::string&>();
  char* end = nullptr;
  const uint64_t value = std::strtoull(text.c_str(), &end, 16);
  return !text.empty() && *end == '\0' ? value : fallback;
}

uint64_t FieldUnsigned(const Json& event, std::string_view name, uint64_t fallback) {
  const Json* v = Field(event, name);
  return v != nullptr && v->is_number_unsigned() ? v->get<uint64_t>() : fallback;
}

}  // namespace x64sim
