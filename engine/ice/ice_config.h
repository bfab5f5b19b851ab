// Copyright 2026 The natfwt Authors.
//
// SessionConfig: what one ICE session may use (servers, addresses, ports,
// transports, nomination, timeouts), and the pure, strict parsers for the
// server names it carries.
//
//   SessionConfig config;                       // host candidates only
//   config.local_addresses = {IpAddress::Parse("127.0.0.1").value()};
//   config.stun_servers = {"stun.example.net:3478"};
//   config.turn_servers = {{.uri = "turns:turn.example.net?transport=tcp",
//                           .username = "u", .password = "p"}};
//   NATFWT_RETURN_IF_ERROR(ValidateSessionConfig(config));
//
// The defaults work with no server at all: host candidates on every local
// interface of the enabled families, aggressive nomination, consent freshness.
//
// Thread-safety: plain values and pure functions.

#ifndef NATFWT_ENGINE_ICE_ICE_CONFIG_H_
#define NATFWT_ENGINE_ICE_ICE_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/net/ip_address.h"

namespace natfwt::ice {

// Default STUN/TURN port over UDP and TCP (RFC 8489 section 18.6, spec).
inline constexpr uint16_t kDefaultStunPort = 3478;
// Default TURN port over TLS (RFC 7065 section 3 / RFC 8656 section 18, spec).
inline constexpr uint16_t kDefaultTurnsPort = 5349;

// How long a connected pair may go without a consent response before libnice
// declares it lost. libnice 0.1.21 hard-codes this (its private constant
// NICE_AGENT_TIMER_CONSENT_TIMEOUT, 10 s; RFC 7675 section 5.1 suggests 30 s)
// and has no property for it, so it is not configurable here; measured on
// this machine: a silent peer is detected 10.0 s after its last answer.
inline constexpr absl::Duration kConsentExpiry = absl::Seconds(10);

// A server named by host and port. `host` is a DNS name or an IP literal
// (IPv6 without brackets).
struct ServerAddress {
  std::string host;
  uint16_t port = 0;

  bool operator==(const ServerAddress& other) const {
    return host == other.host && port == other.port;
  }
};

// Parses "host[:port]" (IPv6 literals in brackets: "[2001:db8::1]:3478").
// `host` must be an IPv4 or IPv6 literal or a DNS name (letters, digits,
// hyphens, dots; labels of 1-63 characters; 253 characters at most). The port
// is 1-65535 without sign or leading zeros; absent means `default_port`.
// Errors: kInvalidArgument naming what is wrong.
absl::StatusOr<ServerAddress> ParseHostPort(absl::string_view text,
                                            uint16_t default_port);

// How a client reaches a TURN server (the relayed leg is always UDP).
enum class TurnTransport : uint8_t {
  kUdp,  // turn:...?transport=udp (the default for "turn:")
  kTcp,  // turn:...?transport=tcp
  kTls,  // turns:... (TLS over TCP; "?transport=tcp" is optional)
};
absl::string_view TurnTransportName(TurnTransport transport);

// A parsed RFC 7065 TURN URI.
struct TurnUri {
  ServerAddress server;
  TurnTransport transport = TurnTransport::kUdp;

  bool operator==(const TurnUri& other) const {
    return server == other.server && transport == other.transport;
  }
};

// Parses an RFC 7065 section 3 URI:
//   turnURI   = scheme ":" host [ ":" port ] [ "?transport=" transport ]
//   scheme    = "turn" / "turns"          (case-insensitive, RFC 3986 3.1)
//   transport = "udp" / "tcp"
// Strict: no user info, path, fragment or other query parameters; "turns"
// with "transport=udp" (DTLS) is rejected because natfwt cannot carry it.
// Default ports: 3478 for turn, 5349 for turns. Errors: kInvalidArgument.
absl::StatusOr<TurnUri> ParseTurnUri(absl::string_view uri);
// The canonical text of `uri` (scheme, host, port and transport explicit).
std::string FormatTurnUri(const TurnUri& uri);

// One TURN server with long-term credentials (RFC 8489 section 9.2).
struct TurnServer {
  std::string uri;  // RFC 7065 URI, see ParseTurnUri.
  std::string username;
  std::string password;
  // turns: only. PEM file with the certificate authorities trusted for this
  // server; empty means the system trust store. The server's certificate
  // must name the URI's host (DNS name or IP address).
  std::string tls_ca_file;
};

enum class NominationMode : uint8_t {
  // Every check of the controlling agent carries USE-CANDIDATE (RFC 5245
  // section 8.1.1.2). With libnice 0.1.21 this is the mode in which a pair
  // that starts working later (a direct pair while relayed) replaces the
  // selected one; see ice_session.h.
  kAggressive,
  // The controlling agent nominates one valid pair (RFC 8445 section 8.1.1).
  // libnice 0.1.21 then keeps that pair: later, better pairs are checked but
  // never selected until an ICE restart.
  kRegular,
};

// Local ports for host candidates; both zero means any port.
struct PortRange {
  uint16_t min = 0;
  uint16_t max = 0;
};

struct IceTimeouts {
  // After Start(): candidates found later are no longer signalled and the
  // session reports gathering done (a slow server never blocks the others).
  absl::Duration gathering = absl::Seconds(5);
  // After a remote description: no working pair by then fails the session.
  absl::Duration connectivity = absl::Seconds(15);
  // Ta (RFC 8445 section 14.2): the interval between two checks (and before
  // the first one), libnice's "stun-pacing-timer"; whole milliseconds from
  // kMinCheckPacing to kMaxCheckPacing. libnice's default is 20 ms; every
  // pair checked before the one that works costs one Ta of setup time.
  absl::Duration check_pacing = absl::Milliseconds(20);
};
// RFC 8445 section 14.2: Ta SHOULD NOT be less than 5 ms.
inline constexpr absl::Duration kMinCheckPacing = absl::Milliseconds(5);
inline constexpr absl::Duration kMaxCheckPacing = absl::Milliseconds(500);

struct SessionConfig {
  // "host[:port]" (see ParseHostPort). libnice 0.1.21 takes one STUN server
  // per agent: the first one that resolves is used.
  std::vector<std::string> stun_servers;
  std::vector<TurnServer> turn_servers;
  // Addresses host candidates are gathered on. Empty: every non-loopback
  // interface address of the enabled families.
  std::vector<net::IpAddress> local_addresses;
  PortRange port_range;
  bool ipv4 = true;
  bool ipv6 = true;
  bool ice_udp = true;   // UDP candidates (RFC 8445).
  bool ice_tcp = false;  // TCP candidates (RFC 6544); off: fewer sockets.
  // Only pairs whose local candidate is relayed (libnice "force-relay").
  // Needs at least one TURN server.
  bool relay_only = false;
  NominationMode nomination = NominationMode::kAggressive;
  // The ICE role (RFC 8445 section 6.1.1). Exactly one peer must be
  // controlling; libnice resolves a conflict with the tie-breaker.
  bool controlling = true;
  // RFC 7675 consent freshness (libnice's checks every ~5 s, expiry
  // kConsentExpiry). Off: libnice keepalives only, loss after ~50 s.
  bool consent_freshness = true;
  // On failure (checks failed, consent lost, connectivity timeout) restart
  // ICE by itself, at most `max_auto_restarts` times in a row without
  // reaching kConnected.
  bool auto_restart = false;
  int max_auto_restarts = 3;
  IceTimeouts timeouts;
};

// Checks every field: server names parse, at least one family and one
// transport, relay_only has a TURN server, local addresses belong to an
// enabled family, port range ordered (both set or both zero), timeouts
// positive, max_auto_restarts >= 0, credentials present for TURN servers and
// tls_ca_file only on turns: servers. Errors: kInvalidArgument.
absl::Status ValidateSessionConfig(const SessionConfig& config);

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_ICE_CONFIG_H_
