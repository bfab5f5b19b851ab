// Copyright 2026 The natfwt Authors.
//
// IdentityTransform: carries payloads through a DirectPath unchanged and
// without cryptography, for tests and benchmarks. SealBatch() prepends one
// byte, kNatfwtDataFirst (so the receiver's demultiplexer takes the datagram
// for natfwt data); OpenBatch() checks and removes it (anything else is
// kMalformed).
//
//   [0xD0][payload ...]
//
// Thread-safety: stateless; any number of threads.

#ifndef NATFWT_ENGINE_RELAY_IDENTITY_TRANSFORM_H_
#define NATFWT_ENGINE_RELAY_IDENTITY_TRANSFORM_H_

#include "engine/relay/transform.h"

namespace natfwt::relay {

class IdentityTransform : public PacketTransform {
 public:
  size_t seal_headroom() const override { return 1; }
  size_t seal_tailroom() const override { return 0; }
  void SealBatch(absl::Span<PacketSpan> packets,
                 absl::Span<Verdict> verdicts) override;
  void OpenBatch(absl::Span<PacketSpan> packets,
                 absl::Span<Verdict> verdicts) override;
};

}  // namespace natfwt::relay

#endif  // NATFWT_ENGINE_RELAY_IDENTITY_TRANSFORM_H_
