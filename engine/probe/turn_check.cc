// Copyright 2026 The natfwt Authors.

#include "engine/probe/turn_check.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/probe/probe_net.h"
#include "platform/base/status_macros.h"

namespace natfwt::probe {
namespace {

absl::Status ValidateOptions(const TurnCheckOptions& options,
                             const ice::TurnUri& uri) {
  if (options.server.username.empty() || options.server.password.empty()) {
    return absl::InvalidArgumentError(
        "TURN needs a username and a password (long-term credentials)");
  }
  if (!options.server.tls_ca_file.empty() &&
      uri.transport != ice::TurnTransport::kTls) {
    return absl::InvalidArgumentError("a CA file applies to turns: URIs only");
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the timeout must be positive");
  }
  if (options.datagrams < 1 || options.datagrams > 1000) {
    return absl::InvalidArgumentError("datagrams must be 1-1000");
  }
  return absl::OkStatus();
}

void Fail(TurnCheckReport& report, absl::string_view step,
          const absl::Status& status) {
  report.failed_step = std::string(step);
  report.error = std::string(status.message());
}

}  // namespace

absl::StatusOr<TurnCheckReport> RunTurnCheck(const TurnCheckOptions& options) {
  absl::StatusOr<ice::TurnUri> uri = ice::ParseTurnUri(options.server.uri);
  if (!uri.ok()) return uri.status();
  NATFWT_RETURN_IF_ERROR(ValidateOptions(options, *uri));
  const absl::Time deadline = absl::Now() + options.timeout;
  TurnCheckReport report;
  report.uri = *uri;
  NATFWT_ASSIGN_OR_RETURN(net::IpAddress address,
                          ResolveHost(uri->server.host));
  report.server = {address, uri->server.port};
  NATFWT_ASSIGN_OR_RETURN(report.local, LocalAddressToward(report.server));

  const StunTransportConfig transport{
      .server = report.server,
      .transport = uri->transport,
      .local = report.local,
      .tls_host = uri->server.host,
      .tls_ca_file = options.server.tls_ca_file};
  absl::StatusOr<AllocationReport> allocation =
      AllocateAndRelease(transport, options.server, deadline);
  if (!allocation.ok()) {
    Fail(report, "allocate", allocation.status());
    return report;
  }
  report.allocation = *std::move(allocation);
  if (!report.allocation->released) {
    Fail(report, "release",
         absl::UnavailableError(report.allocation->release_error));
    return report;
  }
  absl::StatusOr<RelayEchoReport> relay =
      RunRelayEcho({.server = options.server,
                    .local = report.local,
                    .datagrams = options.datagrams,
                    .deadline = deadline});
  if (!relay.ok()) {
    Fail(report, "relay", relay.status());
    return report;
  }
  report.relay = *std::move(relay);
  if (report.relay->echoed * 2 <= report.relay->sent) {
    Fail(report, "relay",
         absl::UnavailableError(absl::StrCat(
             "only ", report.relay->echoed, " of ", report.relay->sent,
             " datagrams came back through the relay")));
  }
  return report;
}

}  // namespace natfwt::probe
