// Copyright 2026 The natfwt Authors.
//
// Test oracle: what Linux does with a UDP GSO super-packet written to a TUN
// device when it segments it in software (net/ipv4/udp_offload.c
// __udp_gso_segment(), inet_gso_segment() / ipv6_gso_segment(), checksums
// completed without hardware help), modelled from the kernel sources so
// unit and fuzz tests can check that segmentation gives back the packets
// that went into the run. The kernel tests check the real thing.
//
// Thread-safety: pure function.

#ifndef NATFWT_TESTS_PLATFORM_TUN_GSO_MODEL_H_
#define NATFWT_TESTS_PLATFORM_TUN_GSO_MODEL_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "platform/tun/udp_gso.h"

namespace natfwt::tun::testing {

// The segments of the super-packet `super` built for `run` (whose payloads
// start at super.header_bytes): headers copied, IP and UDP lengths per
// segment, IPv4 identification counting up from the first and its header
// checksum recomputed, and the UDP checksum completed from the seed in the
// checksum field after adjusting it from the total to the segment's UDP
// length (a result of 0 sent as 0xffff, RFC 768).
std::vector<std::vector<uint8_t>> SegmentLikeLinux(
    const gso::SuperPacket& super,
    absl::Span<const absl::Span<const uint8_t>> run);

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_GSO_MODEL_H_
