// Copyright 2026 The natfwt Authors.
//
// "HOST:PORT" as typed on a command line or in Client::Options::server
// (pure). HOST is a DNS name, an IPv4 literal, or an IPv6 literal in
// brackets ("[::1]:443", RFC 3986 §3.2.2); PORT is decimal 0-65535.
//
// Thread-safety: pure functions.

#ifndef NATFWT_ENGINE_RENDEZVOUS_HOST_PORT_H_
#define NATFWT_ENGINE_RENDEZVOUS_HOST_PORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::rendezvous {

struct HostPort {
  std::string host;  // Without brackets.
  uint16_t port = 0;
  bool is_ip_literal = false;  // An IPv4 or IPv6 address, not a name.
};

// Errors: kInvalidArgument naming the defect (no port, port out of range,
// unbalanced or misplaced brackets, an unbracketed IPv6 literal, a host
// name with characters outside [A-Za-z0-9.-] or longer than 253).
absl::StatusOr<HostPort> ParseHostPort(absl::string_view text);

// "1.2.3.4:80", "[::1]:80", "example.net:80".
std::string FormatHostPort(absl::string_view host, uint16_t port);

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_HOST_PORT_H_
