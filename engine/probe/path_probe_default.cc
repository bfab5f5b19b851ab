// Copyright 2026 The natfwt Authors.
//
// path_probe.h where reading ICMP errors from a UDP socket is not
// implemented: the probe reports the path (and carrier-grade NAT) as unknown.

#include "engine/probe/path_probe.h"

namespace natfwt::probe {

absl::StatusOr<PathProbeResult> ProbePath(const net::IpAddress& /*local*/,
                                          const net::UdpEndpoint& /*server*/,
                                          int /*max_hops*/,
                                          absl::Duration /*timeout*/) {
  return absl::UnimplementedError(
      "hop discovery (TTL-limited probes) is not implemented on this system");
}

}  // namespace natfwt::probe
