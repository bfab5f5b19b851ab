// Copyright 2026 The natfwt Authors.
//
// AeadChannel: the encrypted data path after the DTLS handshake.
//
// Each natfwt data datagram is one record:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |1 1 0 1 0|epoch|                                               |
//   +-+-+-+-+-+-+-+-+        packet counter (64 bits, big-endian)   +
//   |                                                               |
//   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |               |                                               |
//   +-+-+-+-+-+-+-+-+        ciphertext (same length as the         +
//   |                        plaintext, 0 or more bytes)            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  authentication tag (16 bytes)                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   * type byte 0xD0 | epoch: 208-215, outside every range RFC 7983 §7
//     assigns (STUN 0-3, DTLS 20-63, TURN ChannelData 64-79, RTP 128-191),
//     so one byte demultiplexes the ICE socket (demux.h). The low 3 bits
//     are the sender's key epoch mod 8.
//   * packet counter: starts at 0 in every epoch and increases by one per
//     record; the AEAD nonce is the direction's salt XOR the counter
//     (aead_key.h). Never repeats under one key.
//   * the 9 header bytes are the AEAD's associated data: changing the type,
//     epoch or counter fails authentication like changing the ciphertext.
//
// Overhead: 25 bytes per datagram. The AEAD is AES-256-GCM or
// ChaCha20-Poly1305 (the DTLS handshake negotiates which, see
// dtls_handshake.h), one EVP context per key created up front.
//
// Anti-replay: a 2048-counter sliding window per key epoch (replay_window.h);
// a counter is recorded only after its record authenticated.
//
// Rekeying (both directions independently): before sealing the first record
// once the epoch's counter reached Options::rekey_after_packets or its
// plaintext bytes reached Options::rekey_after_bytes, the sender derives the
// next epoch's key and salt from the current ones (HKDF-Expand, label
// "natfwt rekey", aead_key.h), increments the epoch and restarts the counter
// at 0. The receiver keeps keys for the previous epoch (a grace period that
// lasts until the following epoch change, so records still in flight open),
// the current one and the next three (so it follows a sender even if whole
// epochs of records were lost); it moves forward only when a record of a
// later epoch authenticates. Records from any other epoch are dropped as
// kUnknownEpoch.
//
// Default limits (implementation choice): 2^32 records or 2^38 plaintext
// bytes per key, whichever comes first. 2^38 bytes is 2^34 AES blocks, the
// margin RFC 8446 §5.5 gives AES-GCM (about 2^-57 distinguishing
// advantage); ChaCha20-Poly1305 has no practical limit there but uses the
// same numbers. Rekeying costs one HKDF and one key setup.
//
// The data path never allocates, logs or builds an absl::Status: Seal()
// returns a size (0 = not sealed), Open() a size or a DropReason, and every
// outcome is counted in stats().
//
// Thread-safety: Seal()/SealBatch() and Open()/OpenBatch() share no mutable
// state, so one thread may seal while another opens. Two threads must not
// seal (or open) at the same time. stats() may be called from any thread.

#ifndef NATFWT_ENGINE_SECURE_AEAD_CHANNEL_H_
#define NATFWT_ENGINE_SECURE_AEAD_CHANNEL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/secure/aead_key.h"
#include "engine/secure/channel_keys.h"
#include "engine/secure/replay_window.h"
#include "engine/secure/stat_counter.h"

namespace natfwt::secure {

// AeadChannel::Options (declared outside the class so that it can be a
// default argument of the class's own functions).
struct AeadChannelOptions {
  // Rekey before the first record after this many in one epoch (>= 1).
  uint64_t rekey_after_packets = uint64_t{1} << 32;
  // ... or after this many plaintext bytes in one epoch (>= 1).
  uint64_t rekey_after_bytes = uint64_t{1} << 38;
};

class AeadChannel {
 public:
  static constexpr size_t kHeaderSize = 9;  // Type byte + 64-bit counter.
  static constexpr size_t kTagSize = kAeadTagSize;
  static constexpr size_t kOverhead = kHeaderSize + kTagSize;
  // Largest plaintext Seal() takes: a record fits a 16-bit length.
  static constexpr size_t kMaxPlaintextSize = 65535 - kOverhead;

  // Why Open() refused a record.
  enum class DropReason : uint8_t {
    kNone = 0,        // Not dropped.
    kTooShort,        // Shorter than header + tag.
    kNotData,         // First byte is not 0xD0-0xD7.
    kUnknownEpoch,    // No key for that epoch (too old, too far ahead).
    kTooOld,          // Counter fell out of the replay window.
    kReplayed,        // Counter already received.
    kAuthFailed,      // Tag did not verify (tampered, forged, wrong key).
    kOutputTooSmall,  // The caller's buffer cannot hold the plaintext.
  };
  static constexpr size_t kDropReasonCount = 8;
  // "too_short", "not_data", ... for statistics output.
  static absl::string_view DropReasonName(DropReason reason);

  struct OpenResult {
    size_t size = 0;  // Plaintext bytes written, when ok().
    DropReason drop = DropReason::kNone;
    bool ok() const { return drop == DropReason::kNone; }
  };

  using Options = AeadChannelOptions;

  struct Stats {
    uint64_t packets_sealed = 0;
    uint64_t bytes_sealed = 0;  // Plaintext bytes.
    uint64_t seal_errors = 0;   // Seal() returned 0.
    uint64_t packets_opened = 0;
    uint64_t bytes_opened = 0;  // Plaintext bytes.
    // Indexed by DropReason; entry 0 (kNone) stays 0.
    std::array<uint64_t, kDropReasonCount> dropped{};
    uint64_t send_epoch = 0;      // Current sending key epoch.
    uint64_t receive_epoch = 0;   // Newest epoch a record authenticated in.
    uint64_t rekey_failures = 0;  // OpenSSL refused a derived key.

    uint64_t dropped_by(DropReason reason) const {
      return dropped[static_cast<size_t>(reason)];
    }
  };

  // A channel for the node in `local_role` of a finished handshake: it
  // seals with keys.SendKeys(local_role) and opens with
  // keys.ReceiveKeys(local_role). Errors: kInvalidArgument for options out
  // of range; kInternal when OpenSSL cannot set up the AEAD or HKDF.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AeadChannel>> Create(
      const ChannelKeys& keys, DtlsRole local_role,
      const Options& options = Options());

  // The same with explicit per-direction keys (tests, benchmarks).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AeadChannel>> Create(
      AeadAlgorithm algorithm, const DirectionKeys& send,
      const DirectionKeys& receive, const Options& options = Options());

  AeadChannel(const AeadChannel&) = delete;
  AeadChannel& operator=(const AeadChannel&) = delete;
  ~AeadChannel();

  // Seals `plaintext` into a record in `out` and returns the record's size
  // (plaintext.size() + kOverhead). Returns 0, and counts a seal error,
  // when `out` is too small, the plaintext is larger than
  // kMaxPlaintextSize, or OpenSSL failed (then the channel stops sealing:
  // a broken key is never reused). For in-place sealing the plaintext may
  // sit exactly at out.data() + kHeaderSize; no other overlap is allowed.
  size_t Seal(absl::Span<const uint8_t> plaintext, absl::Span<uint8_t> out);

  // Authenticates and decrypts `record` into `out`. On success returns the
  // plaintext size; otherwise the drop reason (counted) and `out` holds no
  // plaintext. `out` may be exactly record.data() + kHeaderSize (in
  // place); no other overlap is allowed.
  OpenResult Open(absl::Span<const uint8_t> record, absl::Span<uint8_t> out);

  // Seal() for each i < plaintexts.size() into outs[i], storing each
  // record size (or 0) in sizes[i]; returns how many were sealed. `outs`
  // and `sizes` must be at least as long as `plaintexts` (extra plaintexts
  // are not sealed).
  size_t SealBatch(absl::Span<const absl::Span<const uint8_t>> plaintexts,
                   absl::Span<const absl::Span<uint8_t>> outs,
                   absl::Span<size_t> sizes);

  // Open() for each i < records.size() into outs[i], storing each result
  // in results[i]; returns how many opened. Same length rules as
  // SealBatch().
  size_t OpenBatch(absl::Span<const absl::Span<const uint8_t>> records,
                   absl::Span<const absl::Span<uint8_t>> outs,
                   absl::Span<OpenResult> results);

  AeadAlgorithm algorithm() const { return algorithm_; }
  Stats stats() const;

 private:
  // Receive keys kept: previous, current and kLookahead later epochs.
  static constexpr uint64_t kLookahead = 3;
  static constexpr uint64_t kReceiveSlots = kLookahead + 2;

  struct ReceiveSlot {
    AeadKey key;
    ReplayWindow window;
    uint64_t epoch = 0;
    bool valid = false;
  };

  AeadChannel(AeadAlgorithm algorithm, const Options& options, AeadKey send,
              EpochKeyDeriver send_deriver, std::vector<ReceiveSlot> slots,
              EpochKeyDeriver receive_deriver);

  // Send side.
  bool PrepareSendKey();
  bool RotateSendKey();
  // Receive side.
  ReceiveSlot* SlotFor(uint8_t wire_epoch);
  OpenResult Drop(DropReason reason);
  void AdvanceReceiveEpoch(uint64_t epoch);
  void PrepareSlot(uint64_t epoch);

  const AeadAlgorithm algorithm_;
  const Options options_;

  // Owned by the sealing thread.
  AeadKey send_key_;
  EpochKeyDeriver send_deriver_;
  uint64_t send_epoch_ = 0;
  uint64_t send_counter_ = 0;
  uint64_t send_bytes_ = 0;
  bool send_broken_ = false;

  // Owned by the opening thread.
  std::vector<ReceiveSlot> slots_;  // slots_[epoch % kReceiveSlots].
  EpochKeyDeriver receive_deriver_;
  uint64_t receive_epoch_ = 0;

  // Statistics: each counter has a single writer (its side's thread).
  StatCounter packets_sealed_;
  StatCounter bytes_sealed_;
  StatCounter seal_errors_;
  StatCounter packets_opened_;
  StatCounter bytes_opened_;
  std::array<StatCounter, kDropReasonCount> dropped_;
  StatCounter send_epoch_stat_;
  StatCounter receive_epoch_stat_;
  StatCounter send_rekey_failures_;
  StatCounter receive_rekey_failures_;
};

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_AEAD_CHANNEL_H_
