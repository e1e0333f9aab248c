#include "uarch/description_parser.h"

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace x64sim {

const char* TimingEventName(TimingEvent e) {
  switch (e) {
    case TimingEvent::kNone: return "none";
    case TimingEvent::kSyscall: return "syscall";
    case TimingEvent::kSysret: return "sysret";
    case TimingEvent::kSwapgs: return "swapgs";
    case TimingEvent::kIret: return "iretq";
    case TimingEvent::kCr3Write: return "cr3-write";
    case TimingEvent::kCr3WriteNoFlush: return "cr3-write-noflush";
    case TimingEvent::kInvlpg: return "invlpg";
    case TimingEvent::kWrmsr: return "wrmsr";
    case TimingEvent::kRdmsr: return "rdmsr";
    case TimingEvent::kCpuid: return "cpuid";
    case TimingEvent::kLfence: return "lfence";
    case TimingEvent::kMfence: return "mfence";
    case TimingEvent::kRdtsc: return "rdtsc";
    case TimingEvent::kHlt: return "hlt";
    case TimingEvent::kOtherSerializing: return "other-serializing";
    case TimingEvent::kException: return "exception";
    case TimingEvent::kInterrupt: return "interrupt";
    case TimingEvent::kCount: break;
  }
  return "?";
}

const char* JccFamilyName(JccFamily f) {
  static const char* const kNames[] = {"o", "s", "p", "b", "be", "z", "l", "le"};
  return f < kJccFamilies ? kNames[f] : "?";
}

namespace {

// One line being parsed: its words (after the source tag was taken off)
// and where it came from, to make errors.
class Line {
 public:
  Line(absl::string_view path, int number, std::vector<absl::string_view> words)
      : path_(path), number_(number), words_(std::move(words)) {}

  const std::vector<absl::string_view>& words() const { return words_; }
  absl::Status Error(absl::string_view field, absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s:%d: %s: %s", path_, number_, field, message));
  }
  absl::Status Int(absl::string_view field, absl::string_view text, int min, int* out) const {
    int64_t v = 0;
    bool ok = absl::StartsWith(text, "0x") ? absl::SimpleHexAtoi(text.substr(2), &v)
                                            : absl::SimpleAtoi(text, &v);
    if (!ok || v < min || v > (1 << 30)) {
      return Error(field, absl::StrFormat("expected an integer >= %d, got '%s'", min, text));
    }
    *out = static_cast<int>(v);
    return absl::OkStatus();
  }
  absl::Status Double(absl::string_view field, absl::string_view text, double* out) const {
    if (!absl::SimpleAtod(text, out) || *out < 0) {
      return Error(field, absl::StrFormat("expected a number >= 0, got '%s'", text));
    }
    return absl::OkStatus();
  }
  // Sizes like 32K, 1M, 64.
  absl::Status Bytes(absl::string_view field, absl::string_view text, int* out) const {
    int scale = 1;
    absl::string_view digits = text;
    if (absl::ConsumeSuffix(&digits, "K")) scale = 1 << 10;
    else if (absl::ConsumeSuffix(&digits, "M")) scale = 1 << 20;
    int v = 0;
    if (!absl::SimpleAtoi(digits, &v) || v <= 0 || v > (1 << 30) / scale) {
      return Error(field, absl::StrFormat("expected a size such as 64, 32K or 8M, got '%s'", text));
    }
    *out = v * scale;
    return absl::OkStatus();
  }
  // key=value words after the first `skip` words.
  absl::Status Pairs(size_t skip, absl::flat_hash_map<std::string, absl::string_view>* out) const {
    for (size_t i = skip; i < words_.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(words_[i], absl::MaxSplits('=', 1));
      if (kv.second.empty()) {
        return Error(words_[0], absl::StrFormat("expected key=value, got '%s'", words_[i]));
      }
      (*out)[std::string(kv.first)] = kv.second;
    }
    return absl::OkStatus();
  }

 private:
  absl::string_view path_;
  int number_;
  std::vector<absl::string_view> words_;
};

// Reads required keys out of a key=value map, then complains about extras.
class PairReader {
 public:
  PairReader(const Line& line, std::string field) : line_(line), field_(std::move(field)) {}
  absl::Status Load(size_t skip) { return line_.Pairs(skip, &pairs_); }
  absl::Status Int(const char* key, int min, int* out) {
    absl::string_view v;
    if (absl::Status s = Take(key, &v); !s.ok()) return s;
    return line_.Int(absl::StrCat(field_, ".", key), v, min, out);
  }
  absl::Status Bytes(const char* key, int* out) {
    absl::string_view v;
    if (absl::Status s = Take(key, &v); !s.ok()) return s;
    return line_.Bytes(absl::StrCat(field_, ".", key), v, out);
  }
  absl::Status Double(const char* key, double* out) {
    absl::string_view v;
    if (absl::Status s = Take(key, &v); !s.ok()) return s;
    return line_.Double(absl::StrCat(field_, ".", key), v, out);
  }
  // The same for a key that may be left out (`*out` keeps its default).
  absl::Status OptionalInt(const char* key, int min, int* out) {
    if (!pairs_.contains(key)) return absl::OkStatus();
    return Int(key, min, out);
  }
  absl::Status OptionalDouble(const char* key, double* out) {
    if (!pairs_.contains(key)) return absl::OkStatus();
    return Double(key, out);
  }
  absl::Status Take(const char* key, absl::string_view* out) {
    auto it = pairs_.find(key);
    if (it == pairs_.end()) return line_.Error(field_, absl::StrCat("missing ", key, "="));
    *out = it->second;
    pairs_.erase(it);
    return absl::OkStatus();
  }
  absl::Status Done() {
    if (pairs_.empty()) return absl::OkStatus();
    return line_.Error(field_, absl::StrCat("unknown key '", pairs_.begin()->first, "'"));
  }

 private:
  const Line& line_;
  std::string field_;
  absl::flat_hash_map<std::string, absl::string_view> pairs_;
};

#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

class Parser {
 public:
  Parser(absl::string_view path, UarchDescription* d) : path_(path), d_(*d) {}

  absl::Status ParseLine(int number, absl::string_view raw) {
    absl::string_view text = raw;
    if (size_t hash = text.find('#'); hash != absl::string_view::npos) text = text.substr(0, hash);
    text = absl::StripAsciiWhitespace(text);
    if (text.empty()) return absl::OkStatus();
    std::vector<absl::string_view> words = absl::StrSplit(text, ' ', absl::SkipWhitespace());
    const absl::string_view keyword = words[0];
    Line line(path_, number, words);
    if (!seen_header_) {
      if (words.size() != 2 || keyword != "x64sim-uarch") {
        return line.Error("header", "a description starts with 'x64sim-uarch 1'");
      }
      if (words[1] != "1") {
        return line.Error("header", absl::StrCat("format version ", words[1],
                                                 " is not supported (this x64sim reads 1)"));
      }
      seen_header_ = true;
      return absl::OkStatus();
    }
    if (keyword == "source") return ParseSource(line, text);
    if (keyword == "name") {
      if (words.size() != 2) return line.Error("name", "expected one word");
      d_.name = std::string(words[1]);
      return absl::OkStatus();
    }
    // Every other line carries numbers, so it must say where they came from.
    if (words.size() < 2 || !absl::StartsWith(words.back(), "[") ||
        !absl::EndsWith(words.back(), "]")) {
      return line.Error(keyword, "the line must end with its source tag, e.g. [intel-opt]");
    }
    std::string tag(words.back().substr(1, words.back().size() - 2));
    if (!sources_.contains(tag)) {
      return line.Error(keyword, absl::StrCat("source tag [", tag,
                                              "] is not defined by a 'source' line above"));
    }
    words.pop_back();
    Line body(path_, number, words);
    if (keyword == "cpu") return ParseCpu(body);
    if (keyword == "ports") return ParsePorts(body);
    if (keyword == "group") return ParseGroup(body);
    if (keyword == "cache") return ParseCache(body);
    if (keyword == "tlb") return ParseTlb(body);
    if (keyword == "psc") return ParsePsc(body);
    if (keyword == "event") return ParseEvent(body);
    if (keyword == "form") return ParseForm(body);
    if (keyword == "divide") return ParseDivide(body);
    if (keyword == "branch.predictor") return ParsePredictor(body);
    if (keyword == "fuse") return ParseFuse(body);
    if (keyword == "fuse.memory-immediate") return ParseFuseMemoryImmediate(body);
    if (keyword == "branch.return-penalty") {
      return ParseOptionalCycles(body, &d_.branch.return_penalty);
    }
    if (keyword == "branch.indirect-penalty") {
      return ParseOptionalCycles(body, &d_.branch.indirect_penalty);
    }
    if (keyword == "core.load-scaled-index-latency") {
      return ParseOptionalCycles(body, &d_.load_scaled_index_latency);
    }
    return ParseScalar(body);
  }

  absl::Status Finish(int last_line) {
    Line end(path_, last_line, {});
    if (!seen_header_) return end.Error("header", "empty description");
    if (d_.name.empty()) return end.Error("name", "missing 'name' line");
    if (d_.ports.empty()) return end.Error("ports", "missing 'ports' line");
    for (const Scalar& s : Scalars()) {
      if (!seen_.contains(s.key)) return end.Error(s.key, "missing");
    }
    for (const char* key : {"cache L1I", "cache L1D", "cache L2", "cache L3", "psc", "cpu",
                            "branch.predictor"}) {
      if (!seen_.contains(key)) return end.Error(key, "missing");
    }
    for (int e = 1; e < static_cast<int>(TimingEvent::kCount); ++e) {
      std::string key = absl::StrCat("event ", TimingEventName(static_cast<TimingEvent>(e)));
      if (!seen_.contains(key)) return end.Error(key, "missing");
    }
    if (d_.tlb.l1d.arrays[0].entries == 0 || d_.tlb.l1i.arrays[0].entries == 0) {
      return end.Error("tlb", "needs at least one l1i and one l1d array");
    }
    if (d_.branch.pht_entries & (d_.branch.pht_entries - 1) ||
        d_.branch.btb_entries & (d_.branch.btb_entries - 1)) {
      return end.Error("branch", "pht-entries and btb-entries must be powers of two");
    }
    if (d_.branch.kind == DirectionPredictor::kTage &&
        (d_.branch.history_bits > 64 || d_.branch.tage_min_history > d_.branch.history_bits)) {
      return end.Error("branch.history-bits",
                       "TAGE needs min-history <= history-bits <= 64");
    }
    if (d_.branch.return_penalty < 0) d_.branch.return_penalty = d_.branch.taken_penalty;
    if (d_.branch.indirect_penalty < 0) d_.branch.indirect_penalty = d_.branch.taken_penalty;
    d_.tlb.name = d_.name.c_str();
    return absl::OkStatus();
  }

 private:
  struct Scalar {
    const char* key;
    int UarchDescription::*int_field;
    double UarchDescription::*double_field;
    int min;
  };
  static const std::vector<Scalar>& Scalars() {
    using D = UarchDescription;
    static const std::vector<Scalar> kScalars = {
        {"core.issue-width", &D::issue_width, nullptr, 1},
        {"core.retire-width", &D::retire_width, nullptr, 1},
        {"core.rob", &D::rob_entries, nullptr, 1},
        {"core.scheduler", &D::scheduler_entries, nullptr, 1},
        {"core.load-buffer", &D::load_buffer, nullptr, 1},
        {"core.store-buffer", &D::store_buffer, nullptr, 1},
        {"core.store-forward-latency", &D::store_forward_latency, nullptr, 0},
        {"core.lea-complex-latency", &D::lea_complex_latency, nullptr, 1},
        {"dram.latency", &D::dram_latency, nullptr, 1},
        {"walk.step-overhead", &D::walk_step_overhead, nullptr, 0},
        {"tlb.stlb-hit-latency", &D::stlb_hit_latency, nullptr, 0},
        {"core.fill-buffers", &D::fill_buffers, nullptr, 1},
        {"rep.startup", &D::rep_startup, nullptr, 0},
        {"rep.bytes-per-cycle", nullptr, &D::rep_bytes_per_cycle, 0},
        {"phys-addr-bits", nullptr, nullptr, 32},
        {"page-1g", nullptr, nullptr, 0},
        {"branch.history-bits", nullptr, nullptr, 0},
        {"branch.pht-entries", nullptr, nullptr, 1},
        {"branch.btb-entries", nullptr, nullptr, 1},
        {"branch.ras-entries", nullptr, nullptr, 1},
        {"branch.mispredict-penalty", nullptr, nullptr, 0},
        {"branch.taken-penalty", nullptr, nullptr, 0},
    };
    return kScalars;
  }

  absl::Status Once(const Line& line, const std::string& key) {
    if (!seen_.insert(key).second) return line.Error(key, "given twice");
    return absl::OkStatus();
  }

  absl::Status ParseSource(const Line& line, absl::string_view text) {
    const auto& w = line.words();
    size_t quote = text.find('"');
    if (w.size() < 3 || quote == absl::string_view::npos || text.back() != '"' ||
        quote == text.size() - 1) {
      return line.Error("source", "expected: source TAG \"where the numbers come from\"");
    }
    if (!sources_.insert(std::string(w[1])).second) {
      return line.Error("source", absl::StrCat("tag ", w[1], " defined twice"));
    }
    return absl::OkStatus();
  }

  absl::Status ParseCpu(const Line& line) {
    const auto& w = line.words();
    RETURN_IF_ERROR(Once(line, "cpu"));
    if (w.size() < 4) return line.Error("cpu", "expected: cpu VENDOR FAMILY MODEL... [tag]");
    d_.vendor = std::string(w[1]);
    RETURN_IF_ERROR(line.Int("cpu.family", w[2], 0, &d_.family));
    for (size_t i = 3; i < w.size(); ++i) {
      int model = 0;
      RETURN_IF_ERROR(line.Int("cpu.model", w[i], 0, &model));
      d_.models.push_back(model);
    }
    return absl::OkStatus();
  }

  absl::Status ParsePorts(const Line& line) {
    const auto& w = line.words();
    RETURN_IF_ERROR(Once(line, "ports"));
    if (w.size() < 2 || w.size() - 1 > kMaxPorts) {
      return line.Error("ports", absl::StrFormat("expected 1 to %d port names", kMaxPorts));
    }
    for (size_t i = 1; i < w.size(); ++i) {
      d_.port_groups[std::string(w[i])] = 1u << (i - 1);
      d_.ports.emplace_back(w[i]);
    }
    return absl::OkStatus();
  }

  absl::Status ParseGroup(const Line& line) {
    const auto& w = line.words();
    if (d_.ports.empty()) return line.Error("group", "comes after the 'ports' line");
    if (w.size() < 3) return line.Error("group", "expected: group NAME PORT... [tag]");
    uint32_t mask = 0;
    for (size_t i = 2; i < w.size(); ++i) {
      uint32_t port = 0;
      if (!PortMask(w[i], &port)) return line.Error("group", absl::StrCat("unknown port ", w[i]));
      mask |= port;
    }
    if (!d_.port_groups.emplace(std::string(w[1]), mask).second) {
      return line.Error("group", absl::StrCat(w[1], " defined twice"));
    }
    return absl::OkStatus();
  }

  // A defined port or group, or (Intel style) 'p' followed by port digits.
  bool PortMask(absl::string_view name, uint32_t* mask) const {
    if (auto it = d_.port_groups.find(name); it != d_.port_groups.end()) {
      *mask = it->second;
      return true;
    }
    if (name.size() < 2 || name[0] != 'p') return false;
    uint32_t m = 0;
    for (char c : name.substr(1)) {
      auto it = d_.port_groups.find(std::string("p") + c);
      if (it == d_.port_groups.end()) return false;
      m |= it->second;
    }
    *mask = m;
    return true;
  }

  absl::Status ParseCache(const Line& line) {
    const auto& w = line.words();
    if (w.size() < 2) return line.Error("cache", "expected: cache L1I|L1D|L2|L3 size=... [tag]");
    CacheGeometry* c = w[1] == "L1I" ? &d_.l1i : w[1] == "L1D" ? &d_.l1d
                     : w[1] == "L2" ? &d_.l2 : w[1] == "L3" ? &d_.l3 : nullptr;
    if (c == nullptr) return line.Error("cache", absl::StrCat("unknown level ", w[1]));
    std::string field = absl::StrCat("cache ", w[1]);
    RETURN_IF_ERROR(Once(line, field));
    c->name = std::string(w[1]);
    PairReader r(line, field);
    RETURN_IF_ERROR(r.Load(2));
    RETURN_IF_ERROR(r.Bytes("size", &c->size_bytes));
    RETURN_IF_ERROR(r.Int("ways", 1, &c->ways));
    RETURN_IF_ERROR(r.Int("line", 16, &c->line_bytes));
    RETURN_IF_ERROR(r.Int("latency", 1, &c->latency));
    RETURN_IF_ERROR(r.Done());
    const int sets = c->size_bytes / (c->line_bytes * c->ways);
    if (sets <= 0 || c->size_bytes % (c->line_bytes * c->ways) != 0 || (c->line_bytes & (c->line_bytes - 1))) {
      return line.Error(field, "size must be a whole number of sets of ways * line bytes, line a power of two");
    }
    return absl::OkStatus();
  }

  absl::Status ParseTlb(const Line& line) {
    const auto& w = line.words();
    if (w.size() < 3) return line.Error("tlb", "expected: tlb l1i|l1d|stlb NAME entries=... [tag]");
    TlbLevelGeometry* level = w[1] == "l1i" ? &d_.tlb.l1i : w[1] == "l1d" ? &d_.tlb.l1d
                            : w[1] == "stlb" ? &d_.tlb.stlb : nullptr;
    if (level == nullptr) return line.Error("tlb", absl::StrCat("unknown level ", w[1]));
    std::string field = absl::StrCat("tlb ", w[2]);
    RETURN_IF_ERROR(Once(line, field));
    TlbArrayGeometry* array = nullptr;
    for (TlbArrayGeometry& a : level->arrays) {
      if (a.entries == 0) {
        array = &a;
        break;
      }
    }
    if (array == nullptr) {
      return line.Error(field, absl::StrFormat("at most %d arrays per level", kMaxArraysPerLevel));
    }
    PairReader r(line, field);
    RETURN_IF_ERROR(r.Load(3));
    RETURN_IF_ERROR(r.Int("entries", 1, &array->entries));
    RETURN_IF_ERROR(r.Int("ways", 1, &array->ways));
    absl::string_view pages, replacement;
    RETURN_IF_ERROR(r.Take("pages", &pages));
    RETURN_IF_ERROR(r.Take("replacement", &replacement));
    RETURN_IF_ERROR(r.Done());
    array->page_sizes = 0;
    for (absl::string_view p : absl::StrSplit(pages, ',')) {
      if (p == "4K") array->page_sizes |= kHold4K;
      else if (p == "2M") array->page_sizes |= kHold2M;
      else if (p == "1G") array->page_sizes |= kHold1G;
      else return line.Error(field + ".pages", absl::StrCat("unknown page size ", p));
    }
    if (replacement == "lru") {
      array->replacement = Replacement::kLru;
    } else if (replacement == "plru") {
      array->replacement = Replacement::kTreePlru;
      if (array->ways & (array->ways - 1)) {
        return line.Error(field + ".replacement", "plru needs a power-of-two way count");
      }
    } else {
      return line.Error(field + ".replacement", "expected lru or plru");
    }
    if (array->entries % array->ways != 0) {
      return line.Error(field, "entries must be a multiple of ways");
    }
    d_.tlb_names.emplace_back(w[2]);
    array->name = d_.tlb_names.back().c_str();
    return absl::OkStatus();
  }

  absl::Status ParsePsc(const Line& line) {
    RETURN_IF_ERROR(Once(line, "psc"));
    PairReader r(line, "psc");
    RETURN_IF_ERROR(r.Load(1));
    RETURN_IF_ERROR(r.Int("pml4e", 0, &d_.tlb.psc.pml4e_entries));
    RETURN_IF_ERROR(r.Int("pdpte", 0, &d_.tlb.psc.pdpte_entries));
    RETURN_IF_ERROR(r.Int("pde", 0, &d_.tlb.psc.pde_entries));
    return r.Done();
  }

  absl::Status ParseEvent(const Line& line) {
    const auto& w = line.words();
    if (w.size() != 3) return line.Error("event", "expected: event NAME cycles=N [tag]");
    int e = 1;
    for (; e < static_cast<int>(TimingEvent::kCount); ++e) {
      if (w[1] == TimingEventName(static_cast<TimingEvent>(e))) break;
    }
    if (e == static_cast<int>(TimingEvent::kCount)) {
      return line.Error("event", absl::StrCat("unknown event ", w[1]));
    }
    std::string field = absl::StrCat("event ", w[1]);
    RETURN_IF_ERROR(Once(line, field));
    PairReader r(line, field);
    RETURN_IF_ERROR(r.Load(2));
    RETURN_IF_ERROR(r.Int("cycles", 0, &d_.event_cycles[e]));
    return r.Done();
  }

  // branch.predictor gshare | bimodal | tage tables=N entries=N tag-bits=N min-history=N
  absl::Status ParsePredictor(const Line& line) {
    const auto& w = line.words();
    constexpr const char* kExpected = "expected gshare, bimodal or tage tables=N entries=N tag-bits=N min-history=N";
    RETURN_IF_ERROR(Once(line, "branch.predictor"));
    if (w.size() < 2) return line.Error("branch.predictor", kExpected);
    BranchPredictorConfig& b = d_.branch;
    if (w[1] == "tage") {
      b.kind = DirectionPredictor::kTage;
      PairReader r(line, "branch.predictor");
      RETURN_IF_ERROR(r.Load(2));
      RETURN_IF_ERROR(r.Int("tables", 1, &b.tage_tables));
      RETURN_IF_ERROR(r.Int("entries", 1, &b.tage_entries));
      RETURN_IF_ERROR(r.Int("tag-bits", 1, &b.tage_tag_bits));
      RETURN_IF_ERROR(r.Int("min-history", 1, &b.tage_min_history));
      RETURN_IF_ERROR(r.Done());
      if (b.tage_tables > 16) return line.Error("branch.predictor.tables", "at most 16");
      if (b.tage_entries & (b.tage_entries - 1) || b.tage_entries > (1 << 20)) {
        return line.Error("branch.predictor.entries", "must be a power of two, at most 1M");
      }
      if (b.tage_tag_bits > 16) return line.Error("branch.predictor.tag-bits", "at most 16");
      return absl::OkStatus();
    }
    if (w.size() != 2) return line.Error("branch.predictor", kExpected);
    if (w[1] == "gshare") b.kind = DirectionPredictor::kGshare;
    else if (w[1] == "bimodal") b.kind = DirectionPredictor::kBimodal;
    else return line.Error("branch.predictor", kExpected);
    return absl::OkStatus();
  }

  // fuse FIRST... : FAMILY... (the first instructions that fuse with a Jcc
  // of those condition families)
  absl::Status ParseFuse(const Line& line) {
    constexpr const char* kExpected = "expected: fuse CMP TEST ... : b be z ...";
    const auto& w = line.words();
    size_t colon = 1;
    while (colon < w.size() && w[colon] != ":") ++colon;
    if (colon == 1 || colon + 1 >= w.size()) return line.Error("fuse", kExpected);
    uint8_t families = 0;
    for (size_t i = colon + 1; i < w.size(); ++i) {
      int f = 0;
      while (f < kJccFamilies && w[i] != JccFamilyName(static_cast<JccFamily>(f))) ++f;
      if (f == kJccFamilies) {
        return line.Error("fuse", absl::StrCat("unknown Jcc family '", w[i],
                                               "' (o s p b be z l le)"));
      }
      families |= static_cast<uint8_t>(1u << f);
    }
    // The flag-writing ALU instructions either vendor fuses.
    static const absl::flat_hash_set<absl::string_view> kFirst = {
        "CMP", "TEST", "ADD", "SUB", "AND", "OR", "XOR", "INC", "DEC"};
    for (size_t i = 1; i < colon; ++i) {
      if (!kFirst.contains(w[i])) {
        return line.Error("fuse", absl::StrCat("'", w[i], "' is not one of CMP TEST ADD SUB AND "
                                               "OR XOR INC DEC"));
      }
      RETURN_IF_ERROR(Once(line, absl::StrCat("fuse ", w[i])));
      d_.fusion[std::string(w[i])] = families;
    }
    return absl::OkStatus();
  }

  absl::Status ParseFuseMemoryImmediate(const Line& line) {
    const auto& w = line.words();
    RETURN_IF_ERROR(Once(line, "fuse.memory-immediate"));
    if (w.size() != 2 || (w[1] != "yes" && w[1] != "no")) {
      return line.Error("fuse.memory-immediate", "expected yes or no");
    }
    d_.fuse_memory_immediate = w[1] == "yes";
    return absl::OkStatus();
  }

  // branch.return-penalty, branch.indirect-penalty (without one those
  // branches cost the taken penalty), core.load-scaled-index-latency
  // (default 0): optional, unlike the scalars.
  absl::Status ParseOptionalCycles(const Line& line, int* cycles) {
    const auto& w = line.words();
    RETURN_IF_ERROR(Once(line, std::string(w[0])));
    if (w.size() != 2) return line.Error(w[0], "expected one value");
    return line.Int(w[0], w[1], 0, cycles);
  }

  absl::Status ParseScalar(const Line& line) {
    const auto& w = line.words();
    const std::string key(w[0]);
    const Scalar* scalar = nullptr;
    for (const Scalar& s : Scalars()) {
      if (key == s.key) scalar = &s;
    }
    if (scalar == nullptr) return line.Error(key, "unknown field");
    if (w.size() != 2) return line.Error(key, "expected one value");
    RETURN_IF_ERROR(Once(line, key));
    if (scalar->double_field != nullptr) return line.Double(key, w[1], &(d_.*scalar->double_field));
    if (key == "page-1g") {
      if (w[1] != "yes" && w[1] != "no") return line.Error(key, "expected yes or no");
      d_.tlb.has_1g_pages = w[1] == "yes";
      return absl::OkStatus();
    }
    int v = 0;
    RETURN_IF_ERROR(line.Int(key, w[1], scalar->min, &v));
    if (scalar->int_field != nullptr) d_.*scalar->int_field = v;
    else if (key == "phys-addr-bits") d_.tlb.phys_addr_bits = v;
    else if (key == "branch.history-bits") d_.branch.history_bits = v;
    else if (key == "branch.pht-entries") d_.branch.pht_entries = v;
    else if (key == "branch.btb-entries") d_.branch.btb_entries = v;
    else if (key == "branch.ras-entries") d_.branch.ras_entries = v;
    else if (key == "branch.mispredict-penalty") d_.branch.mispredict_penalty = v;
    else if (key == "branch.taken-penalty") d_.branch.taken_penalty = v;
    return absl::OkStatus();
  }

  // form KEY WORDS : lat=L tput=T uops=U ports=1*p0156+1*p23
  absl::Status ParseForm(const Line& line) {
    const auto& w = line.words();
    size_t colon = 1;
    while (colon < w.size() && w[colon] != ":") ++colon;
    if (colon == 1 || colon == w.size()) {
      return line.Error("form", "expected: form KEY : lat=L tput=T uops=U ports=SPEC [tag]");
    }
    std::vector<absl::string_view> key_words(w.begin() + 1, w.begin() + colon);
    std::string key = absl::StrJoin(key_words, " ");
    std::string field = absl::StrCat("form ", key);
    FormTiming f;
    PairReader r(line, field);
    RETURN_IF_ERROR(r.Load(colon + 1));
    RETURN_IF_ERROR(r.Int("lat", 0, &f.latency));
    RETURN_IF_ERROR(r.Double("tput", &f.throughput));
    RETURN_IF_ERROR(r.Int("uops", 0, &f.uops));
    absl::string_view spec;
    RETURN_IF_ERROR(r.Take("ports", &spec));
    RETURN_IF_ERROR(r.Done());
    if (spec != "-") {
      for (absl::string_view part : absl::StrSplit(spec, '+')) {
        std::pair<absl::string_view, absl::string_view> cg = absl::StrSplit(part, absl::MaxSplits('*', 1));
        UopGroup g;
        if (cg.second.empty() || !absl::SimpleAtoi(cg.first, &g.uops) || g.uops <= 0 ||
            !PortMask(cg.second, &g.ports)) {
          return line.Error(field + ".ports",
                            absl::StrCat("expected COUNT*GROUP joined by '+', got '", part, "'"));
        }
        f.groups.push_back(g);
      }
    }
    f.id = static_cast<int>(d_.forms.size());
    if (!d_.forms.emplace(key, std::move(f)).second) return line.Error(field, "given twice");
    return absl::OkStatus();
  }

  // divide DIV|IDIV r8|r16|r32|r64 [narrow|wide] : lat=L tput=T
  //        [lat-per-bit=X lat-free-bits=N] [tput-per-bit=X tput-free-bits=N]
  absl::Status ParseDivide(const Line& line) {
    const auto& w = line.words();
    constexpr const char* kExpected =
        "expected: divide DIV|IDIV r8|r16|r32|r64 [narrow|wide] : lat=L tput=T [tag]";
    size_t colon = 1;
    while (colon < w.size() && w[colon] != ":") ++colon;
    if (colon != 3 && colon != 4) return line.Error("divide", kExpected);
    const std::string field =
        absl::StrCat("divide ", absl::StrJoin(w.begin() + 1, w.begin() + colon, " "));
    if (w[1] != "DIV" && w[1] != "IDIV") {
      return line.Error(field, absl::StrCat("expected DIV or IDIV, got '", w[1], "'"));
    }
    int bits = 0;
    absl::string_view size = w[2];
    if (!absl::ConsumePrefix(&size, "r") || !absl::SimpleAtoi(size, &bits) ||
        (bits != 8 && bits != 16 && bits != 32 && bits != 64)) {
      return line.Error(field, "the operand size is one of r8, r16, r32, r64");
    }
    bool narrow = true, wide = true;
    if (colon == 4) {
      if (w[3] != "narrow" && w[3] != "wide") {
        return line.Error(field, absl::StrCat("expected narrow or wide, got '", w[3], "'"));
      }
      (w[3] == "narrow" ? wide : narrow) = false;
    }
    DivideCost cost;
    cost.given = true;
    PairReader r(line, field);
    RETURN_IF_ERROR(r.Load(colon + 1));
    RETURN_IF_ERROR(r.Double("lat", &cost.latency));
    RETURN_IF_ERROR(r.Double("tput", &cost.throughput));
    RETURN_IF_ERROR(r.OptionalDouble("lat-per-bit", &cost.latency_per_bit));
    RETURN_IF_ERROR(r.OptionalInt("lat-free-bits", 0, &cost.latency_free_bits));
    RETURN_IF_ERROR(r.OptionalDouble("tput-per-bit", &cost.throughput_per_bit));
    RETURN_IF_ERROR(r.OptionalInt("tput-free-bits", 0, &cost.throughput_free_bits));
    RETURN_IF_ERROR(r.Done());
    if (cost.latency_free_bits > 64 || cost.throughput_free_bits > 64) {
      return line.Error(field, "free bits are at most 64");
    }
    auto& costs = d_.divides[DivideKind(w[1] == "IDIV", bits)];
    if ((narrow && costs[0].given) || (wide && costs[1].given)) {
      return line.Error(field, "a division of this kind is already priced by an earlier line");
    }
    if (narrow) costs[0] = cost;
    if (wide) costs[1] = cost;
    return absl::OkStatus();
  }

  std::string path_;
  UarchDescription& d_;
  bool seen_header_ = false;
  absl::flat_hash_set<std::string> sources_;
  absl::flat_hash_set<std::string> seen_;
};

}  // namespace

absl::StatusOr<UarchDescription> ParseUarch(absl::string_view text, absl::string_view path) {
  UarchDescription d;
  d.path = std::string(path);
  Parser parser(path, &d);
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    if (absl::Status s = parser.ParseLine(number, raw); !s.ok()) return s;
  }
  if (absl::Status s = parser.Finish(number); !s.ok()) return s;
  return d;
}

absl::Status CheckFormCoverage(const UarchDescription& d, const std::vector<std::string>& forms) {
  std::vector<std::string> missing;
  for (const std::string& key : forms) {
    if (!d.forms.contains(key)) missing.push_back(key);
  }
  if (missing.empty()) return absl::OkStatus();
  const size_t shown = std::min<size_t>(missing.size(), 5);
  return absl::InvalidArgumentError(absl::StrFormat(
      "%s: form: %d instruction forms x64sim implements have no entry, e.g. '%s'", d.path,
      missing.size(), absl::StrJoin(missing.begin(), missing.begin() + shown, "', '")));
}

}  // namespace x64sim
