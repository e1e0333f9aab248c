// Guest RAM: zero-filled, usable to its last byte whatever its size, and a
// size the host cannot map is reported (ram_size() == 0), never a crash.
#include <gtest/gtest.h>

#include <cstdint>

#include "mmu/physical_memory.h"

namespace x64sim::testing {
namespace {

TEST(PhysicalMemoryTest, RamIsZeroedAndUsableToItsLastByte) {
  const uint64_t bytes = (3ull << 20) + 100;  // not a whole number of pages
  PhysicalMemory memory(bytes);
  ASSERT_EQ(memory.ram_size(), bytes);
  EXPECT_EQ(memory.Read(0, 8), 0u);
  EXPECT_EQ(memory.Read(bytes - 8, 8), 0u);
  memory.Write(bytes - 8, 8, 0x1122334455667788ull);
  EXPECT_EQ(memory.Read(bytes - 8, 8), 0x1122334455667788ull);
  EXPECT_NE(memory.RamPointer(bytes - 1), nullptr);
  EXPECT_EQ(memory.RamPointer(bytes), nullptr);
  EXPECT_EQ(memory.Read(bytes + 4096, 4), 0xffffffffu);  // unbacked: all ones
}

TEST(PhysicalMemoryTest, RamTheHostRefusesIsReportedNotUsed) {
  PhysicalMemory memory(1ull << 62);  // more than any host address space
  EXPECT_EQ(memory.ram_size(), 0u);
  EXPECT_EQ(memory.RamPointer(0), nullptr);
  EXPECT_FALSE(memory.CopyIn(0, "x", 1));
}

}  // namespace
}  // namespace x64sim::testing
