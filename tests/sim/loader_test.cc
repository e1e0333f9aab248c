// The multiboot loader against hand-built images: what it loads, the
// information structure it builds, and a clear error for each bad image.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "sim/multiboot_loader.h"

namespace x64sim {
namespace {

constexpr uint64_t kRam = 64ull << 20;

struct Segment {
  uint64_t paddr, vaddr;
  std::vector<uint8_t> data;
  uint64_t mem_size;
};

void Put(std::vector<uint8_t>& b, size_t off, const void* p, size_t n) {
  if (b.size() < off + n) b.resize(off + n);
  std::memcpy(b.data() + off, p, n);
}
template <typename T>
void Put(std::vector<uint8_t>& b, size_t off, T v) { Put(b, off, &v, sizeof(T)); }

void PutMultibootHeader(std::vector<uint8_t>& b, size_t off, uint32_t flags = 0) {
  Put<uint32_t>(b, off, kMultibootHeaderMagic);
  Put<uint32_t>(b, off + 4, flags);
  Put<uint32_t>(b, off + 8, -(kMultibootHeaderMagic + flags));
}

// An ELF64 (or ELF32) executable: headers, then a multiboot header, then the
// segments' bytes.
std::vector<uint8_t> MakeElf(bool is_64, uint64_t entry, const std::vector<Segment>& segs) {
  std::vector<uint8_t> b(is_64 ? 64 : 52, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', static_cast<uint8_t>(is_64 ? 2 : 1), 1, 1};
  Put(b, 0, ident, sizeof(ident));
  Put<uint16_t>(b, 16, 2);                          // ET_EXEC
  Put<uint16_t>(b, 18, is_64 ? 62 : 3);             // EM_X86_64 / EM_386
  const size_t phoff = b.size();
  const size_t phsize = is_64 ? 56 : 32;
  size_t data_off = phoff + phsize * segs.size();
  PutMultibootHeader(b, data_off);
  data_off += 12;
  if (is_64) {
    Put<uint64_t>(b, 24, entry);
    Put<uint64_t>(b, 32, phoff);
    Put<uint16_t>(b, 54, phsize);
    Put<uint16_t>(b, 56, segs.size());
  } else {
    Put<uint32_t>(b, 24, entry);
    Put<uint32_t>(b, 28, phoff);
    Put<uint16_t>(b, 42, phsize);
    Put<uint16_t>(b, 44, segs.size());
  }
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    size_t h = phoff + i * phsize;
    Put<uint32_t>(b, h, 1);  // PT_LOAD
    if (is_64) {
      Put<uint64_t>(b, h + 8, data_off);
      Put<uint64_t>(b, h + 16, s.vaddr);
      Put<uint64_t>(b, h + 24, s.paddr);
      Put<uint64_t>(b, h + 32, s.data.size());
      Put<uint64_t>(b, h + 40, s.mem_size);
    } else {
      Put<uint32_t>(b, h + 4, data_off);
      Put<uint32_t>(b, h + 8, s.vaddr);
      Put<uint32_t>(b, h + 12, s.paddr);
      Put<uint32_t>(b, h + 16, s.data.size());
      Put<uint32_t>(b, h + 20, s.mem_size);
    }
    Put(b, data_off, s.data.data(), s.data.size());
    data_off += s.data.size();
  }
  return b;
}

std::vector<uint8_t> Bytes(std::initializer_list<uint8_t> l) { return l; }

uint32_t Read32(const PhysicalMemory& m, uint64_t a) {
  uint32_t v;
  EXPECT_TRUE(m.CopyOut(a, &v, 4));
  return v;
}

std::string ReadString(const PhysicalMemory& m, uint64_t a) {
  std::string s;
  char c;
  while (m.CopyOut(a++, &c, 1) && c) s += c;
  return s;
}

TEST(LoaderTest, LoadsElf64SegmentsZeroesBssAndTranslatesEntry) {
  PhysicalMemory mem(kRam);
  std::vector<uint8_t> junk(0x3000, 0xaa);
  mem.CopyIn(0x200000, junk.data(), junk.size());
  auto image = MakeElf(true, 0xffffffff80200010ull,
                       {{0x200000, 0xffffffff80200000ull, Bytes({1, 2, 3, 4}), 0x1800}});
  absl::StatusOr<BootImage> boot = LoadMultiboot(mem, image, "k", {});
  ASSERT_TRUE(boot.ok()) << boot.status();
  EXPECT_EQ(boot->entry, 0x200010u);
  EXPECT_EQ(Read32(mem, 0x200000), 0x04030201u);
  EXPECT_EQ(Read32(mem, 0x2017fc), 0u) << "memory past the file size is zeroed";
  EXPECT_EQ(Read32(mem, 0x201800), 0xaaaaaaaau) << "nothing past the segment is touched";
  EXPECT_EQ(boot->kernel_end, 0x201800u);
}

TEST(LoaderTest, LoadsElf32) {
  PhysicalMemory mem(kRam);
  auto image = MakeElf(false, 0x100000, {{0x100000, 0x100000, Bytes({0xf4}), 0x10}});
  absl::StatusOr<BootImage> boot = LoadMultiboot(mem, image, "k", {});
  ASSERT_TRUE(boot.ok()) << boot.status();
  EXPECT_EQ(boot->entry, 0x100000u);
}

TEST(LoaderTest, InformationStructure) {
  PhysicalMemory mem(kRam);
  auto image = MakeElf(true, 0x100000, {{0x100000, 0x100000, Bytes({0xf4}), 0x1800}});
  std::vector<BootModule> modules = {{std::vector<uint8_t>(5000, 7), "mod0 a"},
                                     {std::vector<uint8_t>(10, 9), "mod1"}};
  absl::StatusOr<BootImage> boot = LoadMultiboot(mem, image, "kernel x=1", modules);
  ASSERT_TRUE(boot.ok()) << boot.status();
  uint64_t info = boot->info_addr;
  uint32_t flags = Read32(mem, info);
  EXPECT_EQ(flags & 0x4d, 0x4du) << "mem, cmdline, mods and mmap present";
  EXPECT_EQ(Read32(mem, info + 4), 639u);
  EXPECT_EQ(Read32(mem, info + 8), (kRam - 0x20000 - 0x100000) >> 10);
  EXPECT_EQ(ReadString(mem, Read32(mem, info + 16)), "kernel x=1");
  ASSERT_EQ(Read32(mem, info + 20), 2u);
  uint32_t mods = Read32(mem, info + 24);
  uint32_t m0_start = Read32(mem, mods), m0_end = Read32(mem, mods + 4);
  EXPECT_EQ(m0_start, 0x102000u) << "first module on the page after the kernel";
  EXPECT_EQ(m0_end - m0_start, 5000u);
  EXPECT_EQ(ReadString(mem, Read32(mem, mods + 8)), "mod0 a");
  uint32_t m1_start = Read32(mem, mods + 16);
  EXPECT_EQ(m1_start % 4096, 0u);
  EXPECT_GE(m1_start, m0_end);
  EXPECT_EQ(ReadString(mem, Read32(mem, mods + 24)), "mod1");
  uint8_t byte;
  mem.CopyOut(m1_start, &byte, 1);
  EXPECT_EQ(byte, 9);
  // Memory map: 24-byte entries whose size field says 20.
  uint32_t mmap_len = Read32(mem, info + 44), mmap = Read32(mem, info + 48);
  ASSERT_EQ(mmap_len % 24, 0u);
  bool found_high_ram = false;
  for (uint32_t off = 0; off < mmap_len; off += 24) {
    EXPECT_EQ(Read32(mem, mmap + off), 20u);
    uint64_t base, len;
    mem.CopyOut(mmap + off + 4, &base, 8);
    mem.CopyOut(mmap + off + 12, &len, 8);
    if (base == 0x100000 && Read32(mem, mmap + off + 20) == 1) {
      found_high_ram = true;
      EXPECT_EQ(base + len, kRam - 0x20000);
    }
  }
  EXPECT_TRUE(found_high_ram);
}

TEST(LoaderTest, AoutKludge) {
  PhysicalMemory mem(kRam);
  std::vector<uint8_t> image(64, 0x90);
  PutMultibootHeader(image, 0, 1u << 16);
  // header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr
  uint32_t fields[] = {0x100000, 0x100000, 0x100040, 0x100100, 0x100020};
  Put(image, 12, fields, sizeof(fields));
  absl::StatusOr<BootImage> boot = LoadMultiboot(mem, image, "k", {});
  ASSERT_TRUE(boot.ok()) << boot.status();
  EXPECT_EQ(boot->entry, 0x100020u);
  EXPECT_EQ(Read32(mem, 0x100020), 0x90909090u);
  EXPECT_EQ(boot->kernel_end, 0x100100u);
}

void ExpectError(const std::vector<uint8_t>& image, const std::string& fragment,
                 const std::vector<BootModule>& modules = {}) {
  PhysicalMemory mem(kRam);
  absl::StatusOr<BootImage> boot = LoadMultiboot(mem, image, "k", modules);
  ASSERT_FALSE(boot.ok());
  EXPECT_NE(std::string(boot.status().message()).find(fragment), std::string::npos)
      << boot.status();
}

TEST(LoaderTest, NoMultibootHeader) {
  ExpectError(std::vector<uint8_t>(20000, 0), "no multiboot header in the first 8 KiB");
}

TEST(LoaderTest, HeaderPastEightKiBIsNotFound) {
  std::vector<uint8_t> image(10000, 0);
  PutMultibootHeader(image, 8192);
  ExpectError(image, "no multiboot header");
}

TEST(LoaderTest, BadChecksum) {
  std::vector<uint8_t> image(64, 0);
  Put<uint32_t>(image, 0, kMultibootHeaderMagic);
  ExpectError(image, "bad checksum");
}

TEST(LoaderTest, RequirementsItCannotMeetAreRefused) {
  for (uint32_t flags : {0x4u, 0x8u, 0x8000u, 0x10007u}) {
    std::vector<uint8_t> image(64, 0);
    PutMultibootHeader(image, 0, flags);
    ExpectError(image, "requires what x64sim cannot provide");
  }
}

TEST(LoaderTest, ModulesFollowTheHighestKernelSegment) {
  // Segments out of order, the higher one first: modules go after both.
  auto image = MakeElf(true, 0x100000, {{0x300000, 0x300000, Bytes({1}), 0x2000},
                                        {0x100000, 0x100000, Bytes({2}), 0x1000}});
  PhysicalMemory memory(kRam);
  absl::StatusOr<BootImage> boot =
      LoadMultiboot(memory, image, "", {{Bytes({7, 7}), "a"}, {Bytes({8}), "b"}});
  ASSERT_TRUE(boot.ok()) << boot.status();
  ASSERT_EQ(boot->module_ranges.size(), 2u);
  EXPECT_GE(boot->module_ranges[0].first, 0x302000u);
  EXPECT_GE(boot->module_ranges[1].first, boot->module_ranges[0].second);
}

TEST(LoaderTest, GarbageWithoutAddressFields) {
  std::vector<uint8_t> image(64, 0x5a);
  PutMultibootHeader(image, 8);
  ExpectError(image, "not a valid ELF");
}

TEST(LoaderTest, TruncatedElf) {
  auto image = MakeElf(true, 0x100000, {{0x100000, 0x100000, std::vector<uint8_t>(256, 1), 256}});
  image.resize(image.size() - 100);
  ExpectError(image, "truncated ELF");
}

TEST(LoaderTest, TruncatedProgramHeaders) {
  auto image = MakeElf(true, 0x100000, {{0x100000, 0x100000, Bytes({1}), 1}});
  Put<uint16_t>(image, 56, 500);  // phnum far past the file
  ExpectError(image, "program headers past the end");
}

TEST(LoaderTest, OverlappingSegments) {
  auto image = MakeElf(true, 0x100000,
                       {{0x100000, 0x100000, Bytes({1}), 0x2000},
                        {0x101000, 0x101000, Bytes({2}), 0x1000}});
  ExpectError(image, "segments overlap");
}

TEST(LoaderTest, ImageBiggerThanRam) {
  auto image = MakeElf(true, 0x100000, {{0x100000, 0x100000, Bytes({1}), kRam}});
  ExpectError(image, "does not fit in 64 MiB of RAM");
}

TEST(LoaderTest, ModuleBiggerThanRam) {
  auto image = MakeElf(true, 0x100000, {{0x100000, 0x100000, Bytes({1}), 0x1000}});
  ExpectError(image, "module 0", {{std::vector<uint8_t>(kRam, 0), "big"}});
}

}  // namespace
}  // namespace x64sim
