// Copyright 2026 The natfwt Authors.
//
// PacketTransform: the per-packet processing a DirectPath applies, injected
// as an interface so the relay does not depend on engine/secure.
//
// The secure channel (engine/secure) implements it: SealBatch() encrypts and
// frames plaintext packets into natfwt data records (first byte in
// [kNatfwtDataFirst, kNatfwtDataLast], engine/relay/demux.h), OpenBatch()
// authenticates, checks replay and decrypts them. IdentityTransform
// (identity_transform.h) frames without cryptography, for tests and
// benchmarks.
//
// Both work in place on spans of packets (engine/relay/packet.h) and report
// one Verdict per packet; they never allocate, log or build an absl::Status
// per packet. A packet whose verdict is not kPass is dropped by the caller
// and counted under that verdict.

#ifndef NATFWT_ENGINE_RELAY_TRANSFORM_H_
#define NATFWT_ENGINE_RELAY_TRANSFORM_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/relay/packet.h"

namespace natfwt::relay {

// What a transform decided for one packet.
enum class Verdict : uint8_t {
  kPass = 0,        // Transformed in place; send or deliver it.
  kMalformed,       // Not a record this transform understands (too short,
                    // wrong first byte or version).
  kAuthentication,  // Failed authentication (tampered, wrong key).
  kReplay,          // A record number seen before or too old.
  kNoKey,           // No key yet (handshake not finished) or keys retired.
  kNoRoom,          // Not enough headroom/tailroom to seal in place.
  kOther,           // Anything else the transform refuses.
};
inline constexpr int kVerdictCount = 7;

// "pass", "malformed", "authentication", "replay", "no-key", "no-room",
// "other".
absl::string_view VerdictName(Verdict verdict);

class PacketTransform {
 public:
  virtual ~PacketTransform() = default;

  // Bytes SealBatch() prepends and appends to a packet at most; constant for
  // the object's lifetime. Callers give every packet at least this much
  // headroom and tailroom.
  virtual size_t seal_headroom() const = 0;
  virtual size_t seal_tailroom() const = 0;

  // Turns each plaintext packet into a datagram ready to send, in place, and
  // sets verdicts[i] for packets[i]. `verdicts.size() == packets.size()`.
  // A packet with too little room must get kNoRoom, never be written out of
  // its bounds. Threading: a DirectPath never runs two SealBatch() calls at
  // once; SealBatch() may run concurrently with OpenBatch() (another
  // thread), so state shared by both needs its own synchronisation.
  virtual void SealBatch(absl::Span<PacketSpan> packets,
                         absl::Span<Verdict> verdicts) = 0;

  // Turns each received datagram (a natfwt data record) back into its
  // plaintext, in place (it only shrinks: no headroom or tailroom is
  // given), and sets verdicts[i]. The bytes are untrusted: any content must
  // yield a verdict, never a crash or an out-of-bounds access. Called from
  // one thread at a time (the data thread).
  virtual void OpenBatch(absl::Span<PacketSpan> packets,
                         absl::Span<Verdict> verdicts) = 0;
};

}  // namespace natfwt::relay

#endif  // NATFWT_ENGINE_RELAY_TRANSFORM_H_
