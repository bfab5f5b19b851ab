// Copyright 2026 The natfwt Authors.
//
// The node's own wire formats, pure and fuzzable.
//
// 1. Signals between nodes (carried, signed, by the rendezvous; see
//    engine/rendezvous/client.h). Every signal belongs to one session
//    attempt, named by a 64-bit identifier the initiator picks at random:
//      kind "offer":  "<session id, 16 hex digits> <natfwt1:... description>
//                      x25519=<43 base64url characters>"
//      kind "answer": "<session id> <natfwt1:... description> x25519=<...>"
//    (one line each). The x25519 field is the sender's ephemeral public key
//    for this session (engine/secure/key_agreement.h); the signed envelope
//    authenticates it. It is optional: an offer or answer without it sets
//    the session up with the DTLS handshake instead.
//    An offer may end in " standby=<ufrag>": it was made for the addressee's
//    standby, the pre-gathered session the addressee publishes in its
//    record (its "standby" field holds "<description> x25519=<key>", the
//    same text as an answer's); the ufrag names which one. The initiator has
//    already applied that description and derived the keys with that key,
//    so its checks (and records) may arrive before the offer. The addressee
//    answers with the standby's own text when it still has that standby,
//    otherwise like any offer (a fresh description and key), and the
//    initiator then starts over without the standby.
//      kind "cand":   "<session id> <trickle line>" (engine/ice/trickle_line.h)
//      kind "restart": "<session id> <natfwt1:... description>" (an ICE
//                     restart within the session: new credentials)
//      kind "bye":    "<session id>"
//    A signal for another session than the current one is ignored, so a
//    late candidate of an old attempt never reaches a new one.
//
// 2. Node datagrams inside a secure session (engine/session SecureSession).
//    The first byte tells them apart from IP packets (the provider's
//    traffic: version nibble 4 or 6, i.e. 0x40-0x6f), so one session carries
//    both:
//      0x01 ping:  kind, u32 sequence, u64 sender's timestamp (ns), all
//                  big-endian: 13 bytes, optionally padded with zeros to a
//                  larger size (path MTU checks).
//      0x02 pong:  the ping echoed with the kind byte changed.
//    The timestamp is opaque to the receiver; the sender matches pongs to its
//    pings by sequence and measures the round trip itself.

#ifndef NATFWT_ENGINE_NODE_NODE_WIRE_H_
#define NATFWT_ENGINE_NODE_NODE_WIRE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace natfwt::node {

// Signal kinds.
inline constexpr absl::string_view kSignalOffer = "offer";
inline constexpr absl::string_view kSignalAnswer = "answer";
inline constexpr absl::string_view kSignalCandidate = "cand";
inline constexpr absl::string_view kSignalBye = "bye";
inline constexpr absl::string_view kSignalRestart = "restart";

struct SignalBody {
  uint64_t session_id = 0;  // Never zero.
  std::string text;         // Empty for "bye".

  bool operator==(const SignalBody& other) const {
    return session_id == other.session_id && text == other.text;
  }
};

// "<16 lowercase hex digits>[ <text>]". `text` must not be empty for the
// kinds that carry one (the caller knows which).
std::string FormatSignalBody(const SignalBody& body);
// Strict: exactly 16 hex digits (either case), nonzero, then nothing or one
// space and a non-empty text without line breaks. Errors: kInvalidArgument.
absl::StatusOr<SignalBody> ParseSignalBody(absl::string_view payload);

// The text of an offer or answer (see the file comment).
inline constexpr size_t kSessionKeySize = 32;
struct SessionOffer {
  std::string description;  // "natfwt1:..." (not checked here).
  std::optional<std::array<uint8_t, kSessionKeySize>> key;
  // The addressee's standby this offer was made for (its ICE ufrag); only
  // with a key.
  std::optional<std::string> standby;
  bool operator==(const SessionOffer& other) const {
    return description == other.description && key == other.key &&
           standby == other.standby;
  }
};
// "<description>[ x25519=<base64url, no padding>[ standby=<ufrag>]]".
std::string FormatSessionOffer(const SessionOffer& offer);
// Strict: a non-empty description without spaces, then nothing or exactly
// one " x25519=" field holding 32 bytes in 43 base64url characters,
// optionally followed by exactly one " standby=" field holding a valid ICE
// ufrag (ice::ValidateUfrag). Errors: kInvalidArgument.
absl::StatusOr<SessionOffer> ParseSessionOffer(absl::string_view text);

enum class DatagramKind : uint8_t {
  kPing = 0x01,
  kPong = 0x02,
};

inline constexpr size_t kPingSize = 13;

struct PingMessage {
  DatagramKind kind = DatagramKind::kPing;
  uint32_t sequence = 0;
  uint64_t timestamp_ns = 0;

  bool operator==(const PingMessage& other) const {
    return kind == other.kind && sequence == other.sequence &&
           timestamp_ns == other.timestamp_ns;
  }
};

// True when `datagram` is an IP packet (version 4 or 6), i.e. provider
// traffic rather than a node message.
bool IsIpPacket(absl::Span<const uint8_t> datagram);

// Writes the 13-byte message into `out` (at least kPingSize bytes).
void WritePing(const PingMessage& message, absl::Span<uint8_t> out);
// Parses a ping or pong (padding after 13 bytes is allowed and ignored).
// Returns nullopt for anything else.
std::optional<PingMessage> ParsePing(absl::Span<const uint8_t> datagram);

}  // namespace natfwt::node

#endif  // NATFWT_ENGINE_NODE_NODE_WIRE_H_
