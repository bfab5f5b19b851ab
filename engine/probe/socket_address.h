// Copyright 2026 The natfwt Authors.
//
// net::UdpEndpoint <-> struct sockaddr, for the system calls and libnice STUN
// functions the probes use. Pure conversions.

#ifndef NATFWT_ENGINE_PROBE_SOCKET_ADDRESS_H_
#define NATFWT_ENGINE_PROBE_SOCKET_ADDRESS_H_

#include <cstddef>
#include <optional>

#include "platform/net/udp_socket.h"

struct sockaddr;
struct sockaddr_storage;

namespace natfwt::probe {

// An AF_INET or AF_INET6 address; nullopt for other families.
std::optional<net::UdpEndpoint> EndpointFromSockaddr(const sockaddr* address);
// Fills `storage` (zeroed first); returns the length to pass to the system.
size_t EndpointToSockaddr(const net::UdpEndpoint& endpoint,
                          sockaddr_storage* storage);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_SOCKET_ADDRESS_H_
