// Copyright 2026 The natfwt Authors.

#include "facade/identity/address_plan.h"

#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/random/mock_distributions.h"
#include "absl/random/mocking_bit_gen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::Return;

uint64_t InterfaceId(const net::IpAddress& address) {
  uint64_t iid = 0;
  for (size_t i = 8; i < 16; ++i) iid = (iid << 8) | address.bytes()[i];
  return iid;
}

net::IpAddress Addr(const char* text) { return *net::IpAddress::Parse(text); }
net::IpPrefix Prefix(const char* text) { return *net::IpPrefix::Parse(text); }

TEST(RandomUlaPrefix, HasRfc4193Layout) {
  std::mt19937_64 seeded(1);
  for (int i = 0; i < 100; ++i) {
    const net::IpPrefix prefix = RandomUlaPrefix(seeded);
    ASSERT_TRUE(prefix.address.is_v6());
    EXPECT_EQ(prefix.length, 64);
    EXPECT_EQ(prefix.address.bytes()[0], 0xfd);  // fc00::/7 with L = 1.
    EXPECT_EQ(InterfaceId(prefix.address), 0u);
    EXPECT_EQ(prefix.Network(), prefix);
  }
}

TEST(RandomUlaPrefix, GlobalAndSubnetIdBitsAreRandom) {
  std::mt19937_64 seeded(2);
  absl::flat_hash_set<net::IpAddress> seen;
  uint64_t ones = 0, zeros = 0;  // Bits 8-63 seen set / clear.
  for (int i = 0; i < 200; ++i) {
    const net::IpPrefix prefix = RandomUlaPrefix(seeded);
    seen.insert(prefix.address);
    uint64_t bits = 0;
    for (size_t b = 1; b < 8; ++b)
      bits = (bits << 8) | prefix.address.bytes()[b];
    ones |= bits;
    zeros |= ~bits;
  }
  EXPECT_EQ(seen.size(), 200u);
  const uint64_t all56 = (uint64_t{1} << 56) - 1;
  EXPECT_EQ(ones & all56, all56);   // Every one of the 56 bits varied...
  EXPECT_EQ(zeros & all56, all56);  // ...both ways.
}

TEST(RandomUlaPrefix, SeededGeneratorIsReproducible) {
  std::mt19937_64 a(42), b(42), c(43);
  const net::IpPrefix pa = RandomUlaPrefix(a);
  EXPECT_EQ(pa, RandomUlaPrefix(b));
  EXPECT_NE(pa, RandomUlaPrefix(c));
  NATFWT_ASSERT_OK_AND_ASSIGN(net::IpAddress xa,
                              RandomInterfaceAddress(pa, a, {}));
  NATFWT_ASSERT_OK_AND_ASSIGN(net::IpAddress xb,
                              RandomInterfaceAddress(pa, b, {}));
  EXPECT_EQ(xa, xb);
}

struct ReservedCase {
  std::string name;
  uint64_t iid;
  bool reserved;
  // gtest prints the case by name (not as raw bytes with padding).
  friend void PrintTo(const ReservedCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class ReservedInterfaceIdTest : public ::testing::TestWithParam<ReservedCase> {
};

TEST_P(ReservedInterfaceIdTest, Classifies) {
  EXPECT_EQ(IsReservedInterfaceId(GetParam().iid), GetParam().reserved);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReservedInterfaceIdTest,
    ::testing::ValuesIn(std::vector<ReservedCase>{
        {"SubnetRouterAnycast", 0, true},
        {"One", 1, false},
        {"BelowEui64Anycast", 0xFDFFFFFFFFFFFF7Full, false},
        {"Eui64AnycastFirst", 0xFDFFFFFFFFFFFF80ull, true},
        {"Eui64AnycastLast", 0xFDFFFFFFFFFFFFFFull, true},
        {"AboveEui64Anycast", 0xFE00000000000000ull, false},
        {"BelowTop128", 0xFFFFFFFFFFFFFF7Full, false},
        {"Top128First", 0xFFFFFFFFFFFFFF80ull, true},
        {"AllOnes", 0xFFFFFFFFFFFFFFFFull, true},
        {"BelowIanaEthernet", 0x02005EFFFDFFFFFFull, false},
        {"IanaEthernetFirst", 0x02005EFFFE000000ull, true},
        {"ProxyMobile", 0x02005EFFFE005213ull, true},
        {"IanaEthernetLast", 0x02005EFFFEFFFFFFull, true},
        {"AboveIanaEthernet", 0x02005EFFFF000000ull, false},
    }),
    [](const auto& test_case) { return test_case.param.name; });

TEST(RandomInterfaceAddress, StaysInsidePrefixAndNeverReserved) {
  std::mt19937_64 seeded(7);
  const net::IpPrefix prefix = Prefix("fd12:3456:789a:1::/64");
  for (int i = 0; i < 1000; ++i) {
    NATFWT_ASSERT_OK_AND_ASSIGN(net::IpAddress address,
                                RandomInterfaceAddress(prefix, seeded, {}));
    EXPECT_TRUE(prefix.Contains(address));
    EXPECT_FALSE(IsReservedInterfaceId(InterfaceId(address)));
  }
}

TEST(RandomInterfaceAddress, IgnoresHostBitsOfPrefix) {
  std::mt19937_64 seeded(8);
  NATFWT_ASSERT_OK_AND_ASSIGN(
      net::IpAddress address,
      RandomInterfaceAddress(Prefix("fd00:1:2:3:ffff::1/64"), seeded, {}));
  EXPECT_TRUE(Prefix("fd00:1:2:3::/64").Contains(address));
}

TEST(RandomInterfaceAddress, SkipsReservedAndAvoidedIdentifiers) {
  absl::MockingBitGen gen;
  EXPECT_CALL(absl::MockUniform<uint64_t>(), Call(gen))
      .WillOnce(Return(0))                      // Subnet-Router anycast.
      .WillOnce(Return(0xFDFFFFFFFFFFFF81ull))  // RFC 2526, EUI-64 form.
      .WillOnce(Return(0xFFFFFFFFFFFFFFFEull))  // RFC 2526, "top 128".
      .WillOnce(Return(0x02005EFFFE001234ull))  // RFC 5453.
      .WillOnce(Return(0x1111))                 // In `avoid`.
      .WillOnce(Return(0x2222));
  const std::vector<net::IpAddress> avoid = {Addr("fd00:1:2:3::1111")};
  NATFWT_ASSERT_OK_AND_ASSIGN(
      net::IpAddress address,
      RandomInterfaceAddress(Prefix("fd00:1:2:3::/64"), gen, avoid));
  EXPECT_EQ(address, Addr("fd00:1:2:3::2222"));
}

TEST(RandomInterfaceAddress, BrokenGeneratorIsResourceExhausted) {
  absl::MockingBitGen gen;
  EXPECT_CALL(absl::MockUniform<uint64_t>(), Call(gen))
      .Times(kMaxInterfaceIdDraws)
      .WillRepeatedly(Return(0));
  EXPECT_THAT(RandomInterfaceAddress(Prefix("fd00::/64"), gen, {}),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(RandomInterfaceAddress, RejectsNonSlash64) {
  std::mt19937_64 seeded(9);
  for (const char* bad : {"fd00::/48", "fd00::/65", "10.0.0.0/8"}) {
    EXPECT_THAT(RandomInterfaceAddress(Prefix(bad), seeded, {}),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(RandomIpv4Address, DefaultPoolIsSharedAddressSpace) {
  EXPECT_EQ(DefaultIpv4Pool().ToString(), "100.64.0.0/10");
  std::mt19937_64 seeded(10);
  for (int i = 0; i < 1000; ++i) {
    NATFWT_ASSERT_OK_AND_ASSIGN(
        net::IpAddress address,
        RandomIpv4Address(DefaultIpv4Pool(), seeded, {}));
    EXPECT_TRUE(DefaultIpv4Pool().Contains(address));
    EXPECT_NE(address, Addr("100.64.0.0"));
    EXPECT_NE(address, Addr("100.127.255.255"));
  }
}

TEST(RandomIpv4Address, NeverNetworkOrBroadcast) {
  absl::flat_hash_set<net::IpAddress> seen;
  for (int seed = 0; seed < 100; ++seed) {
    std::mt19937_64 seeded(seed);
    NATFWT_ASSERT_OK_AND_ASSIGN(
        net::IpAddress address,
        RandomIpv4Address(Prefix("192.0.2.4/30"), seeded, {}));
    seen.insert(address);
  }
  EXPECT_EQ(seen, (absl::flat_hash_set<net::IpAddress>{Addr("192.0.2.5"),
                                                       Addr("192.0.2.6")}));
}

TEST(RandomIpv4Address, WalksPastAvoidedHostsAndWraps) {
  absl::MockingBitGen gen;
  // 192.0.2.0/29 has hosts .1-.6; the draw picks offset index 5 (.6).
  EXPECT_CALL(absl::MockUniform<uint64_t>(), Call(gen, 0u, 6u))
      .WillRepeatedly(Return(5));
  NATFWT_ASSERT_OK_AND_ASSIGN(
      net::IpAddress first, RandomIpv4Address(Prefix("192.0.2.0/29"), gen, {}));
  EXPECT_EQ(first, Addr("192.0.2.6"));
  NATFWT_ASSERT_OK_AND_ASSIGN(
      net::IpAddress wrapped,
      RandomIpv4Address(Prefix("192.0.2.0/29"), gen,
                        {Addr("192.0.2.6"), Addr("192.0.2.1")}));
  EXPECT_EQ(wrapped, Addr("192.0.2.2"));
}

TEST(RandomIpv4Address, FullPoolIsResourceExhausted) {
  std::mt19937_64 seeded(11);
  const net::IpPrefix pool = Prefix("192.0.2.4/30");
  NATFWT_ASSERT_OK_AND_ASSIGN(
      net::IpAddress only,
      RandomIpv4Address(pool, seeded, {Addr("192.0.2.5")}));
  EXPECT_EQ(only, Addr("192.0.2.6"));
  EXPECT_THAT(
      RandomIpv4Address(pool, seeded, {Addr("192.0.2.5"), Addr("192.0.2.6")}),
      StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(RandomIpv4Address, RejectsBadPools) {
  std::mt19937_64 seeded(12);
  for (const char* bad : {"192.0.2.0/31", "192.0.2.1/32", "fd00::/64"}) {
    EXPECT_THAT(RandomIpv4Address(Prefix(bad), seeded, {}),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
  // /0 is a (silly but) valid pool.
  EXPECT_THAT(RandomIpv4Address(Prefix("0.0.0.0/0"), seeded, {}),
              natfwt::testing::IsOk());
}

}  // namespace
}  // namespace natfwt::cp
