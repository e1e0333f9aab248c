#include "uarch/overrides.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace x64sim {

namespace {

constexpr absl::string_view kCliSource =
    "source cli \"a line given with --uarch-set on the command line\"";

absl::string_view WithoutComment(absl::string_view line) {
  return absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
}

}  // namespace

std::string OverrideKey(absl::string_view line) {
  line = WithoutComment(line);
  if (absl::StartsWith(line, "form ")) {
    const size_t colon = line.find(" : ");
    return std::string(absl::StripAsciiWhitespace(line.substr(0, colon)));
  }
  const std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  if (words.empty()) return "";
  size_t n = 1;
  if (words[0] == "tlb") n = 3;
  if (words[0] == "cache" || words[0] == "event" || words[0] == "group" || words[0] == "source") {
    n = 2;
  }
  n = std::min(n, words.size());
  return absl::StrJoin(words.begin(), words.begin() + static_cast<long>(n), " ");
}

absl::StatusOr<std::string> ApplyOverrides(absl::string_view text,
                                           const std::vector<std::string>& overrides) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  bool needs_cli_source = false;
  for (const std::string& given : overrides) {
    std::string line(WithoutComment(given));
    const std::string key = OverrideKey(line);
    if (key.empty()) continue;
    if (key == "x64sim-uarch") {
      return absl::InvalidArgumentError("--uarch-set: the format line cannot be replaced");
    }
    if (!absl::EndsWith(line, "]")) {
      absl::StrAppend(&line, " [cli]");
      needs_cli_source = true;
    }
    bool replaced = false;
    for (std::string& existing : lines) {
      if (OverrideKey(existing) == key) {
        existing = line;
        replaced = true;
      }
    }
    if (!replaced) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--uarch-set: '", key, "' is not a line of the description; it can only replace one"));
    }
  }
  if (needs_cli_source) {
    // Sources must come before the lines that cite them: after the name line.
    for (size_t i = 0; i < lines.size(); ++i) {
      if (OverrideKey(lines[i]) == "name") {
        lines.insert(lines.begin() + static_cast<long>(i) + 1, std::string(kCliSource));
        break;
      }
    }
  }
  return absl::StrJoin(lines, "\n");
}

}  // namespace x64sim
