// Copyright 2026 The natfwt Authors.
//
// The STUN messages `natfwt probe` and `natfwt turn` exchange, built and
// parsed with libnice's STUN library (stun/stunagent.h, stun/usages/turn.h):
// no STUN encoding is written here, only the choice of attributes and the
// reading of answers into plain values.
//
//   StunClient client;
//   NATFWT_ASSIGN_OR_RETURN(StunRequest request,
//                           client.BindingRequest({.change_port = true}));
//   send(request.bytes) ... a datagram arrives:
//   absl::StatusOr<BindingResponse> response =
//       client.ParseBindingResponse(datagram);
//
// Messages (RFC 8489 section 5; attributes section 14, RFC 5780 section 7):
//   Binding request    [CHANGE-REQUEST] FINGERPRINT
//   Binding response   XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS), OTHER-ADDRESS
//                      (or RFC 3489 CHANGED-ADDRESS), RESPONSE-ORIGIN (or
//                      SOURCE-ADDRESS), FINGERPRINT
//   Allocate request   REQUESTED-TRANSPORT=UDP [USERNAME REALM NONCE
//                      MESSAGE-INTEGRITY] (RFC 8656 section 7.1)
//   Refresh request    LIFETIME=0, credentials (RFC 8656 section 7.2: the
//                      allocation is deleted)
//
// A parser accepts only answers to requests its own client built (libnice's
// agent matches the transaction ID and method, checks FINGERPRINT and, for
// authenticated TURN requests, MESSAGE-INTEGRITY). Datagrams are untrusted:
// the parsers are fuzzed (tests/engine/probe/stun_codec_fuzz.cc).
//
// Thread-safety: a client is a value with mutable state (the transactions it
// remembers); use it from one thread at a time.

#ifndef NATFWT_ENGINE_PROBE_STUN_CODEC_H_
#define NATFWT_ENGINE_PROBE_STUN_CODEC_H_

#include <stun/stunagent.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

// RFC 8489 section 5: the 96-bit transaction ID.
using TransactionId = std::array<uint8_t, 12>;

// RFC 5780 section 7.2: ask the server to answer from its other address
// and/or port.
struct ChangeRequest {
  bool change_ip = false;
  bool change_port = false;
};

// A request ready to send, and the transaction it opened.
struct StunRequest {
  std::vector<uint8_t> bytes;
  TransactionId id{};
};

// A Binding answer.
struct BindingResponse {
  TransactionId id{};
  // Set for an error response (RFC 8489 section 14.8), with its reason
  // phrase; the address fields are then empty.
  std::optional<int> error_code;
  std::string error_reason;
  // XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from a server without it. Always
  // set in a success response.
  std::optional<net::UdpEndpoint> mapped;
  // RFC 5780 OTHER-ADDRESS (or RFC 3489 CHANGED-ADDRESS): the server's
  // alternate address and port. Absent: no RFC 5780 support.
  std::optional<net::UdpEndpoint> other_address;
  // RFC 5780 RESPONSE-ORIGIN (or RFC 3489 SOURCE-ADDRESS).
  std::optional<net::UdpEndpoint> response_origin;
};

// A TURN Allocate or Refresh answer.
struct TurnResponse {
  enum class Kind : uint8_t {
    kSuccess,
    // 401 Unauthorized or 438 Stale Nonce with REALM and NONCE: send the
    // request again, now with credentials (RFC 8489 section 9.2.4).
    kChallenge,
    kError,  // Any other error response (error_code, error_reason).
  };
  Kind kind = Kind::kError;
  int error_code = 0;
  std::string error_reason;
  // Allocate success: XOR-RELAYED-ADDRESS (always) and XOR-MAPPED-ADDRESS.
  std::optional<net::UdpEndpoint> relayed;
  std::optional<net::UdpEndpoint> mapped;
  uint32_t lifetime_seconds = 0;
};

struct StunClientOptions {
  // Add FINGERPRINT to requests (RFC 8489 section 14.7). Answers are
  // checked against theirs whenever they carry one, either way (coturn
  // sends none from its alternate address).
  bool fingerprint = true;
};

class StunClient {
 public:
  explicit StunClient(StunClientOptions options = {});
  StunClient(const StunClient&) = delete;
  StunClient& operator=(const StunClient&) = delete;

  // A Binding request, with CHANGE-REQUEST when either flag is set.
  // Errors: kResourceExhausted when 200 transactions are outstanding
  // (libnice's STUN_AGENT_MAX_SAVED_IDS; Forget() frees them), kInternal
  // when libnice refuses to build it.
  absl::StatusOr<StunRequest> BindingRequest(ChangeRequest change = {});

  // Parses `datagram` as the answer to one of this client's Binding
  // requests; the transaction is then closed. Errors: kInvalidArgument (not
  // STUN, malformed, wrong FINGERPRINT, a success response
  // without a mapped address, unknown comprehension-required attributes),
  // kNotFound (a STUN answer to no open transaction of this client:
  // a late duplicate or someone else's), kFailedPrecondition (a request or
  // indication, or another method).
  absl::StatusOr<BindingResponse> ParseBindingResponse(
      absl::Span<const uint8_t> datagram);

  // Stops waiting for `id` (after its timeout).
  void Forget(const TransactionId& id);

 private:
  StunAgent agent_;
};

// True when `datagram` is a well-formed Binding request whose transaction
// ID is `id` (RFC 5780 section 4.5: a client receiving its own request back
// proves hairpinning).
bool IsBindingRequest(absl::Span<const uint8_t> datagram,
                      const TransactionId& id);

// TURN Allocate/Refresh with long-term credentials (RFC 8656 section 7,
// RFC 8489 section 9.2) through libnice's TURN usage (RFC 5766 mode).
class TurnClient {
 public:
  TurnClient(std::string username, std::string password);
  TurnClient(const TurnClient&) = delete;
  TurnClient& operator=(const TurnClient&) = delete;

  // An Allocate request for a UDP relay. The first carries only USERNAME;
  // after a challenge (ParseAllocateResponse returned kChallenge) it carries
  // REALM, NONCE and MESSAGE-INTEGRITY. Errors: as BindingRequest.
  absl::StatusOr<StunRequest> AllocateRequest();
  // A Refresh request with LIFETIME 0: deletes the allocation. Needs a
  // challenge seen before (its REALM and NONCE): kFailedPrecondition
  // otherwise. Errors: as BindingRequest.
  absl::StatusOr<StunRequest> ReleaseRequest();

  // Parses the answer to an Allocate (Refresh) request of this client. A
  // challenge is remembered for the next request. Errors: kInvalidArgument
  // (malformed, wrong FINGERPRINT or MESSAGE-INTEGRITY, a success without
  // XOR-RELAYED-ADDRESS), kNotFound (no open transaction), and
  // kFailedPrecondition (another method or class).
  absl::StatusOr<TurnResponse> ParseAllocateResponse(
      absl::Span<const uint8_t> datagram);
  absl::StatusOr<TurnResponse> ParseRefreshResponse(
      absl::Span<const uint8_t> datagram);

  void Forget(const TransactionId& id);

 private:
  absl::StatusOr<TurnResponse> Parse(absl::Span<const uint8_t> datagram,
                                     bool allocate);
  // challenge_ as the "previous response" libnice's builders read.
  StunMessage Challenge();
  // The credentials as libnice's builders take them (they do not write).
  uint8_t* UsernameBytes() {
    return reinterpret_cast<uint8_t*>(username_.data());
  }
  uint8_t* PasswordBytes() {
    return reinterpret_cast<uint8_t*>(password_.data());
  }

  StunAgent agent_;
  std::string username_;
  std::string password_;
  // The last challenge (an error response with REALM and NONCE), kept for
  // libnice's request builders, which copy them from a "previous response".
  std::vector<uint8_t> challenge_;
};

// The STUN message length a TCP or TLS stream must deliver for the message
// that starts with `header` (at least 20 bytes): 20 + the length field.
// Errors: kInvalidArgument when `header` is not a STUN header.
absl::StatusOr<size_t> StunMessageSize(absl::Span<const uint8_t> header);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_STUN_CODEC_H_
