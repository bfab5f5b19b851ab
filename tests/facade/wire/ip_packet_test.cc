// Copyright 2026 The natfwt Authors.
//
// ParseIpPacket over annotated byte vectors: one valid packet per shape the
// runtime meets, and one malformed packet per validation rule. IPv4 header
// checksums in the valid vectors were computed independently (RFC 1071,
// Python) and are part of the vector; FixIpv4Checksum() below is used only
// for malformed vectors whose defect is elsewhere.

#include "facade/wire/ip_packet.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

using Bytes = std::vector<uint8_t>;

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts)
    out.insert(out.end(), part.begin(), part.end());
  return out;
}

// Independent RFC 1071 checksum for test vectors: rewrites bytes 10-11.
Bytes FixIpv4Checksum(Bytes packet) {
  const size_t header = (packet[0] & 0x0f) * 4u;
  packet[10] = packet[11] = 0;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < header && i + 1 < packet.size(); i += 2) {
    sum += (packet[i] << 8) | packet[i + 1];
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  packet[10] = static_cast<uint8_t>(~sum >> 8);
  packet[11] = static_cast<uint8_t>(~sum);
  return packet;
}

const Bytes kV4Src = {10, 0, 0, 1};
const Bytes kV4Dst = {10, 0, 0, 2};
// fd00::1 and fd00::2.
const Bytes kV6Src = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const Bytes kV6Dst = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

// 10.0.0.1:12345 -> 10.0.0.2:53, UDP, "ping".
const Bytes kV4Udp = {
    0x45, 0x00, 0x00, 0x20,  // version 4, IHL 5; TOS 0; total length 32
    0x12, 0x34, 0x00, 0x00,  // identification 0x1234; no flags, offset 0
    0x40, 0x11, 0x54, 0x97,  // TTL 64; protocol 17 (UDP); checksum 0x5497
    0x0a, 0x00, 0x00, 0x01,  // source 10.0.0.1
    0x0a, 0x00, 0x00, 0x02,  // destination 10.0.0.2
    0x30, 0x39, 0x00, 0x35,  // UDP source port 12345, destination port 53
    0x00, 0x0c, 0x00, 0x00,  // UDP length 12, checksum 0 (none)
    'p',  'i',  'n',  'g',   // payload
};

// 192.168.1.10:443 -> 192.168.1.20:50000, TCP ACK.
const Bytes kV4Tcp = {
    0x45, 0x00, 0x00, 0x28,  // version 4, IHL 5; total length 40
    0x12, 0x34, 0x00, 0x00,  // identification; no fragmentation
    0x40, 0x06, 0xe5, 0x2d,  // TTL 64; protocol 6 (TCP); checksum 0xe52d
    0xc0, 0xa8, 0x01, 0x0a,  // source 192.168.1.10
    0xc0, 0xa8, 0x01, 0x14,  // destination 192.168.1.20
    0x01, 0xbb, 0xc3, 0x50,  // TCP source port 443, destination port 50000
    0x00, 0x00, 0x00, 0x01,  // sequence number
    0x00, 0x00, 0x00, 0x00,  // acknowledgment number
    0x50, 0x02, 0xfa, 0xf0,  // data offset 5, SYN, window
    0x00, 0x00, 0x00, 0x00,  // checksum (not checked here), urgent pointer
};

// 10.0.0.1 -> 10.0.0.2 ICMP echo request.
const Bytes kV4Icmp = {
    0x45, 0x00, 0x00, 0x1c,  // version 4, IHL 5; total length 28
    0x12, 0x34, 0x00, 0x00,  // identification; no fragmentation
    0x40, 0x01, 0x54, 0xab,  // TTL 64; protocol 1 (ICMP); checksum 0x54ab
    0x0a, 0x00, 0x00, 0x01,  // source
    0x0a, 0x00, 0x00, 0x02,  // destination
    0x08, 0x00, 0xf7, 0xfe,  // echo request, code 0, checksum
    0x00, 0x01, 0x00, 0x00,  // identifier 1, sequence 0
};

// UDP with 4 bytes of IPv4 options (IHL 6): NOP NOP NOP EOL.
const Bytes kV4Options = {
    0x46, 0x00, 0x00, 0x20,  // version 4, IHL 6 (24 bytes); total length 32
    0x12, 0x34, 0x00, 0x00,  // identification; no fragmentation
    0x40, 0x11, 0x51, 0x96,  // TTL 64; UDP; checksum 0x5196
    0x0a, 0x00, 0x00, 0x01,  // source
    0x0a, 0x00, 0x00, 0x02,  // destination
    0x01, 0x01, 0x01, 0x00,  // options: NOP, NOP, NOP, End of Option List
    0x30, 0x39, 0x00, 0x35,  // UDP ports 12345 -> 53
    0x00, 0x08, 0xff, 0xff,  // UDP length 8, checksum
};

// First fragment of a UDP datagram: MF set, offset 0.
const Bytes kV4FirstFragment = {
    0x45, 0x00, 0x00, 0x24,  // version 4, IHL 5; total length 36
    0x12, 0x34, 0x20, 0x00,  // identification; flags MF, offset 0
    0x40, 0x11, 0x34, 0x93,  // TTL 64; UDP; checksum 0x3493
    0x0a, 0x00, 0x00, 0x01,  // source
    0x0a, 0x00, 0x00, 0x02,  // destination
    0x30, 0x39, 0x00, 0x35,  // UDP ports 12345 -> 53
    0x00, 0x2c, 0x00, 0x00,  // UDP length 44 (whole datagram), checksum
    0x00, 0x00, 0x00, 0x00,  // payload, first 8 bytes
    0x00, 0x00, 0x00, 0x00,  //
};

// A later fragment: offset 185 (1480 bytes), data only.
const Bytes kV4LaterFragment = {
    0x45, 0x00, 0x00, 0x1c,  // version 4, IHL 5; total length 28
    0x12, 0x34, 0x00, 0xb9,  // identification; no MF, offset 185 * 8
    0x40, 0x11, 0x53, 0xe2,  // TTL 64; UDP; checksum 0x53e2
    0x0a, 0x00, 0x00, 0x01,  // source
    0x0a, 0x00, 0x00, 0x02,  // destination
    0xaa, 0xaa, 0xaa, 0xaa,  // data (not a UDP header)
    0xaa, 0xaa, 0xaa, 0xaa,  //
};

// The fixed IPv6 header fd00::1 -> fd00::2 with the given payload length
// and next header:
//   6 | traffic class 0 | flow label 0
//   payload length (16 bits) | next header | hop limit 64
//   source (16 bytes) | destination (16 bytes)
Bytes Ipv6Header(uint16_t payload_length, uint8_t next_header) {
  return Cat(
      {{0x60, 0x00, 0x00, 0x00, static_cast<uint8_t>(payload_length >> 8),
        static_cast<uint8_t>(payload_length), next_header, 0x40},
       kV6Src,
       kV6Dst});
}

const Bytes kUdp12345To53 = {
    0x30, 0x39, 0x00, 0x35,  // UDP source port 12345, destination port 53
    0x00, 0x08, 0x00, 0x00,  // UDP length 8, checksum
};

const Bytes kV6Udp =
    Cat({Ipv6Header(12, 17), kUdp12345To53, {'p', 'i', 'n', 'g'}});

const Bytes kV6Tcp = Cat({
    Ipv6Header(20, 6),
    {
        0x01, 0xbb, 0xc3, 0x50,  // TCP ports 443 -> 50000
        0x00, 0x00, 0x00, 0x01,  // sequence number
        0x00, 0x00, 0x00, 0x00,  // acknowledgment number
        0x50, 0x02, 0xfa, 0xf0,  // data offset 5, SYN, window
        0x00, 0x00, 0x00, 0x00,  // checksum, urgent pointer
    },
});

const Bytes kV6Icmp = Cat({
    Ipv6Header(8, 58),
    {
        0x80, 0x00, 0x00, 0x00,  // ICMPv6 echo request, code 0, checksum
        0x00, 0x01, 0x00, 0x01,  // identifier 1, sequence 1
    },
});

const Bytes kV6HopByHopUdp = Cat({
    Ipv6Header(16, 0),  // next header 0: hop-by-hop options
    {
        0x11, 0x00,              // next header 17 (UDP), length 0 (8 bytes)
        0x01, 0x04,              // PadN option, 4 bytes of padding
        0x00, 0x00, 0x00, 0x00,  //
    },
    kUdp12345To53,
});

const Bytes kV6DestOptsRoutingUdp = Cat({
    Ipv6Header(24, 60),  // next header 60: destination options
    {
        0x2b, 0x00,              // next header 43 (routing), length 0
        0x00, 0x01, 0x02,        // Pad1, PadN with 2 bytes
        0x00, 0x00, 0x00,        // (PadN data) and a last Pad1
        0x11, 0x00,              // routing: next header 17 (UDP), length 0
        0xfd, 0x00,              // routing type 253 (experimental), segs 0
        0x00, 0x00, 0x00, 0x00,  // type-specific data
    },
    kUdp12345To53,
});

const Bytes kV6FirstFragment = Cat({
    Ipv6Header(24, 44),  // next header 44: fragment
    {
        0x11, 0x00,              // next header 17 (UDP), reserved
        0x00, 0x01,              // offset 0, M = 1
        0xde, 0xad, 0xbe, 0xef,  // identification
    },
    kUdp12345To53,
    {0, 0, 0, 0, 0, 0, 0, 0},  // UDP payload, first 8 bytes
});

const Bytes kV6LaterFragment = Cat({
    Ipv6Header(16, 44),
    {
        0x11, 0x00,              // next header 17 (UDP), reserved
        0x05, 0xa8,              // offset 181 (1448 bytes), M = 0
        0xde, 0xad, 0xbe, 0xef,  // identification
    },
    {0x30, 0x39, 0x00, 0x35, 0, 0, 0, 0},  // data that only looks like UDP
});

const Bytes kV6AhTcp = Cat({
    Ipv6Header(44, 51),  // next header 51: authentication header
    {
        0x06, 0x04,              // next header 6 (TCP), payload len 4:
        0x00, 0x00,              //   (4 + 2) * 4 = 24 bytes; reserved
        0x00, 0x00, 0x10, 0x00,  // SPI
        0x00, 0x00, 0x00, 0x01,  // sequence number
        0x01, 0x02, 0x03, 0x04,  // ICV (12 bytes)
        0x05, 0x06, 0x07, 0x08,  //
        0x09, 0x0a, 0x0b, 0x0c,  //
        0x01, 0xbb, 0xc3, 0x50,  // TCP ports 443 -> 50000
        0x00, 0x00, 0x00, 0x01,  // sequence number
        0x00, 0x00, 0x00, 0x00,  // acknowledgment number
        0x50, 0x02, 0xfa, 0xf0,  // data offset 5, SYN, window
        0x00, 0x00, 0x00, 0x00,  // checksum, urgent pointer
    },
});

const Bytes kV6NoNextHeader = Ipv6Header(0, 59);

const Bytes kV6Esp = Cat({
    Ipv6Header(8, 50),
    {0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01},  // SPI, sequence
});

// UDP header cut after the source port: not enough for both ports.
const Bytes kV6ShortUdp = Cat({Ipv6Header(2, 17), {0x30, 0x39}});

struct ValidCase {
  std::string name;
  Bytes packet;
  uint8_t version;
  uint8_t protocol;
  bool has_ports;
  uint16_t source_port;
  uint16_t destination_port;
  bool is_fragment;
  size_t payload_offset;
};

void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.name; }

class ParseValid : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseValid, ReportsHeaderFields) {
  const ValidCase& c = GetParam();
  NATFWT_ASSERT_OK_AND_ASSIGN(IpPacketInfo info, ParseIpPacket(c.packet));
  EXPECT_EQ(info.version, c.version);
  EXPECT_EQ(info.protocol, c.protocol);
  EXPECT_EQ(info.has_ports, c.has_ports);
  EXPECT_EQ(info.source_port, c.source_port);
  EXPECT_EQ(info.destination_port, c.destination_port);
  EXPECT_EQ(info.is_fragment, c.is_fragment);
  EXPECT_EQ(info.payload_offset, c.payload_offset);
  EXPECT_EQ(info.total_length, c.packet.size());
  // The addresses point into the packet itself.
  const size_t src_at = c.version == 4 ? 12 : 8;
  const size_t size = c.version == 4 ? 4 : 16;
  EXPECT_EQ(info.source.data(), c.packet.data() + src_at);
  EXPECT_EQ(info.destination.data(), c.packet.data() + src_at + size);
  EXPECT_EQ(info.source.size(), size);
  EXPECT_EQ(info.destination.size(), size);
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, ParseValid,
    ::testing::Values(
        ValidCase{"V4Udp", kV4Udp, 4, 17, true, 12345, 53, false, 20},
        ValidCase{"V4Tcp", kV4Tcp, 4, 6, true, 443, 50000, false, 20},
        ValidCase{"V4Icmp", kV4Icmp, 4, 1, false, 0, 0, false, 20},
        ValidCase{"V4Options", kV4Options, 4, 17, true, 12345, 53, false, 24},
        ValidCase{"V4FirstFragment", kV4FirstFragment, 4, 17, true, 12345, 53,
                  true, 20},
        ValidCase{"V4LaterFragment", kV4LaterFragment, 4, 17, false, 0, 0, true,
                  20},
        ValidCase{"V6Udp", kV6Udp, 6, 17, true, 12345, 53, false, 40},
        ValidCase{"V6Tcp", kV6Tcp, 6, 6, true, 443, 50000, false, 40},
        ValidCase{"V6Icmp", kV6Icmp, 6, 58, false, 0, 0, false, 40},
        ValidCase{"V6HopByHopUdp", kV6HopByHopUdp, 6, 17, true, 12345, 53,
                  false, 48},
        ValidCase{"V6DestOptsRoutingUdp", kV6DestOptsRoutingUdp, 6, 17, true,
                  12345, 53, false, 56},
        ValidCase{"V6FirstFragment", kV6FirstFragment, 6, 17, true, 12345, 53,
                  true, 48},
        ValidCase{"V6LaterFragment", kV6LaterFragment, 6, 17, false, 0, 0, true,
                  48},
        ValidCase{"V6AhTcp", kV6AhTcp, 6, 6, true, 443, 50000, false, 64},
        ValidCase{"V6NoNextHeader", kV6NoNextHeader, 6, 59, false, 0, 0, false,
                  40},
        ValidCase{"V6Esp", kV6Esp, 6, 50, false, 0, 0, false, 40},
        ValidCase{"V6ShortUdp", kV6ShortUdp, 6, 17, false, 0, 0, false, 40}),
    [](const ::testing::TestParamInfo<ValidCase>& test) {
      return test.param.name;
    });

TEST(ParseIpPacket, AddressesAreTheHeaderBytes) {
  NATFWT_ASSERT_OK_AND_ASSIGN(IpPacketInfo v4, ParseIpPacket(kV4Udp));
  EXPECT_THAT(v4.source, ElementsAreArray(kV4Src));
  EXPECT_THAT(v4.destination, ElementsAreArray(kV4Dst));
  NATFWT_ASSERT_OK_AND_ASSIGN(IpPacketInfo v6, ParseIpPacket(kV6Udp));
  EXPECT_THAT(v6.source, ElementsAreArray(kV6Src));
  EXPECT_THAT(v6.destination, ElementsAreArray(kV6Dst));
}

TEST(ParseIpPacket, AcceptsAChecksumWrittenAsNegativeZero) {
  // RFC 1071: 0xffff and 0x0000 are both zero in one's complement. A header
  // whose sum without the checksum is 0xffff may carry either.
  Bytes packet = FixIpv4Checksum(kV4Udp);
  // Make the rest of the header sum to 0xffff: set identification so.
  packet[4] = packet[5] = 0;
  packet = FixIpv4Checksum(packet);
  const uint16_t id = static_cast<uint16_t>((packet[10] << 8) | packet[11]);
  packet[4] = static_cast<uint8_t>(id >> 8);
  packet[5] = static_cast<uint8_t>(id);
  packet[10] = packet[11] = 0xff;
  EXPECT_THAT(ParseIpPacket(packet), ::natfwt::testing::IsOk());
  packet[10] = packet[11] = 0x00;
  EXPECT_THAT(ParseIpPacket(packet), ::natfwt::testing::IsOk());
}

struct InvalidCase {
  std::string name;
  Bytes packet;
  std::string message;  // A substring of the error message.
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class ParseInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ParseInvalid, RefusesWithReason) {
  EXPECT_THAT(ParseIpPacket(GetParam().packet),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

Bytes With(Bytes packet, size_t at, uint8_t value) {
  packet[at] = value;
  return packet;
}

Bytes Truncated(Bytes packet, size_t size) {
  packet.resize(size);
  return packet;
}

std::vector<InvalidCase> InvalidCases() {
  return {
      {"Empty", {}, "empty packet"},
      {"VersionFive", With(kV4Udp, 0, 0x55), "version nibble is 5"},
      {"VersionZero", {0x00}, "version nibble is 0"},
      {"V4ShorterThanHeader", Truncated(kV4Udp, 19),
       "19 bytes is shorter than the 20-byte minimum"},
      {"V4IhlFour", FixIpv4Checksum(With(kV4Udp, 0, 0x44)), "IHL is 4"},
      {"V4IhlBeyondPacket", With(kV4Udp, 0, 0x4f),
       "IHL is 15 (60 bytes), longer than the 32-byte packet"},
      {"V4TotalLengthTooBig", FixIpv4Checksum(With(kV4Udp, 3, 0x21)),
       "total length field is 33 but the packet has 32 bytes"},
      {"V4TotalLengthTooSmall", FixIpv4Checksum(With(kV4Udp, 3, 0x1c)),
       "total length field is 28"},
      {"V4TrailingByte", Cat({kV4Udp, {0}}),
       "total length field is 32 but "
       "the packet has 33 bytes"},
      {"V4BadChecksum", With(kV4Udp, 11, 0x98),
       "checksum is 0x5498 but the header sums to 0x5497"},
      {"V4ChecksumCoversOptions", With(kV4Options, 23, 0x01),
       "IPv4 header checksum"},
      {"V4OptionOverrunsHeader",
       FixIpv4Checksum(With(With(kV4Options, 20, 0x07), 21, 0x08)),
       "option 7 at byte 20 has length 8, outside the 24-byte header"},
      {"V4OptionLengthBelowTwo",
       FixIpv4Checksum(With(With(kV4Options, 20, 0x44), 21, 0x01)),
       "option 68 at byte 20 has length 1"},
      {"V4OptionWithoutLength", FixIpv4Checksum(With(kV4Options, 23, 0x44)),
       "option 68 at byte 23 has no length byte"},
      {"V4FragmentPastMaximum",
       FixIpv4Checksum(With(With(kV4LaterFragment, 6, 0x1f), 7, 0xff)),
       "would reassemble past the 65535-byte maximum"},
      {"V6ShorterThanHeader", Truncated(kV6Udp, 39),
       "39 bytes is shorter than the 40-byte header"},
      {"V6PayloadLengthTooBig", With(kV6Udp, 5, 13),
       "payload length field is 13 but the packet has 12 bytes"},
      {"V6PayloadLengthTooSmall", With(kV6Udp, 5, 11),
       "payload length field is 11"},
      {"V6Jumbogram", With(kV6Udp, 5, 0),
       "jumbograms (RFC 2675) are not supported"},
      {"V6JumboOption",
       Cat({Ipv6Header(16, 0),
            {0x3a, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x00, 0x00},  // Jumbo option
            {0x80, 0, 0, 0, 0, 1, 0, 1}}),
       "Jumbo Payload option (RFC 2675) at byte 42"},
      {"V6HopByHopNotFirst",
       Cat({Ipv6Header(16, 60),
            {0x00, 0x00, 0x01, 0x04, 0, 0, 0, 0},  // dest opts -> hop-by-hop
            {0x3b, 0x00, 0x01, 0x04, 0, 0, 0, 0}}),
       "hop-by-hop options header at byte 48 does not immediately follow"},
      {"V6ExtensionCutShort",
       Cat({Ipv6Header(4, 43), {0x11, 0x00, 0x00, 0x00}}),
       "routing header at byte 40 is cut short: 4 bytes left"},
      {"V6ExtensionLongerThanPacket",
       Cat({Ipv6Header(8, 43), {0x11, 0x01, 0xfd, 0, 0, 0, 0, 0}}),
       "routing header at byte 40 is 16 bytes long but only 8 bytes are left"},
      {"V6AhLongerThanPacket",
       Cat({Ipv6Header(8, 51), {0x06, 0x04, 0, 0, 0, 0, 0x10, 0}}),
       "authentication (AH) header at byte 40 is 24 bytes long"},
      {"V6FragmentCutShort", Cat({Ipv6Header(4, 44), {0x11, 0, 0, 1}}),
       "fragment header at byte 40 is cut short"},
      {"V6OptionOverrunsHeader",
       Cat({Ipv6Header(16, 0),
            {0x11, 0x00, 0x01, 0x05, 0, 0, 0, 0},  // PadN claims 5 bytes
            kUdp12345To53}),
       "option 1 at byte 42 in the hop-by-hop options header overruns it"},
      {"V6OptionTypeWithoutLength",
       Cat({Ipv6Header(16, 60),
            {0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05},  // type, no len
            kUdp12345To53}),
       "option 5 at byte 47 in the destination options header overruns it"},
      {"V6FragmentPastMaximum",
       Cat({Ipv6Header(24, 44),
            {0x11, 0x00, 0xff, 0xf8, 0xde, 0xad, 0xbe, 0xef},  // offset 8191
            Bytes(16, 0xaa)}),
       "would reassemble past the 65535-byte payload maximum"},
  };
}

INSTANTIATE_TEST_SUITE_P(Vectors, ParseInvalid,
                         ::testing::ValuesIn(InvalidCases()),
                         [](const ::testing::TestParamInfo<InvalidCase>& test) {
                           return test.param.name;
                         });

TEST(ParseIpPacket, EveryTruncationOfAValidPacketIsRefused) {
  for (const Bytes& packet : {kV4Udp, kV4Options, kV6HopByHopUdp, kV6AhTcp}) {
    for (size_t size = 0; size < packet.size(); ++size) {
      EXPECT_THAT(ParseIpPacket(absl::MakeConstSpan(packet.data(), size)),
                  StatusIs(absl::StatusCode::kInvalidArgument))
          << "size " << size;
    }
  }
}

// FlowId.

IpPacketInfo Parsed(const Bytes& packet) { return *ParseIpPacket(packet); }

TEST(FlowId, StableForTheSameFlowAndKey) {
  const uint64_t key = 0x0123456789abcdefULL;
  EXPECT_EQ(FlowId(Parsed(kV4Udp), key), FlowId(Parsed(kV4Udp), key));
  // Another packet of the same flow (different payload and IP ID).
  Bytes other = kV4Udp;
  other[4] = 0x77;
  other[28] = 'P';
  EXPECT_EQ(FlowId(Parsed(FixIpv4Checksum(other)), key),
            FlowId(Parsed(kV4Udp), key));
  // A first fragment and the unfragmented datagram share the 5-tuple.
  EXPECT_EQ(FlowId(Parsed(kV6FirstFragment), key), FlowId(Parsed(kV6Udp), key));
}

TEST(FlowId, KeyedAndNeverZero) {
  absl::flat_hash_set<uint64_t> ids;
  for (uint64_t key = 0; key < 2000; ++key) {
    const uint64_t id = FlowId(Parsed(kV6Tcp), key * 0x9e3779b97f4a7c15ULL);
    EXPECT_NE(id, 0u);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 2000u) << "different keys must give unrelated IDs";
}

TEST(FlowId, PortsProtocolAddressesAndDirectionDistinguishFlows) {
  const uint64_t key = 42;
  Bytes other_port = kV4Udp;
  other_port[21] = 0x3a;   // source port 12346
  Bytes swapped = kV4Udp;  // reply direction: addresses and ports swapped
  std::swap_ranges(swapped.begin() + 12, swapped.begin() + 16,
                   swapped.begin() + 16);
  std::swap_ranges(swapped.begin() + 20, swapped.begin() + 22,
                   swapped.begin() + 22);
  Bytes lite = kV4Udp;
  lite[9] = 136;  // UDP-Lite: same ports, other protocol
  const absl::flat_hash_set<uint64_t> ids = {
      FlowId(Parsed(kV4Udp), key),
      FlowId(Parsed(other_port), key),
      FlowId(Parsed(FixIpv4Checksum(swapped)), key),
      FlowId(Parsed(FixIpv4Checksum(lite)), key),
      FlowId(Parsed(kV4Icmp), key),
      FlowId(Parsed(kV6Udp), key),
  };
  EXPECT_EQ(ids.size(), 6u);
}

TEST(FlowId, PortlessFlowsIgnoreTheirPayload) {
  // ICMP has no ports: (src, dst, protocol) is the flow.
  Bytes other = kV4Icmp;
  other[25] = 0x02;  // another echo identifier
  EXPECT_EQ(FlowId(Parsed(kV4Icmp), 7), FlowId(Parsed(other), 7));
  // A later fragment has no ports either, so it is not the 5-tuple flow.
  EXPECT_NE(FlowId(Parsed(kV4LaterFragment), 7), FlowId(Parsed(kV4Udp), 7));
}

}  // namespace
}  // namespace natfwt::cp
