// StateArchive: what Serialize methods save, they load back; bytes that
// do not fit are refused with a message, never trusted.
#include "checkpoint/state_archive.h"

#include <array>
#include <bitset>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace x64sim {
namespace {

enum class Colour : uint8_t { kRed, kGreen, kBlue };

struct Inner {
  uint16_t a = 0;
  bool b = false;
  void Serialize(StateArchive& ar) { ar(a, b); }
};

struct Everything {
  uint64_t u64 = 0;
  int32_t i32 = 0;
  double d = 0;
  bool flag = false;
  Colour colour = Colour::kRed;
  uint32_t array[3] = {};
  std::array<Inner, 2> inners{};
  std::string text;
  std::bitset<70> bits;
  std::vector<uint64_t> fixed = std::vector<uint64_t>(4);
  std::vector<Inner> sized;
  int index = 0;

  void Serialize(StateArchive& ar) {
    ar(u64, i32, d, flag, colour, array, inners, text, bits);
    ar.FixedSize(fixed, "fixed");
    ar.Sized(sized, 10, "sized");
    ar.Bounded(index, 7, "index");
  }
};

Everything Sample() {
  Everything e;
  e.u64 = 0x0123456789abcdefull;
  e.i32 = -5;
  e.d = 2.5;
  e.flag = true;
  e.colour = Colour::kBlue;
  e.array[2] = 9;
  e.inners[1] = {77, true};
  e.text = std::string("with\0nul", 8);
  e.bits.set(69);
  e.fixed = {1, 2, 3, 4};
  e.sized = {{1, false}, {2, true}, {3, false}};
  e.index = 7;
  return e;
}

std::string Save(Everything e) {
  StateArchive ar = StateArchive::ForSaving();
  e.Serialize(ar);
  return ar.bytes();
}

TEST(StateArchiveTest, LoadsWhatWasSaved) {
  const std::string bytes = Save(Sample());
  Everything back;
  StateArchive ar = StateArchive::ForLoading(bytes);
  back.Serialize(ar);
  ASSERT_TRUE(ar.ok()) << ar.error();
  EXPECT_TRUE(ar.consumed());
  const Everything want = Sample();
  EXPECT_EQ(back.u64, want.u64);
  EXPECT_EQ(back.i32, want.i32);
  EXPECT_EQ(back.d, want.d);
  EXPECT_TRUE(back.flag);
  EXPECT_EQ(back.colour, Colour::kBlue);
  EXPECT_EQ(back.array[2], 9u);
  EXPECT_EQ(back.inners[1].a, 77);
  EXPECT_TRUE(back.inners[1].b);
  EXPECT_EQ(back.text, want.text);
  EXPECT_EQ(back.bits, want.bits);
  EXPECT_EQ(back.fixed, want.fixed);
  ASSERT_EQ(back.sized.size(), 3u);
  EXPECT_EQ(back.sized[1].a, 2);
  EXPECT_EQ(back.index, 7);
}

TEST(StateArchiveTest, SavingIsDeterministic) { EXPECT_EQ(Save(Sample()), Save(Sample())); }

// Loads `bytes` into a default Everything: the archive's error, or "".
std::string LoadError(const std::string& bytes, Everything* into = nullptr) {
  Everything scratch;
  Everything& e = into != nullptr ? *into : scratch;
  StateArchive ar = StateArchive::ForLoading(bytes);
  e.Serialize(ar);
  return ar.error();
}

TEST(StateArchiveTest, EveryTruncationFails) {
  const std::string bytes = Save(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_NE(LoadError(bytes.substr(0, n)), "") << "cut at " << n;
  }
}

TEST(StateArchiveTest, RefusesAFlagThatIsNeitherZeroNorOne) {
  std::string bytes = Save(Sample());
  bytes[8 + 4 + 8] = 2;  // `flag`, after u64, i32 and d
  EXPECT_EQ(LoadError(bytes), "a flag is neither 0 nor 1");
}

TEST(StateArchiveTest, RefusesAnIndexOutOfRange) {
  std::string bytes = Save(Sample());
  bytes[bytes.size() - 4] = 8;  // `index`, the last int
  Everything e;
  EXPECT_EQ(LoadError(bytes, &e), "index out of range");
  EXPECT_EQ(e.index, 0);
  bytes[bytes.size() - 1] = static_cast<char>(0x80);  // negative
  EXPECT_EQ(LoadError(bytes), "index out of range");
}

TEST(StateArchiveTest, RefusesAFixedSizeVectorOfAnotherSize) {
  Everything small = Sample();
  small.fixed.resize(3);
  EXPECT_EQ(LoadError(Save(small)), "fixed: saved with a different size");
}

TEST(StateArchiveTest, RefusesAVectorLongerThanItsBound) {
  Everything big = Sample();
  big.sized.resize(11);
  EXPECT_EQ(LoadError(Save(big)), "sized: bad length");
}

TEST(StateArchiveTest, CheckFailsOnlyWhenLoading) {
  StateArchive saving = StateArchive::ForSaving();
  EXPECT_TRUE(saving.Check(false, "ignored when saving"));
  EXPECT_TRUE(saving.ok());
  StateArchive loading = StateArchive::ForLoading("");
  EXPECT_FALSE(loading.Check(false, "first"));
  loading.Check(false, "second");
  EXPECT_EQ(loading.error(), "first");
}

}  // namespace
}  // namespace x64sim
