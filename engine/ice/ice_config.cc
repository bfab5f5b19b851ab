// Copyright 2026 The natfwt Authors.

#include "engine/ice/ice_config.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

// RFC 1035 section 2.3.4 limits, spec.
constexpr size_t kMaxLabelLength = 63;
constexpr size_t kMaxNameLength = 253;

absl::Status Invalid(absl::string_view what, absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": \"", text, "\""));
}

bool IsAllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsValidLabel(absl::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    const auto u = static_cast<unsigned char>(c);
    if (!absl::ascii_isalnum(u) && c != '-') return false;
  }
  return true;
}

// RFC 1123 section 2.1 host names; the last label may not be numeric, so a
// mistyped address ("10.0.0.256") is not taken for a name.
bool IsValidDnsName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  absl::string_view last;
  while (true) {
    const size_t dot = name.find('.');
    last = name.substr(0, dot);
    if (!IsValidLabel(last)) return false;
    if (dot == absl::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return !IsAllDigits(last);
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  if (!IsAllDigits(text) || text.size() > 5 || text.front() == '0') {
    return Invalid("port must be 1-65535", text);
  }
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  if (value > 65535) return Invalid("port must be 1-65535", text);
  return static_cast<uint16_t>(value);
}

// Splits "[v6]:port", "[v6]", "host:port" or "host" into host and port text.
absl::Status SplitHostPort(absl::string_view text, absl::string_view* host,
                           absl::string_view* port, bool* bracketed) {
  *bracketed = !text.empty() && text.front() == '[';
  if (*bracketed) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) return Invalid("missing ']'", text);
    *host = text.substr(1, close - 1);
    absl::string_view rest = text.substr(close + 1);
    if (rest.empty()) return absl::OkStatus();
    if (rest.front() != ':') return Invalid("junk after ']'", text);
    *port = rest.substr(1);
    if (port->empty()) return Invalid("empty port", text);
    return absl::OkStatus();
  }
  const size_t colon = text.find(':');
  if (colon != absl::string_view::npos &&
      text.find(':', colon + 1) != absl::string_view::npos) {
    return Invalid("IPv6 host needs brackets", text);
  }
  *host = text.substr(0, colon);
  if (colon == absl::string_view::npos) return absl::OkStatus();
  *port = text.substr(colon + 1);
  if (port->empty()) return Invalid("empty port", text);
  return absl::OkStatus();
}

absl::Status CheckHost(absl::string_view host, bool bracketed,
                       absl::string_view text) {
  if (host.empty()) return Invalid("empty host", text);
  absl::StatusOr<net::IpAddress> literal = net::IpAddress::Parse(host);
  if (bracketed) {
    if (!literal.ok() || !literal->is_v6()) {
      return Invalid("brackets must hold an IPv6 address", text);
    }
    return absl::OkStatus();
  }
  if (literal.ok()) {
    if (literal->is_v6()) return Invalid("IPv6 host needs brackets", text);
    return absl::OkStatus();
  }
  if (!IsValidDnsName(host))
    return Invalid("not an IP address or DNS name", text);
  return absl::OkStatus();
}

// Splits "scheme:rest"; the scheme is lower-cased.
absl::Status SplitScheme(absl::string_view uri, std::string* scheme,
                         absl::string_view* rest) {
  const size_t colon = uri.find(':');
  if (colon == absl::string_view::npos) return Invalid("missing scheme", uri);
  *scheme = absl::AsciiStrToLower(uri.substr(0, colon));
  *rest = uri.substr(colon + 1);
  if (*scheme != "turn" && *scheme != "turns") {
    return Invalid("scheme must be turn or turns", uri);
  }
  if (absl::StartsWith(*rest, "//")) {
    return Invalid("RFC 7065 URIs have no \"//\" authority", uri);
  }
  return absl::OkStatus();
}

absl::StatusOr<TurnTransport> ParseTransportQuery(absl::string_view query,
                                                  bool secure,
                                                  absl::string_view uri) {
  constexpr absl::string_view kKey = "transport=";
  if (!absl::StartsWith(query, kKey)) {
    return Invalid("the only query parameter is transport=", uri);
  }
  const absl::string_view value = query.substr(kKey.size());
  if (value == "tcp") return secure ? TurnTransport::kTls : TurnTransport::kTcp;
  if (value == "udp") {
    if (secure) return Invalid("turns over UDP (DTLS) is not supported", uri);
    return TurnTransport::kUdp;
  }
  return Invalid("transport must be udp or tcp", uri);
}

absl::Status CheckTurnServer(const TurnServer& server) {
  NATFWT_ASSIGN_OR_RETURN(TurnUri uri, ParseTurnUri(server.uri));
  if (server.username.empty() || server.password.empty()) {
    return Invalid("TURN server needs a username and a password", server.uri);
  }
  for (const std::string* field :
       {&server.username, &server.password, &server.tls_ca_file}) {
    if (field->find('\0') != std::string::npos) {
      return Invalid("NUL byte in TURN server settings", server.uri);
    }
  }
  if (!server.tls_ca_file.empty() && uri.transport != TurnTransport::kTls) {
    return Invalid("tls_ca_file is for turns: servers only", server.uri);
  }
  return absl::OkStatus();
}

absl::Status CheckFamilies(const SessionConfig& config) {
  if (!config.ipv4 && !config.ipv6) {
    return absl::InvalidArgumentError("both IPv4 and IPv6 are disabled");
  }
  for (const net::IpAddress& address : config.local_addresses) {
    if ((address.is_v4() && !config.ipv4) ||
        (address.is_v6() && !config.ipv6)) {
      return Invalid("local address of a disabled family", address.ToString());
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNumbers(const SessionConfig& config) {
  const PortRange& range = config.port_range;
  if ((range.min == 0) != (range.max == 0) || range.min > range.max) {
    return absl::InvalidArgumentError(
        absl::StrCat("port range ", range.min, "-", range.max,
                     " must be ordered, with both ends set or both zero"));
  }
  if (config.timeouts.gathering <= absl::ZeroDuration() ||
      config.timeouts.connectivity <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  const absl::Duration pacing = config.timeouts.check_pacing;
  if (pacing < kMinCheckPacing || pacing > kMaxCheckPacing ||
      pacing != absl::Milliseconds(absl::ToInt64Milliseconds(pacing))) {
    return absl::InvalidArgumentError(
        "check pacing must be whole milliseconds from 5 to 500");
  }
  if (config.max_auto_restarts < 0) {
    return absl::InvalidArgumentError("max_auto_restarts must be >= 0");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerAddress> ParseHostPort(absl::string_view text,
                                            uint16_t default_port) {
  absl::string_view host;
  absl::string_view port_text;
  bool bracketed = false;
  NATFWT_RETURN_IF_ERROR(SplitHostPort(text, &host, &port_text, &bracketed));
  NATFWT_RETURN_IF_ERROR(CheckHost(host, bracketed, text));
  ServerAddress result{std::string(host), default_port};
  if (!port_text.empty()) {
    NATFWT_ASSIGN_OR_RETURN(result.port, ParsePort(port_text));
  }
  if (result.port == 0) return Invalid("port must be 1-65535", text);
  return result;
}

absl::string_view TurnTransportName(TurnTransport transport) {
  switch (transport) {
    case TurnTransport::kUdp:
      return "udp";
    case TurnTransport::kTcp:
      return "tcp";
    case TurnTransport::kTls:
      return "tls";
  }
  return "unknown";
}

absl::StatusOr<TurnUri> ParseTurnUri(absl::string_view uri) {
  std::string scheme;
  absl::string_view rest;
  NATFWT_RETURN_IF_ERROR(SplitScheme(uri, &scheme, &rest));
  const bool secure = scheme == "turns";
  TurnUri result;
  result.transport = secure ? TurnTransport::kTls : TurnTransport::kUdp;
  const size_t question = rest.find('?');
  if (question != absl::string_view::npos) {
    NATFWT_ASSIGN_OR_RETURN(
        result.transport,
        ParseTransportQuery(rest.substr(question + 1), secure, uri));
    rest = rest.substr(0, question);
  }
  if (rest.find_first_of("@/#") != absl::string_view::npos) {
    return Invalid("user info, path and fragment are not allowed", uri);
  }
  NATFWT_ASSIGN_OR_RETURN(
      result.server,
      ParseHostPort(rest, secure ? kDefaultTurnsPort : kDefaultStunPort));
  return result;
}

std::string FormatTurnUri(const TurnUri& uri) {
  const bool secure = uri.transport == TurnTransport::kTls;
  const bool v6 = uri.server.host.find(':') != std::string::npos;
  return absl::StrCat(
      secure ? "turns:" : "turn:", v6 ? "[" : "", uri.server.host,
      v6 ? "]" : "", ":", uri.server.port,
      "?transport=", uri.transport == TurnTransport::kUdp ? "udp" : "tcp");
}

absl::Status ValidateSessionConfig(const SessionConfig& config) {
  for (const std::string& stun : config.stun_servers) {
    NATFWT_RETURN_IF_ERROR(ParseHostPort(stun, kDefaultStunPort).status());
  }
  for (const TurnServer& turn : config.turn_servers) {
    NATFWT_RETURN_IF_ERROR(CheckTurnServer(turn));
  }
  if (!config.ice_udp && !config.ice_tcp) {
    return absl::InvalidArgumentError("both ICE-UDP and ICE-TCP are disabled");
  }
  if (config.relay_only && config.turn_servers.empty()) {
    return absl::InvalidArgumentError("relay_only needs a TURN server");
  }
  NATFWT_RETURN_IF_ERROR(CheckFamilies(config));
  return CheckNumbers(config);
}

}  // namespace natfwt::ice
