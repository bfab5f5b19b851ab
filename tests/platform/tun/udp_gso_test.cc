// Copyright 2026 The natfwt Authors.
//
// Unit tests of the UDP GSO wire rules (platform/tun/udp_gso.h): which runs
// of packets coalesce, one case per rule where coalescing must stop, and
// the super-packet headers, checked against checksums recomputed here and
// against a model of the kernel's segmentation (gso_model.h) that must give
// back the original packets.

#include "platform/tun/udp_gso.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/platform/tun/gso_model.h"
#include "tests/platform/tun/udp_packet.h"

namespace natfwt::tun::gso {
namespace {

using testing::Endpoint;
using testing::Pattern;
using testing::RefreshChecksums;

using Packet = std::vector<uint8_t>;

Endpoint Peer(bool v4) {
  return {*net::IpAddress::Parse(v4 ? "100.81.0.7" : "fd00:81::7"), 5555};
}
Endpoint Local(bool v4) {
  return {*net::IpAddress::Parse(v4 ? "100.80.1.1" : "fd00:80::1"), 4444};
}

// `count` datagrams of one flow, payload i of `size` bytes (the last one
// `last_size` when not 0), each with different bytes.
std::vector<Packet> Flow(bool v4, size_t count, size_t size,
                         size_t last_size = 0) {
  std::vector<Packet> packets;
  for (size_t i = 0; i < count; ++i) {
    size_t bytes = (i + 1 == count && last_size != 0) ? last_size : size;
    packets.push_back(testing::BuildUdpPacket(
        Peer(v4), Local(v4), Pattern(bytes, static_cast<uint8_t>(i * 13))));
  }
  return packets;
}

std::vector<absl::Span<const uint8_t>> Spans(const std::vector<Packet>& all) {
  return std::vector<absl::Span<const uint8_t>>(all.begin(), all.end());
}

size_t RunLength(const std::vector<Packet>& packets) {
  return CoalescableRun(Spans(packets));
}

uint16_t Get16(absl::Span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

void Set16(Packet& packet, size_t at, uint16_t value) {
  packet[at] = static_cast<uint8_t>(value >> 8);
  packet[at + 1] = static_cast<uint8_t>(value);
}

// ---------------------------------------------------------------------------
// Run detection: one case per rule. Each case changes packet 2 of a run of 5
// (checksums refreshed unless the case is about them); the run must stop
// before it (or, where the change is allowed, take all 5).

struct RuleCase {
  std::string name;
  bool v4;
  std::function<void(Packet&)> change;
  bool refresh_checksums;
  size_t expected_run;
};

void PrintTo(const RuleCase& c, std::ostream* out) { *out << c.name; }

class RunRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RunRules, StopsWhereTheRuleSays) {
  const RuleCase& c = GetParam();
  std::vector<Packet> packets = Flow(c.v4, 5, 300);
  c.change(packets[2]);
  if (c.refresh_checksums) RefreshChecksums(packets[2]);
  EXPECT_EQ(RunLength(packets), c.expected_run);
}

// IPv4 header fields: TOS 1, flags/fragment 6-7, TTL 8, protocol 9,
// addresses 12-19; UDP at 20: ports 20-23, length 24, checksum 26.
std::vector<RuleCase> Ipv4Cases() {
  return {
      {"same_flow_coalesces", true, [](Packet&) {}, true, 5},
      {"source_address", true, [](Packet& p) { p[15] ^= 1; }, true, 2},
      {"destination_address", true, [](Packet& p) { p[19] ^= 1; }, true, 2},
      {"source_port", true, [](Packet& p) { p[21] ^= 1; }, true, 2},
      {"destination_port", true, [](Packet& p) { p[23] ^= 1; }, true, 2},
      {"tos", true, [](Packet& p) { p[1] = 0x04; }, true, 2},
      {"ecn_bits", true, [](Packet& p) { p[1] = 0x01; }, true, 2},
      {"ttl", true, [](Packet& p) { p[8] = 63; }, true, 2},
      {"dont_fragment_flag", true, [](Packet& p) { p[6] &= ~0x40; }, true, 2},
      {"more_fragments", true, [](Packet& p) { p[6] |= 0x20; }, true, 2},
      {"fragment_offset", true, [](Packet& p) { p[7] = 1; }, true, 2},
      {"protocol_not_udp", true, [](Packet& p) { p[9] = 6; }, true, 2},
      {"ihl_with_options", true, [](Packet& p) { p[0] = 0x46; }, true, 2},
      {"total_length_short", true,
       [](Packet& p) { Set16(p, 2, static_cast<uint16_t>(p.size() - 1)); },
       true, 2},
      {"trailing_byte", true, [](Packet& p) { p.push_back(0); }, true, 2},
      {"udp_length", true,
       [](Packet& p) { Set16(p, 24, static_cast<uint16_t>(Get16(p, 24) - 1)); },
       true, 2},
      {"bad_udp_checksum", true, [](Packet& p) { p[100] ^= 0xff; }, false, 2},
      {"bad_header_checksum", true, [](Packet& p) { p[10] ^= 0x01; }, false, 2},
      {"no_udp_checksum_is_fine", true, [](Packet& p) { Set16(p, 26, 0); },
       false, 5},
      {"identification_ignored_with_df", true,
       [](Packet& p) { Set16(p, 4, 999); }, true, 5},
      {"ip_version_change", true,
       [](Packet& p) {
         p = testing::BuildUdpPacket(Peer(false), Local(false),
                                     Pattern(300, 26));
       },
       true, 2},
  };
}

// IPv6 header fields: traffic class and flow label 0-3, payload length 4,
// next header 6, hop limit 7, addresses 8-39; UDP at 40.
std::vector<RuleCase> Ipv6Cases() {
  return {
      {"same_flow_coalesces", false, [](Packet&) {}, true, 5},
      {"traffic_class", false, [](Packet& p) { p[1] |= 0x40; }, true, 2},
      {"flow_label", false, [](Packet& p) { p[3] = 7; }, true, 2},
      {"hop_limit", false, [](Packet& p) { p[7] = 1; }, true, 2},
      {"source_address", false, [](Packet& p) { p[23] ^= 1; }, true, 2},
      {"destination_address", false, [](Packet& p) { p[39] ^= 1; }, true, 2},
      {"source_port", false, [](Packet& p) { p[41] ^= 1; }, true, 2},
      {"destination_port", false, [](Packet& p) { p[43] ^= 1; }, true, 2},
      // Hop-by-hop options header first: an extension header.
      {"extension_header", false, [](Packet& p) { p[6] = 0; }, true, 2},
      {"payload_length", false,
       [](Packet& p) { Set16(p, 4, static_cast<uint16_t>(Get16(p, 4) - 1)); },
       true, 2},
      {"udp_length", false,
       [](Packet& p) { Set16(p, 44, static_cast<uint16_t>(Get16(p, 44) + 1)); },
       true, 2},
      {"bad_udp_checksum", false, [](Packet& p) { p[200] ^= 0x10; }, false, 2},
      // IPv6 requires the UDP checksum (RFC 8200 section 8.1).
      {"zero_udp_checksum", false, [](Packet& p) { Set16(p, 46, 0); }, false,
       2},
      {"ip_version_change", false,
       [](Packet& p) {
         p = testing::BuildUdpPacket(Peer(true), Local(true), Pattern(300, 26));
       },
       true, 2},
  };
}

std::string CaseName(const ::testing::TestParamInfo<RuleCase>& param) {
  return param.param.name;
}

INSTANTIATE_TEST_SUITE_P(Ipv4, RunRules, ::testing::ValuesIn(Ipv4Cases()),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(Ipv6, RunRules, ::testing::ValuesIn(Ipv6Cases()),
                         CaseName);

TEST(CoalescableRun, EmptyBatchHasNoRun) { EXPECT_EQ(CoalescableRun({}), 0u); }

TEST(CoalescableRun, NonUdpOrGarbageIsARunOfOne) {
  for (bool v4 : {true, false}) {
    std::vector<Packet> packets = Flow(v4, 3, 100);
    packets[0][v4 ? 9 : 6] = 6;  // TCP.
    EXPECT_EQ(RunLength(packets), 1u);
  }
  std::vector<Packet> garbage = {{0x45}, {0x45}, {0x60, 0, 0}};
  EXPECT_EQ(RunLength(garbage), 1u);
}

TEST(CoalescableRun, FirstPacketWithBadChecksumGoesAlone) {
  for (bool v4 : {true, false}) {
    std::vector<Packet> packets = Flow(v4, 4, 100);
    packets[0].back() ^= 0x55;  // Payload changed, checksum not.
    EXPECT_EQ(RunLength(packets), 1u) << v4;
    packets.erase(packets.begin());
    EXPECT_EQ(RunLength(packets), 3u) << v4;
  }
}

TEST(CoalescableRun, ShorterLastDatagramEndsTheRun) {
  for (bool v4 : {true, false}) {
    SCOPED_TRACE(v4 ? "IPv4" : "IPv6");
    std::vector<Packet> packets = Flow(v4, 6, 500);
    packets[3] = testing::BuildUdpPacket(Peer(v4), Local(v4), Pattern(20, 1));
    EXPECT_EQ(RunLength(packets), 4u);  // 3 full and the short one.
    // A longer datagram after the first never joins.
    std::vector<Packet> growing = Flow(v4, 2, 500);
    growing[1] = testing::BuildUdpPacket(Peer(v4), Local(v4), Pattern(501, 1));
    EXPECT_EQ(RunLength(growing), 1u);
  }
}

TEST(CoalescableRun, EmptyPayloadNeverJoins) {
  for (bool v4 : {true, false}) {
    std::vector<Packet> packets = Flow(v4, 3, 100);
    packets[1] = testing::BuildUdpPacket(Peer(v4), Local(v4), {});
    EXPECT_EQ(RunLength(packets), 1u);
    std::vector<Packet> empty_first = Flow(v4, 2, 0);
    EXPECT_EQ(RunLength(empty_first), 1u);
  }
}

TEST(CoalescableRun, Ipv4WithoutDfNeedsConsecutiveIdentifications) {
  std::vector<Packet> packets = Flow(true, 4, 100);
  for (size_t i = 0; i < packets.size(); ++i) {
    packets[i][6] = 0;                                        // DF clear.
    Set16(packets[i], 4, static_cast<uint16_t>(0xfffe + i));  // Wraps.
    RefreshChecksums(packets[i]);
  }
  EXPECT_EQ(RunLength(packets), 4u);
  Set16(packets[2], 4, 7);
  RefreshChecksums(packets[2]);
  EXPECT_EQ(RunLength(packets), 2u);
}

TEST(CoalescableRun, AtMost64Segments) {
  for (bool v4 : {true, false}) {
    std::vector<Packet> packets = Flow(v4, 70, 100);
    EXPECT_EQ(RunLength(packets), kMaxSegments);
    std::vector<Packet> rest(packets.begin() + 64, packets.end());
    EXPECT_EQ(RunLength(rest), 6u);
  }
}

// 43 datagrams of 1500 bytes and a last one that fills the 16-bit length
// exactly: IPv4 total length 28 + 43 * 1500 + 1007 = 65535, IPv6 payload
// length 8 + 43 * 1500 + 1027 = 65535. One byte more ends the run at 43.
TEST(CoalescableRun, LengthFieldsLimitTheRun) {
  for (bool v4 : {true, false}) {
    SCOPED_TRACE(v4 ? "IPv4" : "IPv6");
    size_t fill = v4 ? 1007 : 1027;
    std::vector<Packet> exact = Flow(v4, 44, 1500, fill);
    EXPECT_EQ(RunLength(exact), 44u);
    std::optional<SuperPacket> super = BuildSuperPacket(Spans(exact));
    ASSERT_TRUE(super.has_value());
    EXPECT_EQ(Get16(super->header_span(), v4 ? 2 : 4), 65535);
    std::vector<Packet> over = Flow(v4, 44, 1500, fill + 1);
    EXPECT_EQ(RunLength(over), 43u);
    EXPECT_FALSE(BuildSuperPacket(Spans(over)).has_value());
  }
}

// ---------------------------------------------------------------------------
// Super-packet headers.

// One's complement sum, byte by byte (independent of udp_gso.cc's).
uint32_t SlowSum(absl::Span<const uint8_t> bytes, uint32_t sum = 0) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    sum += i % 2 == 0 ? bytes[i] << 8 : bytes[i];
  }
  return sum;
}

uint16_t SlowFold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

class SuperPacketHeaders : public ::testing::TestWithParam<bool> {};

TEST_P(SuperPacketHeaders, DescribeTheWholeRun) {
  const bool v4 = GetParam();
  const size_t ip = v4 ? 20 : 40;
  std::vector<Packet> run = Flow(v4, 10, 1200, 333);
  ASSERT_EQ(RunLength(run), 10u);
  std::optional<SuperPacket> super = BuildSuperPacket(Spans(run));
  ASSERT_TRUE(super.has_value());
  absl::Span<const uint8_t> h = super->header_span();
  ASSERT_EQ(h.size(), ip + 8);

  EXPECT_EQ(super->vnet.flags, kFlagNeedsCsum);
  EXPECT_EQ(super->vnet.gso_type, kGsoUdpL4);
  EXPECT_EQ(super->vnet.gso_size, 1200);
  EXPECT_EQ(super->vnet.hdr_len, ip + 8);
  EXPECT_EQ(super->vnet.csum_start, ip);
  EXPECT_EQ(super->vnet.csum_offset, 6);

  const size_t udp_length = 8 + 9 * 1200 + 333;
  EXPECT_EQ(Get16(h, ip + 4), udp_length);
  if (v4) {
    EXPECT_EQ(Get16(h, 2), 20 + udp_length);
    EXPECT_EQ(SlowFold(SlowSum(h.first(20))), 0xffff);  // Header checksum.
    // Everything else as in the first packet.
    for (size_t i : {0, 1, 4, 5, 6, 7, 8, 9}) EXPECT_EQ(h[i], run[0][i]) << i;
  } else {
    EXPECT_EQ(Get16(h, 4), udp_length);
    for (size_t i : {0, 1, 2, 3, 6, 7}) EXPECT_EQ(h[i], run[0][i]) << i;
  }
  for (size_t i = v4 ? 12 : 8; i < ip + 4; ++i) EXPECT_EQ(h[i], run[0][i]);
  // The checksum field: the pseudo-header sum for the whole UDP length,
  // folded, not complemented.
  const size_t address_bytes = v4 ? 4 : 16;
  uint32_t pseudo = SlowSum(h.subspan(v4 ? 12 : 8, 2 * address_bytes)) + 17 +
                    static_cast<uint32_t>(udp_length);
  EXPECT_EQ(Get16(h, ip + 6), SlowFold(pseudo));
}

TEST_P(SuperPacketHeaders, KernelSegmentationGivesBackTheOriginals) {
  const bool v4 = GetParam();
  for (size_t count : {2, 17, 64}) {
    SCOPED_TRACE(count);
    std::vector<Packet> run = Flow(v4, count, 999, 1);
    ASSERT_EQ(RunLength(run), count);
    std::optional<SuperPacket> super = BuildSuperPacket(Spans(run));
    ASSERT_TRUE(super.has_value());
    std::vector<Packet> segments =
        testing::SegmentLikeLinux(*super, Spans(run));
    ASSERT_EQ(segments.size(), count);
    for (size_t i = 0; i < count; ++i) {
      // BuildUdpPacket uses ID 0 with DF; segmentation numbers from there.
      Packet expected = run[i];
      if (v4) {
        Set16(expected, 4, static_cast<uint16_t>(i));
        RefreshChecksums(expected);
      }
      EXPECT_EQ(segments[i], expected) << i;
      std::optional<testing::UdpDatagram> parsed =
          testing::ParseUdpPacket(segments[i]);
      ASSERT_TRUE(parsed.has_value());
      EXPECT_TRUE(parsed->checksums_ok);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, SuperPacketHeaders, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "IPv4" : "IPv6";
                         });

TEST(BuildSuperPacket, RefusesWhatIsNoRun) {
  std::vector<Packet> one = Flow(true, 1, 100);
  EXPECT_FALSE(BuildSuperPacket(Spans(one)).has_value());
  std::vector<Packet> too_many = Flow(false, 65, 100);
  EXPECT_FALSE(BuildSuperPacket(Spans(too_many)).has_value());
  std::vector<Packet> garbage = {{0x45, 1, 2}, {0x45}};
  EXPECT_FALSE(BuildSuperPacket(Spans(garbage)).has_value());
  std::vector<Packet> short_second = Flow(true, 2, 100);
  short_second[1].resize(28);  // Headers only: nothing to carry.
  EXPECT_FALSE(BuildSuperPacket(Spans(short_second)).has_value());
}

}  // namespace
}  // namespace natfwt::tun::gso
