// Copyright 2026 The natfwt Authors.

#include "facade/sddl/sddl.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

struct AcceptCase {
  std::string name;
  std::string sddl;
  bool everyone;
  std::vector<uint32_t> uids;
  std::vector<uint32_t> gids;
};

void PrintTo(const AcceptCase& c, std::ostream* os) { *os << c.sddl; }

class SddlAccepts : public ::testing::TestWithParam<AcceptCase> {};

TEST_P(SddlAccepts, GivesPolicy) {
  const AcceptCase& c = GetParam();
  NATFWT_ASSERT_OK_AND_ASSIGN(SddlPolicy policy, ParseSddl(c.sddl));
  EXPECT_EQ(policy.everyone, c.everyone);
  EXPECT_EQ(policy.uids, c.uids);
  EXPECT_EQ(policy.gids, c.gids);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SddlAccepts,
    ::testing::Values(
        AcceptCase{"Everyone", "D:(A;;GA;;;WD)", true, {}, {}},
        AcceptCase{"EveryoneBySid", "D:(A;;GA;;;S-1-1-0)", true, {}, {}},
        AcceptCase{"EmptyDaclIsNobody", "D:", false, {}, {}},
        AcceptCase{"ProtectedEmptyDacl", "D:PAIAR", false, {}, {}},
        AcceptCase{"SystemIsRoot", "D:(A;;GA;;;SY)", false, {0}, {}},
        AcceptCase{"AdministratorsAreRoot", "D:(A;;GA;;;BA)", false, {0}, {}},
        AcceptCase{"NumericSystemAndAdmins",
                   "D:(A;;GA;;;S-1-5-18)(A;;GA;;;S-1-5-32-544)",
                   false,
                   {0},
                   {}},
        AcceptCase{"UnixUser", "D:(A;;GA;;;S-1-22-1-1000)", false, {1000}, {}},
        AcceptCase{"UnixGroup", "D:(A;;GA;;;S-1-22-2-27)", false, {}, {27}},
        AcceptCase{"LargestId",
                   "D:(A;;GA;;;S-1-22-1-4294967294)",
                   false,
                   {4294967294u},
                   {}},
        AcceptCase{"SortedAndDeduplicated",
                   "D:P(A;;GA;;;S-1-22-1-1001)(A;;GR;;;S-1-22-1-1000)"
                   "(A;;GW;;;S-1-22-1-1001)(A;;GX;;;SY)(A;;FA;;;S-1-22-2-5)"
                   "(A;;FR;;;S-1-22-2-5)(A;;FW;;;S-1-22-2-4)",
                   false,
                   {0, 1000, 1001},
                   {4, 5}},
        AcceptCase{"OwnerAndGroupIgnored",
                   "O:BAG:SYD:(A;;GA;;;S-1-22-1-7)",
                   false,
                   {7},
                   {}},
        AcceptCase{"NumericOwnerIgnored",
                   "O:S-1-5-21-1-2-3-500D:(A;;GA;;;S-1-22-1-7)",
                   false,
                   {7},
                   {}},
        AcceptCase{"ComponentsInAnyOrder",
                   "D:(A;;GA;;;S-1-22-1-7)O:SY",
                   false,
                   {7},
                   {}},
        AcceptCase{"InheritanceFlagsAccepted",
                   "D:AI(A;CIOINPID;GA;;;S-1-22-1-8)",
                   false,
                   {8},
                   {}},
        AcceptCase{
            "InheritOnlyGrantsNothing", "D:(A;IO;GA;;;WD)", false, {}, {}},
        AcceptCase{"HexMask", "D:(A;;0x1F01FF;;;S-1-22-1-9)", false, {9}, {}},
        AcceptCase{
            "UpperCaseHexPrefix", "D:(A;;0X1;;;S-1-22-1-9)", false, {9}, {}},
        AcceptCase{"ZeroMaskGrantsNothing", "D:(A;;0x0;;;WD)", false, {}, {}},
        AcceptCase{
            "CombinedRights", "D:(A;;GRGWFX;;;S-1-22-2-100)", false, {}, {100}},
        AcceptCase{"EveryoneKeepsLists",
                   "D:(A;;GA;;;S-1-22-1-5)(A;;GA;;;WD)",
                   true,
                   {5},
                   {}}),
    [](const ::testing::TestParamInfo<AcceptCase>& test) {
      return test.param.name;
    });

struct RefuseCase {
  std::string name;
  std::string sddl;
  std::string message;  // Substring: names the token and its offset.
};

void PrintTo(const RefuseCase& c, std::ostream* os) { *os << c.sddl; }

class SddlRefuses : public ::testing::TestWithParam<RefuseCase> {};

TEST_P(SddlRefuses, NamingTokenAndOffset) {
  EXPECT_THAT(ParseSddl(GetParam().sddl),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SddlRefuses,
    ::testing::Values(
        RefuseCase{"Empty", "", "empty descriptor"},
        RefuseCase{"NoDacl", "O:BA", "no DACL"},
        RefuseCase{"NotAComponent", "(A;;GA;;;WD)",
                   "expected a component (O:, G: or D:) at offset 0, found "
                   "\"(\""},
        RefuseCase{"LowerCaseTag", "d:(A;;GA;;;WD)",
                   "unknown component \"d:\" at offset 0"},
        RefuseCase{"Sacl", "D:S:(AU;SA;GA;;;WD)",
                   "SACL (\"S:\") at offset 2 is not supported"},
        RefuseCase{"SecondDacl", "D:D:", "second DACL (\"D:\") at offset 2"},
        RefuseCase{"SecondOwner", "O:BAO:SYD:", "second owner at offset 4"},
        RefuseCase{"NullDacl", "D:NO_ACCESS_CONTROL",
                   "\"NO_ACCESS_CONTROL\" at offset 2 is not supported"},
        RefuseCase{"UnknownDaclFlag", "D:PX(A;;GA;;;WD)",
                   "unsupported DACL flag \"X\" at offset 3"},
        RefuseCase{"DenyAce", "D:(D;;GA;;;WD)",
                   "unsupported ACE type \"D\" at offset 3"},
        RefuseCase{"ObjectAce", "D:(OA;;GA;;;WD)",
                   "unsupported ACE type \"OA\" at offset 3"},
        RefuseCase{"AuditFlag", "D:(A;SA;GA;;;WD)",
                   "unsupported ACE flag \"SA\" at offset 5"},
        RefuseCase{"OddFlag", "D:(A;CIO;GA;;;WD)",
                   "unsupported ACE flag \"O\" at offset 7"},
        RefuseCase{"UnknownRight", "D:(A;;GARC;;;WD)",
                   "unsupported right \"RC\" at offset 8"},
        RefuseCase{"EmptyRights", "D:(A;;;;;WD)", "empty rights at offset 6"},
        RefuseCase{"HexTooLong", "D:(A;;0x123456789;;;WD)",
                   "malformed rights mask \"0x123456789\" at offset 6"},
        RefuseCase{"HexNoDigits", "D:(A;;0x;;;WD)",
                   "malformed rights mask \"0x\" at offset 6"},
        RefuseCase{"HexBadDigit", "D:(A;;0x1G;;;WD)",
                   "malformed rights mask \"0x1G\" at offset 6"},
        RefuseCase{"ObjectGuid",
                   "D:(A;;GA;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)",
                   "object GUID \"bf967aba-0de6-11d0-a285-00aa003049e2\" at "
                   "offset 9 is not supported"},
        RefuseCase{"InheritObjectGuid", "D:(A;;GA;;x;WD)",
                   "object GUID \"x\" at offset 10"},
        RefuseCase{"DomainUser", "D:(A;;GA;;;S-1-5-21-1-2-3-1001)",
                   "unsupported trustee \"S-1-5-21-1-2-3-1001\" at offset 11"},
        RefuseCase{"OtherAlias", "D:(A;;GA;;;AU)",
                   "unsupported trustee \"AU\" at offset 11"},
        RefuseCase{"LowerCaseTrustee", "D:(A;;GA;;;wd)",
                   "unsupported trustee \"wd\" at offset 11"},
        RefuseCase{"UidTooBig", "D:(A;;GA;;;S-1-22-1-4294967295)",
                   "malformed Unix uid in trustee \"S-1-22-1-4294967295\" at "
                   "offset 11"},
        RefuseCase{"UidNotNumber", "D:(A;;GA;;;S-1-22-1-+5)",
                   "malformed Unix uid"},
        RefuseCase{"GidMissing", "D:(A;;GA;;;S-1-22-2-)", "malformed Unix gid"},
        RefuseCase{"GidWithSpace", "D:(A;;GA;;;S-1-22-2- 5)",
                   "malformed Unix gid"},
        RefuseCase{"TooFewFields", "D:(A;;GA;;WD)",
                   "ACE at offset 2 has 5 fields; expected 6"},
        RefuseCase{"ResourceAttribute", "D:(A;;GA;;;WD;(\"x\",TI,0,1))",
                   "unexpected '(' at offset 14 inside the ACE at offset 2"},
        RefuseCase{"SeventhField", "D:(A;;GA;;;WD;x)",
                   "ACE at offset 2 has more than 6 fields"},
        RefuseCase{"Unterminated", "D:(A;;GA;;;WD",
                   "ACE at offset 2 has no closing ')'"},
        RefuseCase{"TrailingGarbage", "D:(A;;GA;;;WD)x",
                   "unexpected \"x\" at offset 14 after the DACL's ACEs"},
        RefuseCase{"WhiteSpace", "D: (A;;GA;;;WD)",
                   "unsupported DACL flag \" \" at offset 2"},
        RefuseCase{"MalformedOwner", "O:S-1-5-D:(A;;GA;;;WD)",
                   "malformed owner SID \"S-1-5-\" at offset 2"},
        RefuseCase{"EmptyGroup", "G:D:(A;;GA;;;WD)",
                   "malformed group SID \"\" at offset 2"}),
    [](const ::testing::TestParamInfo<RefuseCase>& test) {
      return test.param.name;
    });

TEST(ParseSddl, RefusesOverlongInput) {
  std::string sddl = "D:";
  while (sddl.size() <= kMaxSddlLength) sddl += "(A;;GA;;;SY)";
  EXPECT_THAT(ParseSddl(sddl), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("is longer than 65536")));
}

TEST(ParseSddl, RefusesEmbeddedNul) {
  const std::string sddl("D:(A;;GA;;;WD)\0(A;;GA;;;SY)", 27);
  EXPECT_THAT(ParseSddl(sddl), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("at offset 14")));
}

TEST(ParseSddlWide, MatchesNarrowForAscii) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      SddlPolicy wide, ParseSddl(L"D:P(A;;GA;;;S-1-22-1-1000)(A;;GA;;;SY)"));
  NATFWT_ASSERT_OK_AND_ASSIGN(
      SddlPolicy narrow, ParseSddl("D:P(A;;GA;;;S-1-22-1-1000)(A;;GA;;;SY)"));
  EXPECT_EQ(wide, narrow);
  EXPECT_THAT(ParseSddl(L"D:(D;;GA;;;WD)"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported ACE type \"D\" at offset 3")));
}

TEST(ParseSddlWide, RefusesNonAsciiNullAndOverlong) {
  EXPECT_THAT(ParseSddl(static_cast<const wchar_t*>(nullptr)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NULL")));
  EXPECT_THAT(ParseSddl(L"D:(A;;GA;;;S-1-22-1-1\u00e9)"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("character U+00E9 at offset 21")));
  EXPECT_THAT(ParseSddl(L"D:\t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("character U+0009 at offset 2")));
  std::wstring overlong(kMaxSddlLength + 1, L'P');
  EXPECT_THAT(ParseSddl(overlong.c_str()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("longer than 65536 characters")));
}

}  // namespace
}  // namespace natfwt::cp
