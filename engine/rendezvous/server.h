// Copyright 2026 The natfwt Authors.
//
// rendezvous::Server: the signalling server (`natfwt rendezvous`).
//
// One process serves many networks. Nodes connect over TCP (protocol.h),
// register with a signed record, learn the records of their network's
// other members, and relay signed signals to each other. The server is not
// trusted by the nodes (they verify everything, signed_envelope.h); it
// still checks what it can so that a node cannot disturb others:
//
// * Registration proves key possession now: the server sends a fresh
//   32-byte challenge in HELLO and REGISTER must carry an auth envelope
//   signed over it by the same key as the record. Records are broadcast to
//   every member, so a record alone proves nothing (anyone could replay
//   it); the challenge makes impersonation impossible. A node registering
//   again replaces its old connection, which is told ("ERR replaced") and
//   closed.
// * PUBLISH must be signed by the registered node and newer than its
//   current record; SIGNAL must come from the registered node, in its
//   network, to a member connected now ("ERR unknown-peer" otherwise).
//   Signal signatures are left to the receiver (it must check anyway).
// * Every connection has bounded input (one line, kMaxLineSize) and
//   output (max_output_bytes; a client that does not read is dropped), and
//   token-bucket rate limits on messages and bytes: a message over the
//   limit is dropped with "ERR rate-limited" and spends a strike; a client
//   out of strikes is disconnected. Idle clients (nothing received for
//   idle_timeout) and clients that do not register within
//   register_timeout are dropped.
// * A line that does not parse is answered with "ERR malformed <why>" and
//   counted; the connection survives. A line longer than kMaxLineSize
//   breaks the framing: "ERR oversized", then the connection is closed.
//
// No state survives a restart, and none needs to: clients reconnect and
// re-register on their own (client.h), and every member then learns every
// other member again.
//
//   rendezvous::Server::Options options;
//   options.listen = "0.0.0.0:443";
//   NATFWT_ASSIGN_OR_RETURN(auto server, rendezvous::Server::Create(options));
//   NATFWT_RETURN_IF_ERROR(server->Start());
//   std::cout << "listening on " << server->local_address() << "\n";
//   ...
//   server->Stop();
//
// One thread (the server's own) runs a poll(2) loop over non-blocking
// sockets; a few thousand mostly idle connections are what poll is good
// at, and every message is small.
//
// Thread-safety: every method may be called from any thread; Stop() must
// not be called concurrently with Start().

#ifndef NATFWT_ENGINE_RENDEZVOUS_SERVER_H_
#define NATFWT_ENGINE_RENDEZVOUS_SERVER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/rendezvous/protocol.h"
#include "platform/base/clock.h"

namespace natfwt::rendezvous {

struct ServerStats {
  size_t clients = 0;     // Connections open now.
  size_t registered = 0;  // Of which registered.
  size_t networks = 0;
  uint64_t accepted = 0;  // Connections accepted since Start().
  uint64_t refused = 0;   // Refused at accept (full, per-IP limit).
  uint64_t registrations = 0;
  uint64_t replaced = 0;     // Registrations that took over a node ID.
  uint64_t messages_in = 0;  // Lines received (well-formed or not).
  uint64_t messages_out = 0;
  uint64_t signals_relayed = 0;
  uint64_t records_pushed = 0;  // PEER lines sent.
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  // ERR replies sent, by ErrorCode.
  std::array<uint64_t, kErrorCodeCount> errors{};
  uint64_t rate_limited = 0;  // Messages dropped over the rate.
  // Connections closed by the server, by reason.
  uint64_t dropped_idle = 0;       // Idle, or not registered in time.
  uint64_t dropped_oversized = 0;  // Framing broken.
  uint64_t dropped_slow = 0;       // Output queue overflowed.
  uint64_t dropped_abusive = 0;    // Out of rate-limit strikes.
};

class Server {
 public:
  struct Options {
    // Numeric "ADDR:PORT" ("0.0.0.0:443", "[::]:3478"); port 0 picks one.
    std::string listen = "127.0.0.1:0";
    Clock* clock = nullptr;  // Defaults to RealClock::Get().
    size_t max_clients = 1024;
    size_t max_clients_per_ip = 64;
    size_t max_networks = 1024;
    size_t max_nodes_per_network = 256;
    // A client whose unsent output exceeds this is dropped. 3 MiB holds
    // the full member list of a maximal network: 256 records of at most
    // about 9.7 KiB each as a PEER line (16 transport IDs, 16 hints, a 2 KiB
    // standby offer, a 2 KiB certificate); typical records are about 1.5
    // KiB.
    size_t max_output_bytes = 3 * 1024 * 1024;
    absl::Duration idle_timeout = absl::Seconds(45);
    absl::Duration register_timeout = absl::Seconds(10);
    // Per client. The byte burst must hold at least one maximal line.
    double messages_per_second = 20;
    double message_burst = 60;
    double bytes_per_second = 128 * 1024;
    double byte_burst = 256 * 1024;
    // Rate-limit violations a client may commit before it is dropped;
    // they come back at one per second.
    double strikes = 32;
  };

  // Checks the options (no I/O). Errors: kInvalidArgument naming the bad
  // option (listen not a numeric ADDR:PORT, a zero limit, a byte burst
  // smaller than kMaxLineSize, a non-positive timeout or rate).
  static absl::StatusOr<std::unique_ptr<Server>> Create(Options options);
  virtual ~Server() = default;  // Stops.

  // Binds, listens and starts the server thread. Errors: kAlreadyExists
  // (address in use), kPermissionDenied, kFailedPrecondition (address not
  // on this host, or already started), kResourceExhausted, kInternal.
  virtual absl::Status Start() = 0;
  // The bound address ("127.0.0.1:41234"), with the real port when the
  // options said 0; empty before Start().
  virtual std::string local_address() const = 0;
  virtual uint16_t port() const = 0;
  virtual ServerStats stats() const = 0;
  // Closes every connection and the listener, joins the thread.
  // Idempotent.
  virtual void Stop() = 0;
};

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_SERVER_H_
