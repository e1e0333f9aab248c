// The paging hardware: page walker, TLBs, paging-structure caches, tracing.
#ifndef X64SIM_MMU_MMU_H_
#define X64SIM_MMU_MMU_H_

#include <cstdint>

#include "mmu/microarch.h"
#include "mmu/page_walker.h"
#include "mmu/paging_types.h"
#include "mmu/physical_memory.h"
#include "mmu/walk_record.h"

namespace x64sim {

// Told when translations the MMU handed out stop being valid, so caches
// built on them (the CPU's fast path) drop them too.
class TranslationListener {
 public:
  virtual ~TranslationListener() = default;
  // Every translation whose linear 4 KiB page is `linear_page` (any PCID).
  virtual void OnTranslationDropped(uint64_t linear_page) = 0;
  // Every translation.
  virtual void OnAllTranslationsDropped() = 0;
};

// Sees every translation the MMU performs (tracer, timing model). Null by
// default; nothing is built or called for it when absent.
class WalkObserver {
 public:
  virtual ~WalkObserver() = default;
  virtual void OnTranslate(const WalkRecord& record) = 0;
};

class Mmu {
 public:
  explicit Mmu(PhysicalMemory& memory, const MicroArch& arch = kSkylakeClient);

  // Translates `linear` for one access. With CR0.PG clear this is the
  // identity. On success the accessed/dirty bits are already written back
  // and the translation is cached; on failure `error_code` is the #PF code.
  Translation Translate(uint64_t linear, AccessKind kind, const PagingContext& ctx);

  // Architectural invalidation events (SDM vol. 3A 4.10.4).
  void OnCr3Write(const PagingContext& new_ctx);  // CR3 already holds the new value
  void OnPagingModeChange();                      // CR0.PG/WP, CR4.PGE/PAE/PCIDE/SMEP/SMAP, EFER.NXE
  void Invlpg(uint64_t linear, const PagingContext& ctx);
  void Invpcid(int type, uint16_t pcid, uint64_t linear);

  void set_listener(TranslationListener* listener) { listener_ = listener; }
  void set_observer(WalkObserver* observer) { observer_ = observer; }

 private:
  Translation Fail(WalkRecord& record, WalkStop stop, TranslateFailure failure,
                   uint32_t error_code);

  PhysicalMemory& memory_;
  MicroArch arch_;
  PageWalker walker_;
  TranslationListener* listener_ = nullptr;
  WalkObserver* observer_ = nullptr;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_MMU_H_
