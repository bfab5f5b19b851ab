// Copyright 2026 The natfwt Authors.

#include "tests/platform/tun/udp_packet.h"

#include <algorithm>

namespace natfwt::tun::testing {
namespace {

constexpr uint8_t kProtocolUdp = 17;  // IANA protocol numbers.
constexpr size_t kIpv4HeaderBytes = 20;
constexpr size_t kIpv6HeaderBytes = 40;
constexpr size_t kUdpHeaderBytes = 8;

void Put16(std::vector<uint8_t>& out, size_t at, uint32_t value) {
  out[at] = static_cast<uint8_t>(value >> 8);
  out[at + 1] = static_cast<uint8_t>(value);
}

uint16_t Get16(absl::Span<const uint8_t> in, size_t at) {
  return static_cast<uint16_t>(in[at] << 8 | in[at + 1]);
}

// RFC 1071 one's-complement sum, not yet folded.
uint32_t Sum(absl::Span<const uint8_t> bytes, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += Get16(bytes, i);
  if (bytes.size() % 2 != 0) sum += static_cast<uint32_t>(bytes.back()) << 8;
  return sum;
}

uint16_t Fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint32_t PseudoHeaderSum(const net::IpAddress& from, const net::IpAddress& to,
                         size_t udp_length) {
  return Sum(from.bytes(), Sum(to.bytes())) + kProtocolUdp +
         static_cast<uint32_t>(udp_length);
}

void FillUdp(std::vector<uint8_t>& packet, size_t at, const Endpoint& from,
             const Endpoint& to, absl::Span<const uint8_t> payload) {
  size_t length = kUdpHeaderBytes + payload.size();
  Put16(packet, at, from.port);
  Put16(packet, at + 2, to.port);
  Put16(packet, at + 4, static_cast<uint32_t>(length));
  std::copy(payload.begin(), payload.end(), packet.begin() + at + 8);
  uint16_t checksum =
      Fold(PseudoHeaderSum(from.address, to.address, length) +
           Sum(absl::MakeConstSpan(packet).subspan(at, length)));
  Put16(packet, at + 6, checksum == 0 ? 0xffff : checksum);  // RFC 768.
}

void FillIpv4Header(std::vector<uint8_t>& packet, const Endpoint& from,
                    const Endpoint& to) {
  packet[0] = 0x45;  // Version 4, IHL 5.
  Put16(packet, 2, static_cast<uint32_t>(packet.size()));
  Put16(packet, 6, 0x4000);  // Don't fragment.
  packet[8] = 64;
  packet[9] = kProtocolUdp;
  std::copy_n(from.address.bytes().begin(), 4, packet.begin() + 12);
  std::copy_n(to.address.bytes().begin(), 4, packet.begin() + 16);
  Put16(packet, 10,
        Fold(Sum(absl::MakeConstSpan(packet).first(kIpv4HeaderBytes))));
}

void FillIpv6Header(std::vector<uint8_t>& packet, const Endpoint& from,
                    const Endpoint& to) {
  packet[0] = 0x60;
  Put16(packet, 4, static_cast<uint32_t>(packet.size() - kIpv6HeaderBytes));
  packet[6] = kProtocolUdp;
  packet[7] = 64;
  std::copy_n(from.address.bytes().begin(), 16, packet.begin() + 8);
  std::copy_n(to.address.bytes().begin(), 16, packet.begin() + 24);
}

std::optional<UdpDatagram> ParseUdp(absl::Span<const uint8_t> udp,
                                    const net::IpAddress& from,
                                    const net::IpAddress& to) {
  if (udp.size() < kUdpHeaderBytes || Get16(udp, 4) != udp.size()) {
    return std::nullopt;
  }
  UdpDatagram datagram;
  datagram.from = {from, Get16(udp, 0)};
  datagram.to = {to, Get16(udp, 2)};
  datagram.payload.assign(udp.begin() + kUdpHeaderBytes, udp.end());
  datagram.checksums_ok =
      Get16(udp, 6) != 0 &&
      Fold(PseudoHeaderSum(from, to, udp.size()) + Sum(udp)) == 0;
  return datagram;
}

std::optional<UdpDatagram> ParseIpv4(absl::Span<const uint8_t> packet) {
  if (packet.size() < kIpv4HeaderBytes || packet[0] != 0x45 ||
      packet[9] != kProtocolUdp || Get16(packet, 2) != packet.size() ||
      (Get16(packet, 6) & 0x3fff) != 0) {  // MF or a fragment offset.
    return std::nullopt;
  }
  auto from = net::IpAddress::FromBytes(packet.subspan(12, 4));
  auto to = net::IpAddress::FromBytes(packet.subspan(16, 4));
  std::optional<UdpDatagram> datagram =
      ParseUdp(packet.subspan(kIpv4HeaderBytes), *from, *to);
  if (datagram.has_value()) {
    datagram->checksums_ok &= Fold(Sum(packet.first(kIpv4HeaderBytes))) == 0;
  }
  return datagram;
}

std::optional<UdpDatagram> ParseIpv6(absl::Span<const uint8_t> packet) {
  if (packet.size() < kIpv6HeaderBytes || packet[6] != kProtocolUdp ||
      Get16(packet, 4) != packet.size() - kIpv6HeaderBytes) {
    return std::nullopt;
  }
  auto from = net::IpAddress::FromBytes(packet.subspan(8, 16));
  auto to = net::IpAddress::FromBytes(packet.subspan(24, 16));
  return ParseUdp(packet.subspan(kIpv6HeaderBytes), *from, *to);
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Endpoint& endpoint) {
  return out << endpoint.address.ToString() << " port " << endpoint.port;
}

std::vector<uint8_t> BuildUdpPacket(const Endpoint& from, const Endpoint& to,
                                    absl::Span<const uint8_t> payload) {
  bool v4 = from.address.is_v4();
  size_t header = v4 ? kIpv4HeaderBytes : kIpv6HeaderBytes;
  std::vector<uint8_t> packet(header + kUdpHeaderBytes + payload.size(), 0);
  FillUdp(packet, header, from, to, payload);
  if (v4) {
    FillIpv4Header(packet, from, to);
  } else {
    FillIpv6Header(packet, from, to);
  }
  return packet;
}

std::optional<UdpDatagram> ParseUdpPacket(absl::Span<const uint8_t> packet) {
  if (packet.empty()) return std::nullopt;
  if (packet[0] >> 4 == 4) return ParseIpv4(packet);
  if (packet[0] >> 4 == 6) return ParseIpv6(packet);
  return std::nullopt;
}

void RefreshChecksums(std::vector<uint8_t>& packet) {
  if (packet.empty()) return;
  size_t header;
  uint8_t protocol;
  if (packet[0] >> 4 == 4) {
    header = static_cast<size_t>(packet[0] & 0x0f) * 4;
    if (header < kIpv4HeaderBytes || packet.size() < header) return;
    Put16(packet, 10, 0);
    Put16(packet, 10, Fold(Sum(absl::MakeConstSpan(packet).first(header))));
    protocol = packet[9];
  } else if (packet[0] >> 4 == 6 && packet.size() >= kIpv6HeaderBytes) {
    header = kIpv6HeaderBytes;
    protocol = packet[6];
  } else {
    return;
  }
  if (protocol != kProtocolUdp || packet.size() < header + kUdpHeaderBytes) {
    return;
  }
  absl::Span<const uint8_t> bytes = packet;
  size_t address_bytes = header == kIpv6HeaderBytes ? 16 : 4;
  size_t source = header == kIpv6HeaderBytes ? 8 : 12;
  auto from = net::IpAddress::FromBytes(bytes.subspan(source, address_bytes));
  auto to = net::IpAddress::FromBytes(
      bytes.subspan(source + address_bytes, address_bytes));
  size_t length = packet.size() - header;
  Put16(packet, header + 6, 0);
  uint16_t checksum = Fold(PseudoHeaderSum(*from, *to, length) +
                           Sum(bytes.subspan(header, length)));
  Put16(packet, header + 6, checksum == 0 ? 0xffff : checksum);
}

std::vector<uint8_t> Pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<uint8_t>(seed + i * 7);
  }
  return bytes;
}

}  // namespace natfwt::tun::testing
