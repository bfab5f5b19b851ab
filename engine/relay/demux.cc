// Copyright 2026 The natfwt Authors.

#include "engine/relay/demux.h"

#include <cstddef>

namespace natfwt::relay {
namespace {

// RFC 8489 section 5: magic cookie, bytes 4-7 of every STUN message.
constexpr uint8_t kStunMagicCookie[4] = {0x21, 0x12, 0xA4, 0x42};
// RFC 8489 section 5: the fixed header.
constexpr size_t kStunHeaderBytes = 20;

}  // namespace

PacketClass ClassifyFirstByte(uint8_t first_byte) {
  if (first_byte <= 3) return PacketClass::kStun;
  if (first_byte >= 16 && first_byte <= 19) return PacketClass::kZrtp;
  if (first_byte >= 20 && first_byte <= 63) return PacketClass::kDtls;
  if (first_byte >= 64 && first_byte <= 79) return PacketClass::kTurnChannel;
  if (first_byte >= 128 && first_byte <= 191) return PacketClass::kRtp;
  if (first_byte >= kNatfwtDataFirst && first_byte <= kNatfwtDataLast) {
    return PacketClass::kNatfwtData;
  }
  return PacketClass::kUnknown;
}

bool IsPlausibleStun(absl::Span<const uint8_t> datagram) {
  if (datagram.size() < kStunHeaderBytes) return false;
  if ((datagram[0] & 0xC0) != 0) return false;
  size_t length = (size_t{datagram[2]} << 8) | datagram[3];
  if (length % 4 != 0 || length + kStunHeaderBytes != datagram.size()) {
    return false;
  }
  for (size_t i = 0; i < 4; ++i) {
    if (datagram[4 + i] != kStunMagicCookie[i]) return false;
  }
  return true;
}

absl::string_view PacketClassName(PacketClass packet_class) {
  switch (packet_class) {
    case PacketClass::kStun:
      return "stun";
    case PacketClass::kZrtp:
      return "zrtp";
    case PacketClass::kDtls:
      return "dtls";
    case PacketClass::kTurnChannel:
      return "turn-channel";
    case PacketClass::kRtp:
      return "rtp";
    case PacketClass::kNatfwtData:
      return "natfwt-data";
    case PacketClass::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace natfwt::relay
