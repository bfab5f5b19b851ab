// Copyright 2026 The natfwt Authors.
//
// UDP GSO super-packets for writes into a Linux TUN device opened with
// IFF_VNET_HDR (tun_linux.cc): which consecutive UDP datagrams of one flow
// may travel as one super-packet that the kernel segments again
// (VIRTIO_NET_HDR_GSO_UDP_L4, Linux 6.2 and later), and the headers such a
// write carries. The same idea as wireguard-go's tun/offload_linux.go UDP
// GRO, restricted to runs of adjacent packets so the order of datagrams
// never changes.
//
// One write of a run of n datagrams (no payload is copied):
//
//   [virtio_net_hdr][IP header][UDP header][payload 1][payload 2]...[payload n]
//    10 bytes        20 or 40   8 bytes     gso_size   gso_size      <=
//    gso_size
//
// with IP and UDP lengths covering the whole run, the IPv4 header checksum
// recomputed and the UDP checksum field holding the pseudo-header sum
// (CHECKSUM_PARTIAL: the kernel adds the data when it segments, see
// BuildSuperPacket()). virtio_net_hdr (include/uapi/linux/virtio_net.h;
// virtio 1.2 section 5.1.6), 16-bit fields in host byte order (TUN's default
// without TUNSETVNETLE/BE, i.e. little endian on x86 and arm64):
//
//    0               1               2                               4
//   +---------------+---------------+-------------------------------+
//   |     flags     |   gso_type    |            hdr_len            |
//   +---------------+---------------+-------------------------------+
//   |           gso_size            |          csum_start           |
//   +-------------------------------+-------------------------------+
//   |          csum_offset          |
//   +-------------------------------+
//
// Pure functions over caller-owned bytes: no system calls, no allocation,
// callable from any thread.

#ifndef NATFWT_PLATFORM_TUN_UDP_GSO_H_
#define NATFWT_PLATFORM_TUN_UDP_GSO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace natfwt::tun::gso {

// struct virtio_net_hdr, fields in host byte order.
struct VirtioNetHeader {
  uint8_t flags = 0;
  uint8_t gso_type = 0;
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;
};
inline constexpr size_t kVirtioNetHeaderBytes = 10;
static_assert(sizeof(VirtioNetHeader) == kVirtioNetHeaderBytes);

// Spec (include/uapi/linux/virtio_net.h): flags and gso_type values.
inline constexpr uint8_t kFlagNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
inline constexpr uint8_t kGsoNone = 0;        // VIRTIO_NET_HDR_GSO_NONE
inline constexpr uint8_t kGsoUdpL4 = 5;       // VIRTIO_NET_HDR_GSO_UDP_L4

// Implementation choice: at most 64 datagrams per super-packet, the lowest
// value Linux's UDP_MAX_SEGMENTS has had (include/linux/udp.h: 64, raised
// to 128 in recent kernels). virtio_net_hdr_to_skb() refuses more payload
// than gso_size * UDP_MAX_SEGMENTS with EINVAL.
inline constexpr size_t kMaxSegments = 64;
// IPv6 header (40) + UDP header (8); IPv4 runs use 20 + 8.
inline constexpr size_t kMaxHeaderBytes = 48;

// Returns how many packets at the front of `packets` can be written as one
// super-packet: 0 when `packets` is empty, otherwise at least 1 (a run of 1
// is written as a plain packet). A run holds at most kMaxSegments packets
// that all
//   - are UDP over IPv4 (IHL 5, not a fragment: MF clear, offset 0, a header
//     checksum that verifies) or over IPv6 (next header UDP, no extension
//     headers), all of the same version;
//   - have IP length fields matching the packet size (no trailing bytes) and
//     a UDP length matching the IP payload;
//   - share source and destination addresses and ports, TOS/traffic class,
//     TTL/hop limit, the IPv6 flow label and the IPv4 flags (DF); without DF
//     the IPv4 identification must count up by one from packet to packet, as
//     segmentation will number them (RFC 6864 section 4: only atomic
//     datagrams, DF set, may reuse IDs freely);
//   - carry a UDP payload of the first packet's size (at least 1 byte),
//     except the last, which may be shorter but not empty;
//   - carry a valid UDP checksum (IPv4: or none, 0). The kernel trusts a
//     CHECKSUM_PARTIAL packet's data, so a datagram it would have dropped
//     for its checksum is never merged; it ends the run and goes on its own;
// and the whole run fits the 16-bit lengths: IPv4 total length (header,
// UDP header and every payload) at most 65535, IPv6 payload length (UDP
// header and every payload) at most 65535.
// Cost: reads each packet's headers, and sums the bytes of each packet that
// joins a run (its checksum); no allocation.
size_t CoalescableRun(absl::Span<const absl::Span<const uint8_t>> packets);

// What a super-packet write puts in front of the payloads.
struct SuperPacket {
  // flags kFlagNeedsCsum, gso_type kGsoUdpL4, gso_size = the first payload's
  // size, hdr_len = IP header + 8, csum_start = IP header length,
  // csum_offset = 6 (the UDP checksum field).
  VirtioNetHeader vnet;
  // The first packet's IP and UDP headers rewritten for the whole run.
  std::array<uint8_t, kMaxHeaderBytes> headers{};
  // Bytes of `headers` in use (28 or 48); also where each packet's payload
  // starts.
  size_t header_bytes = 0;

  absl::Span<const uint8_t> header_span() const {
    return absl::MakeConstSpan(headers.data(), header_bytes);
  }
};

// Builds the super-packet headers for `run`, which must be a run that
// CoalescableRun() accepted in full and hold at least 2 packets. The IP
// length (IPv4 total length, IPv6 payload length) and the UDP length cover
// the whole run, the IPv4 header checksum is recomputed, and the UDP
// checksum field is seeded with the folded, not complemented, one's
// complement sum of the pseudo-header (RFC 768; RFC 8200 section 8.1) for
// the run's total UDP length: what Linux keeps there for CHECKSUM_PARTIAL
// (udp4_hwcsum(), ~csum_tcpudp_magic()), which __udp_gso_segment() adjusts
// by each segment's length before the data is summed in. nullopt when `run`
// is not such a run (checked only as far as needed to read safely: sizes,
// versions and header lengths, not the checksums).
std::optional<SuperPacket> BuildSuperPacket(
    absl::Span<const absl::Span<const uint8_t>> run);

}  // namespace natfwt::tun::gso

#endif  // NATFWT_PLATFORM_TUN_UDP_GSO_H_
