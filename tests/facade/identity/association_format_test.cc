// Copyright 2026 The natfwt Authors.

#include "facade/identity/association_format.h"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "facade/identity/luid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/facade/identity/association_test_util.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp {
namespace {

using ::natfwt::cp::testing::MakeRecord;
using ::natfwt::cp::testing::TestEpoch;
using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kRecord1[] =
    "record uid:1000 0x0083000001000000 My%20VPN cpnat1 fd12:3456:789a:1::/64 "
    "fd12:3456:789a:1::1234:5678 - 2026-01-01T00:00:01+00:00";
constexpr char kRecord2[] =
    "record guid:6b29fc40-ca47-1067-b31d-00dd010662da 0x0083000002000000 "
    "100%25%20caf\xC3\xA9\xF0\x9F\x98\x80 cpnat2 fd12:3456:789a:2::/64 "
    "fd12:3456:789a:2::1234:5678 100.64.0.7 2026-01-01T00:00:02.25+00:00";

// Version 2: the OS LUID after natfwt's own (here IfType 53, as Wintun's
// adapters have, NetLuidIndex 8), "-" for none.
constexpr uint64_t kOsLuid1 = 0x0035000008000000;
constexpr char kRecord1V2[] =
    "record uid:1000 0x0083000001000000 0x0035000008000000 My%20VPN cpnat1 "
    "fd12:3456:789a:1::/64 fd12:3456:789a:1::1234:5678 - "
    "2026-01-01T00:00:01+00:00";
constexpr char kRecord2V2[] =
    "record guid:6b29fc40-ca47-1067-b31d-00dd010662da 0x0083000002000000 - "
    "100%25%20caf\xC3\xA9\xF0\x9F\x98\x80 cpnat2 fd12:3456:789a:2::/64 "
    "fd12:3456:789a:2::1234:5678 100.64.0.7 2026-01-01T00:00:02.25+00:00";
constexpr char kComment[] =
    "# natfwt interface associations (spec 6.5). Written by natfwt; edit only "
    "while no natfwt process runs.";

AssociationTable GoldenTable() {
  AssociationTable table;
  table.next_index = 3;
  table.records.push_back(MakeRecord(1, "My VPN"));
  AssociationRecord second =
      MakeRecord(2, "100% caf\xC3\xA9\xF0\x9F\x98\x80",
                 "guid:6b29fc40-ca47-1067-b31d-00dd010662da");
  second.ipv4_address = *net::IpAddress::Parse("100.64.0.7");
  second.last_used += absl::Milliseconds(250);
  table.records.push_back(second);
  return table;
}

// GoldenTable() as version 2 writes it: the first record has an OS LUID.
AssociationTable GoldenTableV2() {
  AssociationTable table = GoldenTable();
  table.records[0].os_luid = kOsLuid1;
  return table;
}

std::string Lines(const std::vector<std::string>& lines) {
  return absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
}

// `record` with field `index` (1-8, or 1-9 in version 2; after "record")
// replaced.
std::string With(absl::string_view record, size_t index,
                 absl::string_view value) {
  std::vector<std::string> tokens = absl::StrSplit(record, ' ');
  tokens[index] = std::string(value);
  return absl::StrJoin(tokens, " ");
}
std::string Record1With(size_t index, absl::string_view value) {
  return With(kRecord1, index, value);
}

// A complete file (format `version`) around the given record lines.
std::string File(const std::vector<std::string>& records,
                 absl::string_view next_index = "3", int version = 1) {
  std::vector<std::string> lines = {
      absl::StrCat("natfwt-associations ", version),
      absl::StrCat("next-index ", next_index)};
  lines.insert(lines.end(), records.begin(), records.end());
  lines.push_back(absl::StrCat("end ", records.size()));
  return Lines(lines);
}

TEST(FormatAssociations, WritesGoldenText) {
  EXPECT_EQ(FormatAssociations(GoldenTable()),
            Lines({kComment, "natfwt-associations 1", "next-index 3", kRecord1,
                   kRecord2, "end 2"}));
}

TEST(FormatAssociations, WritesVersion2OnlyWhenARecordHasAnOsLuid) {
  EXPECT_EQ(AssociationFormatVersionFor(AssociationTable{}), 1);
  EXPECT_EQ(AssociationFormatVersionFor(GoldenTable()), 1);
  EXPECT_EQ(AssociationFormatVersionFor(GoldenTableV2()), 2);
  EXPECT_EQ(FormatAssociations(GoldenTableV2()),
            Lines({kComment, "natfwt-associations 2", "next-index 3",
                   kRecord1V2, kRecord2V2, "end 2"}));
}

TEST(ParseAssociations, ReadsGoldenText) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationTable table,
                              ParseAssociations(File({kRecord1, kRecord2})));
  EXPECT_EQ(table, GoldenTable());
}

TEST(ParseAssociations, ReadsGoldenVersion2Text) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      AssociationTable table,
      ParseAssociations(File({kRecord1V2, kRecord2V2}, "3", 2)));
  EXPECT_EQ(table, GoldenTableV2());
  ASSERT_TRUE(table.records[0].os_luid.has_value());
  EXPECT_EQ(*table.records[0].os_luid, kOsLuid1);
  EXPECT_FALSE(table.records[1].os_luid.has_value());
}

TEST(ParseAssociations, Version2WithoutOsLuidsIsTheSameTableAsVersion1) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      AssociationTable table,
      ParseAssociations(File({With(kRecord1V2, 3, "-"), kRecord2V2}, "3", 2)));
  EXPECT_EQ(table, GoldenTable());
  // Written back in the lowest version that holds it.
  EXPECT_EQ(FormatAssociations(table), FormatAssociations(GoldenTable()));
}

TEST(ParseAssociations, RoundTripsSortedByLuid) {
  AssociationTable table;
  table.next_index = 70000;
  for (uint32_t index : {65000u, 3u, 400u, 1u}) {
    AssociationRecord record =
        MakeRecord(index, absl::StrCat("name ", index, " 100% \xE2\x9C\x93"));
    record.last_used += absl::Nanoseconds(index) + absl::Nanoseconds(1) / 4;
    table.records.push_back(record);
  }
  table.records[1].ipv4_address = *net::IpAddress::Parse("100.127.255.254");
  table.records[2].os_luid = 0xffffffffffffffff;
  table.records[3].os_luid = MakeNetLuid(kIfTypeTunnel, 3);  // Others' LUID.
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationTable parsed,
                              ParseAssociations(FormatAssociations(table)));
  std::sort(table.records.begin(), table.records.end(),
            [](const auto& a, const auto& b) { return a.luid < b.luid; });
  EXPECT_EQ(parsed, table);
}

TEST(ParseAssociations, EmptyStoreRoundTrips) {
  const AssociationTable empty;
  const std::string text = FormatAssociations(empty);
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationTable parsed, ParseAssociations(text));
  EXPECT_EQ(parsed, empty);
  EXPECT_THAT(text, HasSubstr("\nnext-index 1\nend 0\n"));
}

TEST(ParseAssociations, CommentsAnywhereAreIgnored) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      AssociationTable table,
      ParseAssociations(
          Lines({"# a", "natfwt-associations 1", "#b", "next-index 3", "#",
                 kRecord1, "# c", "end 1", "# trailing"})));
  ASSERT_EQ(table.records.size(), 1u);
  EXPECT_EQ(table.records[0], MakeRecord(1, "My VPN"));
}

// ---- escaping ----

TEST(EscapeAssociationField, EscapesOnlySeparatorsControlsAndPercent) {
  EXPECT_EQ(EscapeAssociationField("a b"), "a%20b");
  EXPECT_EQ(EscapeAssociationField("100%"), "100%25");
  EXPECT_EQ(EscapeAssociationField(std::string("\t\n\r\x7f\0", 5)),
            "%09%0A%0D%7F%00");
  EXPECT_EQ(EscapeAssociationField("caf\xC3\xA9 #2"), "caf\xC3\xA9%20#2");
  for (const std::string raw :
       {"a b", "100%", "\x01\x1f", "-", "\xC3\xA9%20"}) {
    NATFWT_ASSERT_OK_AND_ASSIGN(
        std::string back,
        UnescapeAssociationField(EscapeAssociationField(raw)));
    EXPECT_EQ(back, raw);
  }
}

TEST(UnescapeAssociationField, AcceptsOnlyCanonicalForm) {
  for (const char* bad :
       {"", "%", "%2", "%zz", "%2a", "%41", "a b", "a\tb", "%%20", "x%"}) {
    EXPECT_THAT(UnescapeAssociationField(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

// ---- malformed files ----

struct BadCase {
  std::string name;
  std::string text;
  std::string message;  // Expected substring, including "line N:".
  absl::StatusCode code = absl::StatusCode::kDataLoss;
  // gtest prints the case by name (not as raw bytes with padding).
  friend void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }
};

class BadFileTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadFileTest, IsRejectedWithLineNumber) {
  EXPECT_THAT(ParseAssociations(GetParam().text),
              StatusIs(GetParam().code, HasSubstr(GetParam().message)));
}

const std::string kSecondOwnRecord = absl::StrCat(
    "record uid:1000 0x0083000002000000 Other cpnat2 fd12:3456:789a:2::/64 "
    "fd12:3456:789a:2::1 - 2026-01-01T00:00:01+00:00");

INSTANTIATE_TEST_SUITE_P(
    Table, BadFileTest,
    ::testing::ValuesIn(std::vector<BadCase>{
        {"Empty", "", "line 1: empty file"},
        {"NoFinalNewline", "natfwt-associations 1\nnext-index 1\nend 0",
         "line 3: no newline at the end"},
        {"NoHeader", Lines({"next-index 1", "end 0"}), "line 1: expected"},
        {"NewerVersion",
         Lines({"natfwt-associations 3", "next-index 1", "end 0"}),
         "line 1: format version 3 is not supported (only 1-2)",
         absl::StatusCode::kFailedPrecondition},
        {"VersionZero",
         Lines({"natfwt-associations 0", "next-index 1", "end 0"}),
         "line 1: format version 0 is not supported",
         absl::StatusCode::kFailedPrecondition},
        {"VersionLeadingZero",
         Lines({"natfwt-associations 01", "next-index 1", "end 0"}),
         "line 1: bad number"},
        {"CrLf", "natfwt-associations 1\r\nnext-index 1\r\nend 0\r\n",
         "line 1:"},
        {"CommentsCountAsLines",
         Lines({"# one", "# two", "natfwt-associations", "end 0"}), "line 3:"},
        {"MissingNextIndex", Lines({"natfwt-associations 1", "end 0"}),
         "line 2: expected 'next-index <n>'"},
        {"NextIndexZero", File({}, "0"), "line 2: next-index is 0"},
        {"NextIndexTooLarge", File({}, "16777218"),
         "line 2: next-index: number"},
        {"NextIndexPlus", File({}, "+5"), "line 2: next-index: bad number"},
        {"TooFewFields", File({"record uid:1000 0x0083000001000000"}),
         "line 3: expected 'record' with 8"},
        {"Version1RecordInVersion2File", File({kRecord1}, "3", 2),
         "line 3: expected 'record' with 9 single-space-separated fields "
         "(format version 2)"},
        {"Version2RecordInVersion1File", File({kRecord1V2}),
         "line 3: expected 'record' with 8 single-space-separated fields "
         "(format version 1)"},
        {"OsLuidZero",
         File({With(kRecord1V2, 3, "0x0000000000000000")}, "3", 2),
         "line 3: OS LUID is 0"},
        {"OsLuidUppercase",
         File({With(kRecord1V2, 3, "0x00350000080000AB")}, "3", 2),
         "line 3: OS LUID: LUID '0x00350000080000AB' is not 0x + 16"},
        {"OsLuidDecimal", File({With(kRecord1V2, 3, "123")}, "3", 2),
         "line 3: OS LUID:"},
        {"DuplicateOsLuid",
         File({kRecord1V2,
               With(With(kRecord2V2, 3, "0x0035000008000000"), 1, "uid:1000")},
              "3", 2),
         "line 4: LUID 0x0083000002000000: OS LUID 0x0035000008000000 is used "
         "twice"},
        {"DoubleSpace", File({absl::StrCat(kRecord1, " ")}),
         "line 3: expected 'record'"},
        {"UnknownKeyword", File({"recrod a b c d e f g h"}),
         "line 3: expected 'record'"},
        {"LuidUppercase", File({Record1With(2, "0x00830000010000AB")}),
         "line 3: LUID: LUID '0x00830000010000AB'"},
        {"LuidShort", File({Record1With(2, "0x83000001000000")}),
         "line 3: LUID:"},
        {"LuidWrongIfType", File({Record1With(2, "0x0006000001000000")}),
         "line 3: LUID 0x0006000001000000 is not IfType 131"},
        {"LuidReservedBits", File({Record1With(2, "0x0083000001000001")}),
         "line 3: LUID 0x0083000001000001 is not IfType 131"},
        {"LuidIndexZero", File({Record1With(2, "0x0083000000000000")}),
         "line 3: LUID"},
        {"LuidIndexNotAllocated", File({kRecord1}, "1"),
         "line 3: LUID 0x0083000001000000 has index 1, not below next-index 1"},
        {"EmptyIdentity", File({Record1With(1, "")}),
         "line 3: provider identity: empty field"},
        {"IdentityNonCanonicalEscape", File({Record1With(1, "uid%3A1000")}),
         "line 3: provider identity: field is not in canonical"},
        {"FriendlyRawTab", File({Record1With(3, "My\tVPN")}),
         "line 3: friendly name: field is not in canonical"},
        {"FriendlyEscapedControl", File({Record1With(3, "My%01VPN")}),
         "line 3: friendly name: control character"},
        {"FriendlyBadUtf8", File({Record1With(3, "My\xFFVPN")}),
         "line 3: friendly name: invalid UTF-8"},
        {"KernelNameTooLong", File({Record1With(4, "cpnat1234567890x")}),
         "line 3: kernel interface name must have 1-15 bytes"},
        {"KernelNameSlash", File({Record1With(4, "a/b")}),
         "line 3: kernel interface name contains byte 0x2F"},
        {"PrefixNotCanonical",
         File({Record1With(5, "fd12:3456:789a:0001::/64")}),
         "line 3: prefix: 'fd12:3456:789a:0001::/64' is not a prefix in "
         "canonical"},
        {"PrefixNot64", File({Record1With(5, "fd12:3456:789a::/48")}),
         "line 3: prefix fd12:3456:789a::/48 is not an IPv6 /64"},
        {"PrefixHostBits", File({Record1With(5, "fd12:3456:789a:1::1/64")}),
         "line 3: prefix fd12:3456:789a:1::1/64 is not an IPv6 /64 network"},
        {"PrefixIpv4", File({Record1With(5, "10.0.0.0/8")}), "line 3: prefix"},
        {"Ipv6OutsidePrefix", File({Record1With(6, "fd12:3456:789a:2::1")}),
         "line 3: IPv6 address fd12:3456:789a:2::1 is not a usable host"},
        {"Ipv6SubnetRouterAnycast",
         File({Record1With(6, "fd12:3456:789a:1::")}),
         "line 3: IPv6 address fd12:3456:789a:1:: is not a usable host"},
        {"Ipv6Uppercase", File({Record1With(6, "FD12:3456:789a:1::1")}),
         "line 3: IPv6 address: 'FD12:3456:789a:1::1' is not an address"},
        {"Ipv4IsIpv6", File({Record1With(7, "::1")}),
         "line 3: IPv4 address ::1 is not IPv4"},
        {"Ipv4Garbage", File({Record1With(7, "100.64.0.256")}),
         "line 3: IPv4 address: '100.64.0.256'"},
        {"TimeWithZ", File({Record1With(8, "2026-01-01T00:00:01Z")}),
         "line 3: last used: '2026-01-01T00:00:01Z' is not a UTC RFC 3339"},
        {"TimeWithOffset", File({Record1With(8, "2026-01-01T01:00:01+01:00")}),
         "line 3: last used:"},
        {"TimeInfinite", File({Record1With(8, "infinite-future")}),
         "line 3: last used:"},
        {"TimeGarbage", File({Record1With(8, "yesterday")}),
         "line 3: last used:"},
        {"DuplicateLuid", File({kRecord1, Record1With(3, "Another")}),
         "line 4: duplicate LUID 0x0083000001000000"},
        {"DuplicateFriendlyName",
         File({kRecord1,
               absl::StrReplaceAll(kSecondOwnRecord, {{"Other", "My%20VPN"}})}),
         "line 4: LUID 0x0083000002000000: friendly name 'My VPN' is used "
         "twice"},
        {"DuplicateKernelName",
         File({kRecord1,
               absl::StrReplaceAll(kSecondOwnRecord, {{"cpnat2", "cpnat1"}})}),
         "line 4: LUID 0x0083000002000000: kernel name 'cpnat1' is used twice"},
        {"EndCountMismatch",
         Lines({"natfwt-associations 1", "next-index 3", kRecord1, "end 2"}),
         "line 4: 'end' says 2 records, the file has 1"},
        {"MissingEnd",
         Lines({"natfwt-associations 1", "next-index 3", kRecord1}),
         "line 4: missing 'end' line"},
        {"TextAfterEnd", absl::StrCat(File({kRecord1}), "end 1\n"),
         "line 5: text after the 'end' line"},
        {"BlankLine",
         Lines({"natfwt-associations 1", "", "next-index 1", "end 0"}),
         "line 2: expected 'next-index <n>'"},
    }),
    [](const auto& test_case) { return test_case.param.name; });

// ---- table validation ----

TEST(ValidateAssociationTable, AcceptsGoldenAndRejectsInconsistencies) {
  EXPECT_THAT(ValidateAssociationTable(GoldenTable()), IsOk());
  AssociationTable table = GoldenTable();
  table.next_index = 2;
  EXPECT_THAT(
      ValidateAssociationTable(table),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("index 2")));
  table = GoldenTable();
  table.next_index = 0;
  EXPECT_THAT(ValidateAssociationTable(table),
              StatusIs(absl::StatusCode::kInvalidArgument));
  table = GoldenTable();
  table.records[1].friendly_name = table.records[0].friendly_name;
  EXPECT_THAT(ValidateAssociationTable(table),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  table = GoldenTableV2();
  table.records[1].os_luid = table.records[0].os_luid;
  EXPECT_THAT(ValidateAssociationTable(table),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("OS LUID 0x0035000008000000 is used twice")));
  // An OS LUID may equal another record's own LUID (looked up OS first).
  table = GoldenTableV2();
  table.records[1].os_luid = table.records[0].luid;
  EXPECT_THAT(ValidateAssociationTable(table), IsOk());
  table = GoldenTable();
  table.records[0].last_used = absl::InfiniteFuture();
  EXPECT_THAT(
      ValidateAssociationTable(table),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("finite")));
}

TEST(ValidateAssociationRecord, ChecksEveryField) {
  EXPECT_THAT(ValidateAssociationRecord(MakeRecord(1, "ok")), IsOk());
  AssociationRecord with_os_luid = MakeRecord(1, "ok");
  with_os_luid.os_luid = kOsLuid1;
  EXPECT_THAT(ValidateAssociationRecord(with_os_luid), IsOk());
  std::vector<std::pair<std::string, AssociationRecord>> bad;
  auto add = [&](std::string what, auto mutate) {
    AssociationRecord record = MakeRecord(1, "ok");
    mutate(record);
    bad.emplace_back(std::move(what), std::move(record));
  };
  add("identity", [](auto& r) { r.provider_identity = "with space"; });
  add("luid", [](auto& r) { r.luid = 1; });
  add("os luid", [](auto& r) { r.os_luid = 0; });
  add("friendly", [](auto& r) { r.friendly_name = ""; });
  add("kernel", [](auto& r) { r.kernel_name = "bad name"; });
  add("prefix", [](auto& r) { r.ula_prefix.length = 56; });
  add("ipv6",
      [](auto& r) { r.ipv6_address = *net::IpAddress::Parse("fd00::1"); });
  add("ipv4",
      [](auto& r) { r.ipv4_address = *net::IpAddress::Parse("fd00::1"); });
  add("time", [](auto& r) { r.last_used = absl::InfinitePast(); });
  for (const auto& [what, record] : bad) {
    EXPECT_THAT(ValidateAssociationRecord(record),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << what;
  }
}

}  // namespace
}  // namespace natfwt::cp
