// Copyright 2026 The natfwt Authors.
//
// What the probes need from the host's network stack besides UDP sockets:
// resolving a server name, and learning which local address the routing
// table picks toward a destination (the address a NAT, if any, rewrites).
// One implementation per OS: probe_net_posix.cc, probe_net_default.cc
// (kUnimplemented).
//
// Thread-safety: functions without state; ResolveHost blocks in the
// system resolver (getaddrinfo has no timeout of its own).

#ifndef NATFWT_ENGINE_PROBE_PROBE_NET_H_
#define NATFWT_ENGINE_PROBE_PROBE_NET_H_

#include <string>

#include "absl/status/statusor.h"
#include "platform/net/ip_address.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

// Resolves `host` (an IP literal or a DNS name) to one address, IPv4
// preferred. Errors: kNotFound (no such name, or no IPv4/IPv6 address),
// kUnavailable (resolver failure), kUnimplemented (no implementation).
absl::StatusOr<net::IpAddress> ResolveHost(const std::string& host);

// The source address the system would use to send to `destination` (a UDP
// socket connect()ed there, then getsockname(); nothing is sent). Errors:
// kUnavailable (no route: the message names the errno), kUnimplemented.
absl::StatusOr<net::IpAddress> LocalAddressToward(
    const net::UdpEndpoint& destination);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_PROBE_NET_H_
