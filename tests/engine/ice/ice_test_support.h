// Copyright 2026 The natfwt Authors.
//
// Helpers for IceSession tests: a recording observer with bounded waits, an
// in-memory signalling channel between two sessions, resource counters for
// leak checks, and a coturn turnserver started on loopback.
//
//   NetworkThread thread("ice-test");
//   ASSERT_THAT(thread.Start(), IsOk());
//   IcePair pair(thread, LoopbackConfig(true), LoopbackConfig(false));
//   ASSERT_THAT(pair.Create(), IsOk());
//   ASSERT_THAT(pair.ExchangeDescriptions(), IsOk());   // trickle from here
//   ASSERT_THAT(pair.StartBoth(), IsOk());
//   ASSERT_TRUE(pair.a().observer.WaitForState(IceState::kConnected, kWait));

#ifndef NATFWT_TESTS_ENGINE_ICE_ICE_TEST_SUPPORT_H_
#define NATFWT_TESTS_ENGINE_ICE_ICE_TEST_SUPPORT_H_

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/ice/ice_session.h"
#include "platform/base/network_thread.h"
#include "tests/support/temp_dir.h"

namespace natfwt::ice::testing {

// A session config for tests: host candidates on `address` only (never other
// interfaces), IPv4, the given role, short timeouts.
SessionConfig LoopbackConfig(bool controlling,
                             const char* address = "127.0.0.1");
Fingerprint TestFingerprint(uint8_t seed);

// What a session reported, recorded under a mutex; waits are bounded.
struct Recorded {
  std::vector<TrickleCandidate> candidates;
  std::vector<EndOfCandidates> gathering_done;
  std::vector<IceState> states;
  std::vector<SelectedPairInfo> pairs;
  std::vector<std::string> data;  // Kept unless set_keep_data(false).
  uint64_t data_count = 0;
  std::vector<RestartCause> restarts;
  int consent_lost = 0;
  int callbacks_after_close = 0;
};

// Forwards a session's signalling (set by IcePair). Called on the network
// thread from inside observer callbacks.
struct SignallingHooks {
  std::function<void(const TrickleCandidate&)> candidate;
  std::function<void(const EndOfCandidates&)> end;
  std::function<void()> restart;
};

class RecordingObserver : public IceSessionObserver {
 public:
  void set_hooks(SignallingHooks hooks) { hooks_ = std::move(hooks); }
  // Off: datagrams are only counted (rate measurements).
  void set_keep_data(bool keep) {
    absl::MutexLock lock(&mutex_);
    keep_data_ = keep;
  }
  // A copy of everything recorded so far.
  Recorded Snapshot() const;
  // Waits until `predicate(recorded)` holds; false after `timeout`.
  bool WaitFor(const std::function<bool(const Recorded&)>& predicate,
               absl::Duration timeout) const;
  bool WaitForState(IceState state, absl::Duration timeout) const;
  bool WaitForData(const std::string& payload, absl::Duration timeout) const;

  void OnLocalCandidate(const TrickleCandidate& candidate) override;
  void OnGatheringDone(const EndOfCandidates& end) override;
  void OnStateChanged(IceState state) override;
  void OnSelectedPair(const SelectedPairInfo& pair) override;
  void OnData(absl::Span<const uint8_t> data) override;
  void OnConsentLost() override;
  void OnIceRestart(RestartCause cause) override;

 private:
  void CountIfClosed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  SignallingHooks hooks_;  // Set before the session exists.
  mutable absl::Mutex mutex_;
  Recorded recorded_ ABSL_GUARDED_BY(mutex_);
  bool keep_data_ ABSL_GUARDED_BY(mutex_) = true;
};

struct Peer {
  RecordingObserver observer;
  std::unique_ptr<IceSession> session;
};

// Two sessions (a: controlling, b: controlled) on one network thread with an
// in-memory trickle signalling channel: each session's candidates,
// end-of-candidates and restarts reach the other as tasks posted to the
// network thread, in order. A candidate filter can hold candidates back
// (ReleaseHeld forwards them later).
class IcePair {
 public:
  IcePair(NetworkThread& thread, SessionConfig a_config,
          SessionConfig b_config);
  IcePair(const IcePair&) = delete;
  IcePair& operator=(const IcePair&) = delete;
  // Stops forwarding, then closes and frees both sessions.
  ~IcePair();

  absl::Status Create();
  // Gives each session the other's current description.
  absl::Status ExchangeDescriptions();
  absl::Status StartBoth();
  // Candidates for which `accept` is false are held, in both directions and
  // in descriptions exchanged from then on.
  void SetFilter(std::function<bool(const Candidate&)> accept);
  // Forwards (and clears) the held candidates, then lifts the filter.
  void ReleaseHeld();
  // Stops forwarding signalling (a peer that vanished).
  void Disconnect();
  // Errors returned by the forwarded calls (none expected).
  std::vector<absl::Status> ForwardingErrors() const;
  void CloseBoth();

  Peer& a() { return a_; }
  Peer& b() { return b_; }
  NetworkThread& thread() { return thread_; }

 private:
  struct Shared;
  SignallingHooks HooksFor(bool from_a);
  absl::StatusOr<SessionDescription> Filtered(IceSession& session);

  NetworkThread& thread_;
  SessionConfig a_config_;
  SessionConfig b_config_;
  Peer a_;
  Peer b_;
  std::shared_ptr<Shared> shared_;
};

// Number of open descriptors / threads of this process (Linux /proc).
int CountOpenFds();
int CountThreads();
// A mark in the network thread context's source ids: sources created after
// it and still alive are counted by LiveSourcesSince.
guint MarkSources(NetworkThread& thread);
int LiveSourcesSince(NetworkThread& thread, guint mark);
// Polls (on the network thread, bounded) until no source created after
// `mark` is alive; returns how many remain.
int WaitForSourcesGone(NetworkThread& thread, guint mark,
                       absl::Duration timeout);
// Resident set size of this process in KiB.
long ResidentKiB();
// Bytes the heap has handed out (glibc mallinfo2), in KiB: allocated
// whether or not the pages were ever touched.
long HeapInUseKiB();

struct TurnServerOptions {
  // RFC 5780 NAT behaviour discovery: listen on 127.0.0.1 and
  // kAlternateAddress, on port() and port() + 1 (coturn's alternate port),
  // and answer CHANGE-REQUEST. Off: 127.0.0.1 only, RFC 5780 disabled.
  bool rfc5780 = false;
  // coturn's --allow-loopback-peers: relayed candidates of this server (all
  // on loopback) may reach each other. Off: coturn's default refusal.
  bool allow_loopback_peers = true;
};

// A coturn turnserver on 127.0.0.1 with a long-term-credential user and a
// self-signed certificate (made with openssl) for TLS, started from a
// config file in a temporary directory and ended by PID. Peers on loopback
// are allowed by default (--allow-loopback-peers), so relayed candidates of
// the same server can reach each other.
class TurnServerProcess {
 public:
  // The second listening address with TurnServerOptions::rfc5780.
  static constexpr char kAlternateAddress[] = "127.0.0.2";

  // Errors: kNotFound (turnserver or openssl missing), kInternal (could not
  // start, or not listening within 10 s; the log is in the message).
  static absl::StatusOr<std::unique_ptr<TurnServerProcess>> Start(
      TurnServerOptions options = {});
  TurnServerProcess(const TurnServerProcess&) = delete;
  TurnServerProcess& operator=(const TurnServerProcess&) = delete;
  // SIGTERM, then SIGKILL after 5 s; always reaped.
  ~TurnServerProcess();

  // A config entry for this server. `host` names the server in the URI.
  TurnServer Server(TurnTransport transport,
                    const std::string& host = "127.0.0.1") const;
  // A PEM file of a certificate authority that did not sign the server's.
  absl::StatusOr<std::string> UntrustedCaFile() const;
  std::string Log() const;
  uint16_t port() const { return port_; }
  uint16_t tls_port() const { return tls_port_; }
  // The user and password Server() puts in its entries.
  static std::string Username();
  static std::string Password();

 private:
  TurnServerProcess(natfwt::testing::TempDir dir, TurnServerOptions options)
      : dir_(std::move(dir)), options_(options) {}
  absl::Status Launch(const std::string& turnserver);
  absl::Status WaitUntilListening(absl::Duration timeout);

  natfwt::testing::TempDir dir_;
  TurnServerOptions options_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
};

}  // namespace natfwt::ice::testing

#endif  // NATFWT_TESTS_ENGINE_ICE_ICE_TEST_SUPPORT_H_
