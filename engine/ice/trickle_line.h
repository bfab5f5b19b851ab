// Copyright 2026 The natfwt Authors.
//
// The trickle-ICE line codec: one candidate (or the end of candidates) per
// line of text, for signalling channels that carry candidates one at a time
// (RFC 8838). The candidate syntax is RFC 8839 section 5.1's "candidate"
// attribute without the "a=" prefix; every line names the ICE generation it
// belongs to with the ufrag extension attribute (as WebRTC does), so lines of
// an earlier generation are recognised after an ICE restart:
//
//   candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host ufrag Zx4k
//   candidate:3 1 udp 16777215 203.0.113.5 61000 typ relay raddr 198.51.100.7
//   rport 50000 ufrag Zx4k candidate:2 1 tcp 1015023871 192.0.2.10 9 typ host
//   tcptype active ufrag Zx4k end-of-candidates ufrag Zx4k
//
// Grammar accepted by ParseTrickleLine (tokens separated by one space;
// leading and trailing ASCII whitespace ignored; keywords case-insensitive as
// in ABNF, foundation and ufrag case-sensitive):
//
//   line      = cand-line / eoc-line
//   cand-line = "candidate:" foundation SP component SP ("udp" / "tcp") SP
//               priority SP address SP port SP "typ" SP cand-type
//               [SP "raddr" SP address SP "rport" SP port]
//               [SP "tcptype" SP ("active" / "passive" / "so")]
//               SP "ufrag" SP ufrag
//   eoc-line  = "end-of-candidates" SP "ufrag" SP ufrag
//
// address is an IPv4 or IPv6 literal (no names, no brackets); numbers are
// decimal without sign or leading zeros. "tcptype" is required for tcp and
// forbidden for udp; "raddr"/"rport" follow ValidateCandidate.
//
// Thread-safety: plain values and pure functions.

#ifndef NATFWT_ENGINE_ICE_TRICKLE_LINE_H_
#define NATFWT_ENGINE_ICE_TRICKLE_LINE_H_

#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/ice/candidate.h"

namespace natfwt::ice {

// A candidate of the ICE generation identified by `ufrag`.
struct TrickleCandidate {
  std::string ufrag;
  Candidate candidate;

  bool operator==(const TrickleCandidate& other) const {
    return ufrag == other.ufrag && candidate == other.candidate;
  }
};

// No more candidates follow for the generation `ufrag` (RFC 8838 section 9).
struct EndOfCandidates {
  std::string ufrag;

  bool operator==(const EndOfCandidates& other) const {
    return ufrag == other.ufrag;
  }
};

using TrickleMessage = std::variant<TrickleCandidate, EndOfCandidates>;

// Longest line accepted (implementation choice; real lines are < 200 bytes).
inline constexpr size_t kMaxTrickleLineLength = 1024;

// Formats one line without a line terminator. Errors: kInvalidArgument when
// the candidate or ufrag fails ValidateCandidate / ValidateUfrag.
absl::StatusOr<std::string> FormatTrickleLine(const TrickleMessage& message);

// Parses one line (see the grammar above). Never crashes on any input.
// Errors: kInvalidArgument with the offending token.
absl::StatusOr<TrickleMessage> ParseTrickleLine(absl::string_view line);

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_TRICKLE_LINE_H_
