// Copyright 2026 The natfwt Authors.
//
// One TURN allocation made and deleted by hand (RFC 8656 sections 7.1 and
// 7.2 through libnice's TURN usage, stun_codec.h), to report what libnice's
// agent does not tell: the server's error code and reason, the Allocate
// round trip, the lifetime granted, and whether deletion was acknowledged.
//
//   NATFWT_ASSIGN_OR_RETURN(AllocationReport allocation,
//                           AllocateAndRelease(transport_config, server,
//                                              deadline));
//
// Thread-safety: a blocking function without shared state.

#ifndef NATFWT_ENGINE_PROBE_TURN_ALLOCATION_H_
#define NATFWT_ENGINE_PROBE_TURN_ALLOCATION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/ice/ice_config.h"
#include "engine/probe/stun_transport.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

struct AllocationReport {
  net::UdpEndpoint relayed;                // XOR-RELAYED-ADDRESS.
  std::optional<net::UdpEndpoint> mapped;  // XOR-MAPPED-ADDRESS.
  uint32_t lifetime_seconds = 0;
  // The authenticated Allocate's round trip; absent when it was
  // retransmitted (Karn's rule).
  std::optional<absl::Duration> rtt;
  // A Refresh with LIFETIME 0 was answered with success.
  bool released = false;
  std::string release_error;  // Why not, when !released.
};

// Allocates a UDP relay on the server behind `config` with the long-term
// credentials of `server`, then deletes it. Errors (messages name the
// server and the server's own code and reason):
//   kUnauthenticated    the credentials were refused (401 after they were
//                       sent, or 441 Wrong Credentials);
//   kPermissionDenied   403 Forbidden;
//   kResourceExhausted  486 Allocation Quota Reached, 508 Insufficient
//                       Capacity;
//   kFailedPrecondition any other error response;
//   kDeadlineExceeded   no answer by `deadline`;
//   kUnavailable        connection refused, TLS failure, send refused;
//   as StunTransport::Connect otherwise.
absl::StatusOr<AllocationReport> AllocateAndRelease(
    const StunTransportConfig& config, const ice::TurnServer& server,
    absl::Time deadline);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_TURN_ALLOCATION_H_
