// Copyright 2026 The natfwt Authors.
//
// Fuzz target: the UDP GSO run rules and super-packet headers
// (platform/tun/udp_gso.h) take any batch without crashing or reading out
// of bounds, every run they accept is at most 64 packets, and segmenting its
// super-packet the way Linux does (gso_model.h) gives back the packets of
// the run: same bytes except the IPv4 identification (numbered afresh, only
// allowed with DF) and checksums, which all verify.
//
// Input: one flags byte (bit 0: recompute each packet's checksums first, so
// mutations explore the header rules instead of failing on checksums), then
// packets, each a 16-bit big-endian length and that many bytes (the last
// one cut short where the input ends).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "platform/tun/udp_gso.h"
#include "tests/platform/tun/gso_model.h"
#include "tests/platform/tun/udp_packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Packet = std::vector<uint8_t>;
using natfwt::tun::gso::kMaxSegments;

std::vector<Packet> SplitPackets(const uint8_t* data, size_t size) {
  std::vector<Packet> packets;
  size_t at = 1;
  while (at + 2 <= size) {
    size_t length = static_cast<size_t>(data[at] << 8 | data[at + 1]);
    at += 2;
    length = std::min(length, size - at);
    packets.emplace_back(data + at, data + at + length);
    at += length;
  }
  return packets;
}

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckSegment(Packet segment, Packet original) {
  std::optional<natfwt::tun::testing::UdpDatagram> parsed =
      natfwt::tun::testing::ParseUdpPacket(segment);
  Check(parsed.has_value() && parsed->checksums_ok);
  Check(segment.size() == original.size());
  bool v4 = original[0] >> 4 == 4;
  if (v4) {
    bool dont_fragment = (original[6] & 0x40) != 0;
    if (!dont_fragment)
      Check(segment[4] == original[4] && segment[5] == original[5]);
    // Identification and header checksum may differ; the UDP checksum too
    // where the original had none.
    for (size_t i : {4, 5, 10, 11}) segment[i] = original[i] = 0;
    if (original[26] == 0 && original[27] == 0) segment[26] = segment[27] = 0;
  }
  Check(segment == original);
}

void CheckRun(absl::Span<const absl::Span<const uint8_t>> run) {
  std::optional<natfwt::tun::gso::SuperPacket> super =
      natfwt::tun::gso::BuildSuperPacket(run);
  Check(super.has_value());
  std::vector<Packet> segments =
      natfwt::tun::testing::SegmentLikeLinux(*super, run);
  Check(segments.size() == run.size());
  for (size_t i = 0; i < run.size(); ++i) {
    CheckSegment(segments[i], Packet(run[i].begin(), run[i].end()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<Packet> packets = SplitPackets(data, size);
  if ((data[0] & 1) != 0) {
    for (Packet& packet : packets) {
      natfwt::tun::testing::RefreshChecksums(packet);
    }
  }
  std::vector<absl::Span<const uint8_t>> spans(packets.begin(), packets.end());
  absl::Span<const absl::Span<const uint8_t>> rest(spans);
  Check(natfwt::tun::gso::CoalescableRun(rest.subspan(rest.size())) == 0);
  while (!rest.empty()) {
    size_t run = natfwt::tun::gso::CoalescableRun(rest);
    Check(run >= 1 && run <= std::min(rest.size(), kMaxSegments));
    if (run >= 2) CheckRun(rest.first(run));
    // Whatever the rules say, a bad batch never builds headers past them.
    (void)natfwt::tun::gso::BuildSuperPacket(
        rest.first(std::min(rest.size(), kMaxSegments)));
    rest.remove_prefix(run);
  }
  return 0;
}
