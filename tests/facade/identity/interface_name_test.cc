// Copyright 2026 The natfwt Authors.

#include "facade/identity/interface_name.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

// U+1F600 GRINNING FACE: one astral character, two UTF-16 units.
constexpr char32_t kAstral32 = U'\U0001F600';
constexpr char kAstral8[] = "\xF0\x9F\x98\x80";

std::u32string Repeat32(char32_t c, size_t n) { return std::u32string(n, c); }
std::string Repeat8(absl::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&out, s);
  return out;
}

// ---- WideToUtf8 / Utf32ToUtf8 / Utf16ToUtf8: valid input ----

struct ConvertCase {
  std::string name;
  std::u32string input;
  size_t max_units;
  std::string expected;
  bool truncated;
  // gtest prints the case by name (not as raw bytes with padding).
  friend void PrintTo(const ConvertCase& c, std::ostream* os) { *os << c.name; }
};

class ConvertTest : public ::testing::TestWithParam<ConvertCase> {};

// UTF-16 encoding of a (valid) UTF-32 string, to run the same table through
// the UTF-16 decoder.
std::u16string ToUtf16(const std::u32string& in) {
  std::u16string out;
  for (char32_t c : in) {
    if (c < 0x10000) {
      out.push_back(static_cast<char16_t>(c));
    } else {
      out.push_back(static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)));
    }
  }
  return out;
}

TEST_P(ConvertTest, Utf32) {
  const ConvertCase& c = GetParam();
  bool truncated = !c.truncated;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::string out, Utf32ToUtf8(c.input.c_str(), c.max_units, &truncated));
  EXPECT_EQ(out, c.expected);
  EXPECT_EQ(truncated, c.truncated);
  EXPECT_LE(Utf16Length(out), c.max_units);
}

TEST_P(ConvertTest, Utf16) {
  const ConvertCase& c = GetParam();
  const std::u16string input = ToUtf16(c.input);
  bool truncated = !c.truncated;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::string out, Utf16ToUtf8(input.c_str(), c.max_units, &truncated));
  EXPECT_EQ(out, c.expected);
  EXPECT_EQ(truncated, c.truncated);
}

TEST_P(ConvertTest, Wide) {
  const ConvertCase& c = GetParam();
  std::wstring input;
  if constexpr (sizeof(wchar_t) == 2) {
    for (char16_t u : ToUtf16(c.input))
      input.push_back(static_cast<wchar_t>(u));
  } else {
    for (char32_t u : c.input) input.push_back(static_cast<wchar_t>(u));
  }
  bool truncated = !c.truncated;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::string out, WideToUtf8(input.c_str(), c.max_units, &truncated));
  EXPECT_EQ(out, c.expected);
  EXPECT_EQ(truncated, c.truncated);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConvertTest,
    ::testing::ValuesIn(std::vector<ConvertCase>{
        {"Empty", U"", 256, "", false},
        {"Ascii", U"My VPN", 256, "My VPN", false},
        {"Bmp", U"Caf\u00e9 \u4e2d\u6587", 256,
         "Caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87", false},
        {"AstralCountsTwo", std::u32string(U"a") + kAstral32 + U"b", 3,
         std::string("a") + kAstral8, true},
        {"AstralFitsExactly", Repeat32(U'x', 254) + kAstral32, 256,
         Repeat8("x", 254) + kAstral8, false},
        {"AstralWouldSplitAtLimit", Repeat32(U'x', 255) + kAstral32, 256,
         Repeat8("x", 255), true},
        {"AstralDroppedWholeLaterCharsToo",
         Repeat32(U'x', 255) + kAstral32 + U"y", 256, Repeat8("x", 255), true},
        {"ExactlyAtLimit", Repeat32(U'x', 256), 256, Repeat8("x", 256), false},
        {"OneOverLimit", Repeat32(U'x', 257), 256, Repeat8("x", 256), true},
        {"ZeroLimit", U"abc", 0, "", true},
        {"OnlyAstral", Repeat32(kAstral32, 128), 256, Repeat8(kAstral8, 128),
         false},
        {"OnlyAstralOdd", Repeat32(kAstral32, 129), 257, Repeat8(kAstral8, 128),
         true},
        {"HighestScalar", U"\U0010FFFD", 256, "\xF4\x8F\xBF\xBD", false},
        {"NoBreakSpaceIsNotControl", U"a\u00a0b", 256,
         "a\xC2\xA0"
         "b",
         false},
    }),
    [](const auto& test_case) { return test_case.param.name; });

TEST(WideToUtf8, TruncatedPointerMayBeNull) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string out, WideToUtf8(L"abc", 2, nullptr));
  EXPECT_EQ(out, "ab");
}

// ---- invalid input ----

struct InvalidCase {
  std::string name;
  std::u32string utf32;  // Empty: case only for UTF-16.
  std::u16string utf16;  // Empty: case only for UTF-32.
  size_t max_units;
  std::string message;
  // gtest prints the case by name (not as raw bytes with padding).
  friend void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }
};

class InvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidTest, IsInvalidArgument) {
  const InvalidCase& c = GetParam();
  bool truncated = false;
  if (!c.utf32.empty()) {
    EXPECT_THAT(
        Utf32ToUtf8(c.utf32.c_str(), c.max_units, &truncated),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
  if (!c.utf16.empty()) {
    EXPECT_THAT(
        Utf16ToUtf8(c.utf16.c_str(), c.max_units, &truncated),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidTest,
    ::testing::ValuesIn(std::vector<InvalidCase>{
        {"SurrogateCodePointInUtf32",
         {U'a', 0xD800},
         u"",
         256,
         "invalid code point (0xD800) at unit 1"},
        {"AboveMaxCodePoint", {0x110000}, u"", 256, "invalid code point"},
        {"Bell", U"a\ab", u"a\ab", 256, "control character (0x7) at unit 1"},
        {"Tab", U"\t", u"\t", 256, "control character"},
        {"Delete", U"\x7f", u"\x7f", 256, "control character (0x7F)"},
        {"C1NextLine", U"\x85", u"\x85", 256, "control character (0x85)"},
        {"ControlAfterCutIsStillChecked", U"abc\n", u"abc\n", 1,
         "control character (0xA) at unit 3"},
        {"LoneHighAtEnd",
         U"",
         {u'a', 0xD83D},
         256,
         "unpaired surrogate (0xD83D) at unit 1"},
        {"LoneLow", U"", {0xDE00, u'a'}, 256, "unpaired surrogate (0xDE00)"},
        {"HighThenNotLow", U"", {0xD83D, u'x'}, 256, "unpaired surrogate"},
        {"HighThenHigh",
         U"",
         {0xD83D, 0xD83D, 0xDE00},
         256,
         "unpaired surrogate"},
    }),
    [](const auto& test_case) { return test_case.param.name; });

TEST(WideToUtf8, NegativeWcharIsInvalid) {
  if (sizeof(wchar_t) == 2) {
    GTEST_SKIP() << "wchar_t is unsigned UTF-16 on Windows: -1 is U+FFFF";
  }
  const wchar_t text[] = {L'a', static_cast<wchar_t>(-1), 0};
  EXPECT_THAT(WideToUtf8(text, 256, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Invalid as UTF-16 (Windows) and as UTF-32 (Linux) alike.
TEST(WideToUtf8, LoneSurrogateIsInvalid) {
  const wchar_t text[] = {L'a', static_cast<wchar_t>(0xDC00), 0};
  EXPECT_THAT(WideToUtf8(text, 256, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(WideToUtf8, NullIsInvalid) {
  EXPECT_THAT(WideToUtf8(nullptr, 256, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("null")));
  EXPECT_THAT(Utf16ToUtf8(nullptr, 256, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// The buffers below have no NUL: reading one unit past the scan bound
// would be out of bounds (caught by the asan/valgrind test setups).
TEST(WideToUtf8, UnterminatedInputStopsAtScanBound) {
  const std::vector<char32_t> utf32(kMaxWideScanUnits, U'a');
  EXPECT_THAT(Utf32ToUtf8(utf32.data(), 256, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no terminating NUL within 65536")));
  std::vector<char16_t> utf16(kMaxWideScanUnits, u'a');
  EXPECT_THAT(Utf16ToUtf8(utf16.data(), 256, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no terminating NUL")));
  // A high surrogate in the very last unit: its partner is not read.
  utf16.back() = 0xD83D;
  EXPECT_THAT(Utf16ToUtf8(utf16.data(), 256, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unpaired surrogate (0xD83D) at unit 65535")));
}

TEST(WideToUtf8, LongestAcceptedInputIsTruncated) {
  std::vector<char32_t> text(kMaxWideScanUnits, U'a');
  text.back() = 0;  // 65535 characters and the NUL, all within the bound.
  bool truncated = false;
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string out,
                              Utf32ToUtf8(text.data(), 256, &truncated));
  EXPECT_EQ(out, Repeat8("a", 256));
  EXPECT_TRUE(truncated);
}

// ---- UTF-8 helpers ----

TEST(Utf16Length, CountsUnits) {
  EXPECT_EQ(Utf16Length(""), 0u);
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xC3\xA9"), 1u);      // U+00E9
  EXPECT_EQ(Utf16Length("\xE4\xB8\xAD"), 1u);  // U+4E2D
  EXPECT_EQ(Utf16Length(kAstral8), 2u);
  EXPECT_EQ(Utf16Length(absl::StrCat("a", kAstral8, "\xC3\xA9")), 4u);
}

TEST(TruncateUtf8ToUtf16Units, CutsOnlyAtCharacterBoundaries) {
  const std::string text = absl::StrCat("a", kAstral8, "b");
  EXPECT_EQ(TruncateUtf8ToUtf16Units(text, 0), "");
  EXPECT_EQ(TruncateUtf8ToUtf16Units(text, 1), "a");
  EXPECT_EQ(TruncateUtf8ToUtf16Units(text, 2), "a");  // Not half a pair.
  EXPECT_EQ(TruncateUtf8ToUtf16Units(text, 3), absl::StrCat("a", kAstral8));
  EXPECT_EQ(TruncateUtf8ToUtf16Units(text, 4), text);
  EXPECT_EQ(TruncateUtf8ToUtf16Units(text, 100), text);
  EXPECT_EQ(TruncateUtf8ToUtf16Units("\xE4\xB8\xAD\xE6\x96\x87", 1),
            "\xE4\xB8\xAD");
}

TEST(TruncateUtf8ToBytes, NeverEndsInsideASequence) {
  const std::string text = absl::StrCat("a", kAstral8, "\xC3\xA9");  // 1+4+2.
  EXPECT_EQ(TruncateUtf8ToBytes(text, 0), "");
  EXPECT_EQ(TruncateUtf8ToBytes(text, 1), "a");
  EXPECT_EQ(TruncateUtf8ToBytes(text, 4), "a");
  EXPECT_EQ(TruncateUtf8ToBytes(text, 5), absl::StrCat("a", kAstral8));
  EXPECT_EQ(TruncateUtf8ToBytes(text, 6), absl::StrCat("a", kAstral8));
  EXPECT_EQ(TruncateUtf8ToBytes(text, 7), text);
  // The longest friendly name made of 3-byte characters fits the Linux
  // alias only after cutting, and then at a character boundary.
  const std::string longest =
      Repeat8("\xE4\xB8\xAD", kMaxFriendlyNameUtf16Units);
  const std::string alias = TruncateUtf8ToBytes(longest, kMaxLinuxIfAliasBytes);
  EXPECT_EQ(alias, Repeat8("\xE4\xB8\xAD", 85));
  EXPECT_THAT(ValidateFriendlyName(alias), natfwt::testing::IsOk());
}

// ---- ValidateFriendlyName ----

TEST(ValidateFriendlyName, AcceptsUnicodeNames) {
  for (const std::string& name :
       {std::string("My VPN"), std::string("100% \xE2\x9C\x93 #2"),
        Repeat8("x", 256), Repeat8(kAstral8, 128), std::string("-")}) {
    EXPECT_THAT(ValidateFriendlyName(name), natfwt::testing::IsOk()) << name;
  }
}

TEST(ValidateFriendlyName, RejectsBadNames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"a\x01", "control character at byte 1"},
      {"\xC2\x85", "control character"},  // U+0085 NEL (C1).
      {"a\x7F", "control character"},
      {"\xC0\xAF", "invalid UTF-8 at byte 0"},        // Overlong '/'.
      {"ab\xED\xA0\x80", "invalid UTF-8 at byte 2"},  // Surrogate.
      {"\xF4\x90\x80\x80", "invalid UTF-8"},          // Above U+10FFFF.
      {"\xE4\xB8", "invalid UTF-8"},                  // Cut short.
      {"\x80", "invalid UTF-8"},                      // Stray continuation.
      {"\xFF", "invalid UTF-8"},
      {Repeat8("x", 257), "longer than 256"},
      {Repeat8(kAstral8, 128) + "x", "longer than 256"},
  };
  for (const auto& [name, message] : cases) {
    EXPECT_THAT(
        ValidateFriendlyName(name),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)))
        << name;
  }
}

// ---- MakeUniqueFriendlyName ----

const std::string kDefault(kDefaultAdapterBaseName);

struct UniqueCase {
  std::string name;
  std::string requested;
  std::vector<std::string> taken;
  size_t max_units;
  std::string expected;
  // gtest prints the case by name (not as raw bytes with padding).
  friend void PrintTo(const UniqueCase& c, std::ostream* os) { *os << c.name; }
};

class UniqueNameTest : public ::testing::TestWithParam<UniqueCase> {};

TEST_P(UniqueNameTest, PicksExpectedName) {
  const UniqueCase& c = GetParam();
  const absl::flat_hash_set<std::string> taken(c.taken.begin(), c.taken.end());
  const std::string name =
      MakeUniqueFriendlyName(c.requested, taken, c.max_units);
  EXPECT_EQ(name, c.expected);
  EXPECT_FALSE(taken.contains(name));
  EXPECT_LE(Utf16Length(name), c.max_units);
  EXPECT_THAT(ValidateFriendlyName(name), natfwt::testing::IsOk());
}

INSTANTIATE_TEST_SUITE_P(
    Table, UniqueNameTest,
    ::testing::ValuesIn(std::vector<UniqueCase>{
        {"DefaultFirstHasNoNumber",
         "",
         {},
         256,
         "Connectivity Platform Adapter"},
        {"DefaultSecondIsTwo", "", {kDefault}, 256, kDefault + " #2"},
        {"DefaultThird",
         "",
         {kDefault, kDefault + " #2"},
         256,
         kDefault + " #3"},
        {"DefaultFillsGap",
         "",
         {kDefault, kDefault + " #3"},
         256,
         kDefault + " #2"},
        {"DefaultBaseFreeEvenIfNumbersTaken",
         "",
         {kDefault + " #2"},
         256,
         kDefault},
        {"RequestedFree", "My VPN", {"Other", "My VPN #2"}, 256, "My VPN"},
        {"RequestedTaken",
         "My VPN",
         {"My VPN", "My VPN #2", "My VPN #3"},
         256,
         "My VPN #4"},
        {"ComparisonIsExact", "my vpn", {"My VPN"}, 256, "my vpn"},
        {"LongRequestedIsCut", Repeat8("x", 300), {}, 256, Repeat8("x", 256)},
        {"FullLengthBaseShortenedForSuffix",
         Repeat8("x", 256),
         {Repeat8("x", 256)},
         256,
         Repeat8("x", 253) + " #2"},
        {"CutBaseClashes",
         Repeat8("x", 300),
         {Repeat8("x", 256)},
         256,
         Repeat8("x", 253) + " #2"},
        {"TwoDigitSuffixShortensMore",
         Repeat8("x", 256),
         {Repeat8("x", 256), Repeat8("x", 253) + " #2",
          Repeat8("x", 253) + " #3", Repeat8("x", 253) + " #4",
          Repeat8("x", 253) + " #5", Repeat8("x", 253) + " #6",
          Repeat8("x", 253) + " #7", Repeat8("x", 253) + " #8",
          Repeat8("x", 253) + " #9"},
         256,
         Repeat8("x", 252) + " #10"},
        {"AstralNotSplitWhenShortening",
         Repeat8("x", 252) + kAstral8 + "z",
         {Repeat8("x", 252) + kAstral8 + "z"},
         256,
         Repeat8("x", 252) + " #2"},
        {"AstralKeptWhenItFits",
         Repeat8("x", 251) + kAstral8 + "z",
         {Repeat8("x", 251) + kAstral8 + "z"},
         256,
         Repeat8("x", 251) + kAstral8 + " #2"},
        {"SmallLimit", "Adapter", {"Adapte"}, 6, "Ada #2"},
    }),
    [](const auto& test_case) { return test_case.param.name; });

TEST(MakeUniqueFriendlyName, NeverEmptyEvenWithoutRoom) {
  EXPECT_EQ(MakeUniqueFriendlyName("abc", {}, 0), " #2");
}

// Differential check against the contract over random taken sets.
TEST(MakeUniqueFriendlyName, RandomTakenSetsGiveFreeFittingNames) {
  absl::BitGen gen;
  for (int round = 0; round < 200; ++round) {
    const size_t max_units = absl::Uniform<size_t>(gen, 8, 40);
    const std::string base = Repeat8("n", absl::Uniform<size_t>(gen, 0, 45));
    absl::flat_hash_set<std::string> taken;
    const int count = absl::Uniform<int>(gen, 0, 30);
    for (int i = 0; i < count; ++i) {
      taken.insert(MakeUniqueFriendlyName(base, taken, max_units));
    }
    const std::string name = MakeUniqueFriendlyName(base, taken, max_units);
    EXPECT_FALSE(taken.contains(name)) << name;
    EXPECT_LE(Utf16Length(name), max_units) << name;
    EXPECT_EQ(taken.size(), static_cast<size_t>(count));
  }
}

// ---- kernel names ----

TEST(KernelInterfaceName, FollowsPatternAndFitsIfnamsiz) {
  EXPECT_EQ(KernelInterfaceName(0), "cpnat0");
  EXPECT_EQ(KernelInterfaceName(7), "cpnat7");
  EXPECT_EQ(KernelInterfaceName(16777215), "cpnat16777215");
  const std::string longest = KernelInterfaceName(UINT32_MAX);
  EXPECT_EQ(longest, "cpnat4294967295");
  EXPECT_EQ(longest.size(), kMaxKernelInterfaceNameBytes);
  EXPECT_THAT(ValidateKernelInterfaceName(longest), natfwt::testing::IsOk());
}

TEST(ValidateKernelInterfaceName, AppliesLinuxRules) {
  for (const char* good : {"cpnat1", "tun0", "a", "vpn-home_2.x"}) {
    EXPECT_THAT(ValidateKernelInterfaceName(good), natfwt::testing::IsOk())
        << good;
  }
  for (const char* bad : {"", "sixteen-chars-xx", ".", "..", "a/b", "a:b",
                          "a b", "a\tb", "caf\xC3\xA9"}) {
    EXPECT_THAT(ValidateKernelInterfaceName(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

}  // namespace
}  // namespace natfwt::cp
