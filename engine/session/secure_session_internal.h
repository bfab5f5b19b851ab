// Copyright 2026 The natfwt Authors.
//
// SecureSession's private pieces shared by its .cc files (lifecycle in
// secure_session.cc, sending in secure_session_send.cc, the direct path
// and liveness in secure_session_direct.cc). Internal to engine/session.

#ifndef NATFWT_ENGINE_SESSION_SECURE_SESSION_INTERNAL_H_
#define NATFWT_ENGINE_SESSION_SECURE_SESSION_INTERNAL_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "engine/relay/data_path.h"
#include "engine/session/aead_transform.h"
#include "engine/session/secure_session.h"

namespace natfwt::engine {

// Routes posted tasks and timer callbacks to the session while it is open.
// Close() clears `session` on the network thread and `thread` under the
// mutex, so a task or timer that outlives the session does nothing.
struct SecureSession::Anchor {
  absl::Mutex mutex;
  NetworkThread* thread ABSL_GUARDED_BY(mutex) = nullptr;
  SecureSession* session = nullptr;  // Read and cleared on the network thread.
};

// Receives the direct path's opened records on its data thread: data goes to
// the observer in one batch, keepalives to the liveness logic.
class SecureSession::DirectSink : public relay::PacketSink {
 public:
  explicit DirectSink(SecureSession* session) : session_(session) {}
  void OnPackets(absl::Span<relay::PacketSpan> packets) override;
  // True when called from the data thread of the path this sink serves.
  bool OnDataThread() const {
    return thread_id_.load(std::memory_order_relaxed) ==
           std::this_thread::get_id();
  }

 private:
  SecureSession* const session_;
  std::atomic<std::thread::id> thread_id_{};
  // Data thread only: the batch handed to the observer.
  std::vector<absl::Span<const uint8_t>> views_;
};

// One taken-over path. Members are destroyed bottom-up: the path (and its
// data thread) before the sink and the transform it uses.
struct SecureSession::Direct {
  std::shared_ptr<AeadTransform> transform;
  std::unique_ptr<DirectSink> sink;
  std::unique_ptr<relay::DirectPath> path;
  ice::SelectedPairInfo pair;
  // Our ICE credentials when the path was taken: checks must carry them.
  std::string ufrag;
  std::string password;
};

}  // namespace natfwt::engine

#endif  // NATFWT_ENGINE_SESSION_SECURE_SESSION_INTERNAL_H_
