// Copyright 2026 The natfwt Authors.
//
// The session description: everything one peer tells the other to start (or
// restart) an ICE session, as one line of text that is easy to paste and to
// carry over any signalling channel:
//
//   natfwt1:AQEEWng0axZwVm...  (base64url, RFC 4648 section 5, no padding)
//
// "natfwt1:" names format version 1. The base64url text encodes this binary
// layout (all integers big-endian):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +---------------+---------------+---------------+---------------+
//   |  version = 1  |     flags     |   ufrag len   | ufrag ...     |
//   +---------------+---------------+---------------+---------------+
//   |    pwd len    |  pwd ...                                      |
//   +---------------+-----------------------------------------------+
//   |              identity fingerprint (32 bytes, SHA-256)          |
//   +---------------+-----------------------------------------------+
//   |  candidates   |  candidate records ...                        |
//   +---------------+-----------------------------------------------+
//   |                 CRC-32 of every byte above                    |
//   +---------------------------------------------------------------+
//
//   flags: bit 0 = end-of-candidates; bits 1-7 must be zero.
//
//   candidate record:
//   +--------+-----------+-------------+------------------------------+
//   |  type  | transport | component-1 |     priority (4 bytes)       |
//   +--------+-----------+-------------+------------------------------+
//   | foundation len | foundation ...  |
//   +--------+-------------------------+----------------+
//   | family | address (4 or 16 bytes) |  port (2)      |
//   +--------+-------------------------+----------------+
//   | related family (0 = none, 4, 6)  | [address | port] |
//   +----------------------------------+------------------+
//
//   type: 0 host, 1 srflx, 2 prflx, 3 relay (CandidateType);
//   transport: 0 udp, 1 tcp-active, 2 tcp-passive, 3 tcp-so;
//   family: 4 or 6. CRC-32 is the IEEE 802.3 polynomial (as zlib's crc32)
//   and catches paste damage that would otherwise decode into wrong data.
//
// Example: ufrag "Zx4k", pwd "abcdefghijklmnopqrstuv", fingerprint bytes
// 00 01 ... 1f, one host candidate (foundation "1", component 1, udp,
// priority 2130706431, 192.0.2.10:50000) and end-of-candidates:
//
//   natfwt1:AQEEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0ODxAR
//   EhMUFRYXGBkaGxwdHh8BAAAAfv___wExBMAAAgrDUADOUHqU   (one line, 120 chars)
//
// Each further candidate adds about 25 characters (40 for IPv6, 10-25 more
// with a related address).
//
// Thread-safety: plain values and pure functions.

#ifndef NATFWT_ENGINE_ICE_SESSION_DESCRIPTION_H_
#define NATFWT_ENGINE_ICE_SESSION_DESCRIPTION_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/ice/candidate.h"

namespace natfwt::ice {

// SHA-256 of the node's identity certificate (engine/secure computes it; this
// codec carries it as opaque bytes).
using Fingerprint = std::array<uint8_t, 32>;

inline constexpr uint8_t kSessionDescriptionVersion = 1;
inline constexpr absl::string_view kSessionDescriptionPrefix = "natfwt1:";
// Most candidates in one description (implementation choice: libnice offers
// far fewer per component; the limit bounds parsing work).
inline constexpr size_t kMaxDescriptionCandidates = 64;

struct SessionDescription {
  std::string ufrag;  // ICE credentials (ValidateUfrag / ValidatePwd).
  std::string pwd;
  Fingerprint fingerprint{};
  std::vector<Candidate> candidates;  // Each passes ValidateCandidate.
  // The sender has gathered everything; with trickle ICE it may still send
  // candidates when this is false (RFC 8838).
  bool end_of_candidates = false;

  // The "natfwt1:..." line. Errors: kInvalidArgument when a field breaks the
  // rules above (credentials, candidates, more than 64 candidates).
  absl::StatusOr<std::string> Format() const;

  bool operator==(const SessionDescription& other) const {
    return ufrag == other.ufrag && pwd == other.pwd &&
           fingerprint == other.fingerprint && candidates == other.candidates &&
           end_of_candidates == other.end_of_candidates;
  }
};

// Checks what Format() checks. Errors: kInvalidArgument.
absl::Status ValidateSessionDescription(const SessionDescription& description);

// Parses a "natfwt1:..." line; leading and trailing ASCII whitespace is
// ignored, nothing else is. Never crashes, whatever the input. Errors:
// kInvalidArgument (not a natfwt description, bad base64url, CRC mismatch,
// truncated or oversized fields, trailing bytes, invalid values), or
// kUnimplemented for a well-formed "natfwtN:" prefix of another version.
absl::StatusOr<SessionDescription> ParseSessionDescription(
    absl::string_view text);

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_SESSION_DESCRIPTION_H_
