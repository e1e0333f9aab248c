#include "uarch/loader.h"

#include <cpuid.h>

#include <cstring>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/input_file.h"
#include "uarch/description_parser.h"
#include "uarch/implemented_form_keys.h"
#include "uarch/overrides.h"
#include "uarch/shipped_models.h"

namespace x64sim {

HostCpu ReadHostCpu() {
  HostCpu cpu;
  unsigned a = 0, b = 0, c = 0, d = 0;
  __cpuid(0, a, b, c, d);
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  cpu.vendor = vendor;
  __cpuid(1, a, b, c, d);
  // SDM vol. 2A CPUID, "Intel/AMD display family and model".
  const int base_family = (a >> 8) & 0xf;
  const int base_model = (a >> 4) & 0xf;
  cpu.family = base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family;
  cpu.model = (base_family == 0x6 || base_family == 0xf) ? base_model | (((a >> 16) & 0xf) << 4)
                                                         : base_model;
  return cpu;
}

namespace {

absl::StatusOr<UarchDescription> ParseShipped(const ShippedModel& m) {
  return ParseUarch(m.text, absl::StrFormat("uarch/%s.uarch (built in)", m.name));
}

}  // namespace

absl::StatusOr<std::string> MatchShippedModel(const HostCpu& host) {
  std::vector<std::string> names;
  for (const ShippedModel& m : ShippedModels()) {
    absl::StatusOr<UarchDescription> d = ParseShipped(m);
    if (!d.ok()) return d.status();
    names.push_back(absl::StrFormat("%s (%s family %d models %s)", m.name, d->vendor, d->family,
                                    absl::StrJoin(d->models, ",", [](std::string* out, int v) {
                                      absl::StrAppendFormat(out, "%#x", v);
                                    })));
    if (d->vendor != host.vendor || d->family != host.family) continue;
    for (int model : d->models) {
      if (model == host.model) return std::string(m.name);
    }
  }
  return absl::NotFoundError(absl::StrFormat(
      "--uarch=host: no shipped model matches this CPU (%s family %d model %#x); shipped: %s; "
      "pass --uarch=NAME or a .uarch file",
      host.vendor, host.family, host.model, absl::StrJoin(names, "; ")));
}

absl::StatusOr<UarchDescription> LoadUarch(const std::string& what, std::string* chosen,
                                           const std::vector<std::string>& overrides) {
  std::string name = what;
  if (what == "host") {
    absl::StatusOr<std::string> match = MatchShippedModel(ReadHostCpu());
    if (!match.ok()) return match.status();
    name = *match;
    if (chosen != nullptr) *chosen = name;
  }
  std::string text;
  std::string path;
  for (const ShippedModel& m : ShippedModels()) {
    if (name == m.name) {
      text = m.text;
      path = absl::StrFormat("uarch/%s.uarch (built in)", m.name);
    }
  }
  if (path.empty()) {
    absl::StatusOr<std::string> contents = ReadWholeFile(name);
    if (absl::IsNotFound(contents.status())) {
      std::vector<std::string> names;
      for (const ShippedModel& m : ShippedModels()) names.push_back(m.name);
      return absl::NotFoundError(absl::StrFormat(
          "--uarch=%s: no such shipped model (%s, host) and no readable file", name,
          absl::StrJoin(names, ", ")));
    }
    if (!contents.ok()) return contents.status();
    text = *std::move(contents);
    path = name;
  }
  if (!overrides.empty()) {
    absl::StatusOr<std::string> changed = ApplyOverrides(text, overrides);
    if (!changed.ok()) return changed.status();
    text = *std::move(changed);
    path += " with --uarch-set";
  }
  return LoadUarchText(text, path);
}

absl::StatusOr<UarchDescription> LoadUarchText(const std::string& text, const std::string& path) {
  absl::StatusOr<UarchDescription> d = ParseUarch(text, path);
  if (!d.ok()) return d.status();
  if (absl::Status s = CheckFormCoverage(*d, ImplementedFormKeys()); !s.ok()) return s;
  d->text = text;
  return d;
}

}  // namespace x64sim
