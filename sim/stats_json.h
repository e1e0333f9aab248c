// The statistics report as JSON (docs/stats-format.md). It is read back from
// the text report, so the two formats come from one place and cannot
// disagree: each "[section]" line starts a group, each "name value" line
// becomes the dotted name "section.name" (gem5 style) with its value as a
// number when it is one, and a unit given by the name.
#ifndef X64SIM_SIM_STATS_JSON_H_
#define X64SIM_SIM_STATS_JSON_H_

#include <string>

#include "absl/strings/string_view.h"

namespace x64sim {

// The version of the JSON layout; docs/stats-schema.json describes it.
inline constexpr int kStatsJsonVersion = 1;

// The unit of a statistic: "cycles", "instructions", "instructions/cycle",
// "count", or "text" for values that are not numbers.
std::string StatsUnit(absl::string_view dotted_name, bool numeric);

// The text report rendered as a JSON document, pretty-printed, with a
// trailing newline.
std::string StatsTextToJson(absl::string_view text_report);

}  // namespace x64sim

#endif  // X64SIM_SIM_STATS_JSON_H_
