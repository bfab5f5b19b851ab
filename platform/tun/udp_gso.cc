// Copyright 2026 The natfwt Authors.

#include "platform/tun/udp_gso.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace natfwt::tun::gso {
namespace {

// IANA protocol number of UDP (spec).
constexpr uint8_t kProtocolUdp = 17;
constexpr size_t kIpv4HeaderBytes = 20;  // IHL 5: no options.
constexpr size_t kIpv6HeaderBytes = 40;
constexpr size_t kUdpHeaderBytes = 8;
// Both IPv4 Total Length and IPv6 Payload Length are 16 bits (RFC 791
// section 3.1, RFC 8200 section 3); jumbograms are not used.
constexpr size_t kMaxLengthField = 65535;
// Offset of the UDP checksum field in the UDP header (RFC 768).
constexpr uint16_t kUdpChecksumOffset = 6;

uint16_t Get16(absl::Span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

void Put16(uint8_t* bytes, size_t at, size_t value) {
  bytes[at] = static_cast<uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<uint8_t>(value);
}

// RFC 1071 one's complement sum of `bytes` as big-endian 16-bit words (an
// odd last byte padded with a zero byte), folded to 16 bits but not
// complemented. Adds native 32-bit words and swaps once at the end: the sum
// does not depend on byte order (RFC 1071 section 2(B)).
uint16_t Sum(absl::Span<const uint8_t> bytes) {
  uint64_t sum = 0;
  const uint8_t* at = bytes.data();
  size_t left = bytes.size();
  for (; left >= 4; at += 4, left -= 4) {
    uint32_t word;
    std::memcpy(&word, at, 4);
    sum += word;
  }
  if (left > 0) {
    uint8_t tail[4] = {};
    std::memcpy(tail, at, left);
    uint32_t word;
    std::memcpy(&word, tail, 4);
    sum += word;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  auto folded = static_cast<uint16_t>(sum);
  if constexpr (std::endian::native == std::endian::little) {
    folded = static_cast<uint16_t>(folded << 8 | folded >> 8);
  }
  return folded;
}

// Adds 16-bit sums with end-around carry.
uint16_t Add(uint32_t a, uint32_t b) {
  uint32_t sum = a + b;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// Folded sum of the UDP pseudo-header (RFC 768; RFC 8200 section 8.1):
// source and destination addresses, protocol 17 and the UDP length.
uint16_t PseudoHeaderSum(absl::Span<const uint8_t> packet, bool v4,
                         size_t udp_length) {
  absl::Span<const uint8_t> addresses =
      v4 ? packet.subspan(12, 8) : packet.subspan(8, 32);
  return Add(Add(Sum(addresses), kProtocolUdp),
             static_cast<uint32_t>(udp_length));
}

// What the run rules need of one packet, once its headers were checked.
struct Datagram {
  bool v4 = false;
  size_t header_bytes = 0;  // IP + UDP headers: 28 or 48.
  size_t payload = 0;       // UDP payload bytes, at least 1.
};

// A UDP datagram in an unfragmented IPv4 packet without options, or in an
// IPv6 packet without extension headers, whose IP and UDP lengths match
// the packet's size and whose payload is not empty; nullopt otherwise.
std::optional<Datagram> ParseDatagram(absl::Span<const uint8_t> packet) {
  if (packet.size() < kIpv4HeaderBytes + kUdpHeaderBytes) return std::nullopt;
  Datagram datagram;
  if (packet[0] == 0x45) {  // Version 4, IHL 5.
    // MF or a fragment offset: a fragment (RFC 791 section 3.1).
    if (packet[9] != kProtocolUdp || Get16(packet, 2) != packet.size() ||
        (Get16(packet, 6) & 0x3fff) != 0) {
      return std::nullopt;
    }
    datagram.v4 = true;
    datagram.header_bytes = kIpv4HeaderBytes + kUdpHeaderBytes;
  } else if (packet[0] >> 4 == 6) {
    if (packet.size() < kIpv6HeaderBytes + kUdpHeaderBytes ||
        packet[6] != kProtocolUdp ||
        Get16(packet, 4) != packet.size() - kIpv6HeaderBytes) {
      return std::nullopt;
    }
    datagram.header_bytes = kIpv6HeaderBytes + kUdpHeaderBytes;
  } else {
    return std::nullopt;
  }
  size_t ip_header = datagram.header_bytes - kUdpHeaderBytes;
  if (Get16(packet, ip_header + 4) != packet.size() - ip_header) {
    return std::nullopt;
  }
  datagram.payload = packet.size() - datagram.header_bytes;
  if (datagram.payload == 0) return std::nullopt;
  return datagram;
}

// Whether `next`, the packet at `index` of a run, has the header fields
// segmentation copies from the run's first packet: everything but the
// lengths, checksums and (IPv4) an identification that counts up.
bool SameFlow(absl::Span<const uint8_t> first, const Datagram& first_info,
              absl::Span<const uint8_t> next, const Datagram& next_info,
              size_t index) {
  if (next_info.v4 != first_info.v4) return false;
  if (first_info.v4) {
    // TOS (with ECN), flags (DF), TTL, addresses and ports.
    if (first[1] != next[1] || (first[6] & 0xe0) != (next[6] & 0xe0) ||
        first[8] != next[8] ||
        !std::equal(first.begin() + 12, first.begin() + 24,
                    next.begin() + 12)) {
      return false;
    }
    bool dont_fragment = (first[6] & 0x40) != 0;
    auto expected_id = static_cast<uint16_t>(Get16(first, 4) + index);
    return dont_fragment || Get16(next, 4) == expected_id;
  }
  // Version, traffic class and flow label; hop limit; addresses and ports.
  return std::equal(first.begin(), first.begin() + 4, next.begin()) &&
         first[7] == next[7] &&
         std::equal(first.begin() + 8, first.begin() + 44, next.begin() + 8);
}

// The checks the kernel would have made on the packet had it been written
// on its own: IPv4 header checksum, UDP checksum (IPv4 may omit it, RFC 768;
// IPv6 may not, RFC 8200 section 8.1).
bool ChecksumsValid(absl::Span<const uint8_t> packet, const Datagram& info) {
  size_t ip_header = info.header_bytes - kUdpHeaderBytes;
  if (info.v4 && Sum(packet.first(kIpv4HeaderBytes)) != 0xffff) return false;
  absl::Span<const uint8_t> udp = packet.subspan(ip_header);
  if (Get16(udp, kUdpChecksumOffset) == 0) return info.v4;
  return Add(PseudoHeaderSum(packet, info.v4, udp.size()), Sum(udp)) == 0xffff;
}

}  // namespace

size_t CoalescableRun(absl::Span<const absl::Span<const uint8_t>> packets) {
  if (packets.empty()) return 0;
  std::optional<Datagram> first = ParseDatagram(packets[0]);
  if (!first.has_value()) return 1;
  const size_t max_payload = kMaxLengthField - first->header_bytes +
                             (first->v4 ? 0 : kIpv6HeaderBytes);
  const size_t limit = std::min(packets.size(), kMaxSegments);
  size_t total = first->payload;
  size_t last = first->payload;
  size_t count = 1;
  for (; count < limit; ++count) {
    if (last != first->payload) break;  // Only the last may be shorter.
    std::optional<Datagram> next = ParseDatagram(packets[count]);
    if (!next.has_value() || next->payload > first->payload ||
        total + next->payload > max_payload ||
        !SameFlow(packets[0], *first, packets[count], *next, count)) {
      break;
    }
    // The first packet's checksums only matter once it has company.
    if (count == 1 && !ChecksumsValid(packets[0], *first)) return 1;
    if (!ChecksumsValid(packets[count], *next)) break;
    total += next->payload;
    last = next->payload;
  }
  return count;
}

std::optional<SuperPacket> BuildSuperPacket(
    absl::Span<const absl::Span<const uint8_t>> run) {
  if (run.size() < 2 || run.size() > kMaxSegments) return std::nullopt;
  std::optional<Datagram> first = ParseDatagram(run[0]);
  if (!first.has_value()) return std::nullopt;
  size_t payload = 0;
  for (absl::Span<const uint8_t> packet : run) {
    if (packet.size() <= first->header_bytes) return std::nullopt;
    payload += packet.size() - first->header_bytes;
  }
  const size_t ip_header = first->header_bytes - kUdpHeaderBytes;
  const size_t udp_length = kUdpHeaderBytes + payload;
  if ((first->v4 ? ip_header : 0) + udp_length > kMaxLengthField) {
    return std::nullopt;
  }
  SuperPacket out;
  out.header_bytes = first->header_bytes;
  std::copy_n(run[0].begin(), out.header_bytes, out.headers.begin());
  uint8_t* headers = out.headers.data();
  if (first->v4) {
    Put16(headers, 2, ip_header + udp_length);
    Put16(headers, 10, 0);
    Put16(headers, 10,
          static_cast<uint16_t>(~Sum(out.header_span().first(ip_header))));
  } else {
    Put16(headers, 4, udp_length);
  }
  Put16(headers, ip_header + 4, udp_length);
  Put16(headers, ip_header + kUdpChecksumOffset,
        PseudoHeaderSum(out.header_span(), first->v4, udp_length));
  out.vnet.flags = kFlagNeedsCsum;
  out.vnet.gso_type = kGsoUdpL4;
  out.vnet.hdr_len = static_cast<uint16_t>(out.header_bytes);
  out.vnet.gso_size = static_cast<uint16_t>(first->payload);
  out.vnet.csum_start = static_cast<uint16_t>(ip_header);
  out.vnet.csum_offset = kUdpChecksumOffset;
  return out;
}

}  // namespace natfwt::tun::gso
