// Copyright 2026 The natfwt Authors.

#include "facade/wire/ip_packet.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "facade/wire/siphash.h"
#include "platform/base/status_macros.h"

namespace natfwt::cp {
namespace {

// RFC 791 section 3.1: the smallest IPv4 header (IHL 5) and the largest
// datagram, header included (16-bit Total Length). Spec values.
constexpr size_t kIpv4MinHeader = 20;
constexpr size_t kIpMaxDatagram = 65535;
// RFC 791 section 3.1, Flags: bit 2 "More Fragments"; the offset is the low
// 13 bits, in 8-byte units. Spec values.
constexpr uint16_t kIpv4MoreFragments = 0x2000;
constexpr uint16_t kIpv4OffsetMask = 0x1fff;
// RFC 8200 section 3: the fixed IPv6 header. Spec value.
constexpr size_t kIpv6Header = 40;
// RFC 8200 section 4.5: the fragment header is 8 bytes; the offset is the top
// 13 bits of its third and fourth bytes, in 8-byte units. Spec values.
constexpr size_t kIpv6FragmentHeader = 8;
// RFC 8200 section 4.2: Pad1 is the only one-byte option; RFC 2675 section 2:
// the Jumbo Payload option type. Spec values.
constexpr uint8_t kIpv6OptionPad1 = 0;
constexpr uint8_t kIpv6OptionJumbo = 0xc2;
// RFC 791 section 3.1 options: End of Option List and No Operation are one
// byte; every other option has a length byte counting type and length.
constexpr uint8_t kIpv4OptionEnd = 0;
constexpr uint8_t kIpv4OptionNop = 1;

template <typename... Args>
absl::Status Invalid(const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat(args...));
}

uint16_t Load16(const uint8_t* bytes) {
  return static_cast<uint16_t>((bytes[0] << 8) | bytes[1]);
}

// RFC 1071 section 4.1: the 16-bit one's complement sum, folded.
uint16_t OnesComplementSum(absl::Span<const uint8_t> bytes, uint32_t sum = 0) {
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += Load16(&bytes[i]);
  if (i < bytes.size()) sum += uint32_t{bytes[i]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

bool CarriesPorts(uint8_t protocol) {
  return protocol == kIpProtoTcp || protocol == kIpProtoUdp ||
         protocol == kIpProtoUdpLite || protocol == kIpProtoSctp ||
         protocol == kIpProtoDccp;
}

// Reads the two ports when the upper-layer header starts at
// info.payload_offset and is long enough.
void ReadPorts(absl::Span<const uint8_t> packet, IpPacketInfo& info) {
  if (!CarriesPorts(info.protocol)) return;
  if (packet.size() - info.payload_offset < 4) return;
  info.source_port = Load16(&packet[info.payload_offset]);
  info.destination_port = Load16(&packet[info.payload_offset + 2]);
  info.has_ports = true;
}

absl::Status CheckIpv4Checksum(absl::Span<const uint8_t> header) {
  // Verification per RFC 1071: the sum over the whole header, checksum
  // included, is all ones.
  if (OnesComplementSum(header) == 0xffff) return absl::OkStatus();
  uint16_t without = OnesComplementSum(header.subspan(12),
                                       OnesComplementSum(header.first(10)));
  return Invalid(absl::StrFormat(
      "IPv4 header checksum is 0x%04x but the header sums to 0x%04x",
      Load16(&header[10]), static_cast<uint16_t>(~without)));
}

// RFC 791 section 3.1 options: each inside the header.
absl::Status CheckIpv4Options(absl::Span<const uint8_t> header) {
  size_t i = kIpv4MinHeader;
  while (i < header.size()) {
    uint8_t type = header[i];
    if (type == kIpv4OptionEnd) break;
    if (type == kIpv4OptionNop) {
      ++i;
      continue;
    }
    if (i + 1 >= header.size()) {
      return Invalid("IPv4 option ", type, " at byte ", i,
                     " has no length byte inside the header");
    }
    size_t length = header[i + 1];
    if (length < 2 || i + length > header.size()) {
      return Invalid("IPv4 option ", type, " at byte ", i, " has length ",
                     length, ", outside the ", header.size(), "-byte header");
    }
    i += length;
  }
  return absl::OkStatus();
}

absl::Status CheckIpv4Header(absl::Span<const uint8_t> packet) {
  if (packet.size() < kIpv4MinHeader) {
    return Invalid("IPv4 packet of ", packet.size(),
                   " bytes is shorter than the 20-byte minimum header");
  }
  size_t ihl = packet[0] & 0x0f;
  if (ihl < 5) {
    return Invalid("IPv4 IHL is ", ihl, " (", ihl * 4,
                   " bytes); the minimum is 5 (20 bytes)");
  }
  if (ihl * 4 > packet.size()) {
    return Invalid("IPv4 IHL is ", ihl, " (", ihl * 4,
                   " bytes), longer than the ", packet.size(), "-byte packet");
  }
  size_t total = Load16(&packet[2]);
  if (total != packet.size()) {
    return Invalid("IPv4 total length field is ", total, " but the packet has ",
                   packet.size(), " bytes");
  }
  NATFWT_RETURN_IF_ERROR(CheckIpv4Checksum(packet.first(ihl * 4)));
  return CheckIpv4Options(packet.first(ihl * 4));
}

absl::StatusOr<IpPacketInfo> ParseIpv4(absl::Span<const uint8_t> packet) {
  NATFWT_RETURN_IF_ERROR(CheckIpv4Header(packet));
  IpPacketInfo info;
  info.version = 4;
  info.protocol = packet[9];
  info.source = packet.subspan(12, 4);
  info.destination = packet.subspan(16, 4);
  info.total_length = packet.size();
  info.payload_offset = (packet[0] & 0x0f) * 4;
  uint16_t flags_offset = Load16(&packet[6]);
  size_t fragment_offset = (flags_offset & kIpv4OffsetMask) * size_t{8};
  info.is_fragment =
      (flags_offset & kIpv4MoreFragments) != 0 || fragment_offset != 0;
  if (fragment_offset + packet.size() > kIpMaxDatagram) {
    return Invalid("IPv4 fragment at offset ", fragment_offset,
                   " would reassemble past the 65535-byte maximum");
  }
  if (fragment_offset == 0) ReadPorts(packet, info);
  return info;
}

bool IsIpv6Extension(uint8_t next_header) {
  return next_header == kIpProtoHopByHop || next_header == kIpProtoRouting ||
         next_header == kIpProtoFragment || next_header == kIpProtoDestOpts ||
         next_header == kIpProtoAh;
}

const char* ExtensionName(uint8_t next_header) {
  switch (next_header) {
    case kIpProtoHopByHop:
      return "hop-by-hop options";
    case kIpProtoRouting:
      return "routing";
    case kIpProtoFragment:
      return "fragment";
    case kIpProtoDestOpts:
      return "destination options";
    default:
      return "authentication (AH)";
  }
}

// The length of the extension header at `offset` (RFC 8200 sections 4.3-4.6:
// (Hdr Ext Len + 1) * 8; 8 for a fragment header; RFC 4302 section 2.2 for
// AH: (Payload Len + 2) * 4), checked to lie within the packet.
absl::StatusOr<size_t> ExtensionLength(absl::Span<const uint8_t> packet,
                                       size_t offset, uint8_t type) {
  if (packet.size() - offset < 8) {
    return Invalid("IPv6 ", ExtensionName(type), " header at byte ", offset,
                   " is cut short: ", packet.size() - offset,
                   " bytes left, at least 8 needed");
  }
  size_t length = type == kIpProtoFragment ? kIpv6FragmentHeader
                  : type == kIpProtoAh     ? (packet[offset + 1] + 2u) * 4u
                                           : (packet[offset + 1] + 1u) * 8u;
  if (length > packet.size() - offset) {
    return Invalid("IPv6 ", ExtensionName(type), " header at byte ", offset,
                   " is ", length, " bytes long but only ",
                   packet.size() - offset, " bytes are left");
  }
  return length;
}

// RFC 8200 section 4.2: the options of a hop-by-hop or destination-options
// header, as type-length-value triples inside the header.
absl::Status CheckIpv6Options(absl::Span<const uint8_t> packet, size_t begin,
                              size_t end, uint8_t type) {
  size_t i = begin;
  while (i < end) {
    uint8_t option = packet[i];
    if (option == kIpv6OptionPad1) {
      ++i;
      continue;
    }
    if (option == kIpv6OptionJumbo) {
      return Invalid("IPv6 Jumbo Payload option (RFC 2675) at byte ", i,
                     ": jumbograms are not supported");
    }
    if (end - i < 2 || packet[i + 1] > end - i - 2) {
      return Invalid("IPv6 option ", option, " at byte ", i, " in the ",
                     ExtensionName(type),
                     " header overruns it (header ends "
                     "at byte ",
                     end, ")");
    }
    i += 2u + packet[i + 1];
  }
  return absl::OkStatus();
}

// RFC 8200 section 4.5; the reassembled payload may not exceed 65535 bytes.
absl::Status CheckIpv6Fragment(absl::Span<const uint8_t> packet, size_t offset,
                               size_t* fragment_offset) {
  *fragment_offset = (Load16(&packet[offset + 2]) >> 3) * size_t{8};
  size_t fragment_bytes = packet.size() - offset - kIpv6FragmentHeader;
  size_t unfragmentable = offset - kIpv6Header;
  if (unfragmentable + *fragment_offset + fragment_bytes > kIpMaxDatagram) {
    return Invalid("IPv6 fragment at offset ", *fragment_offset,
                   " would reassemble past the 65535-byte payload maximum");
  }
  return absl::OkStatus();
}

// Walks the extension header chain; sets protocol, payload_offset,
// is_fragment and whether this is a non-first fragment.
absl::Status WalkIpv6Extensions(absl::Span<const uint8_t> packet,
                                IpPacketInfo& info, bool* later_fragment) {
  uint8_t next = packet[6];
  size_t offset = kIpv6Header;
  while (IsIpv6Extension(next)) {
    if (next == kIpProtoHopByHop && offset != kIpv6Header) {
      return Invalid("IPv6 hop-by-hop options header at byte ", offset,
                     " does not immediately follow the IPv6 header");
    }
    NATFWT_ASSIGN_OR_RETURN(size_t length,
                            ExtensionLength(packet, offset, next));
    if (next == kIpProtoHopByHop || next == kIpProtoDestOpts) {
      NATFWT_RETURN_IF_ERROR(
          CheckIpv6Options(packet, offset + 2, offset + length, next));
    }
    const uint8_t following = packet[offset];
    if (next == kIpProtoFragment) {
      info.is_fragment = true;
      size_t fragment_offset = 0;
      NATFWT_RETURN_IF_ERROR(
          CheckIpv6Fragment(packet, offset, &fragment_offset));
      if (fragment_offset != 0) {
        // A later fragment carries data only, no upper-layer header.
        *later_fragment = true;
        info.protocol = following;
        info.payload_offset = offset + length;
        return absl::OkStatus();
      }
    }
    next = following;
    offset += length;
  }
  info.protocol = next;
  info.payload_offset = offset;
  return absl::OkStatus();
}

absl::StatusOr<IpPacketInfo> ParseIpv6(absl::Span<const uint8_t> packet) {
  if (packet.size() < kIpv6Header) {
    return Invalid("IPv6 packet of ", packet.size(),
                   " bytes is shorter than the 40-byte header");
  }
  size_t payload = Load16(&packet[4]);
  if (payload == 0 && packet.size() > kIpv6Header) {
    return Invalid("IPv6 payload length is 0 with ",
                   packet.size() - kIpv6Header,
                   " payload bytes: jumbograms (RFC 2675) are not supported");
  }
  if (payload + kIpv6Header != packet.size()) {
    return Invalid("IPv6 payload length field is ", payload,
                   " but the packet has ", packet.size() - kIpv6Header,
                   " bytes after the 40-byte header");
  }
  IpPacketInfo info;
  info.version = 6;
  info.source = packet.subspan(8, 16);
  info.destination = packet.subspan(24, 16);
  info.total_length = packet.size();
  bool later_fragment = false;
  NATFWT_RETURN_IF_ERROR(WalkIpv6Extensions(packet, info, &later_fragment));
  if (!later_fragment) ReadPorts(packet, info);
  return info;
}

}  // namespace

absl::StatusOr<IpPacketInfo> ParseIpPacket(absl::Span<const uint8_t> packet) {
  if (packet.empty()) return Invalid("empty packet: no IP version nibble");
  const int version = packet[0] >> 4;
  if (version == 4) return ParseIpv4(packet);
  if (version == 6) return ParseIpv6(packet);
  return Invalid("IP version nibble is ", version, ", expected 4 or 6");
}

uint64_t FlowId(const IpPacketInfo& info, uint64_t session_key) {
  // The tuple, serialised unambiguously: version fixes the address sizes and
  // the flag byte says whether ports follow.
  std::array<uint8_t, 3 + 16 + 16 + 4> tuple{};
  size_t n = 0;
  tuple[n++] = info.version;
  tuple[n++] = info.protocol;
  tuple[n++] = info.has_ports ? 1 : 0;
  const size_t address_size = info.version == 4 ? 4 : 16;
  for (absl::Span<const uint8_t> address : {info.source, info.destination}) {
    const size_t size = std::min(address.size(), address_size);
    if (size > 0) std::memcpy(&tuple[n], address.data(), size);
    n += address_size;
  }
  if (info.has_ports) {
    for (uint16_t port : {info.source_port, info.destination_port}) {
      tuple[n++] = static_cast<uint8_t>(port >> 8);
      tuple[n++] = static_cast<uint8_t>(port);
    }
  }
  // Implementation choice: the 64-bit session key is stretched to SipHash's
  // 128 bits with a fixed odd multiplier (any bijection would do).
  const SipKey key{session_key, session_key * 0x9e3779b97f4a7c15ULL + 1};
  const uint64_t id = SipHash24(key, absl::MakeConstSpan(tuple.data(), n));
  // 0 means "unknown" to providers (spec section 7.4): never hand it out.
  return id != 0 ? id : 0x9e3779b97f4a7c15ULL;
}

}  // namespace natfwt::cp
