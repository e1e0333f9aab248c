// Run loop and decoded-block cache.
#include "cpu/cpu.h"

#include <Zydis/Zydis.h>

#include <algorithm>

#include "absl/strings/str_format.h"
#include "cpu/binder.h"
#include "cpu/code_decoder.h"
#include "cpu/fill_loop.h"
#include "cpu/isa_gate.h"

namespace x64sim {

struct Cpu::Decoders {
  ZydisDecoder by_width[3];  // indexed by CodeWidth
  ZydisFormatter formatter;
  IsaGate gate{DefaultCpuModel()};

  const ZydisDecoder* For(CpuMode mode, bool code16) const {
    return &by_width[static_cast<int>(CodeWidthOf(mode, code16))];
  }
};

namespace {

Flow InvalidOpcode(Cpu& cpu, const DecodedInsn&) { return cpu.FaultNoCode(kInvalidOpcode); }
Flow UnimplementedInsn(Cpu& cpu, const DecodedInsn& in) { return cpu.Unimplemented(in); }
// An instruction that does not lie wholly within CS's limit (SDM vol. 3A 5.3).
Flow BeyondCodeLimit(Cpu& cpu, const DecodedInsn&) { return cpu.Fault(kGeneralProtection, 0); }
// The marker after a block's last instruction, and what the instructions of
// an invalidated block become: back to the run loop, nothing retired.
Flow EndOfBlock(Cpu&, const DecodedInsn&) { return Flow::kNext; }

}  // namespace

Cpu::Cpu(PhysicalMemory& memory, Mmu& mmu, IoBus& io)
    : memory_(memory), mmu_(mmu), io_(io), block_table_(kBlockTableSize, nullptr),
      decoders_(std::make_unique<Decoders>()) {
  for (CodeWidth w : {CodeWidth::k64, CodeWidth::k32, CodeWidth::k16}) {
    InitCodeDecoder(&decoders_->by_width[static_cast<int>(w)], w);
  }
  ZydisFormatterInit(&decoders_->formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  set_cpu_model(DefaultCpuModel());
  mmu_.set_listener(this);
  ram_base_ = reinterpret_cast<uint64_t>(memory_.RamPointer(0));
  for (SegReg r : {kEs, kCs, kSs, kDs, kFs, kGs}) state.seg[r].attributes = 0x93;
  state.seg[kCs].attributes = 0x9b;
  UpdateMode();
}

Cpu::~Cpu() { mmu_.set_listener(nullptr); }

void Cpu::set_cpu_model(const CpuModel& model) {
  cpu_model_ = &model;
  decoders_->gate = IsaGate(model);
  for (ZydisDecoder& d : decoders_->by_width) decoders_->gate.ConfigureDecoder(&d);
  if (!blocks_by_page_.empty()) DropAllBlocks();  // decoded under the previous model
}

void Cpu::RequestStop(StopInfo info) {
  if (stop_.reason == StopReason::kNone) stop_ = std::move(info);
  chain_until_ = 0;
}

Flow Cpu::Fault(uint8_t vector, uint32_t error_code) {
  exception_ = {true, vector, true, error_code};
  return Flow::kFault;
}

Flow Cpu::FaultNoCode(uint8_t vector) {
  exception_ = {true, vector, false, 0};
  return Flow::kFault;
}

Flow Cpu::Unimplemented(const DecodedInsn& in) {
  const std::string name = ZydisMnemonicGetString(static_cast<ZydisMnemonic>(in.mnemonic));
  ++unimplemented_counts_[name];
  if (stop_on_unimplemented_) {
    RequestStop({StopReason::kUnimplemented, 0,
                 absl::StrFormat("unimplemented instruction %s", DescribeInstructionAt(state.rip))});
  }
  last_unimplemented_ = name;
  return FaultNoCode(kInvalidOpcode);
}

std::string Cpu::ModeName() const {
  switch (state.mode) {
    case CpuMode::kReal: return "real mode";
    case CpuMode::kProtected32:
      if (state.rflags & kVM) return "virtual-8086 mode";
      return code16_ ? "16-bit protected mode" : "32-bit protected mode";
    case CpuMode::kCompat32: return code16_ ? "compatibility mode (16-bit code)" : "compatibility mode";
    case CpuMode::kLong64: return "64-bit mode";
  }
  return "?";
}

std::string Cpu::DescribeInstructionAt(uint64_t rip) {
  uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
  int n = 0;
  PagingContext ctx = MakePagingContext(state.cpl == 3);
  for (; n < ZYDIS_MAX_INSTRUCTION_LENGTH; ++n) {
    Translation t = mmu_.Peek(seg_base_[kCs] + rip + n, AccessKind::kExecute, ctx);
    uint8_t* host = t.ok ? memory_.RamPointer(t.phys) : nullptr;
    if (host == nullptr) break;
    bytes[n] = *host;
  }
  std::string hex;
  if (n == 0) return absl::StrFormat("at %#x (%s): no memory to fetch from", rip, ModeName());
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  const ZydisDecoder* d = decoders_->For(state.mode, code16_);
  std::string text = "(undecodable)";
  int len = std::min(n, 8);
  if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(d, bytes, n, &insn, ops))) {
    char buf[256];
    ZydisFormatterFormatInstruction(&decoders_->formatter, &insn, ops, insn.operand_count_visible,
                                    buf, sizeof(buf), rip, nullptr);
    text = buf;
    len = insn.length;
  }
  for (int i = 0; i < len; ++i) absl::StrAppendFormat(&hex, "%s%02x", i ? " " : "", bytes[i]);
  return absl::StrFormat("at %#x (%s): %s [%s]", rip, ModeName(), text, hex);
}

void Cpu::OnDebuggerWrite(uint64_t paddr) {
  if (memory_.IsCodePage(paddr)) WroteMarkedPage(paddr, 1);
}

void Cpu::InvalidateCodePage(uint64_t phys_page) {
  memory_.SetCodePage(phys_page, false);
  bool had_blocks = false;
  // Instructions that end in this page, owned by the page before it.
  if (auto it = straddlers_by_page_.find(phys_page); it != straddlers_by_page_.end()) {
    std::vector<Block*> straddlers = std::move(it->second);
    straddlers_by_page_.erase(it);
    for (Block* s : straddlers) {
      std::vector<std::unique_ptr<Block>>& owner = blocks_by_page_[s->phys() & ~kPageOffsetMask];
      auto own = std::find_if(owner.begin(), owner.end(), [s](auto& b) { return b.get() == s; });
      RetireBlock(std::move(*own));
      owner.erase(own);
    }
    had_blocks = true;
  }
  if (auto it = blocks_by_page_.find(phys_page); it != blocks_by_page_.end()) {
    for (std::unique_ptr<Block>& b : it->second) RetireBlock(std::move(b));
    blocks_by_page_.erase(it);
    had_blocks = true;
  }
  if (!had_blocks) return;
  ++code_invalidations_;
  InvalidateLinks();
}

void Cpu::RetireBlock(std::unique_ptr<Block> b) {
  cached_insns_ -= b->count;
  b->valid = false;
  // The block may be running (this write came from one of its
  // instructions): its remaining instructions return to the loop instead.
  for (int i = 0; i < b->count; ++i) b->insns[i].handler = EndOfBlock;
  Block*& slot = block_table_[BlockSlot(b->key)];
  if (slot == b.get()) slot = nullptr;
  if (b->straddles()) {
    if (auto it = straddlers_by_page_.find(b->second_page); it != straddlers_by_page_.end()) {
      std::erase(it->second, b.get());
      if (it->second.empty()) straddlers_by_page_.erase(it);
    }
  }
  retired_blocks_.push_back(std::move(b));  // may be executing right now
}

void Cpu::DropAllBlocks() {
  for (auto& [page, blocks] : blocks_by_page_) {
    memory_.SetCodePage(page, false);
    for (std::unique_ptr<Block>& b : blocks) retired_blocks_.push_back(std::move(b));
  }
  for (auto& [page, blocks] : straddlers_by_page_) memory_.SetCodePage(page, false);
  blocks_by_page_.clear();
  straddlers_by_page_.clear();
  // No fast-path entry could write the monitored page while it was marked.
  if (state.monitor_armed) memory_.SetCodePage(state.monitor_line, true);
  std::fill(block_table_.begin(), block_table_.end(), nullptr);
  cached_insns_ = 0;
  ++block_cache_drops_;
  InvalidateLinks();
}

// Decodes from `phys` up to a block-ending instruction, the block limit, or
// the end of the page. An instruction that crosses the page is decoded alone
// into an uncached block, so a cached block depends on one page only.
bool Cpu::DecodeBlock(uint64_t linear, uint64_t phys, Block* block, bool* cacheable,
                      uint64_t fetch_room) {
  const BinderTable& binders = BinderTable::Get();
  const bool long_mode = block->mode() == CpuMode::kLong64;
  const ZydisDecoder* decoder = decoders_->For(block->mode(), block->code16());
  // Code outside RAM is fetched as data reads see it (a device's bytes, or
  // all ones where nothing answers), one uncached instruction at a time.
  auto copy_code = [this](uint64_t from, uint8_t* to, size_t n) {
    if (const uint8_t* ram = memory_.RamPointer(from & ~kPageOffsetMask)) {
      std::memcpy(to, ram + (from & kPageOffsetMask), n);
      return;
    }
    for (size_t i = 0; i < n; ++i) to[i] = static_cast<uint8_t>(memory_.Read(from + i, 1));
  };
  const uint8_t* page = memory_.RamPointer(phys & ~kPageOffsetMask);
  const uint64_t start = phys & kPageOffsetMask;
  uint64_t offset = start;
  *cacheable = page != nullptr;
  DecodedInsn* const insns = decode_insns_;
  block->count = 0;
  while (block->count < Block::kMaxInsns && offset < kPageSize) {
    uint8_t fetched[ZYDIS_MAX_INSTRUCTION_LENGTH];
    uint8_t straddle[ZYDIS_MAX_INSTRUCTION_LENGTH];
    size_t avail = kPageSize - offset;
    const uint8_t* bytes = fetched;
    if (page != nullptr) {
      bytes = page + offset;
    } else {
      avail = std::min(avail, sizeof(fetched));
      copy_code((phys & ~kPageOffsetMask) + offset, fetched, avail);
    }
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus status = ZydisDecoderDecodeFull(decoder, bytes, avail, &insn, ops);
    // Past the limit at the page's end: the limit faults before the next
    // page could be fetched (segmentation comes before paging).
    const bool limit_before_page_end = offset - start + avail > fetch_room;
    if (status == ZYDIS_STATUS_NO_MORE_DATA && !limit_before_page_end) {
      if (block->count > 0) break;
      // Fetch the rest of the instruction from the next page (known when a
      // checkpoint's block is decoded again).
      if (!block->straddles()) {
        std::optional<uint64_t> next = NextCodePage(linear);
        if (!next) return false;
        block->second_page = *next;
      }
      std::memcpy(straddle, bytes, avail);
      copy_code(block->second_page, straddle + avail, sizeof(straddle) - avail);
      bytes = straddle;
      status = ZydisDecoderDecodeFull(decoder, bytes, sizeof(straddle), &insn, ops);
      *cacheable = *cacheable && memory_.RamPointer(block->second_page) != nullptr;
    }
    DecodedInsn& out = insns[block->count++];
    out = DecodedInsn{};
    decode_timing_[block->count - 1] = InsnTiming{};  // kept by instructions that do not bind
    out.base = kZeroReg;
    out.index = kZeroReg;
    out.seg = kDs;
    bool ends_block = true;
    if (!ZYAN_SUCCESS(status)) {
      out.handler = InvalidOpcode;
      out.length = 1;
      out.mnemonic = ZYDIS_MNEMONIC_INVALID;
    } else {
      out.length = insn.length;
      out.mnemonic = insn.mnemonic;
      if (insn.attributes & ZYDIS_ATTRIB_HAS_LOCK) out.flags |= kInsnLock;
      if (insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE)) out.flags |= kInsnRep;
      if (insn.attributes & ZYDIS_ATTRIB_HAS_REPNE) out.flags |= kInsnRepne;
      out.size = insn.operand_width / 8;
      Binder binder = binders.binder(insn.mnemonic);
      ZydisInsn z{insn, ops, long_mode};
      // SDM vol. 2A 2.8: VEX-encoded instructions are #UD in real-address
      // and virtual-8086 mode.
      const bool vex = insn.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
                       insn.encoding != ZYDIS_INSTRUCTION_ENCODING_3DNOW;
      if ((block->vm86() || block->mode() == CpuMode::kReal) && vex) {
        out.handler = InvalidOpcode;
      } else if (binder == nullptr || !decoders_->gate.Allows(insn.meta.isa_set) || !binder(z, out)) {
        out.handler = UnimplementedInsn;
      } else {
        if (model_ != nullptr) {
          model_->Annotate(insn, ops, (phys & ~kPageOffsetMask) + offset,
                           &decode_timing_[block->count - 1]);
        }
        ends_block = binders.ends_block(insn.mnemonic);
        if (long_mode && block->count >= 2 &&
            FuseWithBranch(insns[block->count - 2], insn.mnemonic)) {
          ++fused_pairs_decoded_;
        }
      }
    }
    const bool past_limit = (limit_before_page_end && status == ZYDIS_STATUS_NO_MORE_DATA) ||
                            offset - start + out.length > fetch_room;
    if (past_limit) {
      out.handler = BeyondCodeLimit;
      ends_block = true;
      *cacheable = false;
    }
    offset += out.length;
    if (ends_block || !*cacheable) break;
  }
  block->length = static_cast<int>(offset - start);
  if (long_mode) InstallFillLoop(insns, block->count);
  insns[block->count] = DecodedInsn{};
  insns[block->count].handler = EndOfBlock;
  block->insns = std::make_unique<DecodedInsn[]>(block->count + 1);
  std::copy(insns, insns + block->count + 1, block->insns.get());
  if (model_ != nullptr) {
    block->timing = std::make_unique<InsnTiming[]>(block->count);
    std::copy(decode_timing_, decode_timing_ + block->count, block->timing.get());
  }
  return true;
}

const Block* Cpu::FetchBlock(std::unique_ptr<Block>* uncached) {
  // Outside 64-bit mode CS's limit bounds what may be fetched: #GP(0) at
  // an instruction that does not lie wholly within it (SDM vol. 3A 5.3).
  uint64_t fetch_room = UINT64_MAX;
  if (cs_limited_) {
    if (state.rip > state.seg[kCs].limit) {
      Fault(kGeneralProtection, 0);
      return nullptr;
    }
    fetch_room = state.seg[kCs].limit - state.rip + 1;
  }
  const uint64_t linear = RipLinear();
  const std::optional<uint64_t> code = CodePhys(linear);
  if (!code) return nullptr;
  const uint64_t phys = *code;
  const uint64_t key = Block::MakeKey(phys, state.mode, code16_, (state.rflags & kVM) != 0);
  Block*& slot = block_table_[BlockSlot(key)];
  Block* found = slot != nullptr && slot->key == key ? slot : nullptr;
  if (found == nullptr) {
    if (auto it = blocks_by_page_.find(phys & ~kPageOffsetMask); it != blocks_by_page_.end()) {
      for (const std::unique_ptr<Block>& b : it->second) {
        if (b->key == key) found = slot = b.get();  // evicted from the slot by another
      }
    }
  }
  if (found != nullptr && static_cast<uint64_t>(found->length) > fetch_room) found = nullptr;
  bool aliased = false;  // a cached straddler whose next linear page maps elsewhere now
  if (found != nullptr) {
    if (!found->straddles()) return found;
    std::optional<uint64_t> next = NextCodePage(linear);
    if (!next) return nullptr;
    if (*next == found->second_page) return found;
    aliased = true;
  }

  auto block = std::make_unique<Block>();
  block->key = key;
  bool cacheable;
  if (!DecodeBlock(linear, phys, block.get(), &cacheable, fetch_room)) return nullptr;
  ++blocks_decoded_;
  if (!cacheable || aliased) {
    *uncached = std::move(block);
    return uncached->get();
  }
  if (cached_insns_ + block->count > kMaxCachedInsns) DropAllBlocks();
  return slot = AddBlock(std::move(block));
}

uint64_t Cpu::NextPageLinear(uint64_t linear) const {
  const uint64_t next = (linear | kPageOffsetMask) + 1;
  return state.mode == CpuMode::kLong64 ? next : static_cast<uint32_t>(next);
}

std::optional<uint64_t> Cpu::NextCodePage(uint64_t linear) { return CodePhys(NextPageLinear(linear)); }

std::optional<uint64_t> Cpu::FastCodePhys(uint64_t linear) const {
  const SoftTlbEntry& e = soft_tlb_[privilege_][SoftTlbIndex(linear)];  // fetches are not checked
  if (e.exec_tag != (linear & ~kPageOffsetMask)) return std::nullopt;
  return e.addend + linear - ram_base_;
}

std::optional<uint64_t> Cpu::CodePhys(uint64_t linear) {
  if (std::optional<uint64_t> fast = FastCodePhys(linear)) return fast;
  if (!CheckCanonical(linear, 1)) return std::nullopt;
  Translation t = mmu_.Translate(linear, AccessKind::kExecute, MakePagingContext(privilege_ == 1));
  if (!t.ok) {
    RaiseTranslationFault(linear, t);
    return std::nullopt;
  }
  FillSoftTlb(linear, t.phys, t.allow & kAllowExecute ? (t.allow & ~kAllowWrite) : 0, t.global,
              privilege_ == 1);
  return t.phys;
}

Block* Cpu::AddBlock(std::unique_ptr<Block> block) {
  cached_insns_ += block->count;
  const uint64_t page = block->phys() & ~kPageOffsetMask;
  MarkCodePage(page);
  if (block->straddles()) {
    MarkCodePage(block->second_page);
    straddlers_by_page_[block->second_page].push_back(block.get());
  }
  std::vector<std::unique_ptr<Block>>& owner = blocks_by_page_[page];
  owner.push_back(std::move(block));
  return owner.back().get();
}

void Cpu::MarkCodePage(uint64_t page) {
  if (memory_.IsCodePage(page)) return;
  memory_.SetCodePage(page, true);
  // Writable fast-path entries may point into this page: drop them so the
  // next write takes the slow path and invalidates the code.
  const uint64_t host = reinterpret_cast<uint64_t>(memory_.RamPointer(0)) + page;
  for (auto& tlb : soft_tlb_) {
    for (SoftTlbEntry& entry : tlb) {
      if (entry.write_tag != kInvalidTag && entry.addend + entry.write_tag == host) {
        entry.write_tag = kInvalidTag;
      }
    }
  }
}

StopInfo Cpu::Run(uint64_t max_instructions) {
  stop_ = StopInfo{};
  return observer_ != nullptr || debug_hook_ != nullptr ? RunLoop<true>(max_instructions)
                                                        : RunLoop<false>(max_instructions);
}

// Chained blocks run as the loop would run them: each starts only where the
// loop would start it without polling events or stepping to the limit. The
// budget bounds the native stack when the compiler does not turn handler
// calls into jumps (unoptimised and sanitizer builds).
void Cpu::AllowChaining() {
  constexpr uint64_t kChainBudget = 512;
  chain_until_ = std::min(ChainBound(), instret_ + kChainBudget);
}

uint64_t Cpu::ChainBound() const {
  // With timing off a cycle is an instruction, so the next event bounds the
  // chain; with timing on, PriceAndChain compares cycles itself.
  const uint64_t events = timing_on_ ? UINT64_MAX
                          : next_event_check_ > idle_cycles_ ? next_event_check_ - idle_cycles_
                                                             : 0;
  const uint64_t last_full_block = run_limit_ > Block::kMaxInsns ? run_limit_ - Block::kMaxInsns : 0;
  return std::min({events, last_full_block, boundary_at_});
}

const Block* Cpu::FindChainTarget(const Block* prev) {
  const uint64_t linear = RipLinear();
  const std::optional<uint64_t> phys = FastCodePhys(linear);
  if (!phys) return nullptr;
  for (Block::Link& link : prev->links) {
    if (link.rip == state.rip && link.epoch == link_epoch_ && link.block->phys() == *phys) {
      link.address_space = IsNonGlobal(privilege_, SoftTlbIndex(linear)) ? address_space_ : 0;
      return link.block;
    }
  }
  if (cs_limited_) return nullptr;
  const uint64_t key = Block::MakeKey(*phys, state.mode, code16_, (state.rflags & kVM) != 0);
  const Block* block = block_table_[BlockSlot(key)];
  if (block == nullptr || block->key != key) return nullptr;
  if (block->straddles()) {
    // Never linked, as its second page must be checked each time: entered
    // while the fast path maps that page where its end was decoded from.
    const std::optional<uint64_t> next = FastCodePhys(NextPageLinear(linear));
    return next && *next == block->second_page ? block : nullptr;
  }
  AddLink(prev, block);
  return block;
}

void Cpu::AddLink(const Block* prev, const Block* next) {
  if (next->straddles()) return;  // FetchBlock checks its second page each time
  // Replace a stale link first, else the older of the two.
  Block::Link& slot = prev->links[0].epoch != link_epoch_ ? prev->links[0] : prev->links[1];
  if (&slot == &prev->links[1]) prev->links[1] = prev->links[0];
  const bool global = !IsNonGlobal(privilege_, SoftTlbIndex(RipLinear()));
  prev->links[0] = {state.rip, link_epoch_, global ? 0 : address_space_, next};
}

template <bool kObserve>
StopInfo Cpu::RunLoop(uint64_t max_instructions) {
  run_limit_ = instret_ + max_instructions;
  std::unique_ptr<Block> uncached;
  // The block just run, while its links are usable.
  const Block* prev = link_from_generation_ == generation_ ? link_from_ : nullptr;
  while (stop_.reason == StopReason::kNone) {
    if (instret_ >= boundary_at_) [[unlikely]] {
      boundary_at_ = UINT64_MAX;
      link_from_ = prev;
      link_from_generation_ = generation_;
      if (boundary_hook_) boundary_hook_();
      continue;
    }
    if (exception_.pending) {
      DeliverPendingException();
      prev = nullptr;
      continue;
    }
    if (cycles() >= next_event_check_ || state.halted) {
      HandleExternalEvents();
      prev = nullptr;
      if (stop_.reason != StopReason::kNone) break;
      if (state.halted || exception_.pending) continue;
    }
    if (instret_ >= run_limit_) {
      stop_ = {StopReason::kInstructionLimit, 0,
               absl::StrFormat("instruction limit of %d reached at rip %#x (%s)",
                               max_instructions, state.rip, ModeName())};
      break;
    }
    if (stop_request_ != nullptr) {
      if (int signal = stop_request_->load(std::memory_order_relaxed); signal != 0) {
        if (signal == kProgressRequest) {
          // A signal arriving meanwhile replaces the request: then it stays.
          if (stop_request_->compare_exchange_strong(signal, 0, std::memory_order_relaxed)) {
            if (progress_hook_) progress_hook_();
            continue;
          }
        }
        stop_ = {StopReason::kInterrupted, 0,
                 absl::StrFormat("stopped by signal %d after %d instructions at rip %#x (%s)",
                                 signal, instret_, state.rip, ModeName())};
        break;
      }
    }
    // TF and RF can only change at an instruction that ends its block, so
    // they are seen here before the next one runs; an armed breakpoint
    // makes step_flags_ match every RFLAGS.
    if (state.rflags & step_flags_) [[unlikely]] {
      SingleStep<kObserve>(&uncached);
      prev = nullptr;
      continue;
    }
    const Block* block = nullptr;
    if (prev != nullptr) {
      block = FollowLink(prev);
      if (block == nullptr) block = FindChainTarget(prev);
    }
    if (block == nullptr) {
      retired_blocks_.clear();
      block = FetchBlock(&uncached);
      if (block == nullptr) {
        prev = nullptr;
        continue;
      }
      // Under a CS limit FetchBlock checks every block against it.
      if (prev != nullptr && block != uncached.get() && !cs_limited_) AddLink(prev, block);
    }
    const uint64_t generation = generation_;
    current_block_ = block;
    if (timing_on_) StartTimedBlock(block);
    const bool step = kObserve && (observer_ != nullptr ||
                                   debug_hook_->StepsBlock(state.rip, block->insns.get(), block->count));
    if (step || run_limit_ - instret_ < static_cast<uint64_t>(block->count)) {
      chain_until_ = 0;
      StepBlock<kObserve>(block, run_limit_ - instret_);
    } else {
      if (kObserve) {
        chain_until_ = 0;  // the debugger sees every block start
      } else {
        AllowChaining();
      }
      if (block->insns[0].handler(*this, block->insns[0]) == Flow::kJump) ++instret_;
    }
    if (timing_on_) FinishTimedBlock();
    // 32-bit code wraps at 4 GiB (checked per block, not per instruction).
    if (state.mode != CpuMode::kLong64) state.rip = static_cast<uint32_t>(state.rip);
    prev = (generation == generation_ && current_block_ != uncached.get()) ? current_block_ : nullptr;
  }
  link_from_ = prev;
  link_from_generation_ = generation_;
  return stop_;
}

// One instruction with its debug exceptions (SDM vol. 3B 17.3). An armed
// instruction breakpoint at it, unless RF, is a #DB fault before it runs
// (and before its fetch can fault). RF is then cleared: the instruction
// runs, and may set it again (IRET). With TF set when it starts, a #DB trap
// (DR6.BS) follows it, naming the next instruction; after MOV SS, only
// after the instruction that follows it. SYSCALL and SYSRET go by the TF
// they leave instead: a SYSCALL traps at the kernel's entry only if FMASK
// kept TF, a SYSRET restoring TF traps at once at the user RIP. Data
// and I/O breakpoints it hit are reported in the same trap, MOV SS's after
// the next instruction too. An instruction that faults has no trap; one
// that delivers an interrupt itself (INT n, INT3, INTO) has no single-step
// trap, and its data hits trap at the handler's entry. A REP string
// instruction stopping part-way (an element at a time while data or I/O
// breakpoints are armed) sets RF, so that going on does not break again
// and an event taken meanwhile pushes RF = 1, as the SDM says.
template <bool kObserve>
void Cpu::SingleStep(std::unique_ptr<Block>* uncached) {
  retired_blocks_.clear();
  if (exec_breakpoints_ != 0 && !(state.rflags & kRF)) {
    if (const uint8_t hits = BreakpointHits(exec_breakpoints_, RipLinear(), 1)) {
      state.dr6 |= hits;
      FaultNoCode(kDebug);
      return;
    }
  }
  const Block* block = FetchBlock(uncached);
  if (block == nullptr) return;
  current_block_ = block;
  const uint64_t instret_before = instret_;
  const ZydisMnemonic mnemonic = static_cast<ZydisMnemonic>(block->insns[0].mnemonic);
  // SYSCALL and SYSRET trap on the TF they leave, not the one they found:
  // a SYSCALL whose FMASK clears TF must not trap in the kernel (Xen's
  // XSA-204, from Intel's and AMD's behaviour), and SYSRET raises its own
  // trap when it restores TF.
  const bool flags_decide_after = mnemonic == ZYDIS_MNEMONIC_SYSCALL || mnemonic == ZYDIS_MNEMONIC_SYSRET;
  const bool trap_flag = (state.rflags & kTF) && !flags_decide_after;
  const uint64_t resume_flag = state.rflags & kRF;
  state.rflags &= ~kRF;
  state.debug_shadow = false;
  pending_dr_hits_ = state.debug_held_hits;
  state.debug_held_hits = 0;
  chain_until_ = 0;
  if (timing_on_) StartTimedBlock(block);
  StepBlock<kObserve>(block, 1);
  if (timing_on_) FinishTimedBlock();
  if (state.mode != CpuMode::kLong64) state.rip = static_cast<uint32_t>(state.rip);
  const uint64_t hits = pending_dr_hits_;
  pending_dr_hits_ = 0;
  if (exception_.pending || stop_.reason != StopReason::kNone) {
    // Stopped by the debugger before the instruction: it starts again later.
    if (stop_.reason == StopReason::kDebugger && instret_ == instret_before) state.rflags |= resume_flag;
    return;
  }
  if (instret_ == instret_before) {  // a REP string instruction yielded
    state.rflags |= kRF;
    if (hits == 0) return;
    state.dr6 |= hits;
    FaultNoCode(kDebug);
    return;
  }
  if (state.debug_shadow) {
    state.debug_shadow = false;
    state.debug_held_hits = static_cast<uint8_t>(hits);
    return;
  }
  // INT n, INT3 and INTO deliver their interrupt as they complete: no
  // single-step trap (delivery clears TF), but data breakpoints their
  // delivery hit, and those a MOV SS held back, trap at the handler's first
  // instruction (SDM vol. 3A 6.8.3). INT1 left above with its #DB pending,
  // dropping the held hits as a fault does; its delivery's hits still count.
  const bool interrupts_itself = mnemonic == ZYDIS_MNEMONIC_INT || mnemonic == ZYDIS_MNEMONIC_INT3 ||
                                 mnemonic == ZYDIS_MNEMONIC_INTO;
  const bool trap = !interrupts_itself &&
                    (trap_flag || (mnemonic == ZYDIS_MNEMONIC_SYSCALL && (state.rflags & kTF)));
  const uint64_t status = hits | (trap ? kDr6Bs : 0);
  if (status == 0) return;
  state.dr6 |= status;
  FaultNoCode(kDebug);
}

template <bool kObserve>
void Cpu::StepBlock(const Block* block, uint64_t budget) {
  const int n = static_cast<int>(std::min<uint64_t>(block->count, budget));
  for (int i = 0; i < n; ++i) {
    // A copy followed by the end marker, so that the handler's Next comes
    // back here instead of running on.
    DecodedInsn step[2] = {block->insns[i], block->insns[block->count]};
    if (step[0].flags & kInsnFused) step[0].handler = UnfusedCompare(step[0].handler);
    const uint64_t rip = state.rip;
    if (kObserve && debug_hook_ != nullptr && debug_hook_->StopBefore(step[0], rip)) {
      RequestStop({StopReason::kDebugger, 0, "stopped by the debugger"});
      return;
    }
    Flow flow = step[0].handler(*this, step[0]);
    if (flow == Flow::kFault || flow == Flow::kYield) return;
    if (flow == Flow::kJump) ++instret_;
    // The copy: a store into this code may have rewritten block->insns[i].
    if (kObserve && observer_ != nullptr) observer_->OnRetire(step[0], rip, state.rip);
    if (flow != Flow::kNext || !block->valid) return;
  }
}

// Interrupts are taken between blocks: deterministic, and at most one block
// later than an instruction-precise model would take them. Between polls the
// loop only compares the cycle count with next_event_check_.
void Cpu::HandleExternalEvents() {
  next_event_check_ = UINT64_MAX;
  if (interrupts_ == nullptr) {
    if (state.halted) {
      RequestStop({StopReason::kHaltedForever, 0,
                   absl::StrFormat("hlt at rip %#x with no interrupt source", state.rip)});
    }
    return;
  }
  if (state.interrupt_shadow) {
    state.interrupt_shadow = false;  // the instruction after STI / MOV SS runs first
    next_event_check_ = 0;
    if (!state.halted) return;
  }
  bool can_interrupt = state.rflags & kIF;
  // MWAIT with ECX[0] = 1: an interrupt IF masks ends the wait, undelivered.
  const bool wake_masked = state.halted && !can_interrupt && state.halt_kind == HaltKind::kMwaitWakeMasked;
  int vector = can_interrupt || wake_masked ? interrupts_->PendingVector(cycles()) : -1;
  if (vector < 0 && state.halted) {
    uint64_t next = interrupts_->NextEventCycle();
    if (!(can_interrupt || wake_masked) || next == UINT64_MAX || ++idle_wakeups_without_interrupt_ > 1000000) {
      RequestStop({StopReason::kHaltedForever, 0,
                   absl::StrFormat("hlt at rip %#x with %s", state.rip,
                                   !(can_interrupt || wake_masked) ? "interrupts disabled"
                                                  : "no pending timer or deliverable interrupt")});
      return;
    }
    if (next > cycles()) {  // sleep until the next event
      halted_cycles_ += next - cycles();
      if (timing_on_) {
        model_->SleepUntil(next);
      } else {
        idle_cycles_ += next - cycles();
      }
    }
    vector = interrupts_->PendingVector(cycles());
  }
  if (vector < 0) {
    // Nothing deliverable: poll again when the timer next fires (a device
    // or an IF change calls RecheckInterrupts sooner).
    next_event_check_ = can_interrupt ? interrupts_->NextEventCycle() : UINT64_MAX;
    return;
  }
  idle_wakeups_without_interrupt_ = 0;
  if (wake_masked) {
    state.halted = false;
    return;
  }
  next_event_check_ = 0;  // another vector may be pending behind this one
  interrupts_->Acknowledge(vector);
  state.halted = false;
  if (observer_ != nullptr) observer_->OnEvent(static_cast<uint8_t>(vector), state.rip);
  if (debug_hook_ != nullptr) debug_hook_->OnEvent(static_cast<uint8_t>(vector), state.rip);
  if (timing_on_) model_->Deliver(TimingEvent::kInterrupt, state.cpl);
  // SDM vol. 3B 17.3.1.1: an interrupt after any iteration of a REP string
  // instruction but the last pushes RF = 1, so that the resumed instruction
  // does not break again on an instruction breakpoint.
  if (PausedInRepString()) state.rflags |= kRF;
  pending_dr_hits_ = 0;
  if (DeliverInterrupt(static_cast<uint8_t>(vector), false, 0, false, state.rip)) {
    ReportDeliveryHits();
  } else {
    DeliverPendingException();
  }
}

}  // namespace x64sim
