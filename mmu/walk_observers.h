// Several observers behind the MMU's one slot: the MMU tracer and the
// timing model watch the same translations.
#ifndef X64SIM_MMU_WALK_OBSERVERS_H_
#define X64SIM_MMU_WALK_OBSERVERS_H_

#include <vector>

#include "mmu/mmu.h"

namespace x64sim {

class WalkObservers final : public WalkObserver {
 public:
  void Add(WalkObserver* observer) { observers_.push_back(observer); }
  void Remove(WalkObserver* observer) { std::erase(observers_, observer); }
  bool empty() const { return observers_.empty(); }
  void OnTranslate(const WalkRecord& record) override {
    for (WalkObserver* o : observers_) o->OnTranslate(record);
  }
  void OnTlbEvent(const TlbEvent& event) override {
    for (WalkObserver* o : observers_) o->OnTlbEvent(event);
  }

 private:
  std::vector<WalkObserver*> observers_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_WALK_OBSERVERS_H_
