// CacheLevel against a plain LRU reference: the hit/miss sequence of every
// access, and the hit and miss counts, on sequences that reuse lines, fill
// sets and evict.
#include "uarch/cache_model.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <list>
#include <random>
#include <vector>

namespace x64sim {
namespace {

// Each set a list of lines, most recently used first.
class ReferenceLru {
 public:
  ReferenceLru(int sets, int ways) : sets_(static_cast<size_t>(sets)), ways_(ways) {}
  bool Access(uint64_t line) {
    std::list<uint64_t>& set = sets_[line % sets_.size()];
    for (auto it = set.begin(); it != set.end(); ++it) {
      if (*it == line) {
        set.splice(set.begin(), set, it);
        return true;
      }
    }
    set.push_front(line);
    if (static_cast<int>(set.size()) > ways_) set.pop_back();
    return false;
  }

 private:
  std::vector<std::list<uint64_t>> sets_;
  int ways_;
};

CacheGeometry Geometry(int sets, int ways) {
  return {.name = "test", .size_bytes = sets * ways * 64, .ways = ways, .line_bytes = 64,
          .latency = 4};
}

void ExpectSameAsReference(int sets, int ways, const std::vector<uint64_t>& lines) {
  CacheLevel cache(Geometry(sets, ways));
  ReferenceLru reference(sets, ways);
  uint64_t hits = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool hit = reference.Access(lines[i]);
    hits += hit;
    ASSERT_EQ(cache.Access(lines[i]), hit) << "access " << i << ", line " << lines[i];
  }
  EXPECT_EQ(cache.hits, hits);
  EXPECT_EQ(cache.misses, lines.size() - hits);
}

TEST(CacheLevelTest, EvictsTheLeastRecentlyUsedWay) {
  CacheLevel cache(Geometry(1, 4));
  for (uint64_t line : {1, 2, 3, 4}) EXPECT_FALSE(cache.Access(line));
  EXPECT_TRUE(cache.Access(1));  // 2 is now the least recent
  EXPECT_FALSE(cache.Access(5));
  EXPECT_TRUE(cache.Access(1));
  EXPECT_TRUE(cache.Access(3));
  EXPECT_FALSE(cache.Access(2));  // evicted by 5
}

TEST(CacheLevelTest, RepeatsAndAlternationsMatchLru) {
  // A line twice in a row, two lines of one set in turn, a full set cycled.
  ExpectSameAsReference(4, 2, {0, 0, 4, 4, 0, 4, 0, 8, 0, 4, 8, 12, 0, 0, 1, 5, 9, 1, 5, 9});
}

TEST(CacheLevelTest, RandomSequencesMatchLru) {
  std::mt19937_64 rng(7);
  for (int ways : {1, 2, 4, 8, 16}) {
    for (int sets : {1, 3, 16}) {  // 3: sets that are not a power of two
      std::uniform_int_distribution<uint64_t> line(0, static_cast<uint64_t>(sets * ways * 2));
      std::vector<uint64_t> lines;
      for (int i = 0; i < 5000; ++i) {
        // Half the time the line before: the hit-again path.
        lines.push_back(!lines.empty() && rng() % 2 ? lines.back() : line(rng));
      }
      ExpectSameAsReference(sets, ways, lines);
    }
  }
}

}  // namespace
}  // namespace x64sim
