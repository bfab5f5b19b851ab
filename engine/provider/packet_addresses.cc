// Copyright 2026 The natfwt Authors.

#include "engine/provider/packet_addresses.h"

#include <algorithm>
#include <array>

namespace natfwt::provider {
namespace {

// Fixed header sizes and address offsets (spec: RFC 791 3.1, RFC 8200 3).
constexpr size_t kIpv4HeaderSize = 20;
constexpr size_t kIpv4SourceOffset = 12;
constexpr size_t kIpv6HeaderSize = 40;
constexpr size_t kIpv6SourceOffset = 8;

}  // namespace

std::optional<PacketAddresses> FindPacketAddresses(
    absl::Span<const uint8_t> packet) {
  if (packet.empty()) return std::nullopt;
  const int version = packet[0] >> 4;
  if (version == 4 && packet.size() >= kIpv4HeaderSize) {
    return PacketAddresses{packet.subspan(kIpv4SourceOffset, 4),
                           packet.subspan(kIpv4SourceOffset + 4, 4)};
  }
  if (version == 6 && packet.size() >= kIpv6HeaderSize) {
    return PacketAddresses{packet.subspan(kIpv6SourceOffset, 16),
                           packet.subspan(kIpv6SourceOffset + 16, 16)};
  }
  return std::nullopt;
}

net::IpAddress AddressOf(absl::Span<const uint8_t> bytes) {
  if (bytes.size() == 4) {
    std::array<uint8_t, 4> v4;
    std::copy(bytes.begin(), bytes.end(), v4.begin());
    return net::IpAddress::V4(v4);
  }
  if (bytes.size() == 16) {
    std::array<uint8_t, 16> v6;
    std::copy(bytes.begin(), bytes.end(), v6.begin());
    return net::IpAddress::V6(v6);
  }
  return net::IpAddress();
}

}  // namespace natfwt::provider
