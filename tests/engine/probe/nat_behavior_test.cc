// Copyright 2026 The natfwt Authors.
//
// The RFC 5780 interpretation on synthetic results: mapping and filtering
// tables, port allocation patterns, NAT depth, carrier-grade NAT and the
// summary names the NAT lab checks against.

#include "engine/probe/nat_behavior.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::probe {
namespace {

net::IpAddress Ip(const char* text) { return *net::IpAddress::Parse(text); }
net::UdpEndpoint At(const char* ip, uint16_t port) { return {Ip(ip), port}; }

// ---- Mapping (RFC 5780 section 4.3) ----

struct MappingCase {
  std::string name;
  net::UdpEndpoint test1;
  std::optional<net::UdpEndpoint> test2;
  std::optional<net::UdpEndpoint> test3;
  MappingBehavior expected;
  friend void PrintTo(const MappingCase& c, std::ostream* out) {
    *out << c.name;
  }
};

class MappingTable : public ::testing::TestWithParam<MappingCase> {};

TEST_P(MappingTable, Classifies) {
  const MappingCase& c = GetParam();
  EXPECT_EQ(ClassifyMapping(c.test1, c.test2, c.test3), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc5780, MappingTable,
    ::testing::Values(
        MappingCase{"SameEverywhere", At("198.51.100.1", 4000),
                    At("198.51.100.1", 4000), std::nullopt,
                    MappingBehavior::kEndpointIndependent},
        MappingCase{"Test3NotNeededWhenEqual", At("198.51.100.1", 4000),
                    At("198.51.100.1", 4000), At("198.51.100.1", 9),
                    MappingBehavior::kEndpointIndependent},
        MappingCase{"NewPerAddress", At("198.51.100.1", 4000),
                    At("198.51.100.1", 4001), At("198.51.100.1", 4001),
                    MappingBehavior::kAddressDependent},
        MappingCase{"NewPerAddressAndPort", At("198.51.100.1", 4000),
                    At("198.51.100.1", 4001), At("198.51.100.1", 4002),
                    MappingBehavior::kAddressAndPortDependent},
        MappingCase{"OtherPublicIp", At("198.51.100.1", 4000),
                    At("198.51.100.2", 4000), At("198.51.100.3", 4000),
                    MappingBehavior::kAddressAndPortDependent},
        MappingCase{"NoTest2Answer", At("198.51.100.1", 4000), std::nullopt,
                    std::nullopt, MappingBehavior::kUnknown},
        MappingCase{"NoTest3Answer", At("198.51.100.1", 4000),
                    At("198.51.100.1", 4001), std::nullopt,
                    MappingBehavior::kUnknown}),
    [](const auto& test) { return test.param.name; });

// ---- Filtering (RFC 5780 section 4.4) ----

TEST(Filtering, FollowsTheRfcDecisionTree) {
  EXPECT_EQ(ClassifyFiltering(true, std::nullopt),
            FilteringBehavior::kEndpointIndependent);
  EXPECT_EQ(ClassifyFiltering(true, false),
            FilteringBehavior::kEndpointIndependent);
  EXPECT_EQ(ClassifyFiltering(false, true),
            FilteringBehavior::kAddressDependent);
  EXPECT_EQ(ClassifyFiltering(false, false),
            FilteringBehavior::kAddressAndPortDependent);
  EXPECT_EQ(ClassifyFiltering(false, std::nullopt),
            FilteringBehavior::kUnknown);
}

// ---- Port allocation ----

struct PortCase {
  std::string name;
  std::vector<PortSample> samples;
  PortAllocation expected;
  friend void PrintTo(const PortCase& c, std::ostream* out) { *out << c.name; }
};

std::vector<PortSample> Mapped(std::vector<uint16_t> ports) {
  std::vector<PortSample> samples;
  uint16_t local = 40000;
  for (uint16_t port : ports) samples.push_back({local++, port});
  return samples;
}

class PortTable : public ::testing::TestWithParam<PortCase> {};

TEST_P(PortTable, Classifies) {
  EXPECT_EQ(ClassifyPortAllocation(GetParam().samples), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, PortTable,
    ::testing::Values(
        PortCase{"Empty", {}, PortAllocation::kUnknown},
        PortCase{"OnePreserved", {{5000, 5000}}, PortAllocation::kPreserving},
        PortCase{"AllPreserved",
                 {{5000, 5000}, {6123, 6123}, {40001, 40001}},
                 PortAllocation::kPreserving},
        PortCase{"TwoNotPreserved", Mapped({1024, 1025}),
                 PortAllocation::kUnknown},
        PortCase{"StepOne",
                 Mapped({1024, 1025, 1026, 1027, 1028, 1029, 1030, 1031}),
                 PortAllocation::kSequential},
        PortCase{"SmallSteps", Mapped({2000, 2002, 2004, 2007, 2009}),
                 PortAllocation::kSequential},
        PortCase{"OneJumpInEight",
                 Mapped({1024, 1025, 1026, 1500, 1501, 1502, 1503, 1504}),
                 PortAllocation::kSequential},
        PortCase{"WrapsAround", Mapped({65533, 65534, 65535, 0, 1}),
                 PortAllocation::kSequential},
        PortCase{"TwoJumpsInEight",
                 Mapped({1024, 1025, 3000, 3001, 9000, 9001, 9002, 9003}),
                 PortAllocation::kRandom},
        PortCase{"Downward", Mapped({3000, 2999, 2998, 2997}),
                 PortAllocation::kRandom},
        PortCase{"Repeated", Mapped({3000, 3000, 3000}),
                 PortAllocation::kRandom},
        PortCase{"Scattered",
                 Mapped({41234, 5321, 60001, 12000, 33333, 1999, 50000, 27000}),
                 PortAllocation::kRandom},
        PortCase{"ThreeStepsOneTooBig", Mapped({1024, 1025, 1100}),
                 PortAllocation::kRandom}),
    [](const auto& test) { return test.param.name; });

// ---- Addresses, depth, carrier-grade NAT ----

TEST(Addresses, SharedAndPrivateBlocks) {
  EXPECT_TRUE(IsSharedAddress(Ip("100.64.0.1")));
  EXPECT_TRUE(IsSharedAddress(Ip("100.127.255.254")));
  EXPECT_FALSE(IsSharedAddress(Ip("100.128.0.1")));
  EXPECT_FALSE(IsSharedAddress(Ip("100.63.255.255")));
  EXPECT_FALSE(IsSharedAddress(Ip("192.168.1.1")));
  for (const char* ip : {"10.1.2.3", "172.16.0.1", "172.31.255.1",
                         "192.168.7.1", "100.64.3.1", "fd00::1", "127.0.0.1"}) {
    EXPECT_TRUE(IsPrivateAddress(Ip(ip))) << ip;
  }
  for (const char* ip :
       {"172.32.0.1", "198.18.0.1", "203.0.113.1", "2001:db8::1", "8.8.8.8"}) {
    EXPECT_FALSE(IsPrivateAddress(Ip(ip))) << ip;
  }
}

std::vector<PathHop> Hops(std::vector<const char*> addresses) {
  std::vector<PathHop> hops;
  int ttl = 1;
  for (const char* address : addresses) {
    hops.push_back({ttl++, address == nullptr
                               ? std::nullopt
                               : std::optional<net::IpAddress>(Ip(address))});
  }
  return hops;
}

TEST(NatDepth, CountsPrivateRealmsBeforeThePublicHop) {
  const net::IpAddress public_ip = Ip("198.18.0.7");
  // The NAT lab: home router, carrier router, lab routers in 198.18/15.
  EXPECT_EQ(EstimateNatDepth(Hops({"192.168.3.1", "100.64.3.1", "198.18.0.1"}),
                             true, public_ip),
            2);
  EXPECT_EQ(
      EstimateNatDepth(Hops({"192.168.3.1", "198.18.0.1"}), true, public_ip),
      1);
  // Two routers of one private network are one realm.
  EXPECT_EQ(EstimateNatDepth(Hops({"10.0.0.1", "10.1.0.1", "203.0.113.9"}),
                             true, public_ip),
            1);
  // Silent hops are skipped; a private address after a public one is not
  // counted (past the NATs).
  EXPECT_EQ(EstimateNatDepth(
                Hops({nullptr, "100.64.0.1", "198.51.100.1", "10.9.9.9"}), true,
                public_ip),
            1);
  EXPECT_EQ(EstimateNatDepth(Hops({}), true, public_ip), 1);
  EXPECT_EQ(
      EstimateNatDepth(Hops({"192.168.3.1", "100.64.3.1"}), false, public_ip),
      0);
}

TEST(NatDepth, StopsAtTheRealmTheServerSaw) {
  // One NAT whose outside is shared address space routed to the server:
  // the server reports a 100.64 address, so 100.64 hops are outside it.
  EXPECT_EQ(EstimateNatDepth(Hops({"192.168.1.1", "100.64.1.1", "198.18.0.1"}),
                             true, Ip("100.64.1.2")),
            1);
}

TEST(CarrierGradeNat, SeenOnHopsOrAddresses) {
  const net::IpAddress home = Ip("192.168.3.2");
  const net::IpAddress public_ip = Ip("198.18.0.7");
  EXPECT_TRUE(CarrierGradeNatSeen(Hops({"192.168.3.1", "100.64.3.1"}), home,
                                  public_ip));
  EXPECT_FALSE(CarrierGradeNatSeen(Hops({"192.168.3.1", "198.18.0.1"}), home,
                                   public_ip));
  EXPECT_TRUE(CarrierGradeNatSeen({}, Ip("100.64.9.2"), public_ip));
  EXPECT_TRUE(CarrierGradeNatSeen({}, home, Ip("100.100.0.1")));
  // No NAT at all: a shared address that is our own is not a CGN.
  EXPECT_FALSE(CarrierGradeNatSeen(Hops({"100.64.3.1"}), Ip("100.64.3.2"),
                                   Ip("100.64.3.2")));
}

// ---- Summary ----

struct SummaryCase {
  std::string name;
  NatEvidence evidence;
  NatType expected;
  std::string expected_name;
  friend void PrintTo(const SummaryCase& c, std::ostream* out) {
    *out << c.name;
  }
};

class SummaryTable : public ::testing::TestWithParam<SummaryCase> {};

TEST_P(SummaryTable, ClassifiesAndNames) {
  const SummaryCase& c = GetParam();
  EXPECT_EQ(SummarizeNat(c.evidence), c.expected);
  EXPECT_EQ(NatTypeName(SummarizeNat(c.evidence)), c.expected_name);
}

constexpr auto kEim = MappingBehavior::kEndpointIndependent;
constexpr auto kAdm = MappingBehavior::kAddressDependent;
constexpr auto kApdm = MappingBehavior::kAddressAndPortDependent;
constexpr auto kEif = FilteringBehavior::kEndpointIndependent;
constexpr auto kAdf = FilteringBehavior::kAddressDependent;
constexpr auto kApdf = FilteringBehavior::kAddressAndPortDependent;
constexpr auto kAnyMapping = MappingBehavior::kUnknown;
constexpr auto kAnyFiltering = FilteringBehavior::kUnknown;

INSTANTIATE_TEST_SUITE_P(
    LabKinds, SummaryTable,
    ::testing::Values(
        SummaryCase{"NoAnswer",
                    {false, false, false, kAnyMapping, kAnyFiltering},
                    NatType::kUdpBlocked,
                    "udp-blocked"},
        SummaryCase{"OpenWhateverFiltering",
                    {true, false, false, kEim, kApdf},
                    NatType::kOpen,
                    "open"},
        SummaryCase{"FullCone",
                    {true, true, false, kEim, kEif},
                    NatType::kFullCone,
                    "full-cone"},
        SummaryCase{"RestrictedCone",
                    {true, true, false, kEim, kAdf},
                    NatType::kRestrictedCone,
                    "restricted-cone"},
        SummaryCase{"PortRestrictedCone",
                    {true, true, false, kEim, kApdf},
                    NatType::kPortRestrictedCone,
                    "port-restricted-cone"},
        SummaryCase{"SymmetricPerAddress",
                    {true, true, false, kAdm, kApdf},
                    NatType::kSymmetric,
                    "symmetric"},
        SummaryCase{"SymmetricPerPort",
                    {true, true, false, kApdm, kAnyFiltering},
                    NatType::kSymmetric,
                    "symmetric"},
        SummaryCase{"CgnatBeatsSymmetric",
                    {true, true, true, kApdm, kApdf},
                    NatType::kCgnat,
                    "cgnat"},
        SummaryCase{"CgnatBeatsCone",
                    {true, true, true, kEim, kEif},
                    NatType::kCgnat,
                    "cgnat"},
        SummaryCase{"NoRfc5780",
                    {true, true, false, kAnyMapping, kAnyFiltering},
                    NatType::kUnknown,
                    "unknown"},
        SummaryCase{"ConeWithoutFiltering",
                    {true, true, false, kEim, kAnyFiltering},
                    NatType::kUnknown,
                    "unknown"}),
    [](const auto& test) { return test.param.name; });

TEST(Names, BehavioursAndPatterns) {
  EXPECT_EQ(MappingBehaviorName(kEim), "endpoint-independent");
  EXPECT_EQ(MappingBehaviorName(kAdm), "address-dependent");
  EXPECT_EQ(MappingBehaviorName(kApdm), "address-and-port-dependent");
  EXPECT_EQ(MappingBehaviorName(kAnyMapping), "unknown");
  EXPECT_EQ(FilteringBehaviorName(kEif), "endpoint-independent");
  EXPECT_EQ(FilteringBehaviorName(kAdf), "address-dependent");
  EXPECT_EQ(FilteringBehaviorName(kApdf), "address-and-port-dependent");
  EXPECT_EQ(PortAllocationName(PortAllocation::kPreserving), "preserving");
  EXPECT_EQ(PortAllocationName(PortAllocation::kSequential), "sequential");
  EXPECT_EQ(PortAllocationName(PortAllocation::kRandom), "random");
  EXPECT_EQ(PortAllocationName(PortAllocation::kUnknown), "unknown");
}

}  // namespace
}  // namespace natfwt::probe
