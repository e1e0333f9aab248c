// String instructions: every operation, size, repeat prefix, address size
// and direction against the host CPU (including overlapping MOVS and runs
// that cross pages), then what the host cannot show: a page fault part-way
// through REP MOVS and its restart, REP STOS over its own code, and a
// segment override on the source.
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/native_runner.h"

namespace x64sim::testing {
namespace {

enum Op { kMovs, kStos, kLods, kCmps, kScas };
const char* const kOpNames[] = {"movs", "stos", "lods", "cmps", "scas"};
const uint8_t kByteOpcodes[] = {0xa4, 0xaa, 0xac, 0xa6, 0xae};  // +1 for W/D/Q (SDM vol. 2 opcode map)

struct Form {
  Op op;
  int size;        // 1, 2, 4, 8
  uint8_t repeat;  // 0, 0xf3 or 0xf2
  bool addr32;
  std::vector<uint8_t> Bytes() const {
    std::vector<uint8_t> b;
    if (repeat) b.push_back(repeat);
    if (addr32) b.push_back(0x67);
    if (size == 2) b.push_back(0x66);
    if (size == 8) b.push_back(0x48);
    b.push_back(kByteOpcodes[op] + (size > 1));
    return b;
  }
  std::string Name() const {
    std::string n = repeat == 0xf3 ? "rep " : repeat == 0xf2 ? "repne " : "";
    n += kOpNames[op];
    n += "bwdq"[size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3];
    if (addr32) n += " (addr32)";
    return n;
  }
};

constexpr size_t kBufBytes = 128 * 1024;
constexpr uint64_t kFlagsCompared = kArithFlags | kDF;

struct Scenario {
  bool down;        // DF = 1
  uint64_t count;   // RCX for repeated forms
  int64_t src;      // buffer offsets of the first element
  int64_t dst;
};

// Fills the buffer so that compares both match and mismatch: a small
// alphabet, and for CMPS a destination mostly equal to the source.
void FillBuffer(const Form& f, const Scenario& sc, std::mt19937_64& rng, uint8_t* buf) {
  for (size_t i = 0; i < kBufBytes; ++i) buf[i] = static_cast<uint8_t>(rng() % 3);
  if (f.op == kCmps && rng() % 4 != 0) {
    int64_t n = static_cast<int64_t>(sc.count + 1) * f.size;
    int64_t lo_s = sc.down ? sc.src - n + f.size : sc.src;
    int64_t lo_d = sc.down ? sc.dst - n + f.size : sc.dst;
    if (lo_s >= 0 && lo_d >= 0) std::memmove(buf + lo_d, buf + lo_s, n);
    buf[lo_d + rng() % n] ^= 1;
  }
}

std::vector<Scenario> ScenariosFor(const Form& f, std::mt19937_64& rng) {
  std::vector<uint64_t> counts = {1};
  if (f.repeat) counts = {0, 1, 2, 7, 333, 20000 / static_cast<uint64_t>(f.size)};
  std::vector<int64_t> gaps = {0x8000};  // destination minus source
  if (f.op == kMovs) gaps = {0x8000, -0x4000, 1, 3, 5, 8, 13, -1, -3, -8, 0};
  std::vector<Scenario> out;
  for (bool down : {false, true}) {
    for (uint64_t count : counts) {
      for (int64_t gap : gaps) {
        int64_t span = static_cast<int64_t>(count + 1) * f.size;
        int64_t src = 0x6000 + static_cast<int64_t>(rng() % 64);
        if (down) src += span;
        out.push_back({down, count, src, src + gap});
      }
    }
  }
  return out;
}

TEST(StringDifferentialTest, EveryFormMatchesTheHost) {
  LowMemory host_mem(kBufBytes);
  const uint64_t host_base = reinterpret_cast<uint64_t>(host_mem.data());
  const uint64_t guest_base = LongModeMachine::kData;
  std::vector<uint8_t> initial(kBufBytes), guest_after(kBufBytes);
  int forms = 0, runs = 0;
  for (Op op : {kMovs, kStos, kLods, kCmps, kScas}) {
    for (int size : {1, 2, 4, 8}) {
      for (uint8_t repeat : {0x00, 0xf3, 0xf2}) {
        if (repeat == 0xf2 && op != kCmps && op != kScas) continue;
        for (bool addr32 : {false, true}) {
          const Form f{op, size, repeat, addr32};
          SCOPED_TRACE(f.Name());
          LongModeMachine m;
          NativeCode native(f.Bytes());
          std::mt19937_64 rng(forms + 7);
          for (const Scenario& sc : ScenariosFor(f, rng)) {
            SCOPED_TRACE(::testing::Message() << "down " << sc.down << " count " << sc.count
                                              << " src " << sc.src << " dst " << sc.dst);
            FillBuffer(f, sc, rng, initial.data());
            RegisterImage in = {};
            in.rax = rng() % 3 * 0x0101010101010101ull;  // SCAS finds or misses the alphabet
            if (rng() % 2) in.rax ^= 1;
            // Upper garbage in RCX/RSI/RDI shows what a 32-bit address size ignores and clears.
            uint64_t upper = addr32 ? (rng() | 1) << 32 : 0;
            in.rcx = f.repeat ? sc.count | upper : rng();
            in.rflags = 0x2 | (rng() & (kArithFlags & ~kZF)) | (sc.down ? kDF : 0);
            RegisterImage host = in;
            host.rsi = upper | (host_base + sc.src);
            host.rdi = upper | (host_base + sc.dst);
            std::memcpy(host_mem.data(), initial.data(), kBufBytes);
            native.Run(&host);

            CpuState& s = m.state();
            s.gpr[kRax] = in.rax;
            s.gpr[kRcx] = in.rcx;
            s.gpr[kRsi] = upper | (guest_base + sc.src);
            s.gpr[kRdi] = upper | (guest_base + sc.dst);
            s.rflags = in.rflags;
            m.memory().CopyIn(guest_base, initial.data(), kBufBytes);
            LongModeMachine::Outcome out = m.Run(f.Bytes());
            ASSERT_EQ(out.vector, -1);

            EXPECT_EQ(s.gpr[kRax], host.rax);
            EXPECT_EQ(s.gpr[kRcx], host.rcx);
            EXPECT_EQ(s.gpr[kRsi] - guest_base, host.rsi - host_base);
            EXPECT_EQ(s.gpr[kRdi] - guest_base, host.rdi - host_base);
            EXPECT_EQ(s.rflags & kFlagsCompared, host.rflags & kFlagsCompared);
            m.memory().CopyOut(guest_base, guest_after.data(), kBufBytes);
            EXPECT_EQ(0, std::memcmp(guest_after.data(), host_mem.data(), kBufBytes));
            if (::testing::Test::HasFailure()) return;
            ++runs;
          }
          ++forms;
        }
      }
    }
  }
  std::printf("string forms compared with the host: %d (%d runs)\n", forms, runs);
}

const std::vector<uint8_t> kRepMovsb = {0xf3, 0xa4};
const std::vector<uint8_t> kRepMovsq = {0xf3, 0x48, 0xa5};

// SDM vol. 2B REP: a fault part-way leaves RSI/RDI/RCX naming the faulting
// element, and the restarted instruction finishes the copy.
TEST(StringFaultTest, RepMovsRestartsAfterPageFault) {
  for (const auto* code : {&kRepMovsb, &kRepMovsq}) {
    const int size = code->size() == 2 ? 1 : 8;
    LongModeMachine m;
    const uint64_t src = LongModeMachine::kData + 0x10;
    const uint64_t dst = LongModeMachine::kData + 0x8000 + 0x20;
    const uint64_t bytes = 3 * kPageSize;
    std::vector<uint8_t> pattern(bytes);
    std::mt19937_64 rng(3);
    for (uint8_t& b : pattern) b = static_cast<uint8_t>(rng());
    m.memory().CopyIn(src, pattern.data(), bytes);
    const uint64_t hole = LongModeMachine::kData + 0xa000;  // dst's third page
    m.SetPteFlags(hole, 0);
    CpuState& s = m.state();
    s.gpr[kRsi] = src;
    s.gpr[kRdi] = dst;
    s.gpr[kRcx] = bytes / size;
    LongModeMachine::Outcome out = m.Run(*code);
    ASSERT_EQ(out.vector, kPageFault);
    EXPECT_EQ(out.error_code, kPfWrite);
    EXPECT_EQ(out.fault_rip, LongModeMachine::kCode);
    // The element that faults is the first to touch the hole (a quadword may straddle it).
    const uint64_t done = (hole - dst) / size;
    EXPECT_EQ(s.cr2, dst + done * size > hole ? dst + done * size : hole);
    EXPECT_EQ(s.gpr[kRdi], dst + done * size);
    EXPECT_EQ(s.gpr[kRsi], src + done * size);
    EXPECT_EQ(s.gpr[kRcx], bytes / size - done);
    std::vector<uint8_t> got(bytes);
    m.memory().CopyOut(dst, got.data(), done * size);
    EXPECT_EQ(0, std::memcmp(got.data(), pattern.data(), done * size));

    m.SetPteFlags(hole, LongModeMachine::kPteFlags);
    const uint64_t rsi = s.gpr[kRsi], rdi = s.gpr[kRdi], rcx = s.gpr[kRcx];
    s.gpr[kRsi] = rsi;
    s.gpr[kRdi] = rdi;
    s.gpr[kRcx] = rcx;
    ASSERT_EQ(m.Run(*code).vector, -1);
    EXPECT_EQ(s.gpr[kRcx], 0u);
    EXPECT_EQ(s.gpr[kRdi], dst + bytes);
    m.memory().CopyOut(dst, got.data(), bytes);
    EXPECT_EQ(0, std::memcmp(got.data(), pattern.data(), bytes));
  }
}

// Source and destination 4 MiB apart share a slot of the core's
// direct-mapped fast path, and the destination is not identity-mapped, so
// the two pages evict each other; copies and compares must still be exact.
TEST(StringFaultTest, OperandsThatEvictEachOtherFromTheFastPath) {
  LongModeMachine m;
  const uint64_t src = LongModeMachine::kData + 0x18;
  const uint64_t dst = src + (4 << 20);
  const uint64_t bytes = 3 * kPageSize;
  const uint64_t frames = LongModeMachine::kData + (8 << 20) + 0x5000;  // dst's frames
  for (uint64_t off = 0; off <= bytes; off += kPageSize) {
    m.MapPage(dst + off, frames + off);
  }
  const uint64_t dst_phys = frames + (dst & (kPageSize - 1));
  std::vector<uint8_t> pattern(bytes);
  std::mt19937_64 rng(5);
  for (uint8_t& b : pattern) b = static_cast<uint8_t>(rng());
  m.memory().CopyIn(src, pattern.data(), bytes);
  CpuState& s = m.state();
  s.gpr[kRsi] = src;
  s.gpr[kRdi] = dst;
  s.gpr[kRcx] = bytes / 8;
  ASSERT_EQ(m.Run(kRepMovsq).vector, -1);
  std::vector<uint8_t> got(bytes);
  m.memory().CopyOut(dst_phys, got.data(), bytes);
  EXPECT_EQ(0, std::memcmp(got.data(), pattern.data(), bytes));

  const uint64_t differs_at = 2 * kPageSize + 77;
  uint8_t changed = pattern[differs_at] ^ 0x40;
  m.memory().CopyIn(dst_phys + differs_at, &changed, 1);
  s.gpr[kRsi] = src;
  s.gpr[kRdi] = dst;
  s.gpr[kRcx] = bytes;
  ASSERT_EQ(m.Run({0xf3, 0xa6}).vector, -1);  // repe cmpsb
  EXPECT_EQ(s.gpr[kRcx], bytes - differs_at - 1);
  EXPECT_EQ(s.gpr[kRsi], src + differs_at + 1);
  EXPECT_EQ(s.gpr[kRdi], dst + differs_at + 1);
  EXPECT_FALSE(s.rflags & kZF);
  EXPECT_EQ(!!(s.rflags & kCF), pattern[differs_at] < changed);
}

// REP STOSB over the bytes that follow it: the decoded copy of those bytes
// must be dropped, so the CPU runs the NOPs it stored, not the old MOV.
TEST(StringFaultTest, RepStosOverItsOwnCodeIsSeen) {
  LongModeMachine m;
  // rep stosb; mov eax, 1; (hlt appended)
  const std::vector<uint8_t> code = {0xf3, 0xaa, 0xb8, 0x01, 0x00, 0x00, 0x00};
  CpuState& s = m.state();
  s.gpr[kRax] = 0x90;  // NOP
  s.gpr[kRcx] = 5;
  s.gpr[kRdi] = LongModeMachine::kCode + 2;
  ASSERT_EQ(m.Run(code).vector, -1);
  EXPECT_EQ(s.gpr[kRax], 0x90u);
  EXPECT_EQ(s.gpr[kRcx], 0u);
}

// A long REP goes in slices of 65536 elements, returning to the run loop
// between them without retiring (as an interrupt between iterations would
// see it), each slice counting towards the instruction limit: neither a
// count of 2^64 - 1 over unbacked memory nor anything else outlasts it.
TEST(StringFaultTest, LongRepGoesInSlicesBoundedByTheLimit) {
  LongModeMachine m;
  constexpr uint64_t kUnbacked = 0x40000000;  // above the 16 MiB of RAM
  m.MapPage(LongModeMachine::kData, kUnbacked);
  CpuState& s = m.state();
  s.gpr[kRcx] = ~0ull;
  s.gpr[kRdi] = LongModeMachine::kData;
  LongModeMachine::Outcome out = m.Run({0xf3, 0xaa}, /*max_instructions=*/3);  // rep stosb
  EXPECT_EQ(out.reason, StopReason::kInstructionLimit);
  EXPECT_EQ(s.rip, LongModeMachine::kCode);
  EXPECT_EQ(m.cpu().instret(), 0u);
  // Three slices of 65536 elements, done one by one (unbacked memory).
  EXPECT_EQ(s.gpr[kRcx], ~0ull - 3 * 65536);
  EXPECT_EQ(s.gpr[kRdi], LongModeMachine::kData + 3 * 65536);
}

TEST(StringFaultTest, SlicedRepFinishesWithTheSameResult) {
  LongModeMachine m;
  // rep stosq over 1 MiB (131072 elements: two slices), then hlt.
  CpuState& s = m.state();
  s.gpr[kRax] = 0x0123456789abcdefull;
  s.gpr[kRcx] = 131072;
  s.gpr[kRdi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run({0xf3, 0x48, 0xab}).vector, -1);
  EXPECT_EQ(s.gpr[kRcx], 0u);
  EXPECT_EQ(s.gpr[kRdi], LongModeMachine::kData + (1u << 20));
  EXPECT_EQ(m.Get64(LongModeMachine::kData + (1u << 20) - 8), 0x0123456789abcdefull);
  EXPECT_EQ(m.cpu().instret(), 2u);  // rep stosq and hlt, once each
}

// A short slice (Cpu::set_rep_slice) changes how often the run loop looks
// in, and how much one instruction of the limit buys, never the result.
TEST(StringFaultTest, ShortSlicesGiveTheSameResult) {
  LongModeMachine m;
  m.cpu().set_rep_slice(7);
  CpuState& s = m.state();
  for (int i = 0; i < 100; ++i) m.Put64(0x1000 + 8 * i, 0x1111111111111111ull * (i % 15));
  s.gpr[kRcx] = 800;  // rep movsb of 800 bytes: 115 slices
  s.gpr[kRsi] = 0x1000;
  s.gpr[kRdi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run({0xf3, 0xa4}, /*max_instructions=*/200).vector, -1);
  EXPECT_EQ(s.gpr[kRcx], 0u);
  EXPECT_EQ(s.gpr[kRdi], LongModeMachine::kData + 800);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(m.Get64(LongModeMachine::kData + 8 * i), m.Get64(0x1000 + 8 * i));
  EXPECT_EQ(m.cpu().instret(), 2u);  // rep movsb and hlt
  // And the limit counts slices: three of them, 21 bytes.
  LongModeMachine n;
  n.cpu().set_rep_slice(7);
  n.state().gpr[kRcx] = 800;
  n.state().gpr[kRdi] = LongModeMachine::kData;
  EXPECT_EQ(n.Run({0xf3, 0xaa}, /*max_instructions=*/3).reason, StopReason::kInstructionLimit);
  EXPECT_EQ(n.state().gpr[kRcx], 800u - 21);
}

// REP INSW: each word from port DX in turn, stored at ES:RDI upwards.
TEST(StringPortTest, RepInsStoresEachPortReadInTurn) {
  LongModeMachine m;
  m.ports().input = {0x1111, 0x2222, 0x3333};
  CpuState& s = m.state();
  s.gpr[kRcx] = 3;
  s.gpr[kRdx] = 0x1f0;
  s.gpr[kRdi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run({0xf3, 0x66, 0x6d}).vector, -1);  // rep insw
  EXPECT_EQ(m.Get64(LongModeMachine::kData), 0x0000333322221111ull);
  EXPECT_EQ(s.gpr[kRdi], LongModeMachine::kData + 6);
  EXPECT_EQ(s.gpr[kRcx], 0u);
  ASSERT_EQ(m.ports().ins.size(), 3u);
  EXPECT_EQ(m.ports().ins[2], (TestPorts::Access{0x1f0, 2, 0x3333}));
}

// OUTSB with DF set walks down, from FS:RSI here (the source segment can be
// overridden); a count of zero does nothing.
TEST(StringPortTest, RepOutsWalksDownFromAnOverriddenSegment) {
  LongModeMachine m;
  const uint64_t fs_base = 0x200000;
  m.cpu().LoadSegmentCache(kFs, Segment{0, fs_base, 0xffffffff, 0xcf92});
  m.Put64(fs_base + 0x10, 0x0000000000635241ull);  // "ARc"
  CpuState& s = m.state();
  m.cpu().SetRflags(s.rflags | kDF);
  s.gpr[kRcx] = 3;
  s.gpr[kRdx] = 0x3f8;
  s.gpr[kRsi] = 0x12;
  ASSERT_EQ(m.Run({0xf3, 0x64, 0x6e}).vector, -1);  // rep outsb dx, fs:[rsi]
  ASSERT_EQ(m.ports().outs.size(), 3u);
  EXPECT_EQ(m.ports().outs[0], (TestPorts::Access{0x3f8, 1, 'c'}));
  EXPECT_EQ(m.ports().outs[1], (TestPorts::Access{0x3f8, 1, 'R'}));
  EXPECT_EQ(m.ports().outs[2], (TestPorts::Access{0x3f8, 1, 'A'}));
  EXPECT_EQ(s.gpr[kRsi], 0x0fu);
  s.gpr[kRcx] = 0;
  ASSERT_EQ(m.Run({0xf3, 0x6e}).vector, -1);
  EXPECT_EQ(m.ports().outs.size(), 3u);
}

// A long REP INSD goes in slices: the limit
// stops it with RCX and RDI naming where it goes on, one port read per
// element done.
TEST(StringPortTest, LongRepInsGoesInSlices) {
  LongModeMachine m;
  m.cpu().set_rep_slice(5);
  CpuState& s = m.state();
  s.gpr[kRcx] = 1000;
  s.gpr[kRdx] = 0x60;
  s.gpr[kRdi] = LongModeMachine::kData;
  EXPECT_EQ(m.Run({0xf3, 0x6d}, /*max_instructions=*/2).reason, StopReason::kInstructionLimit);
  EXPECT_EQ(s.gpr[kRcx], 990u);
  EXPECT_EQ(s.gpr[kRdi], LongModeMachine::kData + 40);
  EXPECT_EQ(m.ports().ins.size(), 10u);
}

// The source segment can be overridden (FS here, whose base counts in
// 64-bit mode); ES:RDI cannot (SDM vol. 2B MOVS).
TEST(StringFaultTest, SourceSegmentOverride) {
  LongModeMachine m;
  const uint64_t fs_base = 0x40000 + 0x100000;
  m.cpu().LoadSegmentCache(kFs, Segment{0, fs_base, 0xffffffff, 0xcf92});
  m.Put64(fs_base + 0x10, 0x1122334455667788ull);
  m.Put64(0x10, 0xdeadbeefdeadbeefull);
  CpuState& s = m.state();
  s.gpr[kRsi] = 0x10;
  s.gpr[kRdi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run({0x64, 0x48, 0xa5}).vector, -1);  // movsq qword [rdi], fs:[rsi]
  EXPECT_EQ(m.Get64(LongModeMachine::kData), 0x1122334455667788ull);
  EXPECT_EQ(s.gpr[kRsi], 0x18u);
}

// A device register file whose reads are counted; byte i reads as i + 1.
class CountingDevice : public MmioDevice {
 public:
  uint64_t MmioRead(uint64_t offset, int size) override {
    ++reads;
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i) v = v << 8 | (offset + i + 1);
    return v;
  }
  void MmioWrite(uint64_t, int, uint64_t) override {}
  int reads = 0;
};

// REPE CMPS and REPNE SCAS over device registers read each element once,
// in order, as the element-by-element loop does: a device whose reads have
// side effects sees no extra read.
TEST(StringFaultTest, CompareOverMmioReadsEachElementOnce) {
  LongModeMachine m;
  CountingDevice device;
  const uint64_t kMmio = LongModeMachine::kRamBytes;  // the first frame past RAM
  m.memory().MapMmio(kMmio, kPageSize, &device);
  const uint64_t kWindow = 0x200000;
  m.MapPage(kWindow, kMmio);
  m.Put64(LongModeMachine::kData, 0x0000000504030201ull);  // device bytes 1..5, then 0
  CpuState& s = m.state();
  s.gpr[kRsi] = kWindow;
  s.gpr[kRdi] = LongModeMachine::kData;
  s.gpr[kRcx] = 8;
  ASSERT_EQ(m.Run({0xf3, 0xa6}).vector, -1);  // repe cmpsb: equal for 5, the 6th differs
  EXPECT_EQ(device.reads, 6);
  EXPECT_EQ(s.gpr[kRcx], 2u);
  EXPECT_EQ(s.gpr[kRsi], kWindow + 6);
  EXPECT_FALSE(s.rflags & kZF);

  device.reads = 0;
  s.gpr[kRax] = 4;
  s.gpr[kRdi] = kWindow;
  s.gpr[kRcx] = 100;
  ASSERT_EQ(m.Run({0xf2, 0xae}).vector, -1);  // repne scasb: found at the 4th
  EXPECT_EQ(device.reads, 4);
  EXPECT_EQ(s.gpr[kRcx], 96u);
  EXPECT_TRUE(s.rflags & kZF);
}

// 32-bit protected mode (paging off), as a multiboot entry zeroing its BSS
// runs: ESI/EDI/ECX, segment bases that count, and a 16-bit address size.
TEST(StringFaultTest, ProtectedModeSegmentsAndAddressSizes) {
  LongModeMachine m;
  Cpu& cpu = m.cpu();
  cpu.LoadSegmentCache(kCs, Segment{8, 0, 0xffffffff, 0xcf9a});  // 32-bit code
  ASSERT_TRUE(cpu.WriteCr0(kCr0PE | kCr0ET));
  cpu.WriteEfer(0);
  const uint64_t ds_base = 0x20000;
  cpu.LoadSegmentCache(kDs, Segment{16, ds_base, 0xffffffff, 0xcf92});
  ASSERT_EQ(m.state().mode, CpuMode::kProtected32);
  CpuState& s = m.state();

  s.gpr[kRax] = 0x12345678;
  s.gpr[kRcx] = 1000;
  s.gpr[kRdi] = LongModeMachine::kData;
  ASSERT_EQ(m.Run({0xf3, 0xab}).vector, -1);  // rep stosd
  EXPECT_EQ(s.gpr[kRcx], 0u);
  EXPECT_EQ(s.gpr[kRdi], LongModeMachine::kData + 4000);
  EXPECT_EQ(m.Get64(LongModeMachine::kData + 3992), 0x1234567812345678ull);
  EXPECT_EQ(m.Get64(LongModeMachine::kData + 4000), 0u);

  // rep movsb from DS:ESI (DS base 0x20000) to ES:EDI (base 0).
  m.Put64(ds_base + 0x100, 0x0807060504030201ull);
  s.gpr[kRsi] = 0x100;
  s.gpr[kRdi] = LongModeMachine::kData + 0x2000;
  s.gpr[kRcx] = 8;
  ASSERT_EQ(m.Run({0xf3, 0xa4}).vector, -1);
  EXPECT_EQ(m.Get64(LongModeMachine::kData + 0x2000), 0x0807060504030201ull);
  EXPECT_EQ(s.gpr[kRsi], 0x108u);

  // 16-bit address size: SI/DI/CX, and SI wraps within its 64 KiB.
  m.Put64(ds_base + 0xfffe, 0xbbaa);
  m.Put64(ds_base, 0xddcc);
  s.gpr[kRsi] = 0xabcd0000fffeull;
  s.gpr[kRdi] = 0x00005000;
  s.gpr[kRcx] = 0x77770004;
  ASSERT_EQ(m.Run({0x67, 0xf3, 0xa4}).vector, -1);
  EXPECT_EQ(m.Get64(0x5000) & 0xffffffff, 0xddccbbaau);
  EXPECT_EQ(s.gpr[kRsi], 0xabcd00000002ull);
  EXPECT_EQ(s.gpr[kRdi], 0x00005004u);
  EXPECT_EQ(s.gpr[kRcx], 0x77770000u);
}

}  // namespace
}  // namespace x64sim::testing
