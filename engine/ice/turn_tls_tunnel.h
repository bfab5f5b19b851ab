// Copyright 2026 The natfwt Authors.
//
// TurnTlsTunnel: TLS for "turns:" servers.
//
// libnice 0.1.21 has no TLS client: with NICE_COMPATIBILITY_RFC5245 its
// NICE_RELAY_TYPE_TURN_TLS sends plain TCP (it wraps the socket only for the
// Google and MSOC dialects, with a fake handshake). So a session points
// libnice at this tunnel as a TURN-over-TCP server instead: the tunnel
// listens on a loopback port, and each connection libnice opens is carried
// over a real TLS connection (GIO, certificate verified against the server's
// name) to the TURN server, with g_io_stream_splice_async.
//
// Internal to engine/ice. Any local process could connect to the loopback
// port; it would get a TLS pipe to a public TURN server and nothing else
// (credentials travel inside the TURN messages libnice writes).
//
// Thread-safety: create, use and destroy on the network thread (its
// GMainContext must be thread-default there). Connections still closing when
// the tunnel is destroyed finish on that context by themselves, which must
// therefore keep running until they have: CloseAll() tells when (a loop that
// stops earlier strands them, and their sockets stay open for good).

#ifndef NATFWT_ENGINE_ICE_TURN_TLS_TUNNEL_H_
#define NATFWT_ENGINE_ICE_TURN_TLS_TUNNEL_H_

#include <gio/gio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "engine/ice/ice_config.h"
#include "platform/net/ip_address.h"

namespace natfwt::ice {

class TurnTlsTunnel {
 public:
  // Listens on `loopback` (127.0.0.1 or ::1), port chosen by the kernel, and
  // forwards to `server` over TLS. `ca_file`: PEM trust anchors, or empty for
  // the system store. Errors: kUnimplemented (GIO has no TLS backend, i.e.
  // glib-networking is missing), kInvalidArgument (unreadable ca_file),
  // kInternal (cannot listen).
  static absl::StatusOr<std::unique_ptr<TurnTlsTunnel>> Create(
      const net::IpAddress& loopback, const ServerAddress& server,
      const std::string& ca_file);

  TurnTlsTunnel(const TurnTlsTunnel&) = delete;
  TurnTlsTunnel& operator=(const TurnTlsTunnel&) = delete;
  // Stops listening and cancels every connection.
  ~TurnTlsTunnel();

  // Destroys `tunnels` and runs `on_closed` on the network thread once every
  // connection they carried has ended and its sockets are closed: at once
  // when none is open, otherwise after the cancelled operations come back on
  // the context (a few iterations). `on_closed` may be empty.
  static void CloseAll(std::vector<std::unique_ptr<TurnTlsTunnel>> tunnels,
                       absl::AnyInvocable<void() &&> on_closed);

  const net::IpAddress& local_address() const { return loopback_; }
  uint16_t local_port() const { return port_; }

 private:
  struct Shared;
  TurnTlsTunnel(net::IpAddress loopback, uint16_t port, GSocketService* service,
                std::shared_ptr<Shared> shared);
  static gboolean OnIncoming(GSocketService* service,
                             GSocketConnection* connection, GObject* source,
                             gpointer data);

  net::IpAddress loopback_;
  uint16_t port_;
  GSocketService* service_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_TURN_TLS_TUNNEL_H_
