#include "mmu/explain_fault.h"

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "absl/status/status.h"
#include "mmu/paging_bits.h"
#include "mmu/paging_types.h"

namespace x64sim {
namespace {

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

struct Step {
  std::string level;  // "PML4", "PDPT", "PD", "PT"
  uint64_t index = 0;
  uint64_t entry = 0;
};

std::vector<Step> StepsOf(const Json& event) {
  std::vector<Step> steps;
  auto levels = event.find("levels");
  if (levels == event.end() || !levels->is_array()) return steps;
  for (const Json& l : *levels) {
    steps.push_back({FieldString(l, "level"), FieldUnsigned(l, "index"), FieldHex(l, "entry")});
  }
  return steps;
}

constexpr const char* kLevelNames[] = {"", "PT", "PD", "PDPT", "PML4"};

int LevelNumber(const std::string& level) {
  for (int l = 1; l <= 4; ++l) {
    if (level == kLevelNames[l]) return l;
  }
  return 4;
}

// Bytes of linear address space one entry at `level` maps (SDM 4.5, Figure 4-8).
uint64_t EntrySpan(const std::string& level) {
  if (level == "PML4") return 1ull << 39;
  if (level == "PDPT") return 1ull << 30;
  if (level == "PD") return 1ull << 21;
  return 1ull << 12;
}

// What a not-present entry at `level` would have pointed to.
const char* MissingBelow(const std::string& level) {
  if (level == "PML4") return "page-directory-pointer table";
  if (level == "PDPT") return "page directory";
  if (level == "PD") return "page table";
  return "page";
}

// The entries of the walk that clear (or set) `bit`, as "PD[2], PT[0]".
std::string EntriesWith(const std::vector<Step>& steps, uint64_t bit, bool set) {
  std::string out;
  for (const Step& s : steps) {
    if (((s.entry & bit) != 0) != set) continue;
    if (!out.empty()) out += ", ";
    out += s.level + "[" + std::to_string(s.index) + "]";
  }
  return out;
}

std::string DenialText(const std::string& denied, const std::vector<Step>& steps) {
  const bool walked = !steps.empty();
  if (denied == "supervisor-page") {
    return "the page is supervisor-only" +
           (walked ? " (U/S=0 in " + EntriesWith(steps, paging::kPteUs, false) + ")" : "");
  }
  if (denied == "read-only") {
    return "the page is read-only" +
           (walked ? " (R/W=0 in " + EntriesWith(steps, paging::kPteRw, false) + ")" : "");
  }
  if (denied == "execute-disabled") {
    return "the page is execute-disabled" +
           (walked ? " (XD=1 in " + EntriesWith(steps, paging::kPteXd, true) + ")" : "");
  }
  if (denied == "smep") return "SMEP forbids supervisor fetches from user pages";
  if (denied == "smap") return "SMAP forbids supervisor data accesses to user pages while RFLAGS.AC=0";
  return "access refused (" + denied + ")";
}

}  // namespace

std::string DescribeErrorCode(uint32_t code) {
  std::string s = (code & kPfUser) ? "user " : "supervisor ";
  if (code & kPfInstruction) {
    s += "instruction fetch from";
  } else if (code & kPfWrite) {
    s += "write to";
  } else {
    s += "read from";
  }
  if (code & kPfReserved) {
    s += " a page whose paging-structure entry sets a reserved bit";
  } else if (code & kPfPresent) {
    s += " a present page (protection violation)";
  } else {
    s += " a not-present page";
  }
  return s;
}

std::string ExplainFault(const Json& event) {
  const uint64_t linear = FieldHex(event, "linear");
  const std::string result = FieldString(event, "result");
  const std::vector<Step> steps = StepsOf(event);

  std::string out = Hex(linear) + ": ";
  if (steps.empty()) {
    out += "translation cached in " + FieldString(event, "tlb", "?") + " (no walk)";
  } else {
    // Levels above the first entry read came from a paging-structure cache.
    const int first_read = LevelNumber(steps.front().level);
    for (int level = 4; level > first_read; --level) {
      out += std::string(kLevelNames[level]) + "[" +
             std::to_string((linear >> (12 + 9 * (level - 1))) & 0x1ff) + "]";
      out += level - 1 > first_read ? " → " : " (" + FieldString(event, "psc") + " cache) → ";
    }
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (i) out += " → ";
    out += s.level + "[" + std::to_string(s.index) + "] " +
           ((s.entry & paging::kPteP) ? "present" : "not present");
  }
  out += ": ";
  if (result == "not-present" && !steps.empty()) {
    const Step& last = steps.back();
    const uint64_t span = EntrySpan(last.level);
    const uint64_t base = linear & ~(span - 1);
    out += std::string("no ") + MissingBelow(last.level) + " maps " + Hex(base) + "–" +
           Hex(base + span - 1);
  } else if (result == "reserved-bit" && !steps.empty()) {
    const Step& last = steps.back();
    out += last.level + "[" + std::to_string(last.index) + "] = " + Hex(last.entry) +
           " sets reserved bits " + Hex(FieldHex(event, "reserved_bits"));
  } else if (result == "permission") {
    out += FieldString(event, "page_size", "?") + " page found, but " +
           DenialText(FieldString(event, "denied"), steps);
  } else {
    out += result;
  }
  const uint32_t code = static_cast<uint32_t>(FieldHex(event, "error_code"));
  out += "; error code " + Hex(code) + " = " + DescribeErrorCode(code);
  out += " (rip " + FieldString(event, "rip", "?") + ", instret " +
         std::to_string(FieldUnsigned(event, "instret")) + ")";
  return out;
}

absl::StatusOr<int> ExplainTrace(std::istream& trace, std::ostream& out) {
  std::string line;
  int line_number = 0;
  int faults = 0;
  while (std::getline(trace, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    absl::StatusOr<Json> event = ParseTraceLine(line);
    if (!event.ok()) {
      return absl::InvalidArgumentError("line " + std::to_string(line_number) + ": " +
                                        std::string(event.status().message()));
    }
    if (FieldString(*event, "ev") != "translate") continue;
    const std::string result = FieldString(*event, "result");
    if (result != "not-present" && result != "reserved-bit" && result != "permission") continue;
    out << ExplainFault(*event) << "\n";
    ++faults;
  }
  return faults;
}

}  // namespace x64sim
