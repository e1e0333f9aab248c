#include "mmu/mmu_tracer.h"

#include <cinttypes>
#include <cstdio>
#include <string>

#include "absl/status/status.h"

namespace x64sim {
namespace {

bool ParseHex(std::string_view text, uint64_t* value) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.empty() || text.size() > 16) return false;
  uint64_t v = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(digit);
  }
  *value = v;
  return true;
}

// printf into a fixed buffer and append: no allocation per field.
class LineBuilder {
 public:
  template <typename... Args>
  void Add(const char* format, Args... args) {
    if (len_ >= sizeof(buf_)) return;
    const int n = std::snprintf(buf_ + len_, sizeof(buf_) - len_, format, args...);
    if (n > 0) len_ += static_cast<size_t>(n);
    if (len_ > sizeof(buf_) - 1) len_ = sizeof(buf_) - 1;
  }
  void WriteLine(std::ostream& out) {
    out.write(buf_, static_cast<std::streamsize>(len_));
    out.put('\n');
  }

 private:
  char buf_[1024];
  size_t len_ = 0;
};

// The address a TLB event concerns, or none for scope-wide invalidations.
bool HasAddress(const TlbEvent& e) {
  if (e.kind != TlbEvent::Kind::kInvalidate) return true;
  return e.reason == InvalidationKind::kInvlpg || e.reason == InvalidationKind::kInvpcidAddress ||
         e.reason == InvalidationKind::kPageFault;
}

bool Failed(const WalkRecord& r) { return r.stop != WalkStop::kOk; }

}  // namespace

absl::StatusOr<AddressFilter> ParseAddressFilter(std::string_view text) {
  AddressFilter filter;
  const size_t slash = text.find('/');
  if (!ParseHex(text.substr(0, slash), &filter.base)) {
    return absl::InvalidArgumentError("bad address in filter: " + std::string(text));
  }
  filter.mask = ~(kPageSize - 1);
  if (slash != std::string_view::npos && !ParseHex(text.substr(slash + 1), &filter.mask)) {
    return absl::InvalidArgumentError("bad mask in filter: " + std::string(text));
  }
  return filter;
}

void MmuTracer::OnTranslate(const WalkRecord& record) {
  if (config_.faults_only && !Failed(record)) return;
  if (!config_.filter.Matches(record.linear)) return;
  if (config_.format == MmuTraceConfig::Format::kJson) {
    WriteJson(record);
  } else {
    WriteText(record);
  }
}

void MmuTracer::OnTlbEvent(const TlbEvent& event) {
  if (config_.faults_only) return;
  if (HasAddress(event) && !config_.filter.Matches(event.linear)) return;
  if (config_.format == MmuTraceConfig::Format::kJson) {
    WriteJson(event);
  } else {
    WriteText(event);
  }
}

void MmuTracer::WriteJson(const WalkRecord& r) {
  LineBuilder line;
  line.Add("{\"ev\":\"translate\",\"instret\":%" PRIu64 ",\"rip\":\"0x%" PRIx64
           "\",\"cpl\":%d,\"user\":%s,\"linear\":\"0x%" PRIx64 "\",\"access\":\"%s\",\"pcid\":%u",
           r.instret, r.rip, r.cpl, r.user ? "true" : "false", r.linear, AccessKindName(r.kind),
           static_cast<unsigned>(r.pcid));
  line.Add(",\"tlb\":\"%s\",\"psc\":\"%s\",\"dirty_assist\":%s", TlbSourceName(r.tlb),
           PscSourceName(r.psc), r.dirty_assist ? "true" : "false");
  line.Add(",\"levels\":[");
  for (int i = 0; i < r.num_steps; ++i) {
    const WalkStep& s = r.steps[i];
    line.Add("%s{\"level\":\"%s\",\"index\":%u,\"entry_pa\":\"0x%" PRIx64 "\",\"entry\":\"0x%" PRIx64
             "\"}",
             i ? "," : "", paging::LevelName(s.level), static_cast<unsigned>(s.index),
             s.entry_paddr, s.value);
  }
  line.Add("],\"result\":\"%s\"", WalkStopName(r.stop));
  if (r.stop == WalkStop::kOk || r.stop == WalkStop::kPermission) {
    line.Add(",\"page_size\":\"%s\",\"writable\":%s,\"user_page\":%s,\"no_execute\":%s",
             paging::PageSizeName(r.page_size), r.rights.writable ? "true" : "false",
             r.rights.user ? "true" : "false", r.rights.no_execute ? "true" : "false");
  }
  if (r.stop == WalkStop::kOk) line.Add(",\"phys\":\"0x%" PRIx64 "\"", r.phys);
  if (r.stop == WalkStop::kPermission) line.Add(",\"denied\":\"%s\"", DenialName(r.denial));
  if (r.stop == WalkStop::kReservedBit) {
    line.Add(",\"reserved_bits\":\"0x%" PRIx64 "\"", r.reserved_bits);
  }
  if (Failed(r) && r.stop != WalkStop::kNonCanonical && r.stop != WalkStop::kUnsupportedMode) {
    line.Add(",\"error_code\":\"0x%x\"", r.error_code);
  }
  line.Add("}");
  line.WriteLine(out_);
}

void MmuTracer::WriteText(const WalkRecord& r) {
  LineBuilder line;
  line.Add("mmu #%" PRIu64 " rip=0x%" PRIx64 " cpl=%d %-5s 0x%" PRIx64 " pcid=%u %s",
           r.instret, r.rip, r.cpl, AccessKindName(r.kind), r.linear,
           static_cast<unsigned>(r.pcid), TlbSourceName(r.tlb));
  if (r.dirty_assist) line.Add("(dirty)");
  if (r.psc != PscSource::kNone) line.Add(" psc=%s", PscSourceName(r.psc));
  for (int i = 0; i < r.num_steps; ++i) {
    const WalkStep& s = r.steps[i];
    line.Add(" %s[%u]=0x%" PRIx64, paging::LevelName(s.level), static_cast<unsigned>(s.index),
             s.value);
  }
  if (r.stop == WalkStop::kOk) {
    line.Add(" -> 0x%" PRIx64 " %s", r.phys, paging::PageSizeName(r.page_size));
  } else if (r.stop == WalkStop::kNonCanonical || r.stop == WalkStop::kUnsupportedMode) {
    line.Add(" -> %s", WalkStopName(r.stop));
  } else {
    line.Add(" -> #PF ec=0x%x %s", r.error_code, WalkStopName(r.stop));
    if (r.stop == WalkStop::kPermission) line.Add(" (%s)", DenialName(r.denial));
  }
  line.WriteLine(out_);
}

void MmuTracer::WriteJson(const TlbEvent& e) {
  LineBuilder line;
  line.Add("{\"ev\":\"%s\",\"instret\":%" PRIu64 ",\"rip\":\"0x%" PRIx64 "\"",
           TlbEventKindName(e.kind), e.instret, e.rip);
  if (e.kind == TlbEvent::Kind::kInvalidate) {
    line.Add(",\"reason\":\"%s\",\"linear\":\"0x%" PRIx64 "\",\"pcid\":%u",
             InvalidationKindName(e.reason), e.linear, static_cast<unsigned>(e.pcid));
  } else {
    line.Add(",\"tlb\":\"%s\",\"linear\":\"0x%" PRIx64 "\",\"page_size\":\"%s\",\"pcid\":%u"
             ",\"phys\":\"0x%" PRIx64 "\",\"global\":%s",
             e.structure, e.linear, paging::PageSizeName(e.size), static_cast<unsigned>(e.pcid),
             e.phys, e.global ? "true" : "false");
  }
  line.Add("}");
  line.WriteLine(out_);
}

void MmuTracer::WriteText(const TlbEvent& e) {
  LineBuilder line;
  if (e.kind == TlbEvent::Kind::kInvalidate) {
    line.Add("tlb #%" PRIu64 " invalidate %s 0x%" PRIx64 " pcid=%u", e.instret,
             InvalidationKindName(e.reason), e.linear, static_cast<unsigned>(e.pcid));
  } else {
    line.Add("tlb #%" PRIu64 " %-5s %s 0x%" PRIx64 " -> 0x%" PRIx64 " %s pcid=%u%s", e.instret,
             TlbEventKindName(e.kind), e.structure, e.linear, e.phys,
             paging::PageSizeName(e.size), static_cast<unsigned>(e.pcid), e.global ? " G" : "");
  }
  line.WriteLine(out_);
}

}  // namespace x64sim
