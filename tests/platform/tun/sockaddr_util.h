// Copyright 2026 The natfwt Authors.
//
// Test helper for the POSIX kernel tests: an Endpoint as a sockaddr.

#ifndef NATFWT_TESTS_PLATFORM_TUN_SOCKADDR_UTIL_H_
#define NATFWT_TESTS_PLATFORM_TUN_SOCKADDR_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "tests/platform/tun/udp_packet.h"

namespace natfwt::tun::testing {

// Fills `*out` (zeroed first) with `endpoint`; returns the length to pass
// to bind()/sendto().
inline socklen_t ToSockaddr(const Endpoint& endpoint, sockaddr_storage* out) {
  std::memset(out, 0, sizeof(*out));
  if (endpoint.address.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(endpoint.port);
    std::memcpy(&v4->sin_addr, endpoint.address.bytes().data(), 4);
    return sizeof(*v4);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(endpoint.port);
  std::memcpy(&v6->sin6_addr, endpoint.address.bytes().data(), 16);
  return sizeof(*v6);
}

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_SOCKADDR_UTIL_H_
