// Copyright 2026 The natfwt Authors.

#include "platform/firewall/nft_ruleset.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::firewall {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(OwnerFilterRuleset, WholeScriptForOneInterface) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::string script, OwnerFilterRuleset("cpnat0", {1000, 0, 1000}, {27}));
  EXPECT_EQ(script,
            "table inet natfwt_cpnat0\n"
            "delete table inet natfwt_cpnat0\n"
            "table inet natfwt_cpnat0 {\n"
            "\tset allowed_uids {\n"
            "\t\ttype uid\n"
            "\t\telements = { 0, 1000 }\n"
            "\t}\n"
            "\tset allowed_gids {\n"
            "\t\ttype gid\n"
            "\t\telements = { 27 }\n"
            "\t}\n"
            "\tchain egress {\n"
            "\t\ttype filter hook output priority filter; policy accept;\n"
            "\t\toifname != \"cpnat0\" accept\n"
            "\t\tct state established,related accept\n"
            "\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, "
            "nd-neighbor-advert, mld-listener-report, mld-listener-done, "
            "mld2-listener-report } accept\n"
            "\t\tmeta l4proto igmp accept\n"
            "\t\tmeta skuid @allowed_uids accept\n"
            "\t\tmeta skgid @allowed_gids accept\n"
            "\t\tcounter drop\n"
            "\t}\n"
            "}\n");
}

TEST(OwnerFilterRuleset, EmptySetsHaveNoElementsLine) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string script,
                              OwnerFilterRuleset("cpnat1", {}, {}));
  EXPECT_THAT(script, Not(HasSubstr("elements")));
  EXPECT_THAT(script, HasSubstr("set allowed_uids {\n\t\ttype uid\n\t}\n"));
  EXPECT_THAT(script, HasSubstr("set allowed_gids {\n\t\ttype gid\n\t}\n"));
  // Nobody is allowed, so everything that is not established is dropped.
  EXPECT_THAT(script, HasSubstr("counter drop"));
}

TEST(OwnerFilterRuleset, SortsAndDeduplicatesIds) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::string script,
      OwnerFilterRuleset("x", {4294967294u, 5, 5, 3}, {9, 1, 9}));
  EXPECT_THAT(script, HasSubstr("elements = { 3, 5, 4294967294 }"));
  EXPECT_THAT(script, HasSubstr("elements = { 1, 9 }"));
}

TEST(OwnerFilterRemoval, DeclaresThenDeletesSoAMissingTableIsFine) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string script, OwnerFilterRemoval("cpnat0"));
  EXPECT_EQ(script,
            "table inet natfwt_cpnat0\n"
            "delete table inet natfwt_cpnat0\n");
}

TEST(OwnerFilterTableName, KeepsAlphanumericsAndEscapesTheRest) {
  EXPECT_EQ(OwnerFilterTableName("cpnat0"), "natfwt_cpnat0");
  EXPECT_EQ(OwnerFilterTableName("a-b"), "natfwt_a_2db");
  EXPECT_EQ(OwnerFilterTableName("a_b"), "natfwt_a_5fb");
  EXPECT_EQ(OwnerFilterTableName("a.b"), "natfwt_a_2eb");
  // "a_2db" and "a-b" must not collide.
  EXPECT_NE(OwnerFilterTableName("a_2db"), OwnerFilterTableName("a-b"));
}

struct NameCase {
  std::string name;
  std::string ifname;
  std::string message;
};

void PrintTo(const NameCase& c, std::ostream* os) { *os << c.name; }

class RefusesInterfaceName : public ::testing::TestWithParam<NameCase> {};

TEST_P(RefusesInterfaceName, InEveryScript) {
  const NameCase& c = GetParam();
  EXPECT_THAT(
      ValidateInterfaceName(c.ifname),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  EXPECT_THAT(
      OwnerFilterRuleset(c.ifname, {0}, {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  EXPECT_THAT(OwnerFilterRemoval(c.ifname),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RefusesInterfaceName,
    ::testing::Values(
        NameCase{"Empty", "", "has 0 bytes"},
        NameCase{"SixteenBytes", "abcdefghijklmnop", "has 16 bytes"},
        NameCase{"Dot", ".", "reserved"}, NameCase{"DotDot", "..", "reserved"},
        NameCase{"Quote", "a\"b", "at offset 1"},
        NameCase{"Wildcard", "eth*", "character \"*\" at offset 3"},
        NameCase{"Space", "a b", "at offset 1"},
        NameCase{"Slash", "a/b", "at offset 1"},
        NameCase{"Newline", "a\nb", "character \"\\n\" at offset 1"},
        NameCase{"NonAscii", "caf\xc3\xa9", "at offset 3"}),
    [](const ::testing::TestParamInfo<NameCase>& test) {
      return test.param.name;
    });

TEST(ValidateInterfaceName, AcceptsKernelStyleNames) {
  for (const char* ok : {"cpnat0", "eth0", "wg-home", "br_lan", "veth1.100",
                         "abcdefghijklmno"}) {
    EXPECT_THAT(ValidateInterfaceName(ok), IsOk()) << ok;
  }
}

}  // namespace
}  // namespace natfwt::firewall
