// Copyright 2026 The natfwt Authors.

#include "platform/net/ip_address.h"

#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::net {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
  NATFWT_ASSERT_OK_AND_ASSIGN(IpAddress v4, IpAddress::Parse("100.64.1.2"));
  EXPECT_TRUE(v4.is_v4());
  EXPECT_THAT(v4.bytes(), ElementsAre(100, 64, 1, 2));
  EXPECT_EQ(v4.ToString(), "100.64.1.2");
  NATFWT_ASSERT_OK_AND_ASSIGN(IpAddress v6, IpAddress::Parse("FD00:0:0::1"));
  EXPECT_TRUE(v6.is_v6());
  EXPECT_EQ(v6.size(), 16u);
  EXPECT_EQ(v6.bytes()[0], 0xfd);
  EXPECT_EQ(v6.bytes()[15], 1);
  EXPECT_EQ(v6.ToString(), "fd00::1");  // RFC 5952 canonical form.
}

TEST(IpAddress, RejectsMalformedText) {
  for (const char* bad : {"", "1.2.3", "1.2.3.256", "fe80::1%eth0", "[::1]",
                          "::g", "1.2.3.4/8", " 1.2.3.4"}) {
    EXPECT_THAT(IpAddress::Parse(bad), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(IpAddress, FromBytesChecksSize) {
  const uint8_t three[3] = {1, 2, 3};
  EXPECT_THAT(IpAddress::FromBytes(three),
              StatusIs(absl::StatusCode::kInvalidArgument));
  const uint8_t four[4] = {10, 0, 0, 1};
  NATFWT_ASSERT_OK_AND_ASSIGN(IpAddress a, IpAddress::FromBytes(four));
  EXPECT_EQ(a.ToString(), "10.0.0.1");
}

TEST(IpAddress, EqualityAndHashingSeparateFamilies) {
  IpAddress v4 = IpAddress::V4({0, 0, 0, 0});
  IpAddress v6 = IpAddress::V6({});
  EXPECT_NE(v4, v6);
  absl::flat_hash_set<IpAddress> set = {v4, v6, v4};
  EXPECT_EQ(set.size(), 2u);
}

TEST(IpPrefix, ParsesContainsAndNormalises) {
  NATFWT_ASSERT_OK_AND_ASSIGN(IpPrefix cgnat, IpPrefix::Parse("100.64.0.0/10"));
  EXPECT_TRUE(cgnat.Contains(*IpAddress::Parse("100.127.255.255")));
  EXPECT_FALSE(cgnat.Contains(*IpAddress::Parse("100.128.0.0")));
  EXPECT_FALSE(cgnat.Contains(*IpAddress::Parse("::")));
  NATFWT_ASSERT_OK_AND_ASSIGN(IpPrefix host, IpPrefix::Parse("fd12::abcd:1/64"));
  EXPECT_EQ(host.Network().ToString(), "fd12::/64");
  EXPECT_EQ(host.ToString(), "fd12::abcd:1/64");
  NATFWT_ASSERT_OK_AND_ASSIGN(IpPrefix bare, IpPrefix::Parse("::1"));
  EXPECT_EQ(bare.length, 128);
  NATFWT_ASSERT_OK_AND_ASSIGN(IpPrefix odd, IpPrefix::Parse("10.255.255.255/9"));
  EXPECT_EQ(odd.Network().ToString(), "10.128.0.0/9");
}

TEST(IpPrefix, RejectsBadLengths) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1",
                          "10.0.0.0/+8", "10.0.0.0/8x", "x/8"}) {
    EXPECT_THAT(IpPrefix::Parse(bad), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

}  // namespace
}  // namespace natfwt::net
