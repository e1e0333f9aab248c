// TLB behaviour of the default microarchitecture under strided access:
// every access goes through Mmu::Translate (as if the CPU's soft TLB always
// missed), and the counters report what the modelled TLBs did.
//
//   bazel run -c opt //bench:mmu_bench
//
// Counters: l1d_mpka and stlb_mpka (first- and second-level TLB misses per
// 1000 accesses; every STLB miss is a walk), levels_per_walk (paging-
// structure entries read per walk), psc_hit_pct (walks that started below
// the PML4 thanks to a paging-structure cache).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>

#include "mmu/mmu.h"
#include "mmu/paging_bits.h"
#include "mmu/physical_memory.h"

namespace x64sim {
namespace {

constexpr uint64_t kLinearBase = 0x10000000000;  // 1 TiB: PML4 index 2
constexpr uint64_t kTableBase = 0;               // tables from physical 0 up

// RAM for page tables only: translations never touch the mapped frames.
class MappedRegion {
 public:
  MappedRegion(uint64_t bytes, paging::PageSize size)
      : memory_(TableBytes(bytes, size)), next_table_(kTableBase) {
    pml4_ = NewTable();
    const uint64_t page = paging::PageBytes(size);
    for (uint64_t off = 0; off < bytes; off += page) Map(kLinearBase + off, off, size);
    mmu_ = std::make_unique<Mmu>(memory_);
    ctx_.cr0 = kCr0PG | kCr0WP | 1;
    ctx_.cr3 = pml4_;
    ctx_.cr4 = kCr4PAE;
    ctx_.efer = kEferLME | kEferLMA | kEferNXE;
  }

  Mmu& mmu() { return *mmu_; }
  const PagingContext& ctx() const { return ctx_; }

 private:
  static uint64_t TableBytes(uint64_t bytes, paging::PageSize size) {
    const uint64_t leaves = bytes >> paging::PageShift(size);
    return (leaves / 512 + 16) * kPageSize * 2;  // leaf tables + upper levels, generously
  }
  uint64_t NewTable() {
    const uint64_t t = next_table_;
    next_table_ += kPageSize;
    return t;
  }
  uint64_t Entry(uint64_t table, uint64_t linear, paging::Level level) {
    return table + paging::TableIndex(linear, level) * 8;
  }
  void Map(uint64_t linear, uint64_t phys, paging::PageSize size) {
    const int leaf_level = size == paging::PageSize::k4K ? 1 : size == paging::PageSize::k2M ? 2 : 3;
    uint64_t table = pml4_;
    for (int l = 4; l > leaf_level; --l) {
      const uint64_t e = Entry(table, linear, static_cast<paging::Level>(l));
      uint64_t v = memory_.Read(e, 8);
      if (!(v & paging::kPteP)) {
        v = NewTable() | paging::kPteP | paging::kPteRw;
        memory_.Write(e, 8, v);
      }
      table = v & paging::AddressMask(39);
    }
    const uint64_t ps = size == paging::PageSize::k4K ? 0 : paging::kPtePs;
    memory_.Write(Entry(table, linear, static_cast<paging::Level>(leaf_level)), 8,
                  phys | ps | paging::kPteP | paging::kPteRw);
  }

  PhysicalMemory memory_;
  uint64_t next_table_;
  uint64_t pml4_ = 0;
  std::unique_ptr<Mmu> mmu_;
  PagingContext ctx_;
};

// range(0): stride in bytes; range(1): region in bytes.
void Strided(benchmark::State& state, paging::PageSize size) {
  const uint64_t stride = static_cast<uint64_t>(state.range(0));
  const uint64_t region = static_cast<uint64_t>(state.range(1));
  MappedRegion mapped(region, size);
  Mmu& mmu = mapped.mmu();
  // One warm-up sweep so the counters measure the steady state.
  for (uint64_t off = 0; off < region; off += stride) {
    mmu.Translate(kLinearBase + off, AccessKind::kRead, mapped.ctx());
  }
  const MmuStats before = mmu.stats();
  uint64_t off = 0;
  uint64_t accesses = 0;
  for (auto _ : state) {
    Translation t = mmu.Translate(kLinearBase + off, AccessKind::kRead, mapped.ctx());
    benchmark::DoNotOptimize(t);
    off += stride;
    if (off >= region) off = 0;
    ++accesses;
  }
  const MmuStats& after = mmu.stats();
  auto sum = [](const uint64_t* v) { return v[0] + v[1] + v[2] + v[3]; };
  const double n = static_cast<double>(accesses);
  const double walks = static_cast<double>(after.walks - before.walks);
  uint64_t psc_hits = 0;
  for (int i = 0; i < 3; ++i) psc_hits += after.psc_hits[i] - before.psc_hits[i];
  state.counters["l1d_mpka"] =
      1000.0 * static_cast<double>(sum(after.l1d_misses) - sum(before.l1d_misses)) / n;
  state.counters["stlb_mpka"] =
      1000.0 * static_cast<double>(sum(after.stlb_misses) - sum(before.stlb_misses)) / n;
  state.counters["levels_per_walk"] =
      walks > 0 ? static_cast<double>(after.walk_levels_read - before.walk_levels_read) / walks : 0;
  state.counters["psc_hit_pct"] = walks > 0 ? 100.0 * static_cast<double>(psc_hits) / walks : 0;
  state.SetLabel(std::to_string(region >> paging::PageShift(size)) + " pages");
}

void BM_Strided4K(benchmark::State& state) { Strided(state, paging::PageSize::k4K); }
void BM_Strided2M(benchmark::State& state) { Strided(state, paging::PageSize::k2M); }

constexpr int64_t kKiB = 1 << 10;
constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kGiB = 1ll << 30;

// 4 KiB pages: within the L1 dTLB (64), within the STLB (1536), beyond it;
// sequential lines, one access per page, and a stride that maps every page
// into one L1 set.
BENCHMARK(BM_Strided4K)
    ->Args({64, 256 * kKiB})
    ->Args({4 * kKiB, 256 * kKiB})
    ->Args({64, 8 * kMiB})
    ->Args({4 * kKiB, 4 * kMiB})
    ->Args({4 * kKiB, 8 * kMiB})
    ->Args({4 * kKiB, 64 * kMiB})
    ->Args({64 * kKiB, 4 * kMiB})
    ->Args({64 * kKiB, 64 * kMiB});

// 2 MiB pages: within the L1 dTLB (32), within the STLB, beyond it.
BENCHMARK(BM_Strided2M)
    ->Args({4 * kKiB, 64 * kMiB})
    ->Args({2 * kMiB, 64 * kMiB})
    ->Args({2 * kMiB, 1 * kGiB})
    ->Args({2 * kMiB, 4 * kGiB});

}  // namespace
}  // namespace x64sim

BENCHMARK_MAIN();
