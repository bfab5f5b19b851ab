// Copyright 2026 The natfwt Authors.
//
// NodeImpl: the node's state and its thread. Private to engine/node.
//
// Everything below lives on the node thread (`node_thread_`): the peer table,
// session attempts (Link), ping jobs and counters. Engine callbacks
// (LinkObserver, on the engine's network or data thread) and rendezvous
// callbacks (on the client's thread) only post tasks to it, except for
// answering pings, which the data callback does in place.

#ifndef NATFWT_ENGINE_NODE_NODE_INTERNAL_H_
#define NATFWT_ENGINE_NODE_NODE_INTERNAL_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "engine/ice/ice_session.h"
#include "engine/ice/trickle_line.h"
#include "engine/node/node.h"
#include "engine/node/node_wire.h"
#include "engine/rendezvous/client.h"
#include "engine/secure/identity.h"
#include "engine/secure/key_agreement.h"
#include "engine/session/secure_session.h"
#include "platform/base/network_thread.h"

namespace natfwt::node {

class NodeImpl;

// "direct" or "relay" (engine::SecureSession::Relayed).
std::string PathOf(const ice::SelectedPairInfo& pair,
                   const engine::SecureSession& session);
// "srflx udp 198.18.0.2:40000".
std::string CandidateText(const ice::Candidate& candidate);

// An offer's, answer's or standby's text, parsed twice over: the signal's
// own format (node_wire.h), then the session description inside it.
struct RemoteOffer {
  ice::SessionDescription description;
  std::optional<std::array<uint8_t, kSessionKeySize>> key;
  std::optional<std::string> standby;
};
absl::StatusOr<RemoteOffer> ParseRemoteOffer(const std::string& text);

// Hands one session's events to the node thread; answers pings in place.
class LinkObserver : public engine::SecureSessionObserver {
 public:
  LinkObserver(NodeImpl* node, std::string peer, uint64_t session_id)
      : node_(node), peer_(std::move(peer)), session_id_(session_id) {}
  // A standby's (NodeImpl::CreateStandby): bound to no peer until Bind();
  // meanwhile its gathering and failure reach the node as standby events.
  LinkObserver(NodeImpl* node, uint64_t standby_id)
      : node_(node), standby_id_(standby_id) {}
  // Set once, before the session starts.
  void set_session(engine::SecureSession* session) { session_ = session; }
  // Node thread: the standby was taken for `peer`'s session `session_id`.
  // Called before the session gets keys or a remote description.
  void Bind(std::string peer, uint64_t session_id);

  void OnLocalCandidate(const ice::TrickleCandidate& candidate) override;
  void OnGatheringDone() override;
  void OnStateChanged(engine::SessionState state,
                      const absl::Status& why) override;
  void OnSelectedPair(const ice::SelectedPairInfo& pair) override;
  void OnData(absl::Span<const uint8_t> data) override;
  void OnIceRestart() override;
  // IP packets go to the node's PacketSink in batches.
  void OnDataBatch(absl::Span<const absl::Span<const uint8_t>> batch) override;

  // Datagrams that were no node message (IP packets while no provider
  // takes them, garbage).
  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Binding {
    std::string peer;
    uint64_t session_id = 0;  // 0: an unbound standby.
    uint64_t standby_id = 0;
  };
  Binding binding() const;

  NodeImpl* const node_;
  // Who the session is for: set at construction, or by Bind() for a
  // standby. The non-data callbacks read them under mutex_. The data
  // callbacks (OnData, OnDataBatch) read peer_ without it: a session
  // delivers data only once it holds keys, which the node gives it after
  // Bind(), and the session's own lock orders the two.
  mutable absl::Mutex mutex_;
  std::string peer_;
  uint64_t session_id_ = 0;
  uint64_t standby_id_ = 0;
  engine::SecureSession* session_ = nullptr;
  std::atomic<uint64_t> dropped_{0};
};

// One session attempt with one peer.
struct Link {
  std::string peer;  // Node ID.
  uint64_t session_id = 0;
  bool initiator = false;
  absl::Time created;
  std::optional<absl::Time> secure_at;    // On clock_ (durations).
  std::optional<absl::Time> secure_wall;  // Wall-clock time, for people.
  engine::SessionState state = engine::SessionState::kNew;
  absl::Status why;  // Of the last state change.
  bool remote_set = false;
  // The responder took the session (its answer came, or we are the
  // responder). Glare and lost offers are judged by this.
  bool answered = false;
  // Initiator on the peer's published standby: its ufrag and key, which
  // the answer must repeat (else the peer no longer had it).
  std::optional<std::string> standby_target;
  std::optional<std::array<uint8_t, kSessionKeySize>> standby_key;
  // Started on a standby, ours or the peer's (PeerStatus::standby).
  bool via_standby = false;
  // The peer's standby description while our checks are held back for a
  // filtering peer (NodeImpl::StandbyCheckDelay).
  std::optional<ice::SessionDescription> pending_standby;
  // ICE restarts this side started to move a relayed session to a direct
  // path (see NodeImpl::CheckUpgrade).
  int upgrade_restarts = 0;
  // Path health (NodeImpl::CheckLinks): since when a secure session has had
  // no selected pair, and when the last ICE restart to repair a lost path
  // (this side's, or the peer's while ours was lost too) began.
  std::optional<absl::Time> path_lost_since;
  std::optional<absl::Time> last_repair;
  std::string local_ufrag;
  // Our ephemeral key while the peer's is awaited (initiator); dropped once
  // the session keys are derived.
  std::optional<secure::EphemeralKey> ephemeral;
  // "x25519" or "dtls" once the remote description is set (PeerStatus).
  std::string key_exchange;
  // Candidates that arrived before the remote description (bounded).
  std::vector<ice::TrickleMessage> early_candidates;
  std::unique_ptr<LinkObserver> observer;
  // Declared after the observer: destroyed first, so no callback reaches a
  // destroyed observer.
  // Shared with the hot path (NodeImpl::secure_) once secure.
  std::shared_ptr<engine::SecureSession> session;
};

// A session gathered in advance (node.h, "Standby"), not bound to a peer.
struct Standby {
  uint64_t id = 0;
  // Inbound: published in our record, ICE-controlled, holds its ephemeral
  // key. Outbound: private, ICE-controlling, for the next session we start.
  bool inbound = true;
  bool ready = false;     // Gathered (inbound: and published).
  bool retiring = false;  // Superseded; closed after kStandbyGrace.
  absl::Time created;
  std::string text;  // Inbound, once ready: what the record carries.
  std::unique_ptr<Link> link;
};

struct PingJob {
  std::string peer;
  int count = 0;
  absl::Duration interval;
  absl::Duration timeout;
  std::function<void(const PingReply&)> on_reply;
  std::function<void()> on_done;
  int sent = 0;
  int resolved = 0;
  // Setup time of the session this job created, reported with the first
  // reply.
  std::optional<absl::Duration> setup_time;
  bool created_session = false;
  bool reported_setup = false;
};

struct OutstandingPing {
  std::shared_ptr<PingJob> job;
  absl::Time sent_at;
};

struct Peer {
  std::unique_ptr<Link> link;
  std::optional<rendezvous::NodeRecord> record;
  bool online = false;
  // Jobs and Connect() callers waiting for the session to become secure.
  std::vector<std::shared_ptr<PingJob>> waiting;
  std::vector<std::function<void(const absl::Status&)>> connect_waiters;
  std::map<uint32_t, OutstandingPing> outstanding;
  // Outstanding pings sent on a session that turned out not to reach the
  // peer (started on a standby someone else had taken: our checks found
  // that session's agent, which shares the standby's credentials, and our
  // records failed there). Sent again once the next session is secure.
  std::vector<uint32_t> resend;
  // A failed link's last words, kept for status.
  std::optional<absl::Status> last_failure;
};

class NodeImpl final : public Node, public rendezvous::ClientObserver {
 public:
  NodeImpl(NodeOptions options, secure::Identity identity);
  ~NodeImpl() override;

  // Node.
  absl::Status Start() override;
  void Stop() override;
  const std::string& node_id() const override { return node_id_; }
  NodeStatus Status() const override;
  void Ping(std::string peer, int count, absl::Duration interval,
            absl::Duration timeout,
            std::function<void(const PingReply&)> on_reply,
            std::function<void()> on_done) override;

  void SetNatBehaviour(std::string behaviour) override;
  void SetPacketSink(PacketSink* sink) override;
  void SetDormant(bool dormant) override;
  absl::Status SetTransportIds(std::vector<std::string> ids) override;
  std::optional<std::string> PeerOwning(
      const net::IpAddress& transport_id) const override;
  void Connect(std::string peer,
               std::function<void(const absl::Status&)> done) override;
  absl::StatusOr<size_t> SendPackets(
      absl::string_view peer,
      absl::Span<const absl::Span<const uint8_t>> packets) override;

  // rendezvous::ClientObserver (client thread).
  void OnConnected() override;
  void OnDisconnected(const absl::Status& why) override;
  void OnPeer(const rendezvous::NodeRecord& record) override;
  void OnPeerGone(absl::string_view node_id) override;
  void OnSignal(const rendezvous::Signal& signal) override;

  // From LinkObserver (engine threads): runs `task` on the node thread if
  // the link is still the peer's current one.
  void PostLinkTask(const std::string& peer, uint64_t session_id,
                    absl::AnyInvocable<void(NodeImpl&, Link&) &&> task);
  void PostPong(const std::string& peer, uint32_t sequence,
                absl::Time received_at);
  // From an unbound standby's LinkObserver (engine threads).
  enum class StandbyEvent : uint8_t { kGathered, kFailed };
  void PostStandbyEvent(uint64_t standby_id, StandbyEvent event);
  Clock& clock() const { return clock_; }
  // The data path holds sink_mutex() shared while it calls the sink, so
  // SetPacketSink() (exclusive) waits for a running call.
  absl::Mutex& sink_mutex() const ABSL_LOCK_RETURNED(sink_mutex_) {
    return sink_mutex_;
  }
  PacketSink* sink() const ABSL_SHARED_LOCKS_REQUIRED(sink_mutex_) {
    return sink_;
  }
  void CountDroppedPackets(uint64_t n) { packets_dropped_ += n; }

  // Node thread, for LinkObserver's tasks.
  void SendSignal(const std::string& peer, absl::string_view kind,
                  uint64_t session_id, const std::string& text);
  void OnLinkState(const std::string& peer_id, Link& link,
                   engine::SessionState state, const absl::Status& why);

 private:
  bool Allowed(absl::string_view peer) const;
  ice::SessionConfig IceConfig(bool controlling) const;

  // Node thread: sessions (node_links.cc).
  absl::StatusOr<std::unique_ptr<Link>> NewLink(const std::string& peer,
                                                uint64_t session_id,
                                                bool initiator);
  // A started session for `observer` (bound or a standby's).
  absl::StatusOr<std::unique_ptr<Link>> MakeLink(
      std::unique_ptr<LinkObserver> observer, bool controlling);
  // `use_standby`: start on the peer's published standby when it has one.
  void StartSession(const std::string& peer_id, Peer& peer,
                    bool use_standby = true);
  // Applies the peer's standby (its description and key) to a new
  // initiator link and fills in the offer's standby field.
  absl::Status UsePeerStandby(Link& link, const std::string& peer_id,
                              const Peer& peer, SessionOffer& offer);
  // How long to hold our checks back before applying the peer's standby.
  absl::Duration StandbyCheckDelay(const Peer& peer) const;
  // The peer's description is applied: candidates that came before it
  // follow.
  void RemoteDescriptionSet(Link& link);
  // Applies a held-back standby description (no-op when none is held).
  void ApplyPendingStandby(const std::string& peer_id, Peer& peer);
  void HandleSignal(const rendezvous::Signal& signal);
  void HandleOffer(const std::string& from, Peer& peer, uint64_t session_id,
                   const std::string& text);
  void HandleAnswer(Peer& peer, uint64_t session_id, const std::string& text);
  // The answer to an offer made on the peer's standby.
  void HandleStandbyAnswer(Peer& peer,
                           const absl::StatusOr<RemoteOffer>& answer);
  // The responder's link for an offer: our standby named `standby` when we
  // still have it, else a new session; with the answer's text.
  struct Accepted {
    std::unique_ptr<Link> link;
    std::string answer;
  };
  absl::StatusOr<Accepted> AcceptingLink(
      const std::string& from, uint64_t session_id,
      const std::optional<std::string>& standby, bool keyed);
  // Closes a link that never became a peer's (no HideSession needed).
  static void CloseLinkNow(std::unique_ptr<Link> link);
  // The offer or answer we send: our description, and with signalled keys
  // a fresh ephemeral key (kept in link.ephemeral).
  absl::StatusOr<SessionOffer> LocalOffer(Link& link, bool with_key);
  // Derives the session keys from the peer's key and ours and hands them to
  // the session (before its remote description is set).
  absl::Status UseSignalledKeys(
      Link& link, const std::string& peer_id,
      const std::array<uint8_t, kSessionKeySize>& peer_key);
  void HandleCandidate(Peer& peer, uint64_t session_id,
                       const std::string& text);
  void FailLink(const std::string& peer_id, Peer& peer,
                const absl::Status& why);
  void ArmConnectTimeout(const std::string& peer_id, uint64_t session_id);
  void HandleRestart(Peer& peer, uint64_t session_id, const std::string& text);
  // A relayed session the initiator started: after a while, if still
  // relayed, restart ICE (at most kMaxUpgradeRestarts times) so that a direct
  // pair missed in the first round of checks gets another chance.
  void ScheduleUpgradeCheck(const std::string& peer_id, uint64_t session_id,
                            absl::Duration delay);
  void CheckUpgrade(const std::string& peer_id, uint64_t session_id);
  // Every kLinkCheckInterval: a secure session that lost its path (a NAT
  // dropped its mapping, a TURN allocation died) gets an ICE restart, which
  // finds a new path and keeps the secure channel, instead of waiting for
  // consent to expire (node_links.cc).
  void ScheduleLinkCheck();
  void CheckLinks();
  // A session that was secure failed by itself (consent expired, ICE
  // failed): a new one starts at once, so traffic resumes without waiting
  // for the next packet to ask (REACH) for it.
  void MaybeReconnect(const std::string& peer_id, Peer& peer);
  // The peer (re)registered: an offer of ours it has not answered was
  // probably lost while it was away (restarting); offer anew.
  void OnPeerBack(const std::string& peer_id, Peer& peer);

  // Node thread: standbys (node_standby.cc).
  bool StandbyEnabled() const {
    return options_.standby && options_.signalled_keys;
  }
  // Gathers what is missing: one outbound standby, one inbound standby that
  // is not retiring. A failure is retried after kStandbyRetry.
  void EnsureStandbys();
  // EnsureStandbys() after kStandbyRetry (once, however often asked).
  void ScheduleStandbyRetry();
  absl::Status CreateStandby(bool inbound);
  void OnStandbyEvent(uint64_t standby_id, StandbyEvent event);
  void OnStandbyGathered(Standby& standby);
  // Removes (and closes) a standby; unpublishes it if it was published.
  void DropStandby(uint64_t standby_id);
  void DropAllStandbys();
  // The ready outbound standby's link, if any (a new one is gathered).
  std::unique_ptr<Link> TakeOutboundStandby();
  // The inbound standby named `ufrag` (ready, current or retiring) with its
  // text, if we still have it; a new one is gathered.
  std::unique_ptr<Link> TakeInboundStandby(const std::string& ufrag,
                                           std::string* text);
  // Makes a standby's link the peer's session `session_id`.
  void BindLink(Link& link, const std::string& peer, uint64_t session_id,
                bool initiator);
  // Every half NodeOptions::standby_lifetime: renews the standbys that
  // would be older than their lifetime at the next check.
  void ScheduleStandbyRotation();
  void RotateStandbys();
  void PublishStandby(std::string text);
  Standby* FindStandby(uint64_t standby_id);

  // Node thread: pings (node_ping.cc).
  void StartPing(std::shared_ptr<PingJob> job);
  void SendNextPing(std::shared_ptr<PingJob> job);
  void ResolvePing(const std::shared_ptr<PingJob>& job, const PingReply& reply);
  // Ends a job that cannot send anything with one reply.
  void ResolveAll(const std::shared_ptr<PingJob>& job, const PingReply& reply);
  void FailWaiting(Peer& peer, const absl::Status& why);
  void OnPong(const std::string& peer_id, uint32_t sequence,
              absl::Time received_at);
  // Writes and sends ping `sequence` on the peer's secure session.
  void SendPingDatagram(Peer& peer, uint32_t sequence);
  void ResendPings(Peer& peer);
  void OnPingTimeout(const std::string& peer_id, uint32_t sequence);

  // The hot path's view of secure sessions (node thread writes).
  void ExposeSession(const std::string& peer,
                     std::shared_ptr<engine::SecureSession> session);
  void HideSession(const std::string& peer);
  // Hides, closes and drops the peer's current link.
  void RetireLink(const std::string& peer_id, Peer& peer);
  void StartConnect(const std::string& peer_id,
                    std::function<void(const absl::Status&)> done);
  // Dormancy: closes the sessions nothing waits for.
  void CloseIdleLinks();

  PeerStatus DescribePeer(const std::string& id, const Peer& peer) const;

  const NodeOptions options_;
  const secure::Identity identity_;
  const std::string node_id_;
  Clock& clock_;
  bool allow_any_ = false;
  absl::flat_hash_set<std::string> allowed_;

  NetworkThread engine_thread_{"natfwt-net"};
  NetworkThread node_thread_{"natfwt-node"};
  std::unique_ptr<rendezvous::Client> client_;
  std::atomic<bool> stopped_{false};
  bool started_ = false;

  // Node thread only.
  std::map<std::string, Peer> peers_;
  NodeCounters counters_;
  uint32_t next_sequence_ = 1;
  std::mt19937_64 random_;
  std::atomic<bool> rendezvous_connected_{false};
  std::vector<Standby> standbys_;
  uint64_t next_standby_id_ = 1;
  bool standby_retry_pending_ = false;

  mutable absl::Mutex sink_mutex_;
  PacketSink* sink_ ABSL_GUARDED_BY(sink_mutex_) = nullptr;
  std::atomic<bool> dormant_{false};
  std::atomic<uint64_t> packets_dropped_{0};
  mutable absl::Mutex secure_mutex_;
  absl::flat_hash_map<std::string, std::shared_ptr<engine::SecureSession>>
      secure_ ABSL_GUARDED_BY(secure_mutex_);
  // Verified records: transport ID -> owner, and what we publish.
  mutable absl::Mutex records_mutex_;
  absl::flat_hash_map<net::IpAddress, std::string> owners_
      ABSL_GUARDED_BY(records_mutex_);
  std::vector<std::string> transport_ids_ ABSL_GUARDED_BY(records_mutex_);
  std::string nat_behaviour_ ABSL_GUARDED_BY(records_mutex_);
  std::string standby_text_ ABSL_GUARDED_BY(records_mutex_);
  // Republishes our record (transport IDs, hints).
  absl::Status PublishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(records_mutex_);
};

}  // namespace natfwt::node

#endif  // NATFWT_ENGINE_NODE_NODE_INTERNAL_H_
