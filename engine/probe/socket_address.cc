// Copyright 2026 The natfwt Authors.

#include "engine/probe/socket_address.h"

// sockaddr_in/sockaddr_in6 live in different headers on Winsock and POSIX.
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <array>
#include <cstring>

namespace natfwt::probe {
namespace {

uint16_t LoadPort(const void* network_order) {
  const auto* p = static_cast<const uint8_t*>(network_order);
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

void StorePort(uint16_t port, void* network_order) {
  auto* p = static_cast<uint8_t*>(network_order);
  p[0] = static_cast<uint8_t>(port >> 8);
  p[1] = static_cast<uint8_t>(port);
}

}  // namespace

std::optional<net::UdpEndpoint> EndpointFromSockaddr(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof(v4));
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &v4.sin_addr, bytes.size());
    return net::UdpEndpoint{net::IpAddress::V4(bytes), LoadPort(&v4.sin_port)};
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof(v6));
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &v6.sin6_addr, bytes.size());
    return net::UdpEndpoint{net::IpAddress::V6(bytes), LoadPort(&v6.sin6_port)};
  }
  return std::nullopt;
}

size_t EndpointToSockaddr(const net::UdpEndpoint& endpoint,
                          sockaddr_storage* storage) {
  std::memset(storage, 0, sizeof(*storage));
  if (endpoint.address.is_v4()) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    StorePort(endpoint.port, &v4.sin_port);
    std::memcpy(&v4.sin_addr, endpoint.address.bytes().data(), 4);
    std::memcpy(storage, &v4, sizeof(v4));
    return sizeof(v4);
  }
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  StorePort(endpoint.port, &v6.sin6_port);
  std::memcpy(&v6.sin6_addr, endpoint.address.bytes().data(), 16);
  std::memcpy(storage, &v6, sizeof(v6));
  return sizeof(v6);
}

}  // namespace natfwt::probe
