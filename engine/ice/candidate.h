// Copyright 2026 The natfwt Authors.
//
// ICE candidates and credentials as plain values, with the validation rules
// both signalling codecs (session_description.h, trickle_line.h) enforce.
//
// Grammar references: RFC 8445 section 5.1 (candidates, priorities), RFC 8839
// section 5.1 (candidate attribute) and 5.4 (ice-ufrag, ice-pwd), RFC 6544
// section 4.5 (TCP candidate types).
//
// Thread-safety: plain values and pure functions.

#ifndef NATFWT_ENGINE_ICE_CANDIDATE_H_
#define NATFWT_ENGINE_ICE_CANDIDATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/net/ip_address.h"

namespace natfwt::ice {

// RFC 8839 section 5.1 "cand-type" values.
enum class CandidateType : uint8_t {
  kHost = 0,
  kServerReflexive = 1,
  kPeerReflexive = 2,
  kRelay = 3,
};

// UDP or one of the RFC 6544 section 4.5 TCP candidate types.
enum class CandidateTransport : uint8_t {
  kUdp = 0,
  kTcpActive = 1,
  kTcpPassive = 2,
  kTcpSimultaneousOpen = 3,
};

// "host", "srflx", "prflx", "relay" (RFC 8839 section 5.1).
absl::string_view CandidateTypeName(CandidateType type);
absl::StatusOr<CandidateType> ParseCandidateType(absl::string_view name);
// "udp", "tcp-active", "tcp-passive", "tcp-so".
absl::string_view CandidateTransportName(CandidateTransport transport);
bool IsTcp(CandidateTransport transport);

struct TransportAddress {
  net::IpAddress address;
  uint16_t port = 0;

  std::string ToString() const;  // "192.0.2.1:3478", "[2001:db8::1]:3478"
  bool operator==(const TransportAddress& other) const {
    return address == other.address && port == other.port;
  }
};

// Limits (spec unless marked): foundation 1*32 ice-char (RFC 8839 5.1);
// component-id 1-256 (RFC 8839 5.1); priority 1 to 2^31-1 (RFC 8445 5.1.2.1).
inline constexpr size_t kMaxFoundationLength = 32;
inline constexpr uint32_t kMaxComponent = 256;
inline constexpr uint32_t kMaxPriority = 0x7fffffff;

struct Candidate {
  std::string foundation;
  uint32_t component = 1;
  CandidateTransport transport = CandidateTransport::kUdp;
  uint32_t priority = 0;
  TransportAddress address;
  CandidateType type = CandidateType::kHost;
  // Required for srflx, prflx and relay candidates, absent for host ones
  // (RFC 8839 section 5.1).
  std::optional<TransportAddress> related;

  bool operator==(const Candidate& other) const {
    return foundation == other.foundation && component == other.component &&
           transport == other.transport && priority == other.priority &&
           address == other.address && type == other.type &&
           related == other.related;
  }
};

// Checks the limits above, that the port is non-zero (any port, 0 included,
// for tcp-active candidates, which never listen: RFC 6544 section 4.5 says
// receivers ignore it), and the related-address rule. Errors:
// kInvalidArgument.
absl::Status ValidateCandidate(const Candidate& candidate);

// True for a non-empty string of ice-char = ALPHA / DIGIT / "+" / "/"
// (RFC 8839 section 5.1).
bool IsIceChars(absl::string_view text);

// ICE credential lengths: ufrag 4-256 and pwd 22-256 ice-chars (RFC 8839
// section 5.4, spec); natfwt's codecs store lengths in one byte, so 255 is
// the maximum here (implementation choice).
inline constexpr size_t kMinUfragLength = 4;
inline constexpr size_t kMinPwdLength = 22;
inline constexpr size_t kMaxCredentialLength = 255;
absl::Status ValidateUfrag(absl::string_view ufrag);
absl::Status ValidatePwd(absl::string_view pwd);

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_CANDIDATE_H_
