// Copyright 2026 The natfwt Authors.
//
// What `natfwt turn --server URI` runs: allocate on a TURN server and report
// the relayed address and round trip (turn_allocation.h), prove that data
// flows through the relay (relay_echo.h), release everything.
//
//   TurnCheckOptions options;
//   options.server = {.uri = "turn:turn.example.net?transport=udp",
//                     .username = "u", .password = "p"};
//   NATFWT_ASSIGN_OR_RETURN(TurnCheckReport report, RunTurnCheck(options));
//   if (!report.ok()) std::cerr << report.failed_step << ": " << report.error;
//
// Steps, all within `timeout`:
//  1. resolve the URI's host; find the local address toward it;
//  2. allocate by hand (UDP, TCP or TLS as the URI says), note the relayed
//     and mapped addresses, the lifetime and the Allocate RTT, then delete
//     the allocation (Refresh, LIFETIME 0);
//  3. two relay-only IceSessions through the server exchange `datagrams`
//     echoed datagrams; the check passes when more than half come back;
//     closing them releases their allocations.
//
// Thread-safety: a blocking function without shared state.

#ifndef NATFWT_ENGINE_PROBE_TURN_CHECK_H_
#define NATFWT_ENGINE_PROBE_TURN_CHECK_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/ice/ice_config.h"
#include "engine/probe/relay_echo.h"
#include "engine/probe/turn_allocation.h"

namespace natfwt::probe {

struct TurnCheckOptions {
  ice::TurnServer server;  // RFC 7065 URI (ice::ParseTurnUri), credentials.
  absl::Duration timeout = absl::Seconds(10);  // The whole check.
  int datagrams = 10;                          // 1-1000.
};

struct TurnCheckReport {
  ice::TurnUri uri;
  net::UdpEndpoint server;  // The resolved address and port.
  net::IpAddress local;     // The local address toward it.
  std::optional<AllocationReport> allocation;
  std::optional<RelayEchoReport> relay;
  // Empty when every step worked; otherwise the step that failed
  // ("allocate", "release" or "relay") and why.
  std::string failed_step;
  std::string error;

  bool ok() const { return failed_step.empty(); }
};

// Runs the check. A server that refuses, fails or does not answer is a
// report with failed_step/error set, not an error. Errors (nothing was
// tried): kInvalidArgument (bad URI, empty username or password, a CA file
// for turn:, datagrams or timeout out of range), kNotFound/kUnavailable
// (the host does not resolve, no route to it).
absl::StatusOr<TurnCheckReport> RunTurnCheck(const TurnCheckOptions& options);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_TURN_CHECK_H_
