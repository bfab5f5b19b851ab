// Copyright 2026 The natfwt Authors.
//
// Run-time probe of the kernel's batched UDP features.
//
// UDP generic segmentation offload (UDP_SEGMENT, Linux 4.18) and generic
// receive offload (UDP_GRO, Linux 5.0) move many datagrams per system call.
// They are probed on a real socket rather than assumed from headers, and the
// hot path falls back to sendmmsg/recvmmsg without them (wireguard-go's
// features_linux.go does the same).

#ifndef NATFWT_PLATFORM_NET_UDP_FEATURES_H_
#define NATFWT_PLATFORM_NET_UDP_FEATURES_H_

#include <string>

#include "absl/status/statusor.h"

namespace natfwt::net {

struct UdpFeatures {
  bool gso = false;  // UDP_SEGMENT accepted on an IPv4 UDP socket.
  bool gro = false;  // UDP_GRO accepted on an IPv4 UDP socket.
  bool batch = false;  // sendmmsg/recvmmsg available.
};

// Opens a throwaway UDP socket and tries each option. Returns an error only
// when no UDP socket can be created at all (the message names the errno);
// unsupported options are reported as false. On systems without these
// features every field is false.
absl::StatusOr<UdpFeatures> ProbeUdpFeatures();

}  // namespace natfwt::net

#endif  // NATFWT_PLATFORM_NET_UDP_FEATURES_H_
