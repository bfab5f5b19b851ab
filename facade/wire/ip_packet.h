// Copyright 2026 The natfwt Authors.
//
// Strict validation of one whole IP packet, as carried by one CPNATFWT_BUFFER
// chain (spec section 7.1, decision D10), and the flow ID handed to providers
// as `endpointLuid` (spec section 7.4).
//
// Pure code: bytes in, IpPacketInfo or absl::Status out; no sockets, no
// clock, no allocation on success. It is fuzzed by
// tests/facade/wire/ip_packet_fuzz.cc.
//
//   absl::StatusOr<IpPacketInfo> info = ParseIpPacket(packet);
//   if (!info.ok()) return ERROR_INVALID_DATA;       // malformed packet
//   if (!Equal(info->destination, local_id)) ...     // transport ID check
//   uint64_t endpoint_luid = FlowId(*info, session_key);
//
// IPv4 header, RFC 791 section 3.1:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version|  IHL  |Type of Service|          Total Length         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Identification        |Flags|      Fragment Offset    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Time to Live |    Protocol   |         Header Checksum       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       Source Address                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    Destination Address                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    Options                    |    Padding    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// IPv6 header, RFC 8200 section 3 (40 bytes), followed by a chain of
// extension headers (section 4) and the upper-layer header:
//
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version| Traffic Class |           Flow Label                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Payload Length        |  Next Header  |   Hop Limit   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |             Source Address (16 bytes)                         |
//   |             Destination Address (16 bytes)                    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Thread-safety: every function here is pure and may be called from any
// thread.

#ifndef NATFWT_FACADE_WIRE_IP_PACKET_H_
#define NATFWT_FACADE_WIRE_IP_PACKET_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace natfwt::cp {

// IANA protocol numbers used here (https://www.iana.org/assignments/
// protocol-numbers). Spec values.
inline constexpr uint8_t kIpProtoHopByHop = 0;   // RFC 8200 section 4.3
inline constexpr uint8_t kIpProtoIcmp = 1;       // RFC 792
inline constexpr uint8_t kIpProtoTcp = 6;        // RFC 9293
inline constexpr uint8_t kIpProtoUdp = 17;       // RFC 768
inline constexpr uint8_t kIpProtoDccp = 33;      // RFC 4340
inline constexpr uint8_t kIpProtoRouting = 43;   // RFC 8200 section 4.4
inline constexpr uint8_t kIpProtoFragment = 44;  // RFC 8200 section 4.5
inline constexpr uint8_t kIpProtoEsp = 50;       // RFC 4303
inline constexpr uint8_t kIpProtoAh = 51;        // RFC 4302
inline constexpr uint8_t kIpProtoIcmpV6 = 58;    // RFC 4443
inline constexpr uint8_t kIpProtoNoNext = 59;    // RFC 8200 section 4.7
inline constexpr uint8_t kIpProtoDestOpts = 60;  // RFC 8200 section 4.6
inline constexpr uint8_t kIpProtoSctp = 132;     // RFC 9260
inline constexpr uint8_t kIpProtoUdpLite = 136;  // RFC 3828

// What ParseIpPacket learned about a valid packet. The spans point into the
// parsed packet and are valid only as long as its bytes are.
struct IpPacketInfo {
  uint8_t version = 0;  // 4 or 6.
  // The IPv4 protocol field, or for IPv6 the upper-layer protocol found after
  // skipping hop-by-hop, routing, fragment, destination-options and AH
  // extension headers. For ESP (50) and "no next header" (59) parsing stops
  // there. For a non-first fragment it is the fragment header's next header.
  uint8_t protocol = 0;
  absl::Span<const uint8_t> source;       // 4 or 16 bytes, network order.
  absl::Span<const uint8_t> destination;  // 4 or 16 bytes, network order.
  // TCP, UDP, UDP-Lite, SCTP and DCCP all start with 16-bit source and
  // destination ports; they are read from an unfragmented packet or a first
  // fragment whose upper-layer header holds at least those 4 bytes.
  // Otherwise both are 0 and has_ports is false.
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  bool has_ports = false;
  // True for any fragment (IPv4 MF set or offset != 0; IPv6 fragment header).
  bool is_fragment = false;
  // Offset of the upper-layer header (after IPv4 options or the IPv6
  // extension headers that were skipped); == total_length when there is none.
  size_t payload_offset = 0;
  size_t total_length = 0;  // == the packet's size.
};

// Strictly validates one complete IPv4 or IPv6 packet held in contiguous
// memory:
//   - the version nibble is 4 or 6;
//   - IPv4: at least 20 bytes, IHL >= 5 and the header inside the packet,
//     Total Length == packet size, the header checksum verifies (RFC 791
//     section 3.1, RFC 1071), fragment offset + payload <= 65535;
//   - IPv6: at least 40 bytes, Payload Length + 40 == packet size
//     (jumbograms, RFC 2675, are refused), every extension header and every
//     option inside hop-by-hop / destination-options headers lies within the
//     packet, hop-by-hop appears only first (RFC 8200 section 4.1).
// Checks nothing above the IP layer (no TCP/UDP checksums).
//
// Returns kInvalidArgument with a message saying exactly what is wrong
// (which field, its value, what was expected). Never reads outside `packet`.
absl::StatusOr<IpPacketInfo> ParseIpPacket(absl::Span<const uint8_t> packet);

// The spec's endpointLuid (section 7.4): a 64-bit ID of the packet's flow,
// never 0. The flow is (version, protocol, source, destination) plus the two
// ports when `info.has_ports`; it is direction-sensitive (a reply has another
// ID). The ID is SipHash-2-4 (see siphash.h) of that tuple keyed by
// `session_key`, a per-session random secret: stable for one key, unrelated
// across keys, and not predictable by a peer that does not know the key.
uint64_t FlowId(const IpPacketInfo& info, uint64_t session_key);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_WIRE_IP_PACKET_H_
