// Copyright 2026 The natfwt Authors.
//
// probe_net.h with getaddrinfo(3) and a connect()ed UDP socket.

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/probe/probe_net.h"
#include "engine/probe/socket_address.h"

namespace natfwt::probe {

absl::StatusOr<net::IpAddress> ResolveHost(const std::string& host) {
  if (absl::StatusOr<net::IpAddress> literal = net::IpAddress::Parse(host);
      literal.ok()) {
    return literal;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const int failed = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (failed != 0) {
    const std::string why = gai_strerror(failed);
    if (failed == EAI_NONAME || failed == EAI_NODATA) {
      return absl::NotFoundError(
          absl::StrCat("cannot resolve ", host, ": ", why));
    }
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", host, ": ", why));
  }
  std::optional<net::IpAddress> v4, v6;
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    std::optional<net::UdpEndpoint> endpoint =
        EndpointFromSockaddr(entry->ai_addr);
    if (!endpoint) continue;
    const net::IpAddress* address = &endpoint->address;
    if (address->is_v4() && !v4) v4 = *address;
    if (address->is_v6() && !v6) v6 = *address;
  }
  freeaddrinfo(list);
  if (v4) return *v4;
  if (v6) return *v6;
  return absl::NotFoundError(absl::StrCat(host, " has no IP address"));
}

absl::StatusOr<net::IpAddress> LocalAddressToward(
    const net::UdpEndpoint& destination) {
  sockaddr_storage remote;
  const socklen_t remote_length =
      static_cast<socklen_t>(EndpointToSockaddr(destination, &remote));
  const int fd = socket(remote.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_storage local{};
  socklen_t local_length = sizeof(local);
  const bool ok =
      connect(fd, reinterpret_cast<const sockaddr*>(&remote), remote_length) ==
          0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0;
  const int error = errno;
  close(fd);
  if (!ok) {
    return absl::UnavailableError(absl::StrCat(
        "no route to ", destination.ToString(), ": ", std::strerror(error)));
  }
  std::optional<net::UdpEndpoint> address =
      EndpointFromSockaddr(reinterpret_cast<const sockaddr*>(&local));
  if (!address) return absl::UnavailableError("getsockname: unknown family");
  return address->address;
}

}  // namespace natfwt::probe
