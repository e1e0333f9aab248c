// The guest printf engine against the host C library's snprintf (glibc),
// which the seL4 tutorial transcripts were produced with.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"

extern "C" {
#include "guest/libc/src/format.h"
}

namespace {

void AppendToString(char c, void* state) {
  static_cast<std::string*>(state)->push_back(c);
}

std::string GuestFormat(const char* fmt, ...) {
  std::string text;
  va_list args;
  va_start(args, fmt);
  int count = format_to_sink(AppendToString, &text, fmt, args);
  va_end(args);
  EXPECT_EQ(count, static_cast<int>(text.size()));
  return text;
}

std::string HostFormat(const char* fmt, ...) {
  char buffer[256];
  va_list args;
  va_start(args, fmt);
  vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

#define EXPECT_SAME_AS_HOST(...) \
  EXPECT_EQ(GuestFormat(__VA_ARGS__), HostFormat(__VA_ARGS__))

TEST(FormatTest, TutorialConversions) {
  EXPECT_EQ(GuestFormat("%p", static_cast<void*>(nullptr)), "(nil)");
  EXPECT_EQ(GuestFormat("%#lx", 0ul), "0");
  EXPECT_EQ(GuestFormat("%#lx", 0x61ul), "0x61");
  EXPECT_EQ(GuestFormat("%#lx", ~0x6161ul), "0xffffffffffff9e9e");
  EXPECT_EQ(GuestFormat("%p", reinterpret_cast<void*>(0x70003c8)),
            "0x70003c8");
  EXPECT_EQ(GuestFormat("0x%lx: 0x%lx", 0x43df70ul, 0ul), "0x43df70: 0x0");
}

TEST(FormatTest, IntegersMatchHost) {
  EXPECT_SAME_AS_HOST("%d %i %u", -42, 17, 3000000000u);
  EXPECT_SAME_AS_HOST("%ld %lu %lld", -9000000000l, 18000000000ul, -1ll);
  EXPECT_SAME_AS_HOST("%hhd %hd %hhu", 300, 70000, 511);
  EXPECT_SAME_AS_HOST("%zu %jd %td", sizeof(long), intmax_t{-5},
                      ptrdiff_t{-7});
  EXPECT_SAME_AS_HOST("%x %X %o %#o %#x %#X", 0xbeefu, 0xbeefu, 8u, 8u,
                      255u, 255u);
  EXPECT_SAME_AS_HOST("%#o %#x %.0d|%.0x|", 0u, 0u, 0, 0u);
  EXPECT_SAME_AS_HOST("%d", INT32_MIN);
  EXPECT_SAME_AS_HOST("%ld", INT64_MIN);
  EXPECT_SAME_AS_HOST("%+d % d %+d % d", 5, 5, -5, -5);
}

TEST(FormatTest, WidthPrecisionAndPaddingMatchHost) {
  EXPECT_SAME_AS_HOST("[%8d][%-8d][%08d][%+08d]", -123, -123, -123, 123);
  EXPECT_SAME_AS_HOST("[%.5d][%8.5d][%-8.5x][%08.5d]", 42, -42, 0xabu, 7);
  EXPECT_SAME_AS_HOST("[%#010x][%#-10x][%#10.6x]", 0x1fu, 0x1fu, 0x1fu);
  EXPECT_SAME_AS_HOST("[%*d][%-*d][%.*d][%*d]", 6, 1, 6, 2, 4, 3, -6, 4);
  EXPECT_SAME_AS_HOST("[%016lx][%#018lx]", 0xdeadbeeful, 0xdeadbeeful);
}

TEST(FormatTest, CharactersStringsAndPointersMatchHost) {
  EXPECT_SAME_AS_HOST("[%c][%3c][%-3c]", 'a', 'b', 'c');
  EXPECT_SAME_AS_HOST("[%s][%10s][%-10s][%.3s][%*.*s]", "seL4", "seL4",
                      "seL4", "rootserver", 8, 2, "child");
  EXPECT_SAME_AS_HOST("[%p][%20p][%-20p]", reinterpret_cast<void*>(0x1234),
                      reinterpret_cast<void*>(0xffffff801ffb5400ul),
                      reinterpret_cast<void*>(0x400000));
  EXPECT_SAME_AS_HOST("[%p][%10p][%-10p]", static_cast<void*>(nullptr),
                      static_cast<void*>(nullptr),
                      static_cast<void*>(nullptr));
  EXPECT_SAME_AS_HOST("100%% done %s", "here");
}

}  // namespace
