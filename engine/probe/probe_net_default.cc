// Copyright 2026 The natfwt Authors.
//
// probe_net.h on systems without an implementation.

#include "engine/probe/probe_net.h"

namespace natfwt::probe {

absl::StatusOr<net::IpAddress> ResolveHost(const std::string& host) {
  if (absl::StatusOr<net::IpAddress> literal = net::IpAddress::Parse(host);
      literal.ok()) {
    return literal;
  }
  return absl::UnimplementedError("name resolution is not implemented here");
}

absl::StatusOr<net::IpAddress> LocalAddressToward(
    const net::UdpEndpoint& /*destination*/) {
  return absl::UnimplementedError(
      "route lookup is not implemented on this system");
}

}  // namespace natfwt::probe
