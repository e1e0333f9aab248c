#include "sim/stats_json.h"

#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace x64sim {

std::string StatsUnit(absl::string_view name, bool numeric) {
  if (!numeric) return "text";
  if (absl::EndsWith(name, ".ipc")) return "instructions/cycle";
  if (absl::EndsWith(name, "_mhz")) return "MHz";
  if (absl::StrContains(name, "cycles")) return "cycles";
  if (absl::EndsWith(name, "instructions")) return "instructions";
  return "count";
}

std::string StatsTextToJson(absl::string_view text_report) {
  nlohmann::ordered_json stats = nlohmann::ordered_json::object();
  nlohmann::ordered_json units = nlohmann::ordered_json::object();
  std::string section;
  for (absl::string_view line : absl::StrSplit(text_report, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "[") && absl::EndsWith(line, "]")) {
      section = std::string(line.substr(1, line.size() - 2));
      continue;
    }
    const size_t space = line.find(' ');
    const absl::string_view key = line.substr(0, space);
    const absl::string_view value =
        space == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(line.substr(space + 1));
    // Sections whose lines already carry their prefix ("mmu.walks") keep it.
    const std::string name = absl::StartsWith(key, absl::StrCat(section, "."))
                                 ? std::string(key)
                                 : absl::StrCat(section, ".", key);
    uint64_t integer;
    double real;
    bool numeric = true;
    if (absl::SimpleAtoi(value, &integer)) {
      stats[name] = integer;
    } else if (absl::SimpleAtod(value, &real) && !value.empty()) {
      stats[name] = real;
    } else {
      stats[name] = std::string(value);
      numeric = false;
    }
    units[name] = StatsUnit(name, numeric);
  }
  nlohmann::ordered_json doc;
  doc["format"] = "x64sim-stats";
  doc["version"] = kStatsJsonVersion;
  doc["stats"] = std::move(stats);
  doc["units"] = std::move(units);
  return doc.dump(2) + "\n";
}

}  // namespace x64sim
