// Copyright 2026 The natfwt Authors.
//
// InterfaceHolding() with getifaddrs(3), which needs no privileges.

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/types/span.h"
#include "engine/provider/interface_lookup.h"

namespace natfwt::provider {
namespace {

bool Holds(const struct sockaddr* address, const net::IpAddress& wanted) {
  if (address == nullptr) return false;
  absl::Span<const uint8_t> bytes;
  if (address->sa_family == AF_INET && wanted.is_v4()) {
    const auto* v4 = reinterpret_cast<const struct sockaddr_in*>(address);
    bytes = {reinterpret_cast<const uint8_t*>(&v4->sin_addr), 4};
  } else if (address->sa_family == AF_INET6 && wanted.is_v6()) {
    const auto* v6 = reinterpret_cast<const struct sockaddr_in6*>(address);
    bytes = {reinterpret_cast<const uint8_t*>(&v6->sin6_addr), 16};
  } else {
    return false;
  }
  return std::memcmp(bytes.data(), wanted.bytes().data(), bytes.size()) == 0;
}

}  // namespace

std::optional<std::string> InterfaceHolding(const net::IpAddress& address) {
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> name;
  for (struct ifaddrs* entry = list; entry != nullptr;
       entry = entry->ifa_next) {
    if (Holds(entry->ifa_addr, address)) {
      name = entry->ifa_name;
      break;
    }
  }
  freeifaddrs(list);
  return name;
}

}  // namespace natfwt::provider
