#include "uarch/core_model.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cpu/decoded_insn.h"
#include "uarch/form_key.h"

namespace x64sim {

namespace {

// A reciprocal throughput as InsnTiming holds it: 1/60 cycles, and the
// cycles a unit stays busy when it is 2 or more (dividers, locked and
// microcoded forms keep their unit busy).
uint16_t Sixtieths(double throughput) {
  return static_cast<uint16_t>(std::min(throughput * 60 + 0.5, 65535.0));
}
uint8_t Occupancy(double throughput) {
  return static_cast<uint8_t>(throughput >= 2.0 ? std::min(throughput, 255.0) : 0);
}

// The dependency slot of a register, or -1 for registers not tracked
// (segment, control, RIP).
int Slot(ZydisRegister r) {
  switch (ZydisRegisterGetClass(r)) {
    case ZYDIS_REGCLASS_GPR8:
    case ZYDIS_REGCLASS_GPR16:
    case ZYDIS_REGCLASS_GPR32:
    case ZYDIS_REGCLASS_GPR64:
      return ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r) - ZYDIS_REGISTER_RAX;
    case ZYDIS_REGCLASS_XMM:
      return kSlotXmm0 + (r - ZYDIS_REGISTER_XMM0);
    case ZYDIS_REGCLASS_FLAGS:
      return kSlotFlags;
    default:
      return -1;
  }
}

TimingEvent EventOf(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops) {
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_SYSCALL: return TimingEvent::kSyscall;
    case ZYDIS_MNEMONIC_SYSRET: return TimingEvent::kSysret;
    case ZYDIS_MNEMONIC_SWAPGS: return TimingEvent::kSwapgs;
    case ZYDIS_MNEMONIC_IRET:
    case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_IRETQ: return TimingEvent::kIret;
    case ZYDIS_MNEMONIC_INVLPG:
    case ZYDIS_MNEMONIC_INVPCID: return TimingEvent::kInvlpg;
    case ZYDIS_MNEMONIC_WRMSR: return TimingEvent::kWrmsr;
    case ZYDIS_MNEMONIC_RDMSR: return TimingEvent::kRdmsr;
    case ZYDIS_MNEMONIC_CPUID: return TimingEvent::kCpuid;
    case ZYDIS_MNEMONIC_LFENCE: return TimingEvent::kLfence;
    case ZYDIS_MNEMONIC_MFENCE: return TimingEvent::kMfence;
    case ZYDIS_MNEMONIC_RDTSC:
    case ZYDIS_MNEMONIC_RDTSCP: return TimingEvent::kRdtsc;
    case ZYDIS_MNEMONIC_HLT: return TimingEvent::kHlt;
    case ZYDIS_MNEMONIC_MOV:
      if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ZYDIS_REGISTER_CR3) {
        return TimingEvent::kCr3Write;
      }
      if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
          (ZydisRegisterGetClass(ops[0].reg.value) == ZYDIS_REGCLASS_CONTROL ||
           ZydisRegisterGetClass(ops[0].reg.value) == ZYDIS_REGCLASS_DEBUG ||
           ZydisRegisterGetClass(ops[0].reg.value) == ZYDIS_REGCLASS_SEGMENT)) {
        return TimingEvent::kOtherSerializing;
      }
      return TimingEvent::kNone;
    // SDM vol. 3A 9.3 lists the serialising instructions; port I/O, far
    // transfers and software interrupts are as costly and drain too.
    case ZYDIS_MNEMONIC_LGDT: case ZYDIS_MNEMONIC_LIDT: case ZYDIS_MNEMONIC_LLDT:
    case ZYDIS_MNEMONIC_LTR: case ZYDIS_MNEMONIC_INVD: case ZYDIS_MNEMONIC_WBINVD:
    case ZYDIS_MNEMONIC_CLTS: case ZYDIS_MNEMONIC_LMSW: case ZYDIS_MNEMONIC_IN:
    case ZYDIS_MNEMONIC_OUT: case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT3:
    case ZYDIS_MNEMONIC_INTO: case ZYDIS_MNEMONIC_INT1: case ZYDIS_MNEMONIC_SYSENTER:
    case ZYDIS_MNEMONIC_SYSEXIT: case ZYDIS_MNEMONIC_RDPMC: case ZYDIS_MNEMONIC_XSETBV:
    case ZYDIS_MNEMONIC_POPFQ: case ZYDIS_MNEMONIC_POPFD: case ZYDIS_MNEMONIC_POPF:
    case ZYDIS_MNEMONIC_CLI: case ZYDIS_MNEMONIC_STI:
      return TimingEvent::kOtherSerializing;
    default:
      return TimingEvent::kNone;
  }
}

BranchKind BranchOf(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops) {
  const bool direct = insn.operand_count_visible > 0 &&
                      ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
  switch (insn.meta.category) {
    case ZYDIS_CATEGORY_COND_BR: return BranchKind::kConditional;
    case ZYDIS_CATEGORY_UNCOND_BR:
      if (insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) return BranchKind::kOther;
      return direct ? BranchKind::kDirectJump : BranchKind::kIndirectJump;
    case ZYDIS_CATEGORY_CALL:
      if (insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) return BranchKind::kOther;
      return direct ? BranchKind::kDirectCall : BranchKind::kIndirectCall;
    case ZYDIS_CATEGORY_RET:
      return insn.mnemonic == ZYDIS_MNEMONIC_RET ? BranchKind::kReturn : BranchKind::kOther;
    default:
      return BranchKind::kNone;
  }
}

// XOR/SUB/PXOR... of a register with itself: the result does not depend on
// the register (Intel optimization manual 3.5.1.8, "zero idioms").
bool IsZeroIdiom(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops) {
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_SBB:
    case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_XORPS: case ZYDIS_MNEMONIC_XORPD:
    case ZYDIS_MNEMONIC_PSUBB: case ZYDIS_MNEMONIC_PSUBW: case ZYDIS_MNEMONIC_PSUBD:
    case ZYDIS_MNEMONIC_PSUBQ: case ZYDIS_MNEMONIC_PCMPGTB: case ZYDIS_MNEMONIC_PCMPGTW:
    case ZYDIS_MNEMONIC_PCMPGTD:
      return insn.operand_count_visible == 2 && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
             ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ops[1].reg.value;
    default:
      return false;
  }
}

bool UsesStackEngine(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_PUSH: case ZYDIS_MNEMONIC_POP: case ZYDIS_MNEMONIC_CALL:
    case ZYDIS_MNEMONIC_RET:
      return true;
    default:
      return false;
  }
}

// The condition family of a flag-testing Jcc, or kJccFamilies for other
// branches (JRCXZ, LOOP: they never fuse).
JccFamily FamilyOf(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JNO: return kJccO;
    case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_JNS: return kJccS;
    case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JNP: return kJccP;
    case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_JNB: return kJccB;
    case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JNBE: return kJccBe;
    case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_JNZ: return kJccZ;
    case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JNL: return kJccL;
    case ZYDIS_MNEMONIC_JLE: case ZYDIS_MNEMONIC_JNLE: return kJccLe;
    default: return kJccFamilies;
  }
}

// The Jcc families `insn` may fuse with as the first of a pair: none if it
// writes memory (a read-modify-write is several micro-ops; neither vendor
// fuses it) or, unless the description allows it, combines a memory
// operand with an immediate.
uint8_t FusableFamilies(const UarchDescription& d, const ZydisDecodedInstruction& insn,
                        const ZydisDecodedOperand* ops) {
  if (d.fusion.empty()) return 0;
  switch (insn.mnemonic) {  // the only names a `fuse` rule may hold: skip the lookup for the rest
    case ZYDIS_MNEMONIC_CMP: case ZYDIS_MNEMONIC_TEST: case ZYDIS_MNEMONIC_ADD:
    case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR:
    case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC: break;
    default: return 0;
  }
  const auto it = d.fusion.find(absl::AsciiStrToUpper(ZydisMnemonicGetString(insn.mnemonic)));
  if (it == d.fusion.end()) return 0;
  bool memory = false;
  bool immediate = false;
  for (int i = 0; i < insn.operand_count_visible; ++i) {
    if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) {
      if (ops[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) return 0;
      memory = true;
    }
    if (ops[i].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) immediate = true;
  }
  if (memory && immediate && !d.fuse_memory_immediate) return 0;
  return it->second;
}

// Makes `jcc` one macro-op with the instruction before it: the pair takes
// the first's front-end slot and books its ALU micro-op on the branch's
// ports; the branch resolves when the pair executes.
void Fuse(InsnTiming* first, InsnTiming* jcc) {
  const uint32_t branch_ports = jcc->group_ports[0];
  for (int g = 0; g < first->groups; ++g) {
    if (first->group_ports[g] & branch_ports) {
      first->group_ports[g] = branch_ports;
      break;
    }
  }
  jcc->issue_uops = 0;
  jcc->groups = 0;
  jcc->group_ports[0] = 0;
  jcc->group_uops[0] = 0;
  jcc->latency = 0;
  jcc->throughput = 0;
}

}  // namespace

CoreModel::CoreModel(const UarchDescription& d, Mmu& mmu)
    : d_(d),
      mmu_(mmu),
      caches_(d_),
      predictor_(d_.branch),
      issue_width_(d_.issue_width),
      retire_width_(d_.retire_width),
      store_buffer_entries_(static_cast<uint64_t>(d_.store_buffer)),
      store_forward_latency_(d_.store_forward_latency),
      stlb_hit_latency_(d_.stlb_hit_latency),
      rob_(d_.rob_entries),
      load_buffer_(d_.load_buffer),
      store_buffer_(d_.store_buffer),
      form_next_(d_.forms.size() + 1, 0),
      line_shift_(std::countr_zero(static_cast<unsigned>(d_.l1i.line_bytes))) {
  taken_penalty_.fill(d_.branch.taken_penalty);
  taken_penalty_[static_cast<int>(BranchKind::kReturn)] = d_.branch.return_penalty;
  taken_penalty_[static_cast<int>(BranchKind::kIndirectJump)] = d_.branch.indirect_penalty;
  taken_penalty_[static_cast<int>(BranchKind::kIndirectCall)] = d_.branch.indirect_penalty;
  for (int kind = 0; kind < kDivideKinds; ++kind) {
    for (int wide = 0; wide < 2; ++wide) {
      const DivideCost& c = d_.divides[kind][wide];
      if (!c.given) continue;
      for (int bits = 0; bits <= 64; ++bits) {
        const double latency =
            c.latency + c.latency_per_bit * std::max(0, bits - c.latency_free_bits);
        const double throughput =
            c.throughput + c.throughput_per_bit * std::max(0, bits - c.throughput_free_bits);
        divide_cycles_[kind][wide][bits] = {
            .given = true,
            .latency = static_cast<uint8_t>(std::min(latency + 0.5, 255.0)),
            .occupancy = Occupancy(throughput),
            .throughput = Sixtieths(throughput),
        };
      }
    }
  }
}

void CoreModel::Annotate(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops,
                         uint64_t phys, InsnTiming* out) {
  *out = InsnTiming{};
  out->form = static_cast<uint16_t>(d_.forms.size());  // the spare slot, until the form is found
  out->new_line = ((phys + insn.length - 1) >> line_shift_) != ((phys - 1) >> line_shift_);
  out->length = insn.length;
  const std::string key = FormKey(insn, ops);
  auto it = d_.forms.find(key);
  if (it == d_.forms.end()) {
    // The loader checks every form the core binds; reaching here means the
    // enumeration missed one. Count it and say so in the stats, once.
    if (unknown_forms_++ == 0) first_unknown_form_ = key;
  } else {
    const FormTiming& f = it->second;
    out->latency = static_cast<uint8_t>(std::min(f.latency, 255));
    // Every instruction takes at least one front-end slot.
    out->issue_uops = static_cast<uint8_t>(std::clamp(f.uops, 1, 255));
    for (const UopGroup& g : f.groups) {
      const int slot = std::min<int>(out->groups, 3);
      out->group_ports[slot] |= g.ports;
      out->group_uops[slot] = static_cast<uint8_t>(std::min(out->group_uops[slot] + g.uops, 255));
      if (out->groups < 4) ++out->groups;
    }
    out->occupancy = Occupancy(f.throughput);
    out->form = static_cast<uint16_t>(f.id);
    out->throughput = Sixtieths(f.throughput);
    // One group of u micro-ops on p ports cannot beat u/p cycles an
    // instance anyway: a throughput no worse than that needs no bound of its
    // own, and instances of the form may then issue out of order.
    if (out->groups == 1 && out->group_uops[0] > 0 &&
        out->throughput * std::popcount(out->group_ports[0]) <= 60 * out->group_uops[0]) {
      out->throughput = 0;
    }
    // A form with no micro-op on a port (an eliminated move, a NOP) is bound
    // by the dispatch width alone; a throughput within it (to the two
    // decimals the files give) needs no bound, so its instances never wait
    // for each other in order.
    if (out->groups == 0 && f.throughput <= std::round(100.0 / issue_width_) / 100) {
      out->throughput = 0;
    }
  }
  const bool zero_idiom = IsZeroIdiom(insn, ops);
  // LEA with base, index and a displacement or scale: a slower unit on both
  // Intel and AMD cores (core.lea-complex-latency).
  if (insn.mnemonic == ZYDIS_MNEMONIC_LEA && ops[1].mem.base != ZYDIS_REGISTER_NONE &&
      ops[1].mem.index != ZYDIS_REGISTER_NONE &&
      (ops[1].mem.disp.has_displacement || ops[1].mem.scale > 1)) {
    out->latency = static_cast<uint8_t>(d_.lea_complex_latency);
  }
  bool scaled_load = false;
  for (int i = 0; i < insn.operand_count; ++i) {
    const ZydisDecodedOperand& op = ops[i];
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      const int slot = Slot(op.reg.value);
      if (slot < 0) continue;
      const uint64_t bit = 1ull << slot;
      if ((op.actions & ZYDIS_OPERAND_ACTION_MASK_READ) && !zero_idiom) out->sources |= bit;
      if (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) {
        out->destinations |= bit;
        // 8- and 16-bit writes merge into the old value.
        if (op.size < 32 && slot < 16) out->sources |= bit;
      }
    } else if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
      uint64_t regs = 0;
      if (int b = Slot(op.mem.base); b >= 0) regs |= 1ull << b;
      if (int x = Slot(op.mem.index); x >= 0) regs |= 1ull << x;
      if (op.mem.type == ZYDIS_MEMOP_TYPE_AGEN) {
        out->sources |= regs;
        continue;
      }
      out->address_sources |= regs;
      if (op.actions & ZYDIS_OPERAND_ACTION_MASK_READ) {
        ++out->loads;
        if (op.mem.index != ZYDIS_REGISTER_NONE && op.mem.scale > 1) scaled_load = true;
      }
      if (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) ++out->stores;
    }
  }
  if (insn.cpu_flags != nullptr) {
    if (insn.cpu_flags->tested) out->sources |= 1ull << kSlotFlags;
    if (insn.cpu_flags->modified | insn.cpu_flags->set_0 | insn.cpu_flags->set_1 |
        insn.cpu_flags->undefined) {
      out->destinations |= 1ull << kSlotFlags;
    }
  }
  if (UsesStackEngine(insn.mnemonic)) {
    // The stack engine tracks RSP at decode (Intel optimization manual
    // 2.5.3.2, "Stack Pointer Tracker"): no micro-op waits for it.
    constexpr uint64_t kRspBit = 1ull << 4;
    out->sources &= ~kRspBit;
    out->address_sources &= ~kRspBit;
    out->destinations &= ~kRspBit;
  }
  out->branch = BranchOf(insn, ops);
  out->event = EventOf(insn, ops);
  if (out->event != TimingEvent::kNone) {
    // The event table prices it (after the pipeline drains); its form line
    // gives only the micro-ops it dispatches.
    out->latency = 1;
    out->occupancy = 0;
    out->throughput = 0;
  }
  if (scaled_load) {
    out->load_delay = static_cast<uint8_t>(std::min(d_.load_scaled_index_latency, 255));
  }
  out->rep_string = (insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
                                        ZYDIS_ATTRIB_HAS_REPNE)) &&
                    insn.meta.category == ZYDIS_CATEGORY_STRINGOP;
  if (insn.mnemonic == ZYDIS_MNEMONIC_DIV || insn.mnemonic == ZYDIS_MNEMONIC_IDIV) {
    // Every division takes the complex path, which consumes its record.
    out->divide = static_cast<uint8_t>(
        1 + DivideKind(insn.mnemonic == ZYDIS_MNEMONIC_IDIV, ops[0].size));
  }
  out->simple = out->loads == 0 && out->stores == 0 && out->event == TimingEvent::kNone &&
                !out->rep_string && out->occupancy == 0 && out->groups <= 1 && out->divide == 0;
  // Macro-fusion: the pair must be adjacent in code and in one block (the
  // core annotates a block's instructions into consecutive entries).
  if (out->branch == BranchKind::kConditional && out == fusable_next_ &&
      phys == fusable_end_phys_ && FamilyOf(insn.mnemonic) != kJccFamilies &&
      (fusable_families_ >> FamilyOf(insn.mnemonic)) & 1) {
    Fuse(out - 1, out);
  }
  fusable_families_ = FusableFamilies(d_, insn, ops);
  fusable_next_ = out + 1;
  fusable_end_phys_ = phys + insn.length;
}

void CoreModel::Start(uint64_t cycle) {
  dispatch_cycle_ = retire_cycle_ = cycle;
  dispatch_slots_ = retire_slots_ = 0;
  port_slots_.fill(PortSlot{});
  reg_ready_.fill(cycle);
  rob_.Fill(cycle);
  load_buffer_.Fill(cycle);
  store_buffer_.Fill(cycle);
  unit_windows_.fill(UnitWindows{});
  std::fill(form_next_.begin(), form_next_.end(), cycle * 60);
  last_touched_page_ = ~0ull;
  last_fetch_page_ = ~0ull;
}

void CoreModel::SleepUntil(uint64_t cycle) {
  if (cycle <= retire_cycle_) return;
  AdvanceDispatch(cycle);
  retire_cycle_ = cycle;
  retire_slots_ = 0;
}

uint64_t CoreModel::BookLater(uint32_t ports, uint64_t from, int* port) {
  const uint64_t end = dispatch_cycle_ + kRing;
  for (uint64_t c = from; c < end; ++c) {
    PortSlot& slot = port_slots_[c & (kRing - 1)];
    const uint32_t lap = static_cast<uint32_t>(c / kRing);
    if (slot.lap != lap) slot = {lap, 0};
    const uint32_t free = ports & ~slot.used;
    if (free != 0) {
      const uint32_t pick = free & (0u - free);
      slot.used |= pick;
      *port = std::countr_zero(pick);
      return c;
    }
  }
  return Unbooked(ports, from - 1, port);
}

uint64_t CoreModel::BookUnit(uint32_t ports, int occupancy, uint64_t from) {
  UnitWindows& unit = unit_windows_[std::countr_zero(ports | 0x80000000u)];
  const uint64_t end = dispatch_cycle_ + kRing;
  uint64_t t = std::max(from, dispatch_cycle_);
  for (bool moved = true; moved && t < end;) {
    moved = false;
    for (int w = 0; w < kUnitWindows; ++w) {
      if (t < unit.end[w] && unit.begin[w] < t + static_cast<uint64_t>(occupancy)) {
        t = unit.end[w];
        moved = true;
      }
    }
    if (!moved && t < end && !PortFree(ports, t)) {
      ++t;
      moved = true;
    }
  }
  int port = 0;
  const uint64_t c = t < end ? Book(ports, t, &port) : t;
  int slot = 0;
  for (int w = 1; w < kUnitWindows; ++w) {
    if (unit.end[w] < unit.end[slot]) slot = w;
  }
  unit.begin[slot] = c;
  unit.end[slot] = c + static_cast<uint64_t>(occupancy);
  return c;
}

uint64_t CoreModel::BookGroupLater(uint32_t ports, int uops, uint64_t from, uint64_t* first) {
  // Micro-ops that find no port inside the window issue at `from`, unbooked.
  *first = from;
  uint64_t last = from;
  bool booked = false;
  const uint64_t end = dispatch_cycle_ + kRing;
  for (uint64_t c = from; c < end && uops > 0; ++c) {
    PortSlot& slot = port_slots_[c & (kRing - 1)];
    const uint32_t lap = static_cast<uint32_t>(c / kRing);
    if (slot.lap != lap) slot = {lap, 0};
    uint32_t free = ports & ~slot.used;
    if (free == 0) continue;
    if (!booked) *first = c;
    booked = true;
    last = c;
    for (; free != 0 && uops > 0; --uops) {
      slot.used |= free & (0u - free);
      free &= free - 1;
    }
  }
  return last;
}

int CoreModel::TlbCycles(const MemAccess& a, uint16_t pcid) {
  if (!(a.flags & kAccessFastPath)) return a.walk_cycles;
  const uint64_t page = a.linear >> 12;
  if (page == last_touched_page_ && pcid == last_touched_pcid_) {
    mmu_.CountRepeatHit(last_touch_);
    return 0;
  }
  last_touch_ = mmu_.Touch(a.linear, /*instruction=*/false, pcid);
  const bool repeatable = last_touch_.array >= 0;
  last_touched_page_ = repeatable ? page : ~0ull;
  last_touched_pcid_ = pcid;
  switch (last_touch_.source) {
    case TlbSource::kStlb:
      stlb_hit_cycles_ += stlb_hit_latency_;
      return stlb_hit_latency_;
    case TlbSource::kWalk:
      ++untracked_tlb_hits_;
      return 0;
    default:
      return 0;
  }
}

int CoreModel::FetchTlbCycles(uint64_t linear, uint16_t pcid) {
  const uint64_t page = linear >> 12;
  if (page == last_fetch_page_ && pcid == last_fetch_pcid_) {
    mmu_.CountRepeatHit(last_fetch_touch_);
    return 0;
  }
  last_fetch_touch_ = mmu_.Touch(linear, /*instruction=*/true, pcid);
  last_fetch_page_ = last_fetch_touch_.array >= 0 ? page : ~0ull;
  last_fetch_pcid_ = pcid;
  if (last_fetch_touch_.source == TlbSource::kWalk) ++untracked_tlb_hits_;
  if (last_fetch_touch_.source != TlbSource::kStlb) return 0;
  stlb_hit_cycles_ += stlb_hit_latency_;
  return stlb_hit_latency_;
}

uint64_t CoreModel::LoadReady(const MemAccess& a, uint64_t address_ready) {
  const uint64_t word = a.phys >> 3;
  const StoreRecord& s = forward_[word % kForwardSlots];
  if (s.word == word && stores_ - s.seq <= store_buffer_entries_) {
    ++forwarded_loads_;
    caches_.Data(a.phys);
    return std::max(address_ready + store_forward_latency_, s.ready);
  }
  return address_ready + caches_.Data(a.phys);
}

void CoreModel::Drain(TimingEvent event, int cost_cycles) {
  const uint64_t before = std::max(dispatch_cycle_, retire_cycle_);
  AdvanceDispatch(before + cost_cycles);
  ++event_count_[static_cast<int>(event)];
  event_cycles_[static_cast<int>(event)] += cost_cycles;
}

uint64_t CoreModel::RepCycles(const RepWork& w) {
  rep_elements_ += w.elements;
  const uint64_t bytes = w.elements * w.element_size;
  // Every line the run touches goes through the caches; misses overlap up
  // to the fill buffers.
  uint64_t miss_cycles = 0;
  const uint64_t line = static_cast<uint64_t>(caches_.line_bytes());
  for (uint64_t base : {w.dst_phys, w.src_phys}) {
    if (base == kNoSource || bytes == 0) continue;
    for (uint64_t p = base & ~(line - 1); p < base + bytes; p += line) {
      miss_cycles += static_cast<uint64_t>(caches_.Data(p) - d_.l1d.latency);
    }
  }
  const uint64_t stream = static_cast<uint64_t>(bytes / d_.rep_bytes_per_cycle);
  return d_.rep_startup + std::max(stream, miss_cycles / d_.fill_buffers);
}

void CoreModel::FetchLine(uint64_t phys) {
  if (const int stall = caches_.Fetch(phys); stall > 0) {
    fetch_stall_cycles_ += stall;
    AdvanceDispatch(dispatch_cycle_ + stall);
  }
}

uint64_t CoreModel::ExecuteComplex(const InsnTiming& t, const PricedRange& r, uint32_t rip32,
                                   Cursors* cursors) {
  uint64_t ready = dispatch_cycle_;
  for (uint64_t s = t.sources; s != 0; s &= s - 1) {
    ready = std::max(ready, reg_ready_[std::countr_zero(s)]);
  }
  uint64_t address_ready = dispatch_cycle_;
  for (uint64_t s = t.address_sources; s != 0; s &= s - 1) {
    address_ready = std::max(address_ready, reg_ready_[std::countr_zero(s)]);
  }
  const uint64_t store_data_ready = ready;  // a store's data, forwarded to a later load
  // Memory: each access this instruction made, in order.
  uint64_t data_ready = ready;
  const MemAccess* first_store = nullptr;
  const MemAccess* access = cursors->access;
  const MemAccess* const access_end = r.accesses + r.num_accesses;
  for (; access != access_end && access->rip == rip32; ++access) {
    const uint64_t tlb_ready = address_ready + (r.paging ? TlbCycles(*access, r.pcid) : 0);
    if (access->flags & kAccessWrite) {
      if (first_store == nullptr) first_store = access;
      caches_.Data(access->phys);
    } else {
      const uint64_t address_known = tlb_ready + t.load_delay;  // a scaled index: a cycle later
      data_ready = std::max(data_ready, LoadReady(*access, address_known));
    }
  }
  cursors->access = access;
  uint64_t done = data_ready;
  if (t.rep_string) {
    // The microcode sequencer issues the run's micro-ops: nothing after it
    // dispatches until it is done.
    uint64_t run = 0;
    const RepWork* rep = cursors->rep;
    for (; rep != r.reps + r.num_reps && rep->rip == rip32; ++rep) run += RepCycles(*rep);
    cursors->rep = rep;
    done += run;
    AdvanceDispatch(dispatch_cycle_ + run);
  }
  // A division's cost by its operands, where the description gives one.
  int latency = t.latency;
  int occupancy = t.occupancy;
  uint16_t throughput = t.throughput;
  if (t.divide != 0 && cursors->divide != r.divides + r.num_divides &&
      cursors->divide->rip == rip32) {
    const DivideWork& w = *cursors->divide++;
    const DivideCycles& c = divide_cycles_[t.divide - 1][w.wide][std::min<int>(w.quotient_bits, 64)];
    if (c.given) {
      latency = c.latency;
      occupancy = c.occupancy;
      throughput = c.throughput;
    }
  }
  // Execution: every micro-op group on its ports, a memory form's from when
  // its address is known (its load and store-address micro-ops go first);
  // the result is ready a latency after the data and the last micro-op.
  const uint64_t book_from =
      std::max((t.loads || t.stores) ? std::max(address_ready, ready) : data_ready, FormReady(t));
  uint64_t issue = book_from;
  uint64_t first_issue = 0;
  for (int g = 0; g < t.groups; ++g) {
    int uops = t.group_uops[g];
    if (uops == 0) continue;
    if (occupancy && g == 0) {
      // A non-pipelined unit: the first micro-op waits until it is free for
      // the whole occupancy, and keeps it busy.
      const uint64_t c = BookUnit(t.group_ports[0], occupancy, book_from);
      first_issue = c;
      issue = std::max(issue, c);
      if (--uops == 0) continue;
    }
    uint64_t first = 0;
    issue = std::max(issue, BookGroup(t.group_ports[g], uops, book_from, &first));
    if (g == 0 && !occupancy) first_issue = first;
  }
  FormIssued(t.form, throughput, t.groups != 0 ? first_issue : book_from);
  done = std::max(done, std::max(issue, data_ready) + latency);
  if (first_store != nullptr) {
    forward_[(first_store->phys >> 3) % kForwardSlots] = {first_store->phys >> 3, store_data_ready,
                                                          stores_};
  }
  return done;
}

TimingModel::Used CoreModel::Price(const PricedRange& r) {
  const uint64_t start = retire_cycle_;
  // Instruction fetch: the block's first line through the L1I, its page
  // through the ITLB; later lines as instructions reach them.
  if (r.begin == 0) {
    const int stall =
        (r.paging ? FetchTlbCycles(r.fetch_linear, r.pcid) : 0) + caches_.Fetch(r.code_phys);
    if (stall > 0) {
      fetch_stall_cycles_ += stall;
      AdvanceDispatch(dispatch_cycle_ + stall);
    }
  }
  Cursors cursors{r.accesses, r.reps, r.divides};
  uint64_t rip = r.rip;
  uint64_t code = r.code_phys;
  uint64_t done = 0;
  // Held in locals: the stores below could otherwise alias the range.
  const InsnTiming* const timing = r.timing;
  const int end = r.end;
  for (int i = r.begin; i < end; ++i) {
    const InsnTiming& t = timing[i];
    const int length = t.length;
    if (t.new_line) FetchLine(code + length - 1);
    if (t.simple) {
      // The short path: registers in, one port group, registers out.
      Dispatch<false>(t);
      uint64_t ready = dispatch_cycle_;
      if (t.throughput != 0) ready = std::max(ready, FormReady(t));
      for (uint64_t s = t.sources; s != 0; s &= s - 1) {
        ready = std::max(ready, reg_ready_[std::countr_zero(s)]);
      }
      uint64_t issue = ready;
      uint64_t first = ready;
      if (t.group_uops[0] != 0) issue = BookGroup(t.group_ports[0], t.group_uops[0], ready, &first);
      if (t.throughput != 0) FormIssued(t.form, t.throughput, first);
      done = issue + t.latency;
    } else {
      if (t.event != TimingEvent::kNone) {
        TimingEvent e = t.event;
        if (e == TimingEvent::kCr3Write && r.cr3_noflush) e = TimingEvent::kCr3WriteNoFlush;
        Drain(e, d_.event_cycles[static_cast<int>(e)]);
      }
      Dispatch<true>(t);
      done = ExecuteComplex(t, r, static_cast<uint32_t>(rip), &cursors);
    }
    for (uint64_t s = t.destinations; s != 0; s &= s - 1) reg_ready_[std::countr_zero(s)] = done;
    Retire(done, t.issue_uops != 0);  // a fused branch retires with its pair
    rob_.Push(retire_cycle_);
    if (!t.simple) {
      for (int l = 0; l < t.loads; ++l) load_buffer_.Push(retire_cycle_);
      for (int s = 0; s < t.stores; ++s) store_buffer_.Push(retire_cycle_);
      stores_ += t.stores;
    }
    if (t.branch != BranchKind::kNone) {
      // A branch before the range's end fell through (blocks run past
      // conditional branches not taken); the last one went to next_rip.
      const uint64_t fallthrough = rip + length;
      const bool last = i == end - 1;
      if (!last || r.leaves_block) ResolveBranch(t.branch, rip, fallthrough,
                                                 last ? r.next_rip : fallthrough, done);
    }
    rip += length;
    code += length;
  }
  cycles_by_cpl_[r.cpl & 3] += retire_cycle_ - start;
  return {static_cast<int>(cursors.access - r.accesses), static_cast<int>(cursors.rep - r.reps),
          static_cast<int>(cursors.divide - r.divides)};
}

void CoreModel::ResolveBranch(BranchKind kind, uint64_t rip, uint64_t fallthrough,
                              uint64_t target, uint64_t done) {
  if (predictor_.Resolve(kind, rip, fallthrough, target)) {
    const uint64_t restart = done + d_.branch.mispredict_penalty;
    if (restart > dispatch_cycle_) mispredict_cycles_ += restart - dispatch_cycle_;
    AdvanceDispatch(restart);
  } else if (target != fallthrough) {
    // A new fetch group (branch.taken-penalty, -return-penalty, -indirect-penalty).
    AdvanceDispatch(dispatch_cycle_ + taken_penalty_[static_cast<int>(kind)]);
  }
}

void CoreModel::Deliver(TimingEvent event, int cpl) {
  const uint64_t start = retire_cycle_;
  Drain(event, d_.event_cycles[static_cast<int>(event)]);
  Retire(dispatch_cycle_, 1);
  cycles_by_cpl_[cpl & 3] += retire_cycle_ - start;
}

void CoreModel::OnTranslate(const WalkRecord& record) {
  uint32_t cost = 0;
  if (record.tlb == TlbSource::kStlb) {
    cost = stlb_hit_latency_;
    stlb_hit_cycles_ += cost;
  } else if (record.tlb == TlbSource::kWalk) {
    // Each paging-structure entry read is a load through the data caches,
    // one after the other (each names the next table).
    for (int i = 0; i < record.num_steps; ++i) {
      cost += static_cast<uint32_t>(caches_.Data(record.steps[i].entry_paddr) +
                                    d_.walk_step_overhead);
    }
    walk_cycles_ += cost;
  }
  pending_walk_cycles_ = std::min<uint32_t>(pending_walk_cycles_ + cost, 0xffff);
}

uint64_t CoreModel::mispredictions() const {
  uint64_t n = 0;
  for (uint64_t m : predictor_.mispredicted) n += m;
  return n;
}

void CoreModel::Serialize(StateArchive& ar) {
  ar(caches_, predictor_, dispatch_cycle_, dispatch_slots_, retire_cycle_, retire_slots_, rob_,
     load_buffer_, store_buffer_, stores_, reg_ready_, port_slots_, unit_windows_);
  ar.FixedSize(form_next_, "form issue budgets");
  ar(forward_, last_touched_page_, last_touched_pcid_, last_touch_, last_fetch_page_,
     last_fetch_pcid_, last_fetch_touch_, pending_walk_cycles_);
  ar(cycles_by_cpl_, event_count_, event_cycles_, walk_cycles_, stlb_hit_cycles_, forwarded_loads_,
     fetch_stall_cycles_, mispredict_cycles_, rep_elements_, unknown_forms_, untracked_tlb_hits_,
     first_unknown_form_);
}

CoreCounters CoreModel::counters() const {
  CoreCounters c;
  std::copy(std::begin(cycles_by_cpl_), std::end(cycles_by_cpl_), c.cycles_by_cpl);
  std::copy(std::begin(event_count_), std::end(event_count_), c.event_count);
  std::copy(std::begin(event_cycles_), std::end(event_cycles_), c.event_cycles);
  c.mispredictions = mispredictions();
  c.mispredict_cycles = mispredict_cycles_;
  c.fetch_stall_cycles = fetch_stall_cycles_;
  c.walk_cycles = walk_cycles_;
  c.stlb_hit_cycles = stlb_hit_cycles_;
  return c;
}

void CoreModel::PrintStats(std::ostream& out, uint64_t instructions) const {
  auto line = [&](const std::string& name, auto value) { out << name << " " << value << "\n"; };
  out << "[timing]\n";
  line("uarch", d_.name);
  line("cycles", retire_cycle_);
  line("ipc", absl::StrFormat("%.3f", retire_cycle_ ? static_cast<double>(instructions) /
                                                          static_cast<double>(retire_cycle_)
                                                    : 0.0));
  static const char* const kCpl[] = {"cycles.cpl0", "cycles.cpl1", "cycles.cpl2", "cycles.cpl3"};
  for (int c = 0; c < 4; ++c) {
    if (cycles_by_cpl_[c] != 0 || c == 0 || c == 3) line(kCpl[c], cycles_by_cpl_[c]);
  }
  for (const CacheLevel* c : {&caches_.l1i(), &caches_.l1d(), &caches_.l2(), &caches_.l3()}) {
    const char* name = c == &caches_.l1i() ? "l1i" : c == &caches_.l1d() ? "l1d"
                     : c == &caches_.l2() ? "l2" : "l3";
    line(absl::StrCat("cache.", name, ".hits"), c->hits);
    line(absl::StrCat("cache.", name, ".misses"), c->misses);
  }
  line("cache.dram.accesses", caches_.dram_accesses());
  line("cache.forwarded_loads", forwarded_loads_);
  line("tlb.stlb_hit_cycles", stlb_hit_cycles_);
  line("tlb.walk_cycles", walk_cycles_);
  if (untracked_tlb_hits_ != 0) line("tlb.untracked_fast_path_hits", untracked_tlb_hits_);
  static const char* const kKinds[] = {"none", "conditional", "direct_jump", "direct_call",
                                       "indirect_jump", "indirect_call", "return", "other"};
  for (int k = 1; k < 7; ++k) {
    if (predictor_.predicted[k] == 0) continue;
    line(absl::StrCat("branch.", kKinds[k], ".predicted"), predictor_.predicted[k]);
    line(absl::StrCat("branch.", kKinds[k], ".mispredicted"), predictor_.mispredicted[k]);
  }
  line("branch.mispredict_cycles", mispredict_cycles_);
  line("frontend.fetch_stall_cycles", fetch_stall_cycles_);
  for (int e = 1; e < static_cast<int>(TimingEvent::kCount); ++e) {
    if (event_count_[e] == 0) continue;
    const char* name = TimingEventName(static_cast<TimingEvent>(e));
    line(absl::StrCat("event.", name, ".count"), event_count_[e]);
    line(absl::StrCat("event.", name, ".cycles"), event_cycles_[e]);
  }
  if (rep_elements_ != 0) line("rep.elements", rep_elements_);
  if (unknown_forms_ != 0) {
    line("unknown_forms", absl::StrCat(unknown_forms_, " (first: ", first_unknown_form_, ")"));
  }
}

}  // namespace x64sim
