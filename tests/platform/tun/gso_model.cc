// Copyright 2026 The natfwt Authors.

#include "tests/platform/tun/gso_model.h"

namespace natfwt::tun::testing {
namespace {

uint16_t Get16(absl::Span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

void Put16(std::vector<uint8_t>& bytes, size_t at, uint32_t value) {
  bytes[at] = static_cast<uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<uint8_t>(value);
}

uint32_t Sum(absl::Span<const uint8_t> bytes, uint32_t sum = 0) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    sum += i % 2 == 0 ? bytes[i] << 8 : bytes[i];
  }
  return sum;
}

uint16_t Fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

}  // namespace

std::vector<std::vector<uint8_t>> SegmentLikeLinux(
    const gso::SuperPacket& super,
    absl::Span<const absl::Span<const uint8_t>> run) {
  absl::Span<const uint8_t> headers = super.header_span();
  const size_t ip = super.vnet.csum_start;
  const bool v4 = headers[0] >> 4 == 4;
  const uint16_t seed = Get16(headers, ip + 6);
  const uint16_t total = Get16(headers, ip + 4);
  std::vector<std::vector<uint8_t>> segments;
  for (size_t i = 0; i < run.size(); ++i) {
    std::vector<uint8_t> segment(headers.begin(), headers.end());
    segment.insert(segment.end(), run[i].begin() + super.header_bytes,
                   run[i].end());
    const uint32_t udp_length = static_cast<uint32_t>(segment.size() - ip);
    if (v4) {
      Put16(segment, 2, static_cast<uint32_t>(segment.size()));
      Put16(segment, 4, static_cast<uint16_t>(Get16(headers, 4) + i));
      Put16(segment, 10, 0);
      Put16(segment, 10,
            static_cast<uint16_t>(
                ~Fold(Sum(absl::MakeConstSpan(segment).first(ip)))));
    } else {
      Put16(segment, 4, udp_length);
    }
    Put16(segment, ip + 4, udp_length);
    // csum16_add(csum16_sub(check, old length), new length).
    Put16(segment, ip + 6,
          Fold(seed + static_cast<uint16_t>(~total) + udp_length));
    uint16_t checksum = static_cast<uint16_t>(
        ~Fold(Sum(absl::MakeConstSpan(segment).subspan(ip))));
    Put16(segment, ip + 6, checksum == 0 ? 0xffff : checksum);
    segments.push_back(std::move(segment));
  }
  return segments;
}

}  // namespace natfwt::tun::testing
