// Copyright 2026 The natfwt Authors.
//
// One byte decides where a datagram on the shared ICE socket goes.
//
// RFC 7983 §7 assigns the first byte of a UDP payload on a multiplexed
// port (spec):
//
//   +----------------+
//   |        [0..3] -+--> STUN (RFC 8489)
//   |      [16..19] -+--> ZRTP
//   |      [20..63] -+--> DTLS (RFC 6347)
//   |      [64..79] -+--> TURN ChannelData (RFC 8656 §12)
//   |    [128..191] -+--> RTP/RTCP
//   |    [208..215] -+--> natfwt AEAD data (this engine; aead_channel.h)
//   +----------------+
//
// 208-215 (0xD0-0xD7) is unassigned by RFC 7983 (an implementation choice;
// RFC 9443 later gives 192-255 to QUIC long headers, which natfwt never
// carries on the ICE socket). Anything else is kUnknown and dropped.
//
// Thread-safety: pure functions.

#ifndef NATFWT_ENGINE_SECURE_DEMUX_H_
#define NATFWT_ENGINE_SECURE_DEMUX_H_

#include <cstdint>

namespace natfwt::secure {

enum class PacketKind : uint8_t {
  kStun,
  kZrtp,
  kDtls,
  kTurnChannelData,
  kRtp,
  kNatfwtData,
  kUnknown,
};

// natfwt data records: 0b11010eee, eee = key epoch mod 8.
inline constexpr uint8_t kNatfwtDataTypeBase = 0xD0;
inline constexpr uint8_t kNatfwtDataTypeMask = 0xF8;
inline constexpr uint8_t kNatfwtDataEpochMask = 0x07;

// The kind of a datagram whose first byte is `first_byte` (RFC 7983 §7).
constexpr PacketKind ClassifyPacket(uint8_t first_byte) {
  if (first_byte <= 3) return PacketKind::kStun;
  if (first_byte >= 16 && first_byte <= 19) return PacketKind::kZrtp;
  if (first_byte >= 20 && first_byte <= 63) return PacketKind::kDtls;
  if (first_byte >= 64 && first_byte <= 79) return PacketKind::kTurnChannelData;
  if (first_byte >= 128 && first_byte <= 191) return PacketKind::kRtp;
  if ((first_byte & kNatfwtDataTypeMask) == kNatfwtDataTypeBase) {
    return PacketKind::kNatfwtData;
  }
  return PacketKind::kUnknown;
}

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_DEMUX_H_
