// Runs the compute guest's workloads natively on the host CPU and checks
// that they give the checksums of the guest's golden console, so the golden
// file is confirmed by real hardware as well as by QEMU.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "guest/demo/compute/workloads.h"

namespace {

// "compute: NAME VALUE" lines of the golden console, by NAME.
std::map<std::string, std::string> ReadGoldenValues() {
  std::ifstream file("guest/demo/compute/expected_console.txt");
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream words(line);
    std::string prefix, name, value;
    if (words >> prefix >> name >> value && prefix == "compute:") values[name] = value;
  }
  return values;
}

std::string Hex(uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof(text), "0x%016" PRIx64, value);
  return text;
}

TEST(ComputeWorkloads, Crc32CheckValue) {
  crc32_init();
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>("123456789"), 9), 0xCBF43926u);
}

TEST(ComputeWorkloads, NativeRunMatchesGoldenConsole) {
  std::map<std::string, std::string> golden = ReadGoldenValues();
  ASSERT_EQ(golden.count("rounds"), 1u) << "golden console not found or has no rounds line";
  crc32_init();
  compute_checksums r = run_rounds(std::stoull(golden["rounds"]));
  EXPECT_EQ(r.failed_self_checks, 0);
  EXPECT_EQ(Hex(r.crc32), golden["crc32"]);
  EXPECT_EQ(Hex(r.sort), golden["sort"]);
  EXPECT_EQ(Hex(r.hash_table), golden["hash"]);
  EXPECT_EQ(Hex(r.arithmetic), golden["arithmetic"]);
  EXPECT_EQ(Hex(r.copies), golden["copies"]);
  EXPECT_EQ(Hex(r.combined), golden["checksum"]);
}

}  // namespace
