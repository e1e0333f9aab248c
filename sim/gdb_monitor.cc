#include "sim/gdb_monitor.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "mmu/access_rights.h"
#include "mmu/explain_fault.h"
#include "mmu/mmu_tracer.h"
#include "mmu/page_walker.h"
#include "mmu/trace_json.h"

namespace x64sim {
namespace {

constexpr uint64_t kMaxPhysDump = 4096;

bool ParseAddress(std::string text, uint64_t* value) {
  if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) text.erase(0, 2);
  return !text.empty() && absl::SimpleHexAtoi(text, value);
}

// What the page walker finds for `record.linear`, in the record's terms,
// following the order of checks the MMU makes (mmu/mmu.cc).
void PeekWalk(Machine& machine, const PagingContext& ctx, WalkRecord* record) {
  const MicroArch& arch = machine.mmu().arch();
  const PageWalker walker(machine.memory(), arch.phys_addr_bits, arch.has_1g_pages);
  const WalkStart start{paging::Level::kPml4, ctx.cr3 & walker.address_mask(), AccessRights{}};
  const WalkResult walk = walker.Walk(record->linear, start, ctx, record);
  const uint32_t access_bits = AccessErrorBits(record->kind, ctx);
  record->stop = walk.stop;
  if (walk.stop == WalkStop::kNotPresent) {
    record->error_code = access_bits;
    return;
  }
  if (walk.stop == WalkStop::kReservedBit) {
    record->error_code = access_bits | kPfPresent | kPfReserved;
    return;
  }
  record->rights = walk.leaf.rights;
  record->denial = CheckAccess(walk.leaf.rights, record->kind, ctx);
  if (record->denial != Denial::kNone) {
    record->stop = WalkStop::kPermission;
    record->error_code = access_bits | kPfPresent;
    return;
  }
  record->page_size = walk.leaf.size;
  record->phys = walk.leaf.page_base + (record->linear & (paging::PageBytes(walk.leaf.size) - 1));
}

std::string Tlbs(Machine& machine) {
  std::ostringstream out;
  const TlbHierarchy& tlbs = machine.mmu().tlbs();
  for (int i = 0; i < tlbs.num_arrays(); ++i) {
    const TlbArray& a = tlbs.array(i);
    out << absl::StrFormat("%-10s %4d sets x %2d ways, %5d live entries\n", a.name(), a.sets(),
                           a.ways(), tlbs.CountLive(i));
  }
  machine.mmu().stats().PrintReport(out);
  return out.str();
}

// What the modelled TLBs hold for `linear` in the current PCID: without a
// hit the next access walks (or finds a paging-structure cache entry).
std::string TlbFor(Machine& machine, uint64_t linear) {
  const CpuState& s = machine.cpu().state;
  const uint16_t pcid = (s.cr4 & kCr4PCIDE) ? static_cast<uint16_t>(s.cr3 & 0xfff) : 0;
  const TlbEntry* e = machine.mmu().tlbs().Probe(linear, pcid);
  if (e == nullptr) return absl::StrFormat("%#x: no TLB holds it (pcid %d)\n", linear, pcid);
  return absl::StrFormat("%#x: held as %s page %#x -> frame %#x, pcid %d%s%s, %s%s%s\n", linear,
                         paging::PageSizeName(e->size), e->linear_base(), e->frame, e->pcid,
                         e->global ? ", global" : "", e->dirty ? ", dirty" : "",
                         e->rights.user ? "user" : "supervisor", e->rights.writable ? " writable" : " read-only",
                         e->rights.no_execute ? " no-execute" : "");
}

std::string Phys(Machine& machine, uint64_t addr, uint64_t len) {
  if (len == 0 || len > kMaxPhysDump) return absl::StrFormat("phys: LEN must be 1..%d\n", kMaxPhysDump);
  std::string out;
  for (uint64_t line = addr; line < addr + len; line += 16) {
    absl::StrAppendFormat(&out, "%#012x:", line);
    for (uint64_t a = line; a < std::min(line + 16, addr + len); ++a) {
      const uint8_t* p = machine.memory().RamPointer(a);
      if (p == nullptr) {
        absl::StrAppendFormat(&out, " (not RAM)\n");
        return out;
      }
      absl::StrAppendFormat(&out, " %02x", *p);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string ExplainWalk(Machine& machine, uint64_t linear, AccessKind kind, bool user) {
  Cpu& cpu = machine.cpu();
  PagingContext ctx = cpu.MakePagingContext(user);
  if (!(ctx.cr0 & kCr0PG)) return absl::StrFormat("paging is off: linear %#x is physical\n", linear);
  if (!(ctx.efer & kEferLMA)) return "paging without long mode (legacy paging) is not modelled\n";
  if (!paging::IsCanonical(linear)) {
    return absl::StrFormat("%#x is not canonical: a #GP (#SS for the stack), no walk\n", linear);
  }
  WalkRecord record;
  record.linear = linear;
  record.kind = kind;
  record.user = user;
  record.pcid = (ctx.cr4 & kCr4PCIDE) ? static_cast<uint16_t>(ctx.cr3 & 0xfff) : 0;
  record.cpl = ctx.cpl;
  record.rip = ctx.rip;
  record.instret = ctx.instret;
  record.tlb = TlbSource::kWalk;
  PeekWalk(machine, ctx, &record);
  MmuTraceConfig config;
  config.format = MmuTraceConfig::Format::kText;
  std::ostringstream text;
  MmuTracer(text, config).OnTranslate(record);
  if (record.stop == WalkStop::kOk) return text.str();
  config.format = MmuTraceConfig::Format::kJson;
  std::ostringstream json;
  MmuTracer(json, config).OnTranslate(record);
  absl::StatusOr<Json> event = ParseTraceLine(json.str());
  if (!event.ok()) return text.str();
  return text.str() + ExplainFault(*event) + "\n";
}

std::string MonitorHelp() {
  return "walk ADDR [read|write|exec] [user]  page walk of a linear address now; why it faults\n"
         "tlb [ADDR]           the TLB arrays, their live entries and the MMU statistics;\n"
         "                     with ADDR, what the TLBs hold for it\n"
         "stats                the statistics report so far (as --stats writes it)\n"
         "cycles               simulated cycles and instructions retired\n"
         "phys ADDR LEN        LEN bytes of physical memory (hex dump, at most 4096)\n";
}

bool RunMonitorCommand(Machine& machine, std::string_view command, std::string* output) {
  const std::vector<std::string> words =
      absl::StrSplit(std::string(command), ' ', absl::SkipWhitespace());
  if (words.empty()) return false;
  const std::string& verb = words[0];
  uint64_t addr = 0;
  if (verb == "walk") {
    if (words.size() < 2 || !ParseAddress(words[1], &addr)) {
      *output = "usage: walk ADDR [read|write|exec] [user]\n";
      return true;
    }
    AccessKind kind = AccessKind::kRead;
    bool user = false;
    for (size_t i = 2; i < words.size(); ++i) {
      if (words[i] == "write") kind = AccessKind::kWrite;
      else if (words[i] == "exec") kind = AccessKind::kExecute;
      else if (words[i] == "user") user = true;
      else if (words[i] != "read") {
        *output = absl::StrFormat("walk: unknown word '%s'\n", words[i]);
        return true;
      }
    }
    *output = ExplainWalk(machine, addr, kind, user);
  } else if (verb == "tlb") {
    if (words.size() == 1) {
      *output = Tlbs(machine);
    } else if (words.size() == 2 && ParseAddress(words[1], &addr)) {
      *output = TlbFor(machine, addr);
    } else {
      *output = "usage: tlb [ADDR]\n";
    }
  } else if (verb == "stats") {
    std::ostringstream out;
    machine.PrintStats(out);
    *output = out.str();
  } else if (verb == "cycles") {
    const MachineSnapshot s = machine.Snapshot();
    *output = absl::StrFormat("cycles %d\ninstructions %d\n", s.cycles, s.instructions);
  } else if (verb == "phys") {
    uint64_t len = 0;
    if (words.size() != 3 || !ParseAddress(words[1], &addr) || !absl::SimpleAtoi(words[2], &len)) {
      *output = "usage: phys ADDR LEN  (ADDR hex, LEN decimal)\n";
      return true;
    }
    *output = Phys(machine, addr, len);
  } else {
    return false;
  }
  return true;
}

}  // namespace x64sim
