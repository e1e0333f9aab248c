// Test doubles that record what the MMU reports: a translation listener and
// a walk observer. They only store; the assertions are in the tests.
#ifndef X64SIM_TESTS_MMU_RECORDERS_H_
#define X64SIM_TESTS_MMU_RECORDERS_H_

#include <cstdint>
#include <vector>

#include "mmu/mmu.h"

namespace x64sim::testing {

class RecordingListener : public TranslationListener {
 public:
  void OnTranslationDropped(uint64_t linear_page) override { pages.push_back(linear_page); }
  void OnAllTranslationsDropped() override { ++all; }
  void OnAddressSpaceChanged() override { ++address_space_changes; }
  void OnTranslationRangeDropped(uint64_t base, uint64_t bytes) override {
    ranges.push_back({base, bytes});
  }

  struct Range {
    uint64_t base;
    uint64_t bytes;
  };
  std::vector<uint64_t> pages;
  std::vector<Range> ranges;
  int all = 0;
  int address_space_changes = 0;
};

class RecordingObserver : public WalkObserver {
 public:
  void OnTranslate(const WalkRecord& record) override { records.push_back(record); }
  void OnTlbEvent(const TlbEvent& event) override { events.push_back(event); }

  std::vector<WalkRecord> records;
  std::vector<TlbEvent> events;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_MMU_RECORDERS_H_
