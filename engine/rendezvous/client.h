// Copyright 2026 The natfwt Authors.
//
// rendezvous::Client: a node's connection to the rendezvous server.
//
// The rendezvous (server.h) is the signalling point of a network: nodes
// register there and relay small messages (session descriptions, trickled
// candidates) to each other through it. It is not trusted. Everything a
// node publishes is signed with its identity key (signed_envelope.h) and
// verified here before an observer sees it, so a hostile server can delay,
// drop or replay bytes but never impersonate a node, alter or inject a
// message, or replay one (a replay is recognised and dropped).
//
//   rendezvous::Client::Options options;
//   options.server = "203.0.113.3:443";
//   options.network = "home";
//   NATFWT_ASSIGN_OR_RETURN(auto client,
//       rendezvous::Client::Create(identity, options, &observer));
//   NATFWT_RETURN_IF_ERROR(client->Start());
//   client->Publish({.transport_ids = {...}, .hints = {"nat=port"}});
//   client->Send(peer_node_id, "offer", description_text);
//
// The client keeps itself connected: it connects in the background,
// registers (re-sending the latest Publish()), reconnects with exponential
// backoff after any failure (server restart, network change) and
// re-registers, so a restarted server learns every node again on its own.
//
// Thread-safety: every method may be called from any thread. Observer calls
// come from the client's own thread, one at a time, with no lock held; they
// may call the client's methods except Stop() and the destructor.

#ifndef NATFWT_ENGINE_RENDEZVOUS_CLIENT_H_
#define NATFWT_ENGINE_RENDEZVOUS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/secure/identity.h"
#include "platform/base/clock.h"

namespace natfwt::rendezvous {

// What a node publishes about itself; verified before anyone sees it.
struct NodeRecord {
  std::string network;
  std::string node_id;  // 64 hex digits (secure/node_id.h).
  // The node's transport IDs (its virtual interface's addresses), as text
  // ("fd12:3456::1", "100.64.0.7"). Validated as IP addresses.
  std::vector<std::string> transport_ids;
  // Free-form reachability hints ("nat=port-restricted", "relay-only"),
  // each at most 128 printable ASCII characters, at most 16 of them.
  std::vector<std::string> hints;
  // A pre-gathered session offer the node keeps ready for whoever starts a
  // session with it next (engine/node/node_wire.h, "standby"): printable
  // ASCII, at most kMaxStandbyLength bytes; empty when there is none. Opaque
  // to the rendezvous.
  std::string standby;
  // When the node signed it (its own clock), milliseconds since the epoch.
  int64_t signed_at_ms = 0;
};

// A message from another node, verified: signed by `from`'s identity key,
// addressed to this node in this network, fresh and not seen before.
struct Signal {
  std::string from;     // Node ID.
  std::string kind;     // [a-z0-9-]{1,16}, chosen by the sender.
  std::string payload;  // At most kMaxPayload bytes, any bytes.
};

struct ClientStats {
  bool connected = false;
  uint64_t connects = 0;  // Successful connections (1 + reconnects).
  uint64_t connect_failures = 0;
  uint64_t signals_sent = 0;
  uint64_t signals_received = 0;  // Verified and handed to the observer.
  uint64_t rejected_forged = 0;   // Bad signature or key/node ID mismatch.
  uint64_t rejected_replayed = 0;
  uint64_t rejected_stale = 0;  // Outside the freshness window.
  uint64_t rejected_malformed = 0;
  uint64_t server_errors = 0;  // ERR replies from the server.
  // Valid signature but for another network or node (a server relaying a
  // genuine message to the wrong place).
  uint64_t rejected_misdirected = 0;
  // Round-trip time to the server over REGISTER/WELCOME and PING/PONG
  // exchanges (the server's work included); absent before the first
  // registration. `rtt` is smoothed (RFC 6298's SRTT); `min_rtt` is the
  // least of the last kRttSamples samples, the path's own delay without the
  // queueing and processing that inflate single samples.
  std::optional<absl::Duration> rtt;
  std::optional<absl::Duration> min_rtt;
  static constexpr size_t kRttSamples = 8;
  // Round trips measured. After each registration the client measures a
  // few at once (PINGs one after another) rather than waiting for the
  // keepalives.
  uint64_t rtt_samples = 0;
};

class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  // Registered with the server (after every (re)connection).
  virtual void OnConnected() {}
  // The connection was lost; the client is reconnecting.
  virtual void OnDisconnected(const absl::Status& /*why*/) {}
  // A node of the network registered or republished its record (verified).
  virtual void OnPeer(const NodeRecord& /*record*/) {}
  // A node of the network went away (the server says so; unauthenticated,
  // so only a hint).
  virtual void OnPeerGone(absl::string_view /*node_id*/) {}
  virtual void OnSignal(const Signal& signal) = 0;
};

class Client {
 public:
  static constexpr size_t kMaxPayload = 16 * 1024;

  struct Options {
    std::string server;   // "HOST:PORT"; HOST a name or an IPv4/IPv6 literal.
    std::string network;  // [A-Za-z0-9._-]{1,64}.
    Clock* clock = nullptr;  // Defaults to RealClock::Get().
    absl::Duration connect_timeout = absl::Seconds(5);
    absl::Duration reconnect_min = absl::Milliseconds(200);
    absl::Duration reconnect_max = absl::Seconds(10);
    // The client pings the server this often when idle; the server drops
    // clients silent for 3x this.
    absl::Duration keepalive = absl::Seconds(15);
    // Signed messages older or newer than this (by the sender's clock) are
    // rejected; replays inside it are recognised by their nonce.
    absl::Duration freshness = absl::Minutes(5);
  };

  // `identity` and `observer` must outlive the client. Errors:
  // kInvalidArgument naming the bad option.
  static absl::StatusOr<std::unique_ptr<Client>> Create(
      const secure::Identity& identity, Options options,
      ClientObserver* observer);
  virtual ~Client() = default;  // Stops.

  // Starts the background thread (connect, register, reconnect).
  virtual absl::Status Start() = 0;
  // Replaces this node's published record (network and node ID are filled
  // in); sent now when connected, and on every (re)registration.
  // Errors: kInvalidArgument (bad transport ID, hint or standby).
  virtual absl::Status Publish(std::vector<std::string> transport_ids,
                               std::vector<std::string> hints,
                               std::string standby) = 0;
  // Signs and sends a message to `to` (a node ID) through the server.
  // Errors: kInvalidArgument (bad node ID, kind or payload size);
  // kUnavailable when not connected (nothing is queued across reconnects).
  virtual absl::Status Send(absl::string_view to, absl::string_view kind,
                            absl::string_view payload) = 0;
  // The verified records of the network's other nodes known now.
  virtual std::vector<NodeRecord> Peers() const = 0;
  virtual ClientStats stats() const = 0;
  // Unregisters when connected, closes, joins the thread. Idempotent; no
  // observer call follows its return.
  virtual void Stop() = 0;
};

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_CLIENT_H_
