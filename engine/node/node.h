// Copyright 2026 The natfwt Authors.
//
// Node: a natfwt node, what `natfwt up` runs.
//
// A node is an identity (engine/secure Identity in its state directory), a
// registration at a rendezvous (engine/rendezvous Client) in one network,
// and one secure session (engine/session SecureSession) per peer it talks
// to, created on demand:
//
//   initiator                         rendezvous                responder
//   Ping(peer) -> new session, Start
//   "offer" (session id, description, X25519 key) ------------>  allowed?
//                                                                new session
//   <------------------------------------- "answer" (description, key)
//   "cand" lines both ways as candidates are gathered (trickle ICE)
//   ICE checks, then AEAD datagrams under keys both derived from the two
//   ephemeral keys (engine/secure/key_agreement.h); a peer that sends no
//   key gets a DTLS handshake with pinned fingerprints instead
//
// Every signal is signed by its sender and verified by the receiver (the
// rendezvous is not trusted). A node accepts offers only from node IDs in
// its allow list ("any" must be given explicitly) and starts sessions only
// towards them. When both sides offer at once, the offer of the node with
// the smaller node ID wins. A new offer from a peer (it restarted) replaces
// the session with it. A peer that comes back online gets our offer again
// if it never answered (it was lost while the peer was away).
//
// Standby (0-RTT setup). A node keeps two sessions gathered in advance
// (host, server-reflexive and relayed candidates): an inbound one, whose
// description and ephemeral key it publishes in its signed record, and an
// outbound one it uses for the next session it starts. The initiator then
// needs no signalling round trip before its checks: it derives the keys
// from the peer's published key, applies the peer's published description,
// starts checking at once and sends the offer (" standby=<ufrag>",
// node_wire.h) in parallel; the responder's libnice answers those checks
// even before the offer has arrived, and the responder keeps the first
// records until it has the keys (engine/session SecureSession). A standby
// serves one session; the node gathers a new one at once, and replaces both
// every NodeOptions::standby_lifetime (NAT mappings age, and the ephemeral
// private key lives no longer than that), still honouring a superseded
// inbound one for 5 s. An offer
// for a standby the responder no longer has is answered as any offer, and the
// initiator then starts over without a standby (one signalling round trip
// lost).
//
// Keeping sessions alive: a secure session whose path is lost (no selected
// pair: a NAT dropped its mapping, a TURN allocation died) gets an ICE
// restart within about a second, which keeps the secure channel; a secure
// session that fails by itself (consent expired, ICE failed) is replaced by
// a new one at once. A session the peer ended ("bye") or that never became
// secure is dropped; the next Ping()/Connect() starts a new one.
//
// Datagrams in a session are node messages (ping/pong, node_wire.h) or IP
// packets, which go to the PacketSink (the provider), and come from it
// through SendPackets().
//
// Thread-safety: every method may be called from any thread, except that
// Stop() and the destructor must not run on the node's own thread (inside
// a Ping callback). Node state lives on the node's thread; callbacks run
// there.

#ifndef NATFWT_ENGINE_NODE_NODE_H_
#define NATFWT_ENGINE_NODE_NODE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/ice/ice_config.h"
#include "platform/net/ip_address.h"

namespace natfwt::node {

struct NodeOptions {
  // Holds identity.pem (created on first use) and, by default, the control
  // socket.
  std::string state_dir;
  std::string rendezvous;                 // "HOST:PORT" (TCP).
  std::string network;                    // [A-Za-z0-9._-]{1,64}.
  std::vector<std::string> stun_servers;  // "HOST[:PORT]".
  std::vector<ice::TurnServer> turn_servers;
  // Node IDs (64 lowercase hex digits) this node talks to, or "any".
  std::vector<std::string> allow;
  // Addresses to gather host candidates on; empty: every interface.
  std::vector<net::IpAddress> local_addresses;
  bool ipv4 = true;
  bool ipv6 = true;
  // How long a new session may take to become secure.
  absl::Duration connect_timeout = absl::Seconds(20);
  // Session keys from ephemeral X25519 keys in the signed offer and answer
  // (engine/secure/key_agreement.h), so a session is secure when ICE
  // connects; off: the DTLS handshake on the path (two round trips more).
  // A peer that sends no key gets DTLS either way.
  bool signalled_keys = true;
  // Pre-gathered standby sessions (see the file comment); needs
  // signalled_keys. Off: every session gathers after the offer.
  bool standby = true;
  // How long a standby is kept before it is replaced (at least 1 s). Linux
  // forgets an idle UDP mapping after 30 s (nf_conntrack_udp_timeout), home
  // routers after 30 s to a few minutes: a standby's server-reflexive
  // candidate must not outlive its mapping, and its ephemeral private key
  // lives no longer either.
  absl::Duration standby_lifetime = absl::Seconds(25);
  // Ta, the pacing of ICE checks (ice::IceTimeouts::check_pacing). The node
  // checks a handful of pairs per session, so it paces at the RFC 8445
  // minimum: each pair checked before the working one costs one Ta.
  absl::Duration check_pacing = absl::Milliseconds(5);
  // What the node says about its NAT (status, and a "nat=" hint it
  // publishes); "unknown" unless someone probed.
  std::string nat_behaviour = "unknown";
  // Transport IDs published for this node (its virtual interface's
  // addresses, when it has one).
  std::vector<std::string> transport_ids;
};

struct PeerStatus {
  std::string node_id;
  // "connecting", "handshaking", "secure", "failed", or "known" (a member of
  // the network without a session).
  std::string state;
  bool initiator = false;
  std::string path = "none";     // "direct", "relay" or "none".
  std::string local_candidate;   // "host udp 192.168.1.2:40000".
  std::string remote_candidate;  // "srflx udp 198.18.0.2:40000".
  std::optional<absl::Duration> rtt;
  uint64_t packets_sent = 0;
  uint64_t packets_received = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  std::optional<absl::Time> last_handshake;  // When it became secure.
  std::optional<absl::Duration> setup_time;  // Creation to secure.
  // How the session's keys were agreed: "x25519" (ephemeral keys in the
  // signed offer and answer), "dtls" (handshake on the path), or "" before
  // it is known.
  std::string key_exchange;
  // The session started on the peer's published standby (we initiated) or
  // on ours (it did), without a signalling round trip before the checks.
  bool standby = false;
  // The peer's record carries a standby now.
  bool peer_standby = false;
  std::vector<std::string> transport_ids;  // From its signed record.
  bool online = false;                     // Registered at the rendezvous now.
};

struct NodeCounters {
  uint64_t sessions_started = 0;   // As initiator.
  uint64_t sessions_accepted = 0;  // As responder.
  uint64_t sessions_secure = 0;
  uint64_t sessions_failed = 0;
  uint64_t offers_not_allowed = 0;  // Signals from peers not allowed.
  uint64_t signals_malformed = 0;
  uint64_t signals_stale = 0;  // For another session attempt.
  uint64_t glare_resolved = 0;
  uint64_t standby_used = 0;       // Offers answered from our standby.
  uint64_t standby_missed = 0;     // Offers for a standby we no longer had.
  uint64_t standby_fallbacks = 0;  // Our offers on a gone standby, redone.
  uint64_t standbys_gathered = 0;  // Standby sessions made ready (both kinds).
};

struct NodeStatus {
  std::string node_id;
  std::string network;
  std::string rendezvous;
  bool rendezvous_connected = false;
  // Smoothed round trip to the rendezvous (rendezvous::ClientStats::rtt).
  std::optional<absl::Duration> rendezvous_rtt;
  std::vector<std::string> transport_ids;
  std::string nat_behaviour;
  std::vector<std::string> allow;
  std::vector<PeerStatus> peers;  // Sorted by node ID.
  // Our record carries a standby now; an outbound one is gathered.
  bool standby_published = false;
  bool standby_outbound_ready = false;
  NodeCounters counters;
};

struct PingReply {
  uint32_t sequence = 0;
  // OK: a reply came. kDeadlineExceeded: none within the timeout.
  // kPermissionDenied: the peer is not allowed. kUnavailable: no session
  // could be set up (the message says why).
  absl::Status status;
  absl::Duration rtt;                        // When ok.
  std::string path;                          // "direct" or "relay", when ok.
  std::string remote;                        // The peer's candidate, when ok.
  std::optional<absl::Duration> setup_time;  // Of a session created for it.
};

// Receives the IP packets peers send (the provider's traffic) and what a
// provider must know about peers' records. Must not call Node::Stop() or
// Node::SetPacketSink().
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // IP packets from `peer`: called on the session's data thread, one batch
  // at a time per session (sessions of different peers may call at once);
  // the spans are valid for the call only.
  virtual void OnPackets(
      absl::string_view peer,
      absl::Span<const absl::Span<const uint8_t>> packets) = 0;
  // `peer`'s verified record arrived or changed: which transport IDs it owns
  // (PeerOwning()) may be different now. Called on the rendezvous client's
  // thread after the change is visible to PeerOwning().
  virtual void OnPeerRecordChanged(absl::string_view /*peer*/) {}
};

class Node {
 public:
  // Errors: kInvalidArgument naming a bad option; those of
  // secure::Identity::LoadOrCreate.
  static absl::StatusOr<std::unique_ptr<Node>> Create(NodeOptions options);
  virtual ~Node() = default;

  // Starts the threads and the rendezvous client (which connects in the
  // background and reconnects by itself).
  virtual absl::Status Start() = 0;
  // Says "bye" to peers, closes sessions, unregisters. Idempotent.
  virtual void Stop() = 0;

  virtual const std::string& node_id() const = 0;
  virtual NodeStatus Status() const = 0;

  // Pings `peer` `count` times, `interval` apart, over its secure session,
  // creating it first when there is none. `on_reply` runs once per ping
  // (in order of sequence for replies and timeouts), then `on_done` once.
  // Each ping waits `timeout` for its reply; the first also waits for the
  // session (up to connect_timeout).
  virtual void Ping(std::string peer, int count, absl::Duration interval,
                    absl::Duration timeout,
                    std::function<void(const PingReply&)> on_reply,
                    std::function<void()> on_done) = 0;

  // What this node's NAT does (a `natfwt probe` type name), for status and
  // the "nat=" hint it publishes (republished now).
  virtual void SetNatBehaviour(std::string behaviour) = 0;

  // --- For a provider (engine/provider) ---

  // Where peers' IP packets go; nullptr drops them (counted). May be
  // changed at any time. When it returns, the previous sink is no longer
  // called (a call running on another thread has finished), so it may be
  // destroyed then.
  virtual void SetPacketSink(PacketSink* sink) = 0;
  // Dormancy (the provider's TRANSITION_DORMANT / TRANSITION_ACTIVE): true
  // closes, with a "bye" to the peer, every session nothing waits for (no
  // Connect() or ping outstanding), which ends their keepalives and NAT
  // bindings; the rendezvous registration stays, so peers can still reach
  // this node, and Connect()/Ping() still create sessions on demand. false
  // ends dormancy. Idempotent.
  virtual void SetDormant(bool dormant) = 0;
  // Replaces the transport IDs this node publishes (signed) at the
  // rendezvous. Errors: kInvalidArgument for a bad address.
  virtual absl::Status SetTransportIds(std::vector<std::string> ids) = 0;
  // The allowed peer whose verified record lists `transport_id`, if any.
  virtual std::optional<std::string> PeerOwning(
      const net::IpAddress& transport_id) const = 0;
  // Makes sure a secure session with `peer` exists, starting one if needed:
  // `done` runs (on the node thread) with OK once it is secure (at once
  // when it already is), or with why it cannot be (kPermissionDenied: not
  // allowed; kDeadlineExceeded/kUnavailable: no session).
  virtual void Connect(std::string peer,
                       std::function<void(const absl::Status&)> done) = 0;
  // Sends IP packets to `peer` over its secure session, batched (hot path:
  // no allocation, no node-thread hop). Returns how many left. Errors:
  // kFailedPrecondition when there is no secure session with `peer`
  // (Connect() first); those of SecureSession::SendBatch.
  virtual absl::StatusOr<size_t> SendPackets(
      absl::string_view peer,
      absl::Span<const absl::Span<const uint8_t>> packets) = 0;
};

}  // namespace natfwt::node

#endif  // NATFWT_ENGINE_NODE_NODE_H_
