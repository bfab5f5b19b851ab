// Copyright 2026 The natfwt Authors.
//
// Helpers for SecureSession tests and benchmarks: a recording observer with
// bounded waits, a pair of sessions on one network thread that exchange
// their descriptions in memory, and a bounded poll for conditions no
// callback reports (statistics).
//
//   NetworkThread thread("t");
//   SessionPair pair(thread, LoopbackSessionOptions(true),
//                    LoopbackSessionOptions(false));
//   ASSERT_THAT(pair.Connect(), IsOk());        // Start + descriptions
//   ASSERT_THAT(pair.WaitSecure(), IsOk());
//   ASSERT_THAT(pair.WaitDirect(), IsOk());     // Both took the path over

#ifndef NATFWT_TESTS_ENGINE_SESSION_SESSION_TEST_SUPPORT_H_
#define NATFWT_TESTS_ENGINE_SESSION_SESSION_TEST_SUPPORT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/secure/identity.h"
#include "engine/session/secure_session.h"
#include "platform/base/network_thread.h"

namespace natfwt::engine::testing {

// Host candidates on 127.0.0.1 only, IPv4, the given ICE role.
SecureSession::Options LoopbackSessionOptions(bool controlling);

// Records what a session reports, under a mutex; waits are bounded.
class SessionRecorder : public SecureSessionObserver {
 public:
  // Off: datagrams are only counted (rate measurements).
  void set_keep_data(bool keep);
  // Called after each data delivery is recorded, with no lock held (set
  // before data flows).
  void set_on_data(std::function<void()> hook) { on_data_ = std::move(hook); }

  void OnLocalCandidate(const ice::TrickleCandidate& candidate) override;
  void OnGatheringDone() override;
  void OnStateChanged(SessionState state, const absl::Status& why) override;
  void OnIceRestart() override;
  void OnData(absl::Span<const uint8_t> data) override;
  void OnDataBatch(absl::Span<const absl::Span<const uint8_t>> batch) override;

  bool WaitForState(SessionState state, absl::Duration timeout);
  bool WaitForGathering(absl::Duration timeout);
  bool WaitForRestart(absl::Duration timeout);
  bool WaitForData(uint64_t count, absl::Duration timeout);

  std::vector<std::vector<uint8_t>> data();
  uint64_t data_count();
  uint64_t batch_calls();
  size_t largest_batch();
  std::vector<SessionState> states();
  absl::Status last_status();
  bool failed();

 private:
  std::function<void()> on_data_;
  absl::Mutex mutex_;
  bool keep_data_ ABSL_GUARDED_BY(mutex_) = true;
  int candidates_ ABSL_GUARDED_BY(mutex_) = 0;
  bool gathered_ ABSL_GUARDED_BY(mutex_) = false;
  int restarts_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<SessionState> states_ ABSL_GUARDED_BY(mutex_);
  absl::Status last_status_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::vector<uint8_t>> data_ ABSL_GUARDED_BY(mutex_);
  uint64_t data_count_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t batch_calls_ ABSL_GUARDED_BY(mutex_) = 0;
  size_t largest_batch_ ABSL_GUARDED_BY(mutex_) = 0;
};

struct SessionPeer {
  std::optional<secure::Identity> identity;
  SessionRecorder recorder;
  std::unique_ptr<SecureSession> session;
};

// Two sessions (a: controlling, b: controlled) on `thread`.
class SessionPair {
 public:
  SessionPair(NetworkThread& thread, SecureSession::Options a_options,
              SecureSession::Options b_options);
  SessionPair(const SessionPair&) = delete;
  SessionPair& operator=(const SessionPair&) = delete;
  // Closes and frees both sessions.
  ~SessionPair();

  // Creates both sessions (identities generated once per pair).
  absl::Status Create();
  // Starts both, waits until each finished gathering, then gives each the
  // other's description. Errors: those of the calls, kDeadlineExceeded.
  absl::Status Connect(absl::Duration timeout = absl::Seconds(20));
  // Gives each session the other's current description (after a restart).
  absl::Status ExchangeDescriptions();
  absl::Status WaitSecure(absl::Duration timeout = absl::Seconds(20));
  // Both sessions report stats().direct_path.
  absl::Status WaitDirect(absl::Duration timeout = absl::Seconds(20));

  SessionPeer& a() { return a_; }
  SessionPeer& b() { return b_; }

 private:
  NetworkThread& thread_;
  SecureSession::Options a_options_;
  SecureSession::Options b_options_;
  SessionPeer a_;
  SessionPeer b_;
};

// Polls `condition` every few milliseconds until it holds or `timeout`
// passes; returns its last value. For states no callback reports.
bool PollUntil(const std::function<bool()>& condition, absl::Duration timeout);

// Open descriptors and threads of this process (/proc/self/fd, task).
int CountOpenFds();
int CountThreads();

}  // namespace natfwt::engine::testing

#endif  // NATFWT_TESTS_ENGINE_SESSION_SESSION_TEST_SUPPORT_H_
