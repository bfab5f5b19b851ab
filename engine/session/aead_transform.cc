// Copyright 2026 The natfwt Authors.

#include "engine/session/aead_transform.h"

#include <utility>

namespace natfwt::engine {

using Drop = secure::AeadChannel::DropReason;
using secure::AeadChannel;

AeadTransform::AeadTransform(std::unique_ptr<AeadChannel> channel)
    : channel_(std::move(channel)) {}

relay::Verdict AeadTransform::VerdictFor(Drop reason) {
  switch (reason) {
    case Drop::kNone:
      return relay::Verdict::kPass;
    case Drop::kTooShort:
    case Drop::kNotData:
      return relay::Verdict::kMalformed;
    case Drop::kAuthFailed:
      return relay::Verdict::kAuthentication;
    case Drop::kReplayed:
    case Drop::kTooOld:
      return relay::Verdict::kReplay;
    case Drop::kUnknownEpoch:
      return relay::Verdict::kNoKey;
    case Drop::kOutputTooSmall:
      return relay::Verdict::kNoRoom;
  }
  return relay::Verdict::kOther;
}

void AeadTransform::SealBatch(absl::Span<relay::PacketSpan> packets,
                              absl::Span<relay::Verdict> verdicts) {
  absl::MutexLock lock(&seal_mutex_);
  for (size_t i = 0; i < packets.size(); ++i) {
    relay::PacketSpan& packet = packets[i];
    if (packet.headroom < AeadChannel::kHeaderSize ||
        packet.tailroom < AeadChannel::kTagSize) {
      verdicts[i] = relay::Verdict::kNoRoom;
      continue;
    }
    // The plaintext sits exactly kHeaderSize into the record: in place.
    const absl::Span<const uint8_t> plaintext(packet.data, packet.size);
    absl::Span<uint8_t> out(packet.data - AeadChannel::kHeaderSize,
                            packet.size + AeadChannel::kOverhead);
    const size_t sealed = channel_->Seal(plaintext, out);
    if (sealed == 0) {
      verdicts[i] = relay::Verdict::kOther;
      continue;
    }
    packet.Prepend(AeadChannel::kHeaderSize);
    packet.Append(AeadChannel::kTagSize);
    verdicts[i] = relay::Verdict::kPass;
  }
}

void AeadTransform::OpenBatch(absl::Span<relay::PacketSpan> packets,
                              absl::Span<relay::Verdict> verdicts) {
  absl::MutexLock lock(&open_mutex_);
  for (size_t i = 0; i < packets.size(); ++i) {
    relay::PacketSpan& packet = packets[i];
    if (packet.size < AeadChannel::kOverhead) {
      verdicts[i] = relay::Verdict::kMalformed;
      (void)channel_->Open(packet.bytes(), {});  // Counted as too short.
      continue;
    }
    absl::Span<uint8_t> out(packet.data + AeadChannel::kHeaderSize,
                            packet.size - AeadChannel::kOverhead);
    const AeadChannel::OpenResult opened = channel_->Open(packet.bytes(), out);
    verdicts[i] = VerdictFor(opened.drop);
    if (!opened.ok()) continue;
    packet.TrimFront(AeadChannel::kHeaderSize);
    packet.TrimBack(packet.size - opened.size);
  }
}

size_t AeadTransform::Seal(absl::Span<const uint8_t> plaintext,
                           absl::Span<uint8_t> out) {
  absl::MutexLock lock(&seal_mutex_);
  return channel_->Seal(plaintext, out);
}

AeadChannel::OpenResult AeadTransform::Open(absl::Span<const uint8_t> record,
                                            absl::Span<uint8_t> out) {
  absl::MutexLock lock(&open_mutex_);
  return channel_->Open(record, out);
}

}  // namespace natfwt::engine
