// Copyright 2026 The natfwt Authors.
//
// ChecksumTransform: a test double for PacketTransform that stands in for the
// secure channel's framing and authentication without cryptography. Each
// sealed datagram is
//
//   [0xD1][payload ...][FNV-1a 32 of payload, big-endian]
//
// OpenBatch() rejects a wrong first byte or a short datagram (kMalformed) and
// a checksum mismatch (kAuthentication), so tests can forge and tamper with
// records and watch the drops. Stateless: any number of threads.

#ifndef NATFWT_TESTS_ENGINE_RELAY_CHECKSUM_TRANSFORM_H_
#define NATFWT_TESTS_ENGINE_RELAY_CHECKSUM_TRANSFORM_H_

#include <cstdint>

#include "engine/relay/transform.h"

namespace natfwt::relay {

class ChecksumTransform : public PacketTransform {
 public:
  // First byte of its records: inside the natfwt data range, not 0xD0 (so
  // an IdentityTransform record is malformed here).
  static constexpr uint8_t kRecordByte = 0xD1;

  size_t seal_headroom() const override { return 1; }
  size_t seal_tailroom() const override { return 4; }
  void SealBatch(absl::Span<PacketSpan> packets,
                 absl::Span<Verdict> verdicts) override;
  void OpenBatch(absl::Span<PacketSpan> packets,
                 absl::Span<Verdict> verdicts) override;

  // FNV-1a 32-bit over `bytes`.
  static uint32_t Checksum(absl::Span<const uint8_t> bytes);
};

}  // namespace natfwt::relay

#endif  // NATFWT_TESTS_ENGINE_RELAY_CHECKSUM_TRANSFORM_H_
