// Copyright 2026 The natfwt Authors.

#include "engine/ice/send_path.h"

#include <algorithm>
#include <array>

#include "absl/cleanup/cleanup.h"

namespace natfwt::ice {
namespace {

// libnice's component id for the only component a session has.
constexpr guint kComponent = 1;

absl::Status CheckDatagram(absl::Span<const uint8_t> datagram) {
  if (datagram.empty() || datagram.size() > SendPath::kMaxDatagram) {
    return absl::InvalidArgumentError("datagram must be 1-65535 bytes");
  }
  return absl::OkStatus();
}

// Sends datagrams[0..n) (n <= kBatch) in one call; returns how many went.
absl::StatusOr<size_t> SendChunk(
    NiceAgent* agent, guint stream_id,
    absl::Span<const absl::Span<const uint8_t>> datagrams) {
  std::array<GOutputVector, SendPath::kBatch> vectors;
  std::array<NiceOutputMessage, SendPath::kBatch> messages;
  for (size_t i = 0; i < datagrams.size(); ++i) {
    vectors[i] = {datagrams[i].data(), datagrams[i].size()};
    messages[i] = {&vectors[i], 1};
  }
  GError* error = nullptr;
  const gint sent = nice_agent_send_messages_nonblocking(
      agent, stream_id, kComponent, messages.data(),
      static_cast<guint>(datagrams.size()), nullptr, &error);
  if (sent < 0) {
    g_clear_error(&error);
    return absl::UnavailableError("no selected pair (or consent lost)");
  }
  return static_cast<size_t>(sent);
}

}  // namespace

SendPath::~SendPath() { Close(); }

void SendPath::Attach(NiceAgent* agent, guint stream_id) {
  g_object_ref(agent);
  absl::MutexLock lock(&mutex_);
  if (agent_ != nullptr) g_object_unref(agent_);
  agent_ = agent;
  stream_id_ = stream_id;
}

void SendPath::Close() {
  NiceAgent* agent = nullptr;
  {
    absl::MutexLock lock(&mutex_);
    std::swap(agent, agent_);
  }
  if (agent != nullptr) g_object_unref(agent);
}

absl::StatusOr<NiceAgent*> SendPath::Acquire(guint* stream_id) const {
  absl::ReaderMutexLock lock(&mutex_);
  if (agent_ == nullptr) {
    return absl::FailedPreconditionError("session is closed");
  }
  *stream_id = stream_id_;
  return static_cast<NiceAgent*>(g_object_ref(agent_));
}

absl::Status SendPath::Send(absl::Span<const uint8_t> datagram) const {
  if (absl::Status status = CheckDatagram(datagram); !status.ok())
    return status;
  guint stream_id = 0;
  absl::StatusOr<NiceAgent*> agent = Acquire(&stream_id);
  if (!agent.ok()) return agent.status();
  const gint sent = nice_agent_send(
      *agent, stream_id, kComponent, static_cast<guint>(datagram.size()),
      reinterpret_cast<const gchar*>(datagram.data()));
  g_object_unref(*agent);
  if (sent < 0)
    return absl::UnavailableError("no selected pair (or consent lost)");
  return absl::OkStatus();
}

absl::StatusOr<size_t> SendPath::SendBatch(
    absl::Span<const absl::Span<const uint8_t>> datagrams) const {
  for (absl::Span<const uint8_t> datagram : datagrams) {
    if (absl::Status status = CheckDatagram(datagram); !status.ok())
      return status;
  }
  guint stream_id = 0;
  absl::StatusOr<NiceAgent*> agent = Acquire(&stream_id);
  if (!agent.ok()) return agent.status();
  absl::Cleanup unref = [agent = *agent] { g_object_unref(agent); };
  size_t total = 0;
  while (total < datagrams.size()) {
    const size_t n = std::min(kBatch, datagrams.size() - total);
    absl::StatusOr<size_t> sent =
        SendChunk(*agent, stream_id, datagrams.subspan(total, n));
    if (!sent.ok()) {
      if (total == 0) return sent.status();
      break;
    }
    total += *sent;
    if (*sent < n) break;  // Would block: the caller retries the rest.
  }
  return total;
}

}  // namespace natfwt::ice
