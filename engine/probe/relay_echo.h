// Copyright 2026 The natfwt Authors.
//
// Proof that data flows through a TURN server: two IceSessions in this
// process, both relay-only (libnice "force-relay") through the server,
// signal to each other in memory, connect, and one sends numbered datagrams
// that the other echoes. Every datagram crosses the server twice each way
// (client -> its allocation -> the peer's allocation -> peer), so the echo
// time is a round trip through the relay.
//
// The peers of each allocation are the server's own relayed addresses: a
// coturn that denies those (its loopback relays without
// --allow-loopback-peers, or a denied-peer-ip range covering its relay
// addresses) fails this check while plain allocations work.
//
//   NATFWT_ASSIGN_OR_RETURN(RelayEchoReport echo,
//       RunRelayEcho({.server = turn, .local = local, .datagrams = 10,
//                     .deadline = absl::Now() + absl::Seconds(10)}));
//
// Thread-safety: a blocking function; it runs its own network thread and
// closes both sessions (releasing their allocations) before returning.

#ifndef NATFWT_ENGINE_PROBE_RELAY_ECHO_H_
#define NATFWT_ENGINE_PROBE_RELAY_ECHO_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/ice/ice_config.h"
#include "platform/net/ip_address.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

struct RelayEchoOptions {
  ice::TurnServer server;
  net::IpAddress local;  // Host candidates' (and allocations') address.
  int datagrams = 10;    // 1-1000.
  absl::Time deadline;
};

struct RelayEchoReport {
  // The relayed candidates of the selected pair, one per session.
  net::UdpEndpoint relayed_a;
  net::UdpEndpoint relayed_b;
  int sent = 0;
  int echoed = 0;
  std::vector<absl::Duration> rtts;  // One per echoed datagram.
};

// Errors: kInvalidArgument (datagrams out of range, a config IceSession
// refuses), kDeadlineExceeded (no relayed candidate by the deadline),
// kUnavailable (both sessions have relayed candidates but ICE did not
// connect through them by the deadline: the server refuses those peers;
// sends refused), and IceSession's own errors (kUnimplemented for turns:
// without a TLS backend, ...).
absl::StatusOr<RelayEchoReport> RunRelayEcho(const RelayEchoOptions& options);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_RELAY_ECHO_H_
