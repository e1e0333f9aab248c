// The paging hardware: page walker, TLBs, paging-structure caches, tracing.
//
// Translate() is the CPU's slow path (its own soft TLB missed). It looks the
// address up in the modelled TLBs, walks the page tables on a miss (starting
// as low as the paging-structure caches allow), checks the access, writes
// accessed/dirty bits, and caches the translation. Cached translations stay
// in use until an architectural invalidation or replacement drops them, even
// if the guest has since changed the page tables (SDM vol. 3A 4.10.4.3).
#ifndef X64SIM_MMU_MMU_H_
#define X64SIM_MMU_MMU_H_

#include <cstdint>

#include "checkpoint/state_archive.h"
#include "mmu/microarch.h"
#include "mmu/mmu_stats.h"
#include "mmu/page_walker.h"
#include "mmu/paging_structure_cache.h"
#include "mmu/paging_types.h"
#include "mmu/physical_memory.h"
#include "mmu/tlb_event.h"
#include "mmu/tlb_hierarchy.h"
#include "mmu/walk_record.h"

namespace x64sim {

// Told when translations the MMU handed out stop being valid, so caches
// built on them (the CPU's fast path) drop them too. The MMU calls it when a
// translation leaves every modelled TLB (eviction from the last array holding
// it, or invalidation), and on every CR3 write (the fast path is not
// PCID-tagged).
class TranslationListener {
 public:
  virtual ~TranslationListener() = default;
  // Every translation whose linear 4 KiB page is `linear_page` (any PCID).
  virtual void OnTranslationDropped(uint64_t linear_page) = 0;
  // Every translation.
  virtual void OnAllTranslationsDropped() = 0;
  // CR3 changed: every non-global translation (of the old address space).
  virtual void OnAddressSpaceChanged() = 0;
  // Every translation for a 4 KiB page in [linear_base, linear_base + bytes)
  // (a 2 MiB or 1 GiB entry left the TLBs). The default drops page by page
  // up to 2 MiB and everything beyond; override it if a range is cheaper.
  virtual void OnTranslationRangeDropped(uint64_t linear_base, uint64_t bytes) {
    if (bytes > (2ull << 20)) {
      OnAllTranslationsDropped();
      return;
    }
    for (uint64_t off = 0; off < bytes; off += kPageSize) OnTranslationDropped(linear_base + off);
  }
};

// Sees every translation and TLB event (tracer, timing model). Null by
// default; with none attached nothing is called.
class WalkObserver {
 public:
  virtual ~WalkObserver() = default;
  virtual void OnTranslate(const WalkRecord& record) = 0;
  virtual void OnTlbEvent(const TlbEvent& event) = 0;
};

class Mmu {
 public:
  explicit Mmu(PhysicalMemory& memory, const MicroArch& arch = kSkylakeClient);

  // Translates `linear` for one access. With CR0.PG clear this is the
  // identity. On success the accessed/dirty bits are already written back
  // and the translation is cached; on failure `error_code` is the #PF code.
  Translation Translate(uint64_t linear, AccessKind kind, const PagingContext& ctx);

  // Translates from the page tables in memory without touching any model
  // state: no TLB or paging-structure-cache lookup or fill, no A/D writes,
  // no stats, no observer call. For debuggers and error messages, which
  // must not change what the guest sees next. (It may disagree with
  // Translate where a stale cached translation is still in use.)
  Translation Peek(uint64_t linear, AccessKind kind, const PagingContext& ctx) const;

  // A use of a translation the CPU's fast path already holds (so it is in
  // some modelled TLB): counts the hit and updates replacement as the
  // access would have, refilling the first level from the second on a
  // second-level hit. For a timing model, which sees every access; nothing
  // the guest can observe changes. Returns where the translation was found
  // (kWalk if no TLB holds it any more: the caller then prices a walk).
  struct TouchResult {
    TlbSource source = TlbSource::kWalk;
    int array = -1;  // the array that held it
    int size_index = 0;

    void Serialize(StateArchive& ar) {
      ar(source, array, size_index);
      ar.Check(array >= -1 && array < kMaxTlbArrays && size_index >= 0 && size_index < 3,
               "TLB touch record out of range");
    }
  };
  TouchResult Touch(uint64_t linear, bool instruction, uint16_t pcid);
  // Another use of what the last Touch found, with nothing in between that
  // could have moved it: the hit is counted, the replacement state (already
  // most recent) stays.
  void CountRepeatHit(const TouchResult& t) { ++stats_.array_hits[t.array][t.size_index]; }

  // Architectural invalidation events (SDM vol. 3A 4.10.4).
  void OnCr3Write(const PagingContext& new_ctx);  // CR3 already holds the new value
  void OnPagingModeChange();                      // CR0.PG/WP, CR4.PGE/PAE/PCIDE/SMEP/SMAP, EFER.NXE
  void Invlpg(uint64_t linear, const PagingContext& ctx);
  void Invpcid(int type, uint16_t pcid, uint64_t linear);

  // With the TLB model off, every translation walks the page tables from
  // CR3: no TLB or paging-structure cache is looked up or filled, so their
  // statistics stay zero and every walk reads every level. The CPU's fast
  // path still caches translations, and invalidations drop from it what the
  // SDM says they drop (all of it where the page size is not known). For
  // measuring what the model costs (bench/sim_bench, --tlb-model=false).
  void set_tlb_model(bool on) { tlb_model_ = on; }
  bool tlb_model() const { return tlb_model_; }

  void set_listener(TranslationListener* listener) { listener_ = listener; }
  void set_observer(WalkObserver* observer) { observer_ = observer; }

  const MicroArch& arch() const { return arch_; }
  const MmuStats& stats() const { return stats_; }
  // For tests and benches: the modelled structures.
  const TlbHierarchy& tlbs() const { return tlbs_; }
  const PagingStructureCache& psc() const { return psc_; }

  // The TLBs, paging-structure caches and statistics (the geometry is the
  // configuration's).
  void Serialize(StateArchive& ar) {
    ar(tlbs_, psc_, stats_, large_leaf_handed_out_, last_instret_, last_rip_);
  }

 private:
  Translation Fail(WalkRecord& record, WalkStop stop, TranslateFailure failure,
                   uint32_t error_code);
  // A #PF: reports it, then drops what translated the address.
  Translation FailAndDrop(WalkRecord& record, WalkStop stop, uint32_t error_code);
  // Translate's work once paging is on, long mode and the address canonical.
  Translation TranslatePaged(WalkRecord& record, const PagingContext& ctx);
  Translation Walk(WalkRecord& record, const PagingContext& ctx);
  // A #PF drops the TLB and PSC entries for its address (SDM 4.10.4.1).
  void DropForFault(uint64_t linear, uint16_t pcid);
  void ApplyChanges(const TlbChanges& changes);
  void NotifyDropped(uint64_t linear, uint8_t size_bits);
  // For INVLPG/INVPCID of one address: what the TLBs dropped; with the
  // model off the 4 KiB page, or everything if a large page may be held.
  void NotifyDroppedPage(uint64_t linear, uint8_t size_bits);
  void NotifyAllDropped();
  void ReportInvalidation(InvalidationKind kind, uint64_t linear, uint16_t pcid);

  MicroArch arch_;
  PageWalker walker_;
  TlbHierarchy tlbs_;
  PagingStructureCache psc_;
  MmuStats stats_;
  TlbChanges changes_;  // scratch for TlbHierarchy::Fill
  TranslationListener* listener_ = nullptr;
  WalkObserver* observer_ = nullptr;
  bool tlb_model_ = true;
  // Model off: a 2 MiB or 1 GiB translation was handed out since the last
  // full drop, so the fast path may hold pieces of it.
  bool large_leaf_handed_out_ = false;
  // Of the last call that carried a context, to stamp TLB events.
  uint64_t last_instret_ = 0;
  uint64_t last_rip_ = 0;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_MMU_H_
