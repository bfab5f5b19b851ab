// Copyright 2026 The natfwt Authors.
//
// Answers ICE connectivity and consent checks (STUN Binding requests) that
// arrive on a socket the engine took over from libnice, so the peer's ICE
// agent keeps its pair and its consent (RFC 7675) while libnice no longer
// reads the socket.
//
// A check (RFC 8445 section 7.2.2) is a STUN Binding request (RFC 8489)
// with the short-term credentials of the ICE session:
//   USERNAME           = "<our ufrag>:<peer's ufrag>"
//   MESSAGE-INTEGRITY  = HMAC-SHA1 keyed with our ICE password
//   FINGERPRINT        = CRC-32 of the message XOR 0x5354554e (optional
//                        here, checked when present)
// The answer (RFC 8445 section 7.3.1.5) is a Binding success response with
// the same transaction ID carrying XOR-MAPPED-ADDRESS (the source the
// request came from), MESSAGE-INTEGRITY keyed with the same password, and
// FINGERPRINT. PRIORITY, USE-CANDIDATE and the role attributes are accepted
// and ignored: the pair is already selected and the roles settled.
//
// Wire-format code: bytes in, bytes or Status out, no state; fuzzed
// (tests/engine/session/stun_binding_fuzz.cc). Thread-safe.

#ifndef NATFWT_ENGINE_SESSION_STUN_BINDING_H_
#define NATFWT_ENGINE_SESSION_STUN_BINDING_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "platform/net/udp_socket.h"

namespace natfwt::engine::stun {

// RFC 8489 section 5: 20-byte header, magic cookie.
inline constexpr size_t kHeaderSize = 20;
inline constexpr uint32_t kMagicCookie = 0x2112A442;
// Largest answer AnswerBindingRequest writes: header, XOR-MAPPED-ADDRESS
// (IPv6: 4 + 20), MESSAGE-INTEGRITY (4 + 20), FINGERPRINT (4 + 4).
inline constexpr size_t kMaxAnswerSize = kHeaderSize + 24 + 24 + 8;

// The ICE credentials a check must carry.
struct LocalCredentials {
  absl::string_view ufrag;
  absl::string_view password;
};

// Checks `request` (one datagram from `source`) and writes the Binding
// success response into `out`; returns its size. Errors:
//   kInvalidArgument    not a well-formed STUN message (header, cookie,
//                       lengths, attribute bounds, bad FINGERPRINT);
//   kFailedPrecondition a well-formed STUN message that is not a Binding
//                       request (an indication, a response, another
//                       method): nothing to answer;
//   kUnauthenticated    USERNAME does not start with "<ufrag>:", or
//                       MESSAGE-INTEGRITY is missing or wrong;
//   kResourceExhausted  `out` is shorter than kMaxAnswerSize.
absl::StatusOr<size_t> AnswerBindingRequest(absl::Span<const uint8_t> request,
                                            const net::UdpEndpoint& source,
                                            const LocalCredentials& local,
                                            absl::Span<uint8_t> out);

// CRC-32 (ISO 3309, the one FINGERPRINT uses: RFC 8489 section 14.7).
uint32_t Crc32(absl::Span<const uint8_t> bytes);

}  // namespace natfwt::engine::stun

#endif  // NATFWT_ENGINE_SESSION_STUN_BINDING_H_
