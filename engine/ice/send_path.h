// Copyright 2026 The natfwt Authors.
//
// SendPath: the part of a session that any thread may use to send. It holds
// a reference to the session's libnice agent and the current stream id;
// libnice's send functions are thread-safe. Internal to engine/ice.
//
// Thread-safety: every method may be called from any thread. No lock is held
// while libnice runs (a sender takes a GObject reference under the lock).

#ifndef NATFWT_ENGINE_ICE_SEND_PATH_H_
#define NATFWT_ENGINE_ICE_SEND_PATH_H_

#include <nice/agent.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace natfwt::ice {

class SendPath {
 public:
  // Datagrams per nice_agent_send_messages_nonblocking call (implementation
  // choice, the usual sendmmsg batch).
  static constexpr size_t kBatch = 64;
  // Largest datagram accepted (UDP payload limit).
  static constexpr size_t kMaxDatagram = 65535;

  SendPath() = default;
  SendPath(const SendPath&) = delete;
  SendPath& operator=(const SendPath&) = delete;
  ~SendPath();

  // Points the path at `agent` (referenced) and `stream_id`; replaces any
  // previous agent.
  void Attach(NiceAgent* agent, guint stream_id);
  // Forgets the agent; later sends fail with kFailedPrecondition.
  void Close();

  // See IceSession::Send / SendBatch for the contract and errors.
  absl::Status Send(absl::Span<const uint8_t> datagram) const;
  absl::StatusOr<size_t> SendBatch(
      absl::Span<const absl::Span<const uint8_t>> datagrams) const;

 private:
  // A referenced agent and its stream, or kFailedPrecondition.
  absl::StatusOr<NiceAgent*> Acquire(guint* stream_id) const;

  mutable absl::Mutex mutex_;
  NiceAgent* agent_ ABSL_GUARDED_BY(mutex_) = nullptr;
  guint stream_id_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_SEND_PATH_H_
