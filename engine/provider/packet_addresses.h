// Copyright 2026 The natfwt Authors.
//
// The source and destination addresses of an IP packet, found without
// copying: what the provider needs to match a peer's packet to transport
// IDs (spec 4.5: the packet's source is the remote transport ID, its
// destination the local one). Pure: bytes in, spans out.
//
//   IPv4 (RFC 791 section 3.1)        IPv6 (RFC 8200 section 3)
//   0      4      8           16      0      4              12        16
//   +------+------+-----------+       +------+---------------+---------+
//   | ver4 | IHL  | ...       |       | ver6 | class | flow label      |
//   +------+------+-----------+       +------+---------------+---------+
//   bytes 12-15: source               bytes  8-23: source
//   bytes 16-19: destination          bytes 24-39: destination
//
// Thread-safety: stateless.

#ifndef NATFWT_ENGINE_PROVIDER_PACKET_ADDRESSES_H_
#define NATFWT_ENGINE_PROVIDER_PACKET_ADDRESSES_H_

#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "platform/net/ip_address.h"

namespace natfwt::provider {

struct PacketAddresses {
  absl::Span<const uint8_t> source;       // 4 or 16 bytes inside the packet.
  absl::Span<const uint8_t> destination;  // Same size as `source`.
};

// The addresses of `packet`, or nullopt when it is shorter than its
// version's fixed header (20 / 40 bytes) or its version is neither 4 nor 6.
// Nothing else is checked (the Connectivity Platform validates the rest).
std::optional<PacketAddresses> FindPacketAddresses(
    absl::Span<const uint8_t> packet);

// `bytes` (4 or 16 of them) as an address; anything else is 0.0.0.0. No
// Status is built: this runs per packet.
net::IpAddress AddressOf(absl::Span<const uint8_t> bytes);

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_PACKET_ADDRESSES_H_
