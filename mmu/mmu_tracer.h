// Writes MMU activity as a trace: one JSON object per line for every
// translation and every TLB fill, eviction and invalidation (fields in
// docs/trace-format.md), or a readable one-line form.
#ifndef X64SIM_MMU_MMU_TRACER_H_
#define X64SIM_MMU_MMU_TRACER_H_

#include <cstdint>
#include <ostream>
#include <string_view>

#include "absl/status/statusor.h"
#include "mmu/mmu.h"

namespace x64sim {

// Linear addresses `a` with (a & mask) == (base & mask).
struct AddressFilter {
  uint64_t base = 0;
  uint64_t mask = 0;  // 0 matches everything

  bool Matches(uint64_t linear) const { return (linear & mask) == (base & mask); }
};

// Parses "ADDR" (the 4 KiB page holding ADDR) or "ADDR/MASK"; both are
// hexadecimal with or without 0x.
absl::StatusOr<AddressFilter> ParseAddressFilter(std::string_view text);

struct MmuTraceConfig {
  enum class Format : uint8_t { kJson, kText };
  Format format = Format::kJson;
  AddressFilter filter;      // translations and per-address events outside it are skipped
  bool faults_only = false;  // only translations that fail, no TLB events
};

class MmuTracer : public WalkObserver {
 public:
  // Writes to `out`, which must outlive the tracer.
  MmuTracer(std::ostream& out, const MmuTraceConfig& config) : out_(out), config_(config) {}

  void OnTranslate(const WalkRecord& record) override;
  void OnTlbEvent(const TlbEvent& event) override;

 private:
  void WriteJson(const WalkRecord& r);
  void WriteText(const WalkRecord& r);
  void WriteJson(const TlbEvent& e);
  void WriteText(const TlbEvent& e);

  std::ostream& out_;
  MmuTraceConfig config_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_MMU_TRACER_H_
