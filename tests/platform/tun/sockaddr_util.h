// Copyright 2026 The natfwt Authors.
//
// Test helpers for the POSIX kernel tests: an Endpoint as a sockaddr and
// back.

#ifndef NATFWT_TESTS_PLATFORM_TUN_SOCKADDR_UTIL_H_
#define NATFWT_TESTS_PLATFORM_TUN_SOCKADDR_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

#include "absl/types/span.h"
#include "platform/net/ip_address.h"
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

// The endpoint in an AF_INET or AF_INET6 `address` (any other family is
// read as AF_INET6, as the callers only pass those two).
inline Endpoint FromSockaddr(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return {*net::IpAddress::FromBytes(absl::MakeConstSpan(
                reinterpret_cast<const uint8_t*>(&v4->sin_addr), 4)),
            ntohs(v4->sin_port)};
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
  return {*net::IpAddress::FromBytes(absl::MakeConstSpan(
              reinterpret_cast<const uint8_t*>(&v6->sin6_addr), 16)),
          ntohs(v6->sin6_port)};
}
inline Endpoint FromSockaddr(const sockaddr_storage& storage) {
  return FromSockaddr(reinterpret_cast<const sockaddr*>(&storage));
}

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_SOCKADDR_UTIL_H_
