// Copyright 2026 The natfwt Authors.
//
// Systems without UDP GSO/GRO or sendmmsg: everything off.

#include "platform/net/udp_features.h"

namespace natfwt::net {

absl::StatusOr<UdpFeatures> ProbeUdpFeatures() { return UdpFeatures{}; }

}  // namespace natfwt::net
