// The remote protocol's framing and the target description, without a
// socket: checksums, escapes, packets split across reads, interrupts.
#include <gtest/gtest.h>

#include <string>

#include "sim/gdb_packet.h"
#include "sim/gdb_target_xml.h"

namespace x64sim {
namespace {

TEST(GdbPacketTest, FramesWithModulo256Checksum) {
  EXPECT_EQ(FramePacket("OK"), "$OK#9a");  // 'O' 0x4f + 'K' 0x4b = 0x9a
  EXPECT_EQ(FramePacket(""), "$#00");
  // '}' 0x7d then '#' ^ 0x20 = 0x03: 0x80.
  EXPECT_EQ(FramePacket("#"), "$}\x03#80");
}

TEST(GdbPacketTest, ReaderRoundTripsEscapedPayloads) {
  const std::string payload = "X1000,4:$#}*";
  GdbPacketReader reader;
  reader.Feed(FramePacket(payload));
  std::optional<GdbInput> in = reader.Next();
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->kind, GdbInput::Kind::kPacket);
  EXPECT_EQ(in->payload, payload);
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(GdbPacketTest, ReaderWaitsForTheChecksumAcrossFeeds) {
  GdbPacketReader reader;
  reader.Feed("+$g#6");
  std::optional<GdbInput> ack = reader.Next();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->kind, GdbInput::Kind::kAck);
  EXPECT_FALSE(reader.Next().has_value());  // one checksum digit still missing
  reader.Feed("7");
  std::optional<GdbInput> in = reader.Next();
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->kind, GdbInput::Kind::kPacket);
  EXPECT_EQ(in->payload, "g");
}

TEST(GdbPacketTest, BadChecksumInterruptAndNack) {
  GdbPacketReader reader;
  reader.Feed("$g#00\x03-junk$?#3f");
  EXPECT_EQ(reader.Next()->kind, GdbInput::Kind::kBadPacket);
  EXPECT_EQ(reader.Next()->kind, GdbInput::Kind::kInterrupt);
  EXPECT_EQ(reader.Next()->kind, GdbInput::Kind::kNack);
  std::optional<GdbInput> in = reader.Next();  // "junk" outside a packet is skipped
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->kind, GdbInput::Kind::kPacket);
  EXPECT_EQ(in->payload, "?");
}

TEST(GdbPacketTest, HexHelpers) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(FromHex("00fF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(FromHex("abc").has_value());
  EXPECT_FALSE(FromHex("zz").has_value());
  EXPECT_EQ(LittleEndianHex(0x1122334455667788ull, 8), "8877665544332211");
  EXPECT_EQ(LittleEndianHex(0x2, 4), "02000000");
  EXPECT_EQ(LittleEndianHex(0x1, 10), "01000000000000000000");  // an x87 register
  EXPECT_EQ(ParseHexNumber("ffffffff80000000"), 0xffffffff80000000ull);
  EXPECT_FALSE(ParseHexNumber("").has_value());
  EXPECT_FALSE(ParseHexNumber("10000000000000000").has_value());
  EXPECT_FALSE(ParseHexNumber("12g").has_value());
}

TEST(GdbTargetXmlTest, DescribesEveryRegisterOnce) {
  const std::string& xml = GdbTargetXml();
  EXPECT_NE(xml.find("<architecture>i386:x86-64</architecture>"), std::string::npos);
  for (const char* feature : {"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse",
                              "org.gnu.gdb.i386.segments", "org.x64sim.system"}) {
    EXPECT_NE(xml.find(feature), std::string::npos) << feature;
  }
  for (const char* reg : {"\"rip\"", "\"eflags\"", "\"fs_base\"", "\"gs_base\"", "\"cr0\"",
                          "\"cr2\"", "\"cr3\"", "\"cr4\"", "\"efer\"", "\"xmm15\"", "\"mxcsr\""}) {
    EXPECT_NE(xml.find(reg), std::string::npos) << reg;
  }
  int regs = 0;
  for (size_t at = xml.find("<reg "); at != std::string::npos; at = xml.find("<reg ", at + 1)) ++regs;
  EXPECT_EQ(regs, kGdbRegisterCount);
  // '*' would need escaping inside qXfer replies; '#' and '$' would too.
  EXPECT_EQ(xml.find_first_of("*#$}"), std::string::npos);
  int bytes = 0;
  for (int n = 0; n < kGdbRegisterCount; ++n) bytes += GdbRegisterSize(n);
  EXPECT_EQ(bytes, 16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 2 * 8 + 6 * 8);
}

}  // namespace
}  // namespace x64sim
