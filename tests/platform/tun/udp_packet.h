// Copyright 2026 The natfwt Authors.
//
// Test helper: whole IPv4/IPv6 + UDP packets as a TUN interface carries
// them, built with valid checksums and parsed back, so contract tests can
// write a packet the kernel accepts and check what the kernel sent.
//
// Thread-safety: pure functions.

#ifndef NATFWT_TESTS_PLATFORM_TUN_UDP_PACKET_H_
#define NATFWT_TESTS_PLATFORM_TUN_UDP_PACKET_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <vector>

#include "absl/types/span.h"
#include "platform/net/ip_address.h"

namespace natfwt::tun::testing {

struct Endpoint {
  net::IpAddress address;
  uint16_t port = 0;
  bool operator==(const Endpoint& other) const {
    return address == other.address && port == other.port;
  }
};
std::ostream& operator<<(std::ostream& out, const Endpoint& endpoint);

struct UdpDatagram {
  Endpoint from;
  Endpoint to;
  std::vector<uint8_t> payload;
  // IPv4 header checksum (RFC 791 section 3.1) and UDP checksum over the
  // pseudo-header (RFC 768; RFC 8200 section 8.1) both verify.
  bool checksums_ok = false;
};

// An IPv4 (IHL 5, DF, TTL 64) or IPv6 (hop limit 64) packet carrying one UDP
// datagram. `from` and `to` must be of the same family.
std::vector<uint8_t> BuildUdpPacket(const Endpoint& from, const Endpoint& to,
                                    absl::Span<const uint8_t> payload);

// The datagram in `packet`; nullopt when it is not an unfragmented UDP
// packet (e.g. ICMPv6 router solicitations) or lengths do not add up.
std::optional<UdpDatagram> ParseUdpPacket(absl::Span<const uint8_t> packet);

// Recomputes, after a test changed header bytes, the IPv4 header checksum
// (over IHL words) and, for UDP (protocol / next header 17), the UDP
// checksum over the bytes after the IP header. Leaves lengths alone and
// packets too short for their headers untouched.
void RefreshChecksums(std::vector<uint8_t>& packet);

// `size` bytes of a recognisable pattern starting at `seed`.
std::vector<uint8_t> Pattern(size_t size, uint8_t seed);

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_UDP_PACKET_H_
