// Copyright 2026 The natfwt Authors.
//
// SecureSession: framing ([kind][body], session_record.h), sealing and
// sending records on the direct path (batches, in place) or through
// libnice; control records (keepalives) received on either path.

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "engine/session/secure_session.h"
#include "engine/session/secure_session_internal.h"
#include "engine/session/session_record.h"

namespace natfwt::engine {
namespace {

constexpr size_t kChunk = relay::DirectPath::kSendChunk;
constexpr size_t kHeadroom = secure::AeadChannel::kHeaderSize;
constexpr size_t kTailroom = secure::AeadChannel::kTagSize;
constexpr size_t kCacheLine = 64;

size_t RoundUp(size_t n) {
  return (n + kCacheLine - 1) / kCacheLine * kCacheLine;
}

}  // namespace

// Framed plaintexts of one chunk, each with room to be sealed in place. One
// per sending thread; grows to the largest chunk seen, then never allocates.
struct SecureSession::Staging {
  std::vector<uint8_t> buffer;
  std::array<relay::PacketSpan, kChunk> packets;
  std::array<relay::Verdict, kChunk> verdicts;
  std::array<size_t, kChunk> body_sizes;

  void Stage(uint8_t kind, absl::Span<const absl::Span<const uint8_t>> bodies) {
    size_t largest = 0;
    for (absl::Span<const uint8_t> body : bodies) {
      largest = std::max(largest, body.size());
    }
    const size_t stride =
        RoundUp(kHeadroom + kRecordKindSize + largest + kTailroom);
    if (buffer.size() < stride * bodies.size()) buffer.resize(stride * kChunk);
    for (size_t i = 0; i < bodies.size(); ++i) {
      uint8_t* plaintext = buffer.data() + i * stride + kHeadroom;
      plaintext[0] = kind;
      if (!bodies[i].empty()) {
        std::memcpy(plaintext + kRecordKindSize, bodies[i].data(),
                    bodies[i].size());
      }
      const size_t size = kRecordKindSize + bodies[i].size();
      packets[i] = relay::PacketSpan{plaintext, size, kHeadroom,
                                     stride - kHeadroom - size};
      body_sizes[i] = bodies[i].size();
    }
  }
};

absl::Status SecureSession::Send(absl::Span<const uint8_t> data) {
  absl::StatusOr<size_t> sent = SendFramed(
      static_cast<uint8_t>(RecordKind::kData), absl::MakeConstSpan(&data, 1));
  return sent.status();
}

absl::StatusOr<size_t> SecureSession::SendBatch(
    absl::Span<const absl::Span<const uint8_t>> datagrams) {
  return SendFramed(static_cast<uint8_t>(RecordKind::kData), datagrams);
}

absl::StatusOr<size_t> SecureSession::SendFramed(
    uint8_t kind, absl::Span<const absl::Span<const uint8_t>> bodies) {
  const bool data = kind == static_cast<uint8_t>(RecordKind::kData);
  std::shared_ptr<AeadTransform> transform;
  std::shared_ptr<Direct> direct;
  {
    absl::MutexLock lock(&mutex_);
    if (transform_ == nullptr || state_ != SessionState::kSecure) {
      if (data) stats_.send_errors += bodies.size();
      return absl::FailedPreconditionError("the session is not secure");
    }
    transform = transform_;
    direct = direct_;
  }
  thread_local Staging staging;
  std::array<absl::Span<const uint8_t>, kChunk> chunk;
  size_t sent = 0, too_large = 0, next = 0;
  uint64_t bytes = 0;
  absl::Status error;
  while (next < bodies.size()) {
    size_t count = 0;
    for (; next < bodies.size() && count < kChunk; ++next) {
      if (bodies[next].size() > kMaxDatagramSize) {
        ++too_large;
        continue;
      }
      chunk[count++] = bodies[next];
    }
    if (count == 0) continue;
    staging.Stage(kind, absl::MakeConstSpan(chunk.data(), count));
    absl::StatusOr<size_t> done =
        SendStaged(staging, count, *transform, direct);
    if (!done.ok()) {
      error = done.status();
      continue;
    }
    sent += *done;
    for (size_t i = 0; i < *done; ++i) bytes += staging.body_sizes[i];
  }
  if (data) {
    absl::MutexLock lock(&mutex_);
    stats_.packets_sent += sent;
    stats_.bytes_sent += bytes;
    stats_.send_errors += bodies.size() - sent;
  }
  if (sent > 0 || bodies.empty()) return sent;
  if (too_large > 0 && error.ok()) {
    return absl::InvalidArgumentError("datagram too large for a record");
  }
  return error.ok() ? absl::UnavailableError("nothing could be sent") : error;
}

absl::StatusOr<size_t> SecureSession::SendStaged(
    Staging& staging, size_t count, AeadTransform& transform,
    const std::shared_ptr<Direct>& direct) {
  absl::Span<relay::PacketSpan> packets(staging.packets.data(), count);
  if (direct != nullptr) {
    const size_t sent = direct->path->SendInPlace(packets);
    if (sent == 0) {
      return absl::UnavailableError("the direct path refused the datagrams");
    }
    return sent;
  }
  transform.SealBatch(packets, absl::MakeSpan(staging.verdicts.data(), count));
  size_t sent = 0;
  absl::Status error;
  for (size_t i = 0; i < count; ++i) {
    if (staging.verdicts[i] != relay::Verdict::kPass) {
      error = absl::InternalError("sealing failed");
      continue;
    }
    absl::Status status = SendOrKeep(packets[i].bytes());
    if (status.ok()) {
      // Keep body_sizes[0 .. sent) for the ones that went out.
      staging.body_sizes[sent++] = staging.body_sizes[i];
    } else {
      error = std::move(status);
    }
  }
  if (sent == 0) return error;
  return sent;
}

void SecureSession::OnControlRecord(absl::Span<const uint8_t> plaintext) {
  std::optional<Keepalive> keepalive = ParseKeepalive(plaintext);
  if (!keepalive.has_value()) {
    absl::MutexLock lock(&mutex_);
    ++stats_.drops_other;  // Empty, reserved kind or malformed keepalive.
    return;
  }
  if (!keepalive->response) {
    std::array<uint8_t, kKeepaliveSize> answer;
    WriteKeepalive(Keepalive{true, keepalive->id}, absl::MakeSpan(answer));
    const absl::Span<const uint8_t> body =
        absl::MakeConstSpan(answer).subspan(kRecordKindSize);
    if (SendFramed(answer[0], absl::MakeConstSpan(&body, 1)).ok()) {
      absl::MutexLock lock(&mutex_);
      ++stats_.keepalives_answered;
    }
    return;
  }
  absl::MutexLock lock(&liveness_mutex_);
  if (liveness_.has_value()) liveness_->OnResponse(keepalive->id, clock_.Now());
}

}  // namespace natfwt::engine
