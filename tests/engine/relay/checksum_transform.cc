// Copyright 2026 The natfwt Authors.

#include "tests/engine/relay/checksum_transform.h"

namespace natfwt::relay {

uint32_t ChecksumTransform::Checksum(absl::Span<const uint8_t> bytes) {
  uint32_t hash = 2166136261u;
  for (uint8_t byte : bytes) {
    hash ^= byte;
    hash *= 16777619u;
  }
  return hash;
}

void ChecksumTransform::SealBatch(absl::Span<PacketSpan> packets,
                                  absl::Span<Verdict> verdicts) {
  for (size_t i = 0; i < packets.size(); ++i) {
    PacketSpan& packet = packets[i];
    if (packet.headroom < 1 || packet.tailroom < 4) {
      verdicts[i] = Verdict::kNoRoom;
      continue;
    }
    uint32_t sum = Checksum(packet.bytes());
    packet.Prepend(1);
    packet.Append(4);
    packet.data[0] = kRecordByte;
    uint8_t* tail = packet.data + packet.size - 4;
    for (int b = 0; b < 4; ++b)
      tail[b] = static_cast<uint8_t>(sum >> (24 - 8 * b));
    verdicts[i] = Verdict::kPass;
  }
}

void ChecksumTransform::OpenBatch(absl::Span<PacketSpan> packets,
                                  absl::Span<Verdict> verdicts) {
  for (size_t i = 0; i < packets.size(); ++i) {
    PacketSpan& packet = packets[i];
    if (packet.size < 5 || packet.data[0] != kRecordByte) {
      verdicts[i] = Verdict::kMalformed;
      continue;
    }
    const uint8_t* tail = packet.data + packet.size - 4;
    uint32_t carried = (uint32_t{tail[0]} << 24) | (uint32_t{tail[1]} << 16) |
                       (uint32_t{tail[2]} << 8) | tail[3];
    absl::Span<const uint8_t> payload(packet.data + 1, packet.size - 5);
    if (Checksum(payload) != carried) {
      verdicts[i] = Verdict::kAuthentication;
      continue;
    }
    packet.TrimFront(1);
    packet.TrimBack(4);
    verdicts[i] = Verdict::kPass;
  }
}

}  // namespace natfwt::relay
