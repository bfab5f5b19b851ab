// Copyright 2026 The natfwt Authors.
//
// AeadTransform: the secure channel (engine/secure AeadChannel) as the
// per-packet transform of a DirectPath (engine/relay PacketTransform), so
// engine/relay never depends on engine/secure.
//
// SealBatch() turns each plaintext packet into one AEAD record in place: the
// 9-byte record header goes into the packet's headroom and the 16-byte tag
// into its tailroom (aead_channel.h, record format). OpenBatch()
// authenticates and decrypts each record in place; the plaintext starts
// kHeaderSize bytes into the record. AeadChannel's drop reasons map onto
// relay verdicts:
//
//   kTooShort, kNotData         -> kMalformed
//   kAuthFailed                 -> kAuthentication
//   kReplayed, kTooOld          -> kReplay
//   kUnknownEpoch               -> kNoKey
//   kOutputTooSmall             -> kNoRoom
//   Seal() refused (too large,
//   broken key)                 -> kOther
//
// Every outcome is also counted by the channel (stats()).
//
//   auto transform = std::make_shared<AeadTransform>(std::move(channel));
//   options.transform = transform.get();  // DirectPathOptions
//
// Thread-safety: one sealing and one opening thread may run at once (the
// channel's rule). Sealing calls (SealBatch, Seal) take turns on one mutex
// and opening calls (OpenBatch, Open) on another, once per batch, so the
// session's control path may seal or open next to a DirectPath. stats() from
// any thread. No allocation, logging or absl::Status per packet.

#ifndef NATFWT_ENGINE_SESSION_AEAD_TRANSFORM_H_
#define NATFWT_ENGINE_SESSION_AEAD_TRANSFORM_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "engine/relay/packet.h"
#include "engine/relay/transform.h"
#include "engine/secure/aead_channel.h"

namespace natfwt::engine {

class AeadTransform final : public relay::PacketTransform {
 public:
  // Takes the channel (not null).
  explicit AeadTransform(std::unique_ptr<secure::AeadChannel> channel);
  AeadTransform(const AeadTransform&) = delete;
  AeadTransform& operator=(const AeadTransform&) = delete;
  ~AeadTransform() override = default;

  // The relay verdict for an AeadChannel drop reason (table above); kPass
  // for kNone.
  static relay::Verdict VerdictFor(secure::AeadChannel::DropReason reason);

  size_t seal_headroom() const override {
    return secure::AeadChannel::kHeaderSize;
  }
  size_t seal_tailroom() const override {
    return secure::AeadChannel::kTagSize;
  }
  // PacketTransform: see the file comment. A packet with less than
  // seal_headroom()/seal_tailroom() of room gets kNoRoom and is unchanged.
  void SealBatch(absl::Span<relay::PacketSpan> packets,
                 absl::Span<relay::Verdict> verdicts) override;
  void OpenBatch(absl::Span<relay::PacketSpan> packets,
                 absl::Span<relay::Verdict> verdicts) override;

  // One record outside a batch (AeadChannel::Seal/Open contracts), under
  // the same turn-taking as the batch calls.
  size_t Seal(absl::Span<const uint8_t> plaintext, absl::Span<uint8_t> out);
  secure::AeadChannel::OpenResult Open(absl::Span<const uint8_t> record,
                                       absl::Span<uint8_t> out);

  secure::AeadChannel::Stats stats() const { return channel_->stats(); }

 private:
  const std::unique_ptr<secure::AeadChannel> channel_;
  absl::Mutex seal_mutex_;
  absl::Mutex open_mutex_;
};

}  // namespace natfwt::engine

#endif  // NATFWT_ENGINE_SESSION_AEAD_TRANSFORM_H_
