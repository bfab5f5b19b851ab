// Copyright 2026 The natfwt Authors.

#include "engine/session/session_record.h"

namespace natfwt::engine {

std::optional<Keepalive> ParseKeepalive(absl::Span<const uint8_t> plaintext) {
  if (plaintext.size() != kKeepaliveSize) return std::nullopt;
  const auto kind = static_cast<RecordKind>(plaintext[0]);
  if (kind != RecordKind::kKeepaliveRequest &&
      kind != RecordKind::kKeepaliveResponse) {
    return std::nullopt;
  }
  uint64_t id = 0;
  for (size_t i = kRecordKindSize; i < kKeepaliveSize; ++i) {
    id = (id << 8) | plaintext[i];
  }
  return Keepalive{kind == RecordKind::kKeepaliveResponse, id};
}

bool WriteKeepalive(const Keepalive& keepalive, absl::Span<uint8_t> out) {
  if (out.size() < kKeepaliveSize) return false;
  out[0] =
      static_cast<uint8_t>(keepalive.response ? RecordKind::kKeepaliveResponse
                                              : RecordKind::kKeepaliveRequest);
  for (size_t i = 0; i < 8; ++i) {
    out[kKeepaliveSize - 1 - i] = static_cast<uint8_t>(keepalive.id >> (8 * i));
  }
  return true;
}

}  // namespace natfwt::engine
