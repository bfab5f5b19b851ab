// Copyright 2026 The natfwt Authors.

#include "engine/secure/aead_channel.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/secure/demux.h"
#include "platform/base/status_macros.h"

namespace natfwt::secure {
namespace {

// Largest per-epoch packet limit: leaves the 64-bit counter far from wrap.
constexpr uint64_t kMaxRekeyAfterPackets = uint64_t{1} << 62;

void StoreBigEndian64(uint64_t value, uint8_t* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(value);
    value >>= 8;
  }
}

uint64_t LoadBigEndian64(const uint8_t* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | in[i];
  return value;
}

absl::Status ValidateOptions(const AeadChannel::Options& options) {
  if (options.rekey_after_packets == 0 ||
      options.rekey_after_packets > kMaxRekeyAfterPackets) {
    return absl::InvalidArgumentError(
        absl::StrCat("rekey_after_packets must be in [1, 2^62]; got ",
                     options.rekey_after_packets));
  }
  if (options.rekey_after_bytes == 0) {
    return absl::InvalidArgumentError("rekey_after_bytes must be at least 1");
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view AeadChannel::DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kNone:
      return "none";
    case DropReason::kTooShort:
      return "too_short";
    case DropReason::kNotData:
      return "not_data";
    case DropReason::kUnknownEpoch:
      return "unknown_epoch";
    case DropReason::kTooOld:
      return "too_old";
    case DropReason::kReplayed:
      return "replayed";
    case DropReason::kAuthFailed:
      return "auth_failed";
    case DropReason::kOutputTooSmall:
      return "output_too_small";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<AeadChannel>> AeadChannel::Create(
    const ChannelKeys& keys, DtlsRole local_role, const Options& options) {
  return Create(keys.algorithm, keys.SendKeys(local_role),
                keys.ReceiveKeys(local_role), options);
}

absl::StatusOr<std::unique_ptr<AeadChannel>> AeadChannel::Create(
    AeadAlgorithm algorithm, const DirectionKeys& send,
    const DirectionKeys& receive, const Options& options) {
  NATFWT_RETURN_IF_ERROR(ValidateOptions(options));
  NATFWT_ASSIGN_OR_RETURN(
      AeadKey send_key, AeadKey::Create(algorithm, AeadKey::Direction::kSeal));
  if (!send_key.SetKeys(send)) {
    return absl::InternalError("OpenSSL refused the sending key");
  }
  std::vector<ReceiveSlot> slots;
  slots.reserve(kReceiveSlots);
  for (uint64_t i = 0; i < kReceiveSlots; ++i) {
    NATFWT_ASSIGN_OR_RETURN(
        AeadKey key, AeadKey::Create(algorithm, AeadKey::Direction::kOpen));
    slots.push_back(ReceiveSlot{std::move(key), ReplayWindow(), 0, false});
  }
  if (!slots[0].key.SetKeys(receive)) {
    return absl::InternalError("OpenSSL refused the receiving key");
  }
  slots[0].valid = true;
  NATFWT_ASSIGN_OR_RETURN(EpochKeyDeriver send_deriver,
                          EpochKeyDeriver::Create());
  NATFWT_ASSIGN_OR_RETURN(EpochKeyDeriver receive_deriver,
                          EpochKeyDeriver::Create());
  std::unique_ptr<AeadChannel> channel(new AeadChannel(
      algorithm, options, std::move(send_key), std::move(send_deriver),
      std::move(slots), std::move(receive_deriver)));
  channel->AdvanceReceiveEpoch(0);
  if (channel->receive_rekey_failures_.Get() != 0) {
    return absl::InternalError("cannot derive the next receiving keys");
  }
  return channel;
}

AeadChannel::AeadChannel(AeadAlgorithm algorithm, const Options& options,
                         AeadKey send, EpochKeyDeriver send_deriver,
                         std::vector<ReceiveSlot> slots,
                         EpochKeyDeriver receive_deriver)
    : algorithm_(algorithm),
      options_(options),
      send_key_(std::move(send)),
      send_deriver_(std::move(send_deriver)),
      slots_(std::move(slots)),
      receive_deriver_(std::move(receive_deriver)) {}

AeadChannel::~AeadChannel() = default;

// ---- Send side ----

bool AeadChannel::RotateSendKey() {
  DirectionKeys next;
  if (!send_deriver_.Next(send_key_.keys(), &next) ||
      !send_key_.SetKeys(next)) {
    send_rekey_failures_.Add(1);
    return false;
  }
  ++send_epoch_;
  send_counter_ = 0;
  send_bytes_ = 0;
  send_epoch_stat_.Set(send_epoch_);
  return true;
}

bool AeadChannel::PrepareSendKey() {
  if (send_broken_) return false;
  if (send_counter_ < options_.rekey_after_packets &&
      send_bytes_ < options_.rekey_after_bytes) {
    return true;
  }
  send_broken_ = !RotateSendKey();
  return !send_broken_;
}

size_t AeadChannel::Seal(absl::Span<const uint8_t> plaintext,
                         absl::Span<uint8_t> out) {
  if (plaintext.size() > kMaxPlaintextSize ||
      out.size() < plaintext.size() + kOverhead || !PrepareSendKey()) {
    seal_errors_.Add(1);
    return 0;
  }
  uint8_t* header = out.data();
  header[0] = static_cast<uint8_t>(kNatfwtDataTypeBase |
                                   (send_epoch_ & kNatfwtDataEpochMask));
  StoreBigEndian64(send_counter_, header + 1);
  const uint64_t counter = send_counter_++;  // Burnt even on failure.
  if (!send_key_.Seal(counter, absl::MakeConstSpan(header, kHeaderSize),
                      plaintext, header + kHeaderSize)) {
    send_broken_ = true;
    seal_errors_.Add(1);
    return 0;
  }
  send_bytes_ += plaintext.size();
  packets_sealed_.Add(1);
  bytes_sealed_.Add(plaintext.size());
  return plaintext.size() + kOverhead;
}

size_t AeadChannel::SealBatch(
    absl::Span<const absl::Span<const uint8_t>> plaintexts,
    absl::Span<const absl::Span<uint8_t>> outs, absl::Span<size_t> sizes) {
  size_t sealed = 0;
  const size_t count = std::min({plaintexts.size(), outs.size(), sizes.size()});
  for (size_t i = 0; i < count; ++i) {
    sizes[i] = Seal(plaintexts[i], outs[i]);
    if (sizes[i] != 0) ++sealed;
  }
  return sealed;
}

// ---- Receive side ----

AeadChannel::OpenResult AeadChannel::Drop(DropReason reason) {
  dropped_[static_cast<size_t>(reason)].Add(1);
  return OpenResult{0, reason};
}

AeadChannel::ReceiveSlot* AeadChannel::SlotFor(uint8_t wire_epoch) {
  const uint64_t distance =
      (wire_epoch - receive_epoch_) & kNatfwtDataEpochMask;
  uint64_t epoch;
  if (distance <= kLookahead) {
    epoch = receive_epoch_ + distance;
  } else if (distance == kNatfwtDataEpochMask && receive_epoch_ > 0) {
    epoch = receive_epoch_ - 1;  // The previous epoch, in its grace period.
  } else {
    return nullptr;
  }
  ReceiveSlot& slot = slots_[epoch % kReceiveSlots];
  return slot.valid && slot.epoch == epoch ? &slot : nullptr;
}

void AeadChannel::PrepareSlot(uint64_t epoch) {
  ReceiveSlot& slot = slots_[epoch % kReceiveSlots];
  if (slot.valid && slot.epoch == epoch) return;
  const ReceiveSlot& prior = slots_[(epoch - 1) % kReceiveSlots];
  slot.valid = false;
  if (!prior.valid || prior.epoch != epoch - 1) return;
  DirectionKeys next;
  if (!receive_deriver_.Next(prior.key.keys(), &next) ||
      !slot.key.SetKeys(next)) {
    receive_rekey_failures_.Add(1);
    return;
  }
  slot.window.Reset();
  slot.epoch = epoch;
  slot.valid = true;
}

void AeadChannel::AdvanceReceiveEpoch(uint64_t epoch) {
  receive_epoch_ = epoch;
  receive_epoch_stat_.Set(epoch);
  // Slots of epochs before epoch - 1 are reused for the new look-ahead
  // epochs (same index mod kReceiveSlots).
  for (uint64_t ahead = epoch + 1; ahead <= epoch + kLookahead; ++ahead) {
    PrepareSlot(ahead);
  }
}

AeadChannel::OpenResult AeadChannel::Open(absl::Span<const uint8_t> record,
                                          absl::Span<uint8_t> out) {
  if (record.size() < kOverhead) return Drop(DropReason::kTooShort);
  if (ClassifyPacket(record[0]) != PacketKind::kNatfwtData) {
    return Drop(DropReason::kNotData);
  }
  ReceiveSlot* slot = SlotFor(record[0] & kNatfwtDataEpochMask);
  if (slot == nullptr) return Drop(DropReason::kUnknownEpoch);
  const uint64_t counter = LoadBigEndian64(record.data() + 1);
  switch (slot->window.Check(counter)) {
    case ReplayWindow::Verdict::kTooOld:
      return Drop(DropReason::kTooOld);
    case ReplayWindow::Verdict::kReplayed:
      return Drop(DropReason::kReplayed);
    case ReplayWindow::Verdict::kFresh:
      break;
  }
  const size_t size = record.size() - kOverhead;
  if (out.size() < size) return Drop(DropReason::kOutputTooSmall);
  if (!slot->key.Open(counter, record.first(kHeaderSize),
                      record.subspan(kHeaderSize, size),
                      record.data() + kHeaderSize + size, out.data())) {
    return Drop(DropReason::kAuthFailed);
  }
  slot->window.Accept(counter);
  if (slot->epoch > receive_epoch_) AdvanceReceiveEpoch(slot->epoch);
  packets_opened_.Add(1);
  bytes_opened_.Add(size);
  return OpenResult{size, DropReason::kNone};
}

size_t AeadChannel::OpenBatch(
    absl::Span<const absl::Span<const uint8_t>> records,
    absl::Span<const absl::Span<uint8_t>> outs,
    absl::Span<OpenResult> results) {
  size_t opened = 0;
  const size_t count = std::min({records.size(), outs.size(), results.size()});
  for (size_t i = 0; i < count; ++i) {
    results[i] = Open(records[i], outs[i]);
    if (results[i].ok()) ++opened;
  }
  return opened;
}

AeadChannel::Stats AeadChannel::stats() const {
  Stats stats;
  stats.packets_sealed = packets_sealed_.Get();
  stats.bytes_sealed = bytes_sealed_.Get();
  stats.seal_errors = seal_errors_.Get();
  stats.packets_opened = packets_opened_.Get();
  stats.bytes_opened = bytes_opened_.Get();
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    stats.dropped[i] = dropped_[i].Get();
  }
  stats.send_epoch = send_epoch_stat_.Get();
  stats.receive_epoch = receive_epoch_stat_.Get();
  stats.rekey_failures =
      send_rekey_failures_.Get() + receive_rekey_failures_.Get();
  return stats;
}

}  // namespace natfwt::secure
