// Copyright 2026 The natfwt Authors.

#include "facade/identity/provider_identity.h"

#include <unistd.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;

struct IdentityCase {
  std::string name;
  GUID guid;
  uint32_t uid;
  std::string expected;
  // gtest prints the case by name (not as raw bytes with padding).
  friend void PrintTo(const IdentityCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class ProviderIdentityTest : public ::testing::TestWithParam<IdentityCase> {};

TEST_P(ProviderIdentityTest, MakesCanonicalIdentity) {
  const IdentityCase& c = GetParam();
  const std::string identity = MakeProviderIdentity(c.guid, c.uid);
  EXPECT_EQ(identity, c.expected);
  EXPECT_THAT(ValidateProviderIdentity(identity), IsOk());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ProviderIdentityTest,
    ::testing::ValuesIn(std::vector<IdentityCase>{
        // RFC 4122 appendix-style example GUID.
        {"Guid",
         {0x6b29fc40,
          0xca47,
          0x1067,
          {0xb3, 0x1d, 0x00, 0xdd, 0x01, 0x06, 0x62, 0xda}},
         1000,
         "guid:6b29fc40-ca47-1067-b31d-00dd010662da"},
        {"GuidIsLowercaseAndZeroPadded",
         {0xABCDEF01, 0x000A, 0xB00C, {0xDE, 0xAD, 0, 0, 0, 0, 0, 0x0F}},
         0,
         "guid:abcdef01-000a-b00c-dead-00000000000f"},
        {"LastByteAloneMakesGuid",
         {0, 0, 0, {0, 0, 0, 0, 0, 0, 0, 1}},
         1000,
         "guid:00000000-0000-0000-0000-000000000001"},
        {"FirstFieldAloneMakesGuid",
         {1, 0, 0, {0, 0, 0, 0, 0, 0, 0, 0}},
         1000,
         "guid:00000001-0000-0000-0000-000000000000"},
        {"NullGuidUsesUid", {0, 0, 0, {0}}, 1000, "uid:1000"},
        {"NullGuidRoot", {0, 0, 0, {0}}, 0, "uid:0"},
        {"NullGuidLargestUid", {0, 0, 0, {0}}, 4294967295u, "uid:4294967295"},
    }),
    [](const auto& test_case) { return test_case.param.name; });

TEST(IsNullGuid, OnlyAllZero) {
  GUID guid = {0, 0, 0, {0}};
  EXPECT_TRUE(IsNullGuid(guid));
  for (int byte = 0; byte < 8; ++byte) {
    GUID one = guid;
    one.Data4[byte] = 0x80;
    EXPECT_FALSE(IsNullGuid(one)) << byte;
  }
  guid.Data3 = 1;
  EXPECT_FALSE(IsNullGuid(guid));
}

TEST(ProviderIdentityForCaller, UsesEffectiveUidOrGuid) {
  const GUID null_guid = {0, 0, 0, {0}};
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string identity,
                              ProviderIdentityForCaller(null_guid));
  EXPECT_EQ(identity, absl::StrCat("uid:", geteuid()));
  const GUID guid = {0x12345678, 0x9abc, 0xdef0, {1, 2, 3, 4, 5, 6, 7, 8}};
  NATFWT_ASSERT_OK_AND_ASSIGN(identity, ProviderIdentityForCaller(guid));
  EXPECT_EQ(identity, "guid:12345678-9abc-def0-0102-030405060708");
}

TEST(ValidateProviderIdentity, RejectsUnstorableStrings) {
  for (const std::string& bad :
       {std::string(), std::string("uid: 1"), std::string("a\tb"),
        std::string("sid\x7f"), std::string("caf\xC3\xA9"),
        std::string(257, 'x'), std::string("a\0b", 3)}) {
    EXPECT_THAT(ValidateProviderIdentity(bad),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(ValidateProviderIdentity(std::string(256, 'x')), IsOk());
  EXPECT_THAT(ValidateProviderIdentity("sid:S-1-5-21-1-2-3-1001"), IsOk());
}

}  // namespace
}  // namespace natfwt::cp
