// The out-of-order core model (docs/timing.md).
//
// Each instruction is dispatched in order at the front end's width, waits
// for its source registers (and, for loads, its address registers and the
// cache), issues its micro-ops on the earliest free port of each group,
// and retires in order at the retire width. A reorder buffer bounds how far
// dispatch may run ahead of retirement; the load and store buffers bound
// the memory operations in flight. A mispredicted branch restarts dispatch
// a penalty after it resolves; serialising events drain the pipeline and
// cost their cycles. The simulated clock is the cycle of the last
// retirement.
#ifndef X64SIM_UARCH_CORE_MODEL_H_
#define X64SIM_UARCH_CORE_MODEL_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "checkpoint/state_archive.h"
#include "cpu/timing.h"
#include "mmu/mmu.h"
#include "uarch/branch_predictor.h"
#include "uarch/cache_model.h"
#include "uarch/description.h"

namespace x64sim {

// Where the model's cycles went, as running totals: the difference of two
// snapshots describes what happened between them.
struct CoreCounters {
  uint64_t cycles_by_cpl[4] = {};
  uint64_t event_count[static_cast<int>(TimingEvent::kCount)] = {};
  uint64_t event_cycles[static_cast<int>(TimingEvent::kCount)] = {};
  uint64_t mispredictions = 0;
  uint64_t mispredict_cycles = 0;
  uint64_t fetch_stall_cycles = 0;
  uint64_t walk_cycles = 0;
  uint64_t stlb_hit_cycles = 0;

  void Serialize(StateArchive& ar) {
    ar(cycles_by_cpl, event_count, event_cycles, mispredictions, mispredict_cycles,
       fetch_stall_cycles, walk_cycles, stlb_hit_cycles);
  }
};

class CoreModel final : public TimingModel, public WalkObserver {
 public:
  // `d` is used in place, not copied (a description holds every form's
  // timing and its own text): it must outlive the model.
  CoreModel(const UarchDescription& d, Mmu& mmu);

  // TimingModel.
  void Annotate(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops,
                uint64_t phys, InsnTiming* out) override;
  Used Price(const PricedRange& range) override;
  void Deliver(TimingEvent event, int cpl) override;
  uint64_t cycles() const override { return retire_cycle_; }
  void Start(uint64_t cycle) override;
  void SleepUntil(uint64_t cycle) override;
  uint32_t TakeWalkCycles() override {
    const uint32_t c = pending_walk_cycles_;
    pending_walk_cycles_ = 0;
    return c;
  }

  // WalkObserver: prices every translation the MMU makes.
  void OnTranslate(const WalkRecord& record) override;
  void OnTlbEvent(const TlbEvent&) override {}

  // The "[timing]" section of the stats report.
  void PrintStats(std::ostream& out, uint64_t instructions) const;

  const UarchDescription& description() const { return d_; }
  uint64_t mispredictions() const;
  CoreCounters counters() const;

  // Everything but the description: the pipeline, caches, predictor and
  // statistics.
  void Serialize(StateArchive& ar);

 private:
  static constexpr int kRing = 1024;  // cycles of port bookings ahead of dispatch
  static constexpr int kForwardSlots = 64;

  struct StoreRecord {
    uint64_t word = ~0ull;  // physical address >> 3
    uint64_t ready = 0;     // cycle its data is available to a load
    uint64_t seq = 0;       // store number, to age it out of the store buffer

    void Serialize(StateArchive& ar) { ar(word, ready, seq); }
  };

  // Moves dispatch forward to `cycle`, freeing the port bookings behind it.
  void AdvanceDispatch(uint64_t cycle) {
    if (cycle <= dispatch_cycle_) return;
    dispatch_cycle_ = cycle;
    dispatch_slots_ = 0;
  }
  // Books one micro-op on the earliest free port of `ports` at or after
  // `from`. The first cycle tried is inline: it is usually free.
  uint64_t Book(uint32_t ports, uint64_t from, int* port) {
    from = std::max(from, dispatch_cycle_);
    if (from >= dispatch_cycle_ + kRing) return Unbooked(ports, from, port);
    PortSlot& slot = port_slots_[from & (kRing - 1)];
    const uint32_t lap = static_cast<uint32_t>(from / kRing);
    if (slot.lap != lap) slot = {lap, 0};
    const uint32_t free = ports & ~slot.used;
    if (free == 0) return BookLater(ports, from + 1, port);
    const uint32_t pick = free & (0u - free);
    slot.used |= pick;
    *port = std::countr_zero(pick);
    return from;
  }
  uint64_t BookLater(uint32_t ports, uint64_t from, int* port);
  // Books `uops` micro-ops of one group, each as Book would, several in a
  // cycle when ports are free: returns the cycle of the last, and in
  // `*first` the cycle of the first. The first cycle tried is inline.
  uint64_t BookGroup(uint32_t ports, int uops, uint64_t from, uint64_t* first) {
    from = std::max(from, dispatch_cycle_);
    if (from < dispatch_cycle_ + kRing) {
      PortSlot& slot = port_slots_[from & (kRing - 1)];
      const uint32_t lap = static_cast<uint32_t>(from / kRing);
      if (slot.lap != lap) slot = {lap, 0};
      uint32_t free = ports & ~slot.used;
      if (uops == 1 && free != 0) {  // most groups
        slot.used |= free & (0u - free);
        *first = from;
        return from;
      }
      uint32_t take = 0;
      int u = 0;
      for (; u < uops && free != 0; ++u) {
        take |= free & (0u - free);
        free &= free - 1;
      }
      if (u == uops) {
        slot.used |= take;
        *first = from;
        return from;
      }
    }
    return BookGroupLater(ports, uops, from, first);
  }
  uint64_t BookGroupLater(uint32_t ports, int uops, uint64_t from, uint64_t* first);
  // Beyond the booking window: no contention modelled.
  static uint64_t Unbooked(uint32_t ports, uint64_t from, int* port) {
    *port = std::countr_zero(ports | 0x80000000u);
    return from;
  }
  // Load-to-use cycles of one access (TLB + caches + store forwarding).
  uint64_t LoadReady(const MemAccess& a, uint64_t address_ready);
  int TlbCycles(const MemAccess& a, uint16_t pcid);
  // The ITLB's part of fetching a block at `linear`: extra cycles.
  int FetchTlbCycles(uint64_t linear, uint16_t pcid);
  // Retires an instruction that takes `slots` (0 or 1) of the retire width.
  void Retire(uint64_t done, int slots) {
    uint64_t r = std::max(done, retire_cycle_);
    if (r == retire_cycle_ && retire_slots_ + slots > retire_width_) ++r;
    if (r != retire_cycle_) {
      retire_cycle_ = r;
      retire_slots_ = 0;
    }
    retire_slots_ += slots;
  }
  // Takes `uops` front-end slots: the cycle they dispatch in, once the ROB
  // (and for memory operations the load/store buffers) has room.
  template <bool kMayAccessMemory>
  void Dispatch(const InsnTiming& t) {
    const int uops = t.issue_uops;
    if (dispatch_slots_ + uops > issue_width_ && dispatch_slots_ > 0) {
      AdvanceDispatch(dispatch_cycle_ + 1);
    }
    uint64_t at = std::max(dispatch_cycle_, rob_.oldest());
    if (kMayAccessMemory) {
      if (t.loads) at = std::max(at, load_buffer_.oldest());
      if (t.stores) at = std::max(at, store_buffer_.oldest());
    }
    AdvanceDispatch(at);
    dispatch_slots_ += uops;
    while (dispatch_slots_ > issue_width_) {  // wider than the front end: several cycles
      dispatch_slots_ -= issue_width_;
      ++dispatch_cycle_;
    }
  }
  // Everything but the short path: memory, events, REP runs, busy units,
  // divisions.
  struct Cursors {
    const MemAccess* access;
    const RepWork* rep;
    const DivideWork* divide;
  };
  // Inlined into Price, its only caller: 1 % fewer host instructions on
  // the IPC benchmark than a call.
  [[gnu::always_inline]] inline uint64_t ExecuteComplex(const InsnTiming& t, const PricedRange& r,
                                                        uint32_t rip32, Cursors* cursors);
  void FetchLine(uint64_t phys);
  // Predicts a branch that went to `target`; a misprediction restarts
  // dispatch a penalty after it executed (`done`).
  void ResolveBranch(BranchKind kind, uint64_t rip, uint64_t fallthrough, uint64_t target,
                     uint64_t done);
  void Drain(TimingEvent event, int cost_cycles);
  uint64_t RepCycles(const RepWork& w);

  const UarchDescription& d_;
  Mmu& mmu_;
  CacheHierarchy caches_;
  BranchPredictor predictor_;

  // Per-instruction figures, copied out of d_ (one indirection less).
  const int issue_width_;
  const int retire_width_;
  const uint64_t store_buffer_entries_;
  const int store_forward_latency_;
  const int stlb_hit_latency_;
  // Dispatch cycles a correctly predicted taken branch costs, by BranchKind.
  std::array<int, static_cast<int>(BranchKind::kOther) + 1> taken_penalty_{};
  uint64_t dispatch_cycle_ = 0;
  int dispatch_slots_ = 0;
  uint64_t retire_cycle_ = 0;
  int retire_slots_ = 0;
  // A ring of the retire cycles of the last N instructions (or loads, or
  // stores): the oldest is the one a new entry must wait for.
  class RetireRing {
   public:
    explicit RetireRing(int size) : cycles_(static_cast<size_t>(size), 0), size_(cycles_.size()) {}
    uint64_t oldest() const { return cycles_[next_]; }
    void Push(uint64_t cycle) {
      cycles_[next_] = cycle;
      if (++next_ == size_) next_ = 0;
    }
    void Fill(uint64_t cycle) { std::fill(cycles_.begin(), cycles_.end(), cycle); }
    void Serialize(StateArchive& ar) {
      ar.FixedSize(cycles_, "retire ring");
      ar.Bounded(next_, size_ - 1, "retire ring position");
    }

   private:
    std::vector<uint64_t> cycles_;
    size_t size_;
    size_t next_ = 0;
  };
  RetireRing rob_;
  RetireRing load_buffer_;
  RetireRing store_buffer_;
  uint64_t stores_ = 0;  // stores dispatched, to age store-forwarding records
  std::array<uint64_t, 64> reg_ready_{};
  // Port bookings by cycle: slot c % kRing belongs to the cycle of the lap
  // (c / kRing) it is tagged with, so moving dispatch forward frees nothing
  // explicitly.
  struct PortSlot {
    uint32_t lap = ~0u;
    uint32_t used = 0;

    void Serialize(StateArchive& ar) { ar(lap, used); }
  };
  std::array<PortSlot, kRing> port_slots_{};
  // The busy windows [begin, end) of each non-pipelined unit (a divider,
  // named by the first port of its form's group), so that an instruction
  // ready early may use the unit before an older one still waiting for its
  // operands, as a scheduler issuing the oldest ready instruction does. A
  // window that ended is free for reuse; with all taken, the one ending
  // first is overwritten.
  static constexpr int kUnitWindows = 8;
  struct UnitWindows {
    std::array<uint64_t, kUnitWindows> begin{};
    std::array<uint64_t, kUnitWindows> end{};

    void Serialize(StateArchive& ar) { ar(begin, end); }
  };
  std::array<UnitWindows, kMaxPorts> unit_windows_{};
  // Books the first micro-op of a form that keeps its unit busy `occupancy`
  // cycles: the first cycle at or after `from` from which the unit is free
  // that long and one of `ports` is free.
  uint64_t BookUnit(uint32_t ports, int occupancy, uint64_t from);
  bool PortFree(uint32_t ports, uint64_t cycle) const {
    const PortSlot& slot = port_slots_[cycle & (kRing - 1)];
    return slot.lap != static_cast<uint32_t>(cycle / kRing) || (ports & ~slot.used) != 0;
  }
  // Per form, in 1/60 cycles: when its next instance may issue, so a form
  // never beats its measured reciprocal throughput.
  std::vector<uint64_t> form_next_;
  // A form may issue in a cycle its budget has reached (fractions: several a cycle).
  uint64_t FormReady(const InsnTiming& t) const { return form_next_[t.form] / 60; }
  void FormIssued(uint16_t form, uint16_t throughput, uint64_t cycle) {
    form_next_[form] = std::max(form_next_[form], cycle * 60) + throughput;
  }
  // What the description's divide lines make of each quotient width
  // (0..64 bits), worked out once: [DivideKind][wide][bits].
  struct DivideCycles {
    bool given = false;
    uint8_t latency = 0;
    uint8_t occupancy = 0;    // as InsnTiming's
    uint16_t throughput = 0;  // 1/60 cycles, as InsnTiming's
  };
  std::array<std::array<std::array<DivideCycles, 65>, 2>, kDivideKinds> divide_cycles_{};
  std::array<StoreRecord, kForwardSlots> forward_{};
  uint64_t last_touched_page_ = ~0ull;  // the data page whose TLB hit was last recorded
  uint16_t last_touched_pcid_ = 0;
  Mmu::TouchResult last_touch_;
  uint64_t last_fetch_page_ = ~0ull;  // the same for instruction fetch
  uint16_t last_fetch_pcid_ = 0;
  Mmu::TouchResult last_fetch_touch_;
  int line_shift_;  // log2 of the L1I line size
  uint32_t pending_walk_cycles_ = 0;
  // Annotation of the previous instruction, for macro-fusion: the Jcc
  // families it fuses with, where its entry and its code end.
  uint8_t fusable_families_ = 0;
  const InsnTiming* fusable_next_ = nullptr;
  uint64_t fusable_end_phys_ = 0;

  // Statistics.
  uint64_t cycles_by_cpl_[4] = {};
  uint64_t event_count_[static_cast<int>(TimingEvent::kCount)] = {};
  uint64_t event_cycles_[static_cast<int>(TimingEvent::kCount)] = {};
  uint64_t walk_cycles_ = 0;
  uint64_t stlb_hit_cycles_ = 0;
  uint64_t forwarded_loads_ = 0;
  uint64_t fetch_stall_cycles_ = 0;
  uint64_t mispredict_cycles_ = 0;
  uint64_t rep_elements_ = 0;
  uint64_t unknown_forms_ = 0;
  uint64_t untracked_tlb_hits_ = 0;  // fast-path accesses no modelled TLB held
  std::string first_unknown_form_;
};

}  // namespace x64sim

#endif  // X64SIM_UARCH_CORE_MODEL_H_
