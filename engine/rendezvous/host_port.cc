// Copyright 2026 The natfwt Authors.
//
// HOST:PORT parsing.

#include "engine/rendezvous/host_port.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "platform/net/ip_address.h"

namespace natfwt::rendezvous {
namespace {

constexpr size_t kMaxHostName = 253;  // RFC 1035 §2.3.4, without the root.

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "'", absl::CHexEscape(text.substr(0, 300)), "' is not HOST:PORT: ", why));
}

bool IsHostNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '-';
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text,
                                   absl::string_view whole) {
  uint32_t port = 0;
  if (text.empty() || text.size() > 5 || !absl::ascii_isdigit(text[0]) ||
      !absl::SimpleAtoi(text, &port) || port > 65535) {
    return Bad(whole, "the port must be a number from 0 to 65535");
  }
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return Bad(whole, "the port must be a number from 0 to 65535");
    }
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

absl::StatusOr<HostPort> ParseHostPort(absl::string_view text) {
  HostPort result;
  absl::string_view port_text;
  if (absl::StartsWith(text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() ||
        text[close + 1] != ':') {
      return Bad(text, "expected [IPv6]:PORT");
    }
    result.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(result.host);
    if (!address.ok() || !address->is_v6()) {
      return Bad(text, "brackets hold an IPv6 address");
    }
    result.is_ip_literal = true;
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) return Bad(text, "no port");
    result.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (result.host.find(':') != std::string::npos) {
      return Bad(text, "an IPv6 address goes in brackets: [ADDR]:PORT");
    }
    if (result.host.empty() || result.host.size() > kMaxHostName) {
      return Bad(text, "the host is empty or too long");
    }
    for (char c : result.host) {
      if (!IsHostNameChar(c)) return Bad(text, "bad character in the host");
    }
    result.is_ip_literal = net::IpAddress::Parse(result.host).ok();
  }
  absl::StatusOr<uint16_t> port = ParsePort(port_text, text);
  if (!port.ok()) return port.status();
  result.port = *port;
  return result;
}

std::string FormatHostPort(absl::string_view host, uint16_t port) {
  if (absl::StrContains(host, ':')) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

}  // namespace natfwt::rendezvous
