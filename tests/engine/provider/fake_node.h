// Copyright 2026 The natfwt Authors.
//
// FakeNode: a node::Node for provider tests, without identity, rendezvous
// or sessions. The test says which peer owns which transport ID, how
// Connect() answers (at once, with an error, or when the test releases it),
// and what SendPackets() returns; the fake records what the provider
// published, sent and asked, and delivers packets "from a peer" to the
// provider's sink as a session's data thread would.
//
// It keeps the Node contract that matters to a provider: SetPacketSink()
// waits for a running delivery; OnPeerRecordChanged() follows an ownership
// change.
//
// Thread-safety: every method may be called from any thread.

#ifndef NATFWT_TESTS_ENGINE_PROVIDER_FAKE_NODE_H_
#define NATFWT_TESTS_ENGINE_PROVIDER_FAKE_NODE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/node/node.h"

namespace natfwt::provider::testing {

class FakeNode final : public node::Node {
 public:
  enum class ConnectMode { kSucceed, kFail, kHold };
  using Done = std::function<void(const absl::Status&)>;

  struct Batch {
    std::string peer;
    std::vector<std::vector<uint8_t>> packets;  // Empty unless recording.
    size_t size = 0;
  };

  FakeNode() = default;

  // node::Node.
  absl::Status Start() override { return absl::OkStatus(); }
  void Stop() override {}
  const std::string& node_id() const override { return id_; }
  node::NodeStatus Status() const override;
  void Ping(std::string peer, int count, absl::Duration interval,
            absl::Duration timeout,
            std::function<void(const node::PingReply&)> on_reply,
            std::function<void()> on_done) override;
  void SetPacketSink(node::PacketSink* sink) override;
  void SetDormant(bool dormant) override;
  void SetNatBehaviour(std::string) override {}
  absl::Status SetTransportIds(std::vector<std::string> ids) override;
  std::optional<std::string> PeerOwning(
      const net::IpAddress& transport_id) const override;
  void Connect(std::string peer, Done done) override;
  absl::StatusOr<size_t> SendPackets(
      absl::string_view peer,
      absl::Span<const absl::Span<const uint8_t>> packets) override;

  // --- Test controls ---

  // `peer` owns `transport_id` from now on (empty peer: nobody); the sink
  // hears OnPeerRecordChanged.
  void SetOwner(const net::IpAddress& transport_id, const std::string& peer);
  // The next PeerOwning() answers `peer`, whatever the address.
  void ClaimNextLookup(const std::string& peer);
  void set_connect_mode(ConnectMode mode,
                        absl::Status failure = absl::UnavailableError("x"));
  // Waits for a held Connect() and takes its callback.
  bool TakeHeldConnect(Done* done, std::string* peer = nullptr,
                       absl::Duration timeout = absl::Seconds(10));
  // What SendPackets() returns from now on (OK: every packet sent).
  void set_send_status(absl::Status status);
  // Copy every sent packet into batches() (on by default; benchmarks turn
  // it off and count only).
  void set_record_packets(bool record) { record_.store(record); }
  // The next SendPackets() call blocks until OpenGate().
  void CloseGate();
  void OpenGate();

  // Delivers `packets` as a batch from `peer`'s session; false when no
  // sink is set (nothing delivered).
  bool Deliver(const std::string& peer,
               const std::vector<std::vector<uint8_t>>& packets);

  std::vector<Batch> batches() const;
  uint64_t packets_sent() const { return packets_sent_.load(); }
  // SendPackets() calls begun (a closed gate holds them after this count).
  bool WaitForSendsStarted(uint64_t count,
                           absl::Duration timeout = absl::Seconds(10)) const;
  bool WaitForPacketsSent(uint64_t count,
                          absl::Duration timeout = absl::Seconds(10)) const;
  // Every SetTransportIds() list, oldest first.
  std::vector<std::vector<std::string>> published() const;
  std::vector<std::string> last_published() const;
  bool WaitForPublished(
      const std::function<bool(const std::vector<std::string>&)>& predicate,
      absl::Duration timeout = absl::Seconds(10)) const;
  // Every SetDormant() argument, oldest first.
  std::vector<bool> dormancy() const;
  bool WaitForDormancy(size_t count,
                       absl::Duration timeout = absl::Seconds(10)) const;
  node::PacketSink* sink() const;
  // Waits until a sink is set (`set`) or cleared.
  bool WaitForSink(bool set, absl::Duration timeout = absl::Seconds(10)) const;
  std::vector<std::string> connects() const;    // Peers Connect() was asked.
  std::vector<net::IpAddress> lookups() const;  // PeerOwning() arguments.

 private:
  const std::string id_ = std::string(64, 'f');
  std::atomic<bool> record_{true};
  std::atomic<uint64_t> packets_sent_{0};

  // Held shared while delivering; SetPacketSink takes it exclusively.
  mutable absl::Mutex sink_mutex_;
  node::PacketSink* sink_ ABSL_GUARDED_BY(sink_mutex_) = nullptr;

  mutable absl::Mutex mutex_;
  std::map<net::IpAddress, std::string> owners_ ABSL_GUARDED_BY(mutex_);
  mutable std::optional<std::string> claim_next_ ABSL_GUARDED_BY(mutex_);
  mutable std::vector<net::IpAddress> lookups_ ABSL_GUARDED_BY(mutex_);
  ConnectMode connect_mode_ ABSL_GUARDED_BY(mutex_) = ConnectMode::kSucceed;
  absl::Status connect_failure_ ABSL_GUARDED_BY(mutex_);
  std::deque<std::pair<std::string, Done>> held_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> connects_ ABSL_GUARDED_BY(mutex_);
  absl::Status send_status_ ABSL_GUARDED_BY(mutex_);
  std::vector<Batch> batches_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::vector<std::string>> published_ ABSL_GUARDED_BY(mutex_);
  std::vector<bool> dormancy_ ABSL_GUARDED_BY(mutex_);
  bool gate_closed_ ABSL_GUARDED_BY(mutex_) = false;
  bool sink_set_ ABSL_GUARDED_BY(mutex_) = false;  // Mirrors sink_.
  uint64_t sends_started_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace natfwt::provider::testing

#endif  // NATFWT_TESTS_ENGINE_PROVIDER_FAKE_NODE_H_
