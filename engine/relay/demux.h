// Copyright 2026 The natfwt Authors.
//
// One-byte demultiplexing of the protocols that share an ICE UDP socket.
//
// RFC 7983 section 7 (updating RFC 5764 section 5.1.2) decides by the first
// byte of each datagram:
//
//                  +----------------+
//                  |        [0..3] -+--> STUN            (RFC 8489)
//                  |      [16..19] -+--> ZRTP            (RFC 6189)
//      packet -->  |      [20..63] -+--> DTLS            (RFC 9147)
//                  |      [64..79] -+--> TURN ChannelData (RFC 8656)
//                  |    [128..191] -+--> RTP/RTCP        (RFC 3550)
//                  |    [208..223] -+--> natfwt data     (this file)
//                  +----------------+     anything else: unknown, dropped
//
// natfwt data: the secure channel's data records (engine/secure) start with
// a byte in [kNatfwtDataFirst, kNatfwtDataLast] = [0xD0, 0xDF]. Implementation
// choice: RFC 7983 leaves 192-255 unassigned, so these bytes cannot be taken
// for STUN, DTLS, TURN ChannelData or RTP/RTCP; the low nibble is free for
// the record format (type or version). RFC 9443 later hands 192-255 to QUIC
// long headers when QUIC shares the port; natfwt never puts QUIC on an ICE
// socket, so nothing it receives is ambiguous.
//
// Pure functions: bytes in, a class out; no state, safe from any thread.

#ifndef NATFWT_ENGINE_RELAY_DEMUX_H_
#define NATFWT_ENGINE_RELAY_DEMUX_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace natfwt::relay {

// First byte of a natfwt data record (spec of this codebase, see above).
inline constexpr uint8_t kNatfwtDataFirst = 0xD0;
inline constexpr uint8_t kNatfwtDataLast = 0xDF;

enum class PacketClass : uint8_t {
  kStun,         // 0-3: STUN (ICE checks, consent, TURN control).
  kZrtp,         // 16-19.
  kDtls,         // 20-63: DTLS records (handshake, alerts).
  kTurnChannel,  // 64-79: TURN ChannelData.
  kRtp,          // 128-191: RTP/RTCP.
  kNatfwtData,   // 0xD0-0xDF: natfwt's AEAD data records.
  kUnknown,      // Any other first byte, or an empty datagram.
};
inline constexpr int kPacketClassCount = 7;

// The class of a datagram whose first byte is `first_byte`.
PacketClass ClassifyFirstByte(uint8_t first_byte);

// The class of `datagram`; kUnknown when it is empty.
inline PacketClass Classify(absl::Span<const uint8_t> datagram) {
  return datagram.empty() ? PacketClass::kUnknown
                          : ClassifyFirstByte(datagram[0]);
}

// True when `datagram` can be a STUN message (RFC 8489 section 5): at least
// the 20-byte header, the two top bits zero, a length that is a multiple of
// 4 and matches the datagram, and the magic cookie 0x2112A442. A first byte
// of 0-3 alone is not enough to queue a datagram for the control path.
bool IsPlausibleStun(absl::Span<const uint8_t> datagram);

// "stun", "zrtp", "dtls", "turn-channel", "rtp", "natfwt-data", "unknown".
absl::string_view PacketClassName(PacketClass packet_class);

}  // namespace natfwt::relay

#endif  // NATFWT_ENGINE_RELAY_DEMUX_H_
