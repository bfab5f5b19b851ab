// Copyright 2026 The natfwt Authors.
//
// The rendezvous client's implementation class (not a public API).
// client.cc holds the public methods and the connection state machine,
// client_inbound.cc the verification and handling of what the server
// sends.
//
// Threads: the public methods run on the caller's thread and touch only
// the state under `mutex_`; everything else belongs to the client thread
// (Run()), which calls the observer with no lock held.

#ifndef NATFWT_ENGINE_RENDEZVOUS_CLIENT_INTERNAL_H_
#define NATFWT_ENGINE_RENDEZVOUS_CLIENT_INTERNAL_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "engine/rendezvous/client.h"
#include "engine/rendezvous/host_port.h"
#include "engine/rendezvous/loop_timer.h"
#include "engine/rendezvous/protocol.h"
#include "engine/rendezvous/signed_envelope.h"
#include "engine/rendezvous/tcp_socket.h"

namespace natfwt::rendezvous::client_internal {

// Implementation choices.
// Bytes Send()/Publish() may queue while the socket is slow.
inline constexpr size_t kMaxOutbox = 512 * 1024;
// Nodes whose last record the client remembers (replay protection of
// records); more than a network can hold (server.h: 256 by default).
inline constexpr size_t kMaxKnownNodes = 4096;
// Reconnect backoff stops doubling after this many failed attempts.
inline constexpr int kMaxBackoffDoublings = 16;

class ClientImpl final : public Client {
 public:
  ClientImpl(const secure::Identity& identity, Options options, HostPort server,
             ClientObserver* observer);
  ~ClientImpl() override;

  absl::Status Start() override;
  absl::Status Publish(std::vector<std::string> transport_ids,
                       std::vector<std::string> hints,
                       std::string standby) override;
  absl::Status Send(absl::string_view to, absl::string_view kind,
                    absl::string_view payload) override;
  std::vector<NodeRecord> Peers() const override;
  ClientStats stats() const override;
  void Stop() override;

 private:
  enum class State { kWaiting, kConnecting, kHandshaking, kRegistered };

  // What the client remembers of a node's newest accepted record.
  struct KnownRecord {
    int64_t signed_at_ms = 0;
    std::string signed_part;
  };

  // ---- client.cc: the connection state machine ----
  void Run();
  void OnTimers(absl::Time now);
  void PollOnce(absl::Time now);
  void OnSocketReady(uint8_t got, absl::Time now);
  void BeginAttempt(absl::Time now);
  void TryNextAddress(absl::Time now, const absl::Status& why);
  void ReadInput(absl::Time now);
  void TakeOutbox();
  void FlushOutput();
  void Fail(const absl::Status& why, absl::Time now);
  void ScheduleRetry(absl::Time now);
  void CloseConnection();
  void SayGoodbye();
  absl::Time NextDeadline() const;
  absl::StatusOr<std::string> SignRecordLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  // ---- client_inbound.cc: what the server sends ----
  void HandleLine(const std::string& line, absl::Time now);
  void HandleHello(const ServerMessage& message, absl::Time now);
  void HandleWelcome(const ServerMessage& message, absl::Time now);
  void HandlePeer(const ServerMessage& message);
  void HandleSignal(const ServerMessage& message);
  void HandleGone(const ServerMessage& message);
  void HandleError(const ServerMessage& message, absl::Time now);
  // Counts a rejected envelope by its reason (RejectionOf).
  void CountRejection(const absl::Status& status);
  // Whether a verified record of `node_id` may replace what is known.
  absl::Status CheckRecordOrder(const std::string& node_id,
                                const Envelope& envelope);
  void Remember(const std::string& node_id, const Envelope& envelope);
  absl::StatusOr<std::string> SignAuth(const std::string& challenge);

  const secure::Identity& identity_;
  const Options options_;
  const HostPort server_;
  ClientObserver* const observer_;
  Clock* const clock_;
  const std::string node_id_;

  mutable absl::Mutex mutex_;
  bool started_ ABSL_GUARDED_BY(mutex_) = false;
  bool registered_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::string> transport_ids_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> hints_ ABSL_GUARDED_BY(mutex_);
  std::string standby_ ABSL_GUARDED_BY(mutex_);
  int64_t last_record_ms_ ABSL_GUARDED_BY(mutex_) = 0;
  // Bumped by Publish(); registered_version_ is the one REGISTER carried.
  uint64_t publish_version_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t registered_version_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string outbox_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, NodeRecord> peers_ ABSL_GUARDED_BY(mutex_);
  ClientStats stats_ ABSL_GUARDED_BY(mutex_);

  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::optional<Waker> waker_;
  std::unique_ptr<LoopTimer> timer_;

  // Client thread only.
  State state_ = State::kWaiting;
  absl::Time retry_at_;
  absl::Time attempt_deadline_;
  int failed_attempts_ = 0;
  std::vector<SocketAddress> addresses_;
  size_t address_index_ = 0;
  Socket socket_;
  LineFramer framer_;
  std::string output_;
  absl::Time last_sent_;
  absl::Time last_received_;
  bool said_hello_ = false;  // REGISTER sent on this connection.
  // Round-trip samples: REGISTER to WELCOME, PING to PONG (one at a time).
  absl::Time register_sent_;
  std::optional<absl::Time> ping_sent_;
  std::array<absl::Duration, ClientStats::kRttSamples> rtt_samples_;
  size_t rtt_sample_count_ = 0;
  void NoteRoundTrip(absl::Duration sample);
  // After registering: PINGs one after another until kEarlyRttSamples
  // round trips were measured.
  void MaybeSampleRtt(absl::Time now);
  // Queues a PING (keepalive or round-trip sample).
  void SendPing(absl::Time now);
  static constexpr size_t kEarlyRttSamples = 4;
  ReplayCache replay_cache_;
  std::map<std::string, KnownRecord> known_;
  std::mt19937_64 random_;
};

}  // namespace natfwt::rendezvous::client_internal

#endif  // NATFWT_ENGINE_RENDEZVOUS_CLIENT_INTERNAL_H_
