// Copyright 2026 The natfwt Authors.
//
// Which routers lie between this host and a STUN server, found the
// traceroute way: STUN Binding requests to the server with IP TTL 1, 2, ...
// max_hops; each router where a probe expires reports it with an ICMP time
// exceeded message (RFC 792), read from the socket's error queue
// (Linux IP_RECVERR, ip(7)). The TTL at which the server itself answers ends
// the path. nat_behavior.h reads the hops for RFC 6598 (carrier-grade NAT)
// addresses and the number of NAT layers.
//
// One implementation per OS: path_probe_linux.cc; path_probe_default.cc
// returns kUnimplemented (the probe then reports the path as unknown).
//
// Thread-safety: a function without shared state.

#ifndef NATFWT_ENGINE_PROBE_PATH_PROBE_H_
#define NATFWT_ENGINE_PROBE_PATH_PROBE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/probe/nat_behavior.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

struct PathProbeResult {
  // One entry per TTL below the server's (or up to max_hops when the server
  // never answered), in TTL order; a hop without address stayed silent.
  std::vector<PathHop> hops;
  // The smallest TTL the server answered; absent if it never did.
  std::optional<int> server_ttl;
};

// Probes from a fresh UDP socket bound to `local` (port 0) toward `server`
// with TTLs 1..max_hops, all sent at once and the silent ones once more
// after a third of `timeout`; waits at most `timeout`. Errors:
// kInvalidArgument (max_hops outside 1..64, families differ),
// kUnimplemented (IPv6 server, or no implementation for this OS),
// kUnavailable (socket calls failed; the message names the call and errno).
absl::StatusOr<PathProbeResult> ProbePath(const net::IpAddress& local,
                                          const net::UdpEndpoint& server,
                                          int max_hops, absl::Duration timeout);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_PATH_PROBE_H_
