// Copyright 2026 The natfwt Authors.
//
// StunTransport: where one client's STUN transactions with one server go,
// over UDP (retransmitted, stun_exchange.h), TCP or TLS (sent once, RFC
// 8489 section 6.2.2; messages framed by their length field, RFC 8489
// section 6.2.2 / RFC 8656 section 3.1). Used by the TURN allocation check.
//
//   NATFWT_ASSIGN_OR_RETURN(auto transport,
//       StunTransport::Connect({.server = endpoint, .transport = kTcp},
//                              deadline));
//   NATFWT_ASSIGN_OR_RETURN(Answer answer,
//       transport->Exchange(request.bytes, deadline, accept));
//
// TCP and TLS use GIO's blocking calls (GSocketClient, GTlsClientConnection)
// on the caller's thread: no main loop. Connect and the TLS handshake are
// bounded by a socket timeout rounded up to whole seconds (GIO's unit);
// reads wait exactly until the deadline.
//
// Thread-safety: one transport per thread at a time.

#ifndef NATFWT_ENGINE_PROBE_STUN_TRANSPORT_H_
#define NATFWT_ENGINE_PROBE_STUN_TRANSPORT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/ice/ice_config.h"
#include "engine/probe/stun_exchange.h"
#include "platform/net/ip_address.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

struct StunTransportConfig {
  net::UdpEndpoint server;  // Resolved address and port.
  ice::TurnTransport transport = ice::TurnTransport::kUdp;
  // UDP: the local address to bind (port chosen by the kernel).
  net::IpAddress local;
  // TLS: the name the certificate must carry (the URI's host), and a PEM
  // file of trusted authorities (empty: the system store).
  std::string tls_host;
  std::string tls_ca_file;
};

class StunTransport {
 public:
  virtual ~StunTransport() = default;

  // Opens the transport: a UDP socket, or a TCP connection (and a TLS
  // handshake) to the server, within `deadline`. Errors: kUnavailable
  // (connection refused or reset, unreachable, TLS handshake failed or
  // certificate not trusted: the message says which), kDeadlineExceeded
  // (no connection by the deadline), kUnimplemented (no GIO TLS backend),
  // kInvalidArgument (unreadable CA file).
  static absl::StatusOr<std::unique_ptr<StunTransport>> Connect(
      const StunTransportConfig& config, absl::Time deadline);

  // Sends `request` (retransmitting over UDP) and returns the first answer
  // `accept` takes. Errors: kDeadlineExceeded (nothing accepted by
  // `deadline`), kUnavailable (the connection closed or failed, a send was
  // refused).
  virtual absl::StatusOr<Answer> Exchange(absl::Span<const uint8_t> request,
                                          absl::Time deadline,
                                          AnswerFilter accept) = 0;

  // "UDP", "TCP" or "TLS".
  virtual absl::string_view name() const = 0;
};

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_STUN_TRANSPORT_H_
