// The core's part of a checkpoint (docs/checkpoints.md): its architectural
// state and counters, and the caches it keeps beside them — the fast path
// and the decoded blocks — so that a restored run makes exactly the
// translations, decodes and cycle counts the uninterrupted run makes.
#include <map>

#include "absl/strings/str_format.h"
#include "cpu/cpu.h"
#include "cpu/cpu_model.h"
#include "cpu/fx_area.h"
#include "mmu/paging_bits.h"

namespace x64sim {

// A new CpuState field needs a line in CpuState::Serialize (cpu/state.h).
static_assert(sizeof(CpuState) == 1280, "CpuState changed: update its Serialize, then this size");

// A loaded state no instruction sequence reaches is refused, so that the
// core never runs from one (nor hands the host an MXCSR it faults on).
std::string Cpu::ImpossibleState() const {
  const CpuState& s = state;
  constexpr uint64_t kReservedFlags = (1u << 3) | (1u << 5) | (1u << 15) | ~uint64_t{0x3fffff};
  if (!(s.rflags & kFlagsFixed1) || (s.rflags & kReservedFlags)) return "RFLAGS has a reserved bit wrong";
  if ((s.cr0 & kCr0PG) && !(s.cr0 & kCr0PE)) return "CR0.PG without CR0.PE";
  if (s.cr4 & ~SupportedCr4(*cpu_model_)) return "CR4 has a bit the CPU model lacks";
  if (((s.efer & kEferLMA) != 0) != ((s.efer & kEferLME) && (s.cr0 & kCr0PG))) {
    return "EFER.LMA does not follow EFER.LME and CR0.PG";
  }
  if (s.mode != ModeOfState()) return "the CPU mode does not follow CR0, EFER and CS";
  for (SegReg r : {kEs, kCs, kSs, kDs, kFs, kGs}) {
    if (seg_base_[r] != BaseOfSegment(r)) return "a segment base does not follow its segment";
  }
  if ((s.rflags & kVM) && (s.mode != CpuMode::kProtected32 || s.cpl != 3)) {
    return "EFLAGS.VM outside legacy protected mode or at CPL 0-2";
  }
  if (s.mode == CpuMode::kReal && s.cpl != 0) return "CPL 1-3 in real mode";
  // CPL is CS.RPL, but for the moment after MOV to CR0 sets PE, when CS
  // still holds a real-mode selector (base = selector * 16) at CPL 0.
  const Segment& cs = s.seg[kCs];
  const bool just_protected = s.mode == CpuMode::kProtected32 && s.cpl == 0 &&
                              cs.base == uint64_t{cs.selector} << 4;
  if (s.mode != CpuMode::kReal && !(s.rflags & kVM) && !just_protected &&
      (cs.selector & 3) != s.cpl) {
    return "CPL is not CS.RPL";
  }
  if (privilege_ != (s.cpl == 3 ? 1 : 0)) return "the fast path's privilege is not the CPL's";
  if (s.mode == CpuMode::kLong64 ? !paging::IsCanonical(s.rip) : (s.rip >> 32) != 0) {
    return "RIP out of range for the mode";
  }
  if (s.sse.mxcsr & ~kMxcsrMask) return "MXCSR has a reserved bit set";
  // Only DR6.B0-B3 can be held across a MOV SS or POP SS.
  if (s.debug_held_hits & ~0xfu) return "held debug hits name a breakpoint beyond DR3";
  if (!(s.xcr0 & kXcr0X87) || (s.xcr0 & ~kXcr0Supported) ||
      (s.xcr0 & (kXcr0Sse | kXcr0Avx)) == kXcr0Avx) {
    return "XCR0 holds an unsupported component";
  }
  if (generation_ == 0) return "inconsistent link generation";
  return "";
}

void Cpu::SerializeArchitecture(StateArchive& ar, bool model_state_follows) {
  uint64_t clock = cycles();
  bool timed = timing_on_;
  ar(state, seg_base_, exception_.pending, exception_.vector, exception_.has_error_code,
     exception_.error_code, delivery_depth_, generation_, address_space_, next_event_check_,
     instret_, idle_cycles_, idle_wakeups_without_interrupt_, fixed_ctr0_epoch_, fixed_ctr1_epoch_,
     halted_cycles_, blocks_decoded_, block_cache_drops_, code_invalidations_, chained_blocks_,
     fused_pairs_decoded_, last_unimplemented_, cr3_noflush_, rep_pause_rip_, rep_pause_instret_,
     timed, clock);
  ar.Bounded(privilege_, 1, "fast-path privilege");
  uint64_t kinds = unimplemented_counts_.size();
  ar(kinds);
  if (ar.loading()) {
    unimplemented_counts_.clear();
    for (uint64_t i = 0; i < kinds && ar.ok(); ++i) {
      std::string name;
      uint64_t count = 0;
      ar(name, count);
      unimplemented_counts_[name] = count;
    }
  } else {
    for (auto& [name, count] : unimplemented_counts_) {
      std::string copy = name;
      ar(copy, count);
    }
  }
  if (!ar.loading() || !ar.ok()) return;
  if (const std::string why = ImpossibleState(); !why.empty()) {
    ar.Fail(why);
    return;
  }
  SetPrivilege(privilege_);
  UpdateSegmentChecks();
  ArmBreakpoints();  // the fast path loaded with the caches already spares watched pages
  if (state.monitor_armed) MarkCodePage(state.monitor_line & ~kPageOffsetMask);
  timing_on_ = timed && model_ != nullptr;
  if (timing_on_ && !model_state_follows) {
    // The clock goes on where it stood; Machine starts the model there.
    timing_on_ = false;
    idle_cycles_ = clock - instret_;
  }
  link_from_ = nullptr;
}

void Cpu::SerializeCaches(StateArchive& ar) {
  // The fast path: host addresses are saved relative to RAM. An entry with
  // no valid tag is empty whatever its addend says (the next fill resets it).
  const uint64_t ram_bytes = memory_.ram_size();
  for (auto& tlb : soft_tlb_) {
    for (SoftTlbEntry& e : tlb) {
      const bool empty = e.read_tag == kInvalidTag && e.write_tag == kInvalidTag && e.exec_tag == kInvalidTag;
      uint64_t offset = empty ? 0 : e.addend - ram_base_;
      ar(e.read_tag, e.write_tag, e.exec_tag, offset);
      if (!ar.loading()) continue;
      e.addend = offset + ram_base_;
      for (uint64_t tag : {e.read_tag, e.write_tag, e.exec_tag}) {
        if (tag == kInvalidTag) continue;
        const uint64_t phys = offset + tag;
        if (!ar.Check((tag & kPageOffsetMask) == 0 && (phys & kPageOffsetMask) == 0 && phys < ram_bytes,
                      "a fast-path entry outside RAM")) {
          return;
        }
      }
    }
  }
  ar(non_global_);

  // Decoded blocks, page by page in address order, each with whether it
  // holds its table slot; then each block's links by target key.
  std::map<uint64_t, std::vector<Block*>> pages;
  if (!ar.loading()) {
    for (auto& [page, blocks] : blocks_by_page_) {
      for (auto& b : blocks) pages[page].push_back(b.get());
    }
  }
  uint64_t num_blocks = 0;
  for (auto& [page, blocks] : pages) num_blocks += blocks.size();
  ar(num_blocks);
  if (!ar.Check(num_blocks <= kMaxCachedInsns, "too many decoded blocks")) return;
  std::vector<Block*> order;
  if (!ar.loading()) {
    for (auto& [page, blocks] : pages) order.insert(order.end(), blocks.begin(), blocks.end());
  }
  absl::flat_hash_map<uint64_t, Block*> by_key;
  const uint64_t fused = fused_pairs_decoded_;
  for (uint64_t i = 0; i < num_blocks && ar.ok(); ++i) {
    Block* saved = ar.loading() ? nullptr : order[i];
    uint64_t key = saved ? saved->key : 0;
    uint64_t second_page = saved ? saved->second_page : 0;
    int count = saved ? saved->count : 0;
    bool in_slot = saved && block_table_[BlockSlot(key)] == saved;
    ar(key, second_page, count, in_slot);
    if (!ar.loading()) continue;
    auto block = std::make_unique<Block>();
    block->key = key;
    block->second_page = second_page;
    bool cacheable = false;
    if (!ar.Check((key >> 60) == 0 && !(block->mode() == CpuMode::kLong64 && block->code16()) &&
                      (!block->vm86() || (block->mode() == CpuMode::kProtected32 && block->code16())) &&
                      block->phys() < ram_bytes && !by_key.contains(key) &&
                      (!block->straddles() || ((second_page & kPageOffsetMask) == 0 &&
                                               second_page < ram_bytes)),
                  "a decoded block outside RAM") ||
        !ar.Check(DecodeBlock(block->phys(), block->phys(), block.get(), &cacheable) && cacheable &&
                      block->count == count,
                  absl::StrFormat("the block at %#x decodes differently from memory", block->phys()))) {
      return;
    }
    by_key[key] = block.get();
    if (in_slot) block_table_[BlockSlot(key)] = block.get();
    order.push_back(block.get());
    AddBlock(std::move(block));
  }
  fused_pairs_decoded_ = fused;  // decoding again counted them again
  // A link made in an older generation is never followed and may name a
  // block gone since: it is saved as no link.
  auto current = [this](uint64_t epoch) { return epoch / 2 == generation_; };
  constexpr uint64_t kNoBlock = ~0ull;
  auto save_target = [&](const Block* b) { return b != nullptr ? b->key : kNoBlock; };
  auto load_target = [&](uint64_t key) -> const Block* {
    if (key == kNoBlock) return nullptr;
    auto it = by_key.find(key);
    ar.Check(it != by_key.end(), "a block link to no decoded block");
    return it != by_key.end() ? it->second : nullptr;
  };
  for (Block* b : order) {
    for (Block::Link& link : b->links) {
      const bool live = !ar.loading() && current(link.epoch);
      Block::Link saved = live ? link : Block::Link{};
      uint64_t target = save_target(saved.block);
      ar(saved.rip, saved.epoch, saved.address_space, target);
      if (ar.loading()) {
        link = saved;
        link.block = load_target(target);
      }
    }
  }
  uint64_t from = link_from_generation_ == generation_ ? save_target(link_from_) : kNoBlock;
  ar(from);
  if (ar.loading()) {
    link_from_ = load_target(from);
    link_from_generation_ = generation_;
  }
}

}  // namespace x64sim
