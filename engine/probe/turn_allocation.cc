// Copyright 2026 The natfwt Authors.

#include "engine/probe/turn_allocation.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/probe/stun_codec.h"
#include "platform/base/status_macros.h"

namespace natfwt::probe {
namespace {

// RFC 8656 section 18 / RFC 8489 section 14.8 error codes (spec).
constexpr int kForbidden = 403;
constexpr int kWrongCredentials = 441;
constexpr int kQuotaReached = 486;
constexpr int kInsufficientCapacity = 508;
// Allocate attempts: without credentials, with them, and once more after a
// 438 Stale Nonce (implementation choice).
constexpr int kMaxAttempts = 3;

struct Answered {
  TurnResponse response;
  std::optional<absl::Duration> rtt;
};

using Builder = absl::StatusOr<StunRequest> (TurnClient::*)();
using Parser =
    absl::StatusOr<TurnResponse> (TurnClient::*)(absl::Span<const uint8_t>);

absl::StatusOr<Answered> Transact(StunTransport& transport, TurnClient& client,
                                  Builder build, Parser parse,
                                  absl::Time deadline) {
  NATFWT_ASSIGN_OR_RETURN(StunRequest request, (client.*build)());
  std::optional<TurnResponse> parsed;
  absl::StatusOr<Answer> answer = transport.Exchange(
      request.bytes, deadline,
      [&](absl::Span<const uint8_t> message, const net::UdpEndpoint&) {
        absl::StatusOr<TurnResponse> response = (client.*parse)(message);
        if (!response.ok()) return false;
        parsed = *std::move(response);
        return true;
      });
  if (!answer.ok()) {
    client.Forget(request.id);
    return answer.status();
  }
  return Answered{*std::move(parsed), answer->rtt};
}

std::string Code(const TurnResponse& response) {
  return absl::StrCat(response.error_code, " ", response.error_reason);
}

absl::Status AllocateError(const TurnResponse& response,
                           absl::string_view server, absl::string_view user) {
  const std::string text = absl::StrCat(
      "the TURN server ", server, " refused the allocation: ", Code(response));
  switch (response.error_code) {
    case kWrongCredentials:
      return absl::UnauthenticatedError(
          absl::StrCat(text, " (wrong credentials for user '", user, "')"));
    case kForbidden:
      return absl::PermissionDeniedError(text);
    case kQuotaReached:
    case kInsufficientCapacity:
      return absl::ResourceExhaustedError(text);
    default:
      return absl::FailedPreconditionError(text);
  }
}

absl::StatusOr<Answered> Allocate(StunTransport& transport, TurnClient& client,
                                  const ice::TurnServer& server,
                                  absl::string_view where,
                                  absl::Time deadline) {
  bool sent_credentials = false;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    NATFWT_ASSIGN_OR_RETURN(
        Answered answered,
        Transact(transport, client, &TurnClient::AllocateRequest,
                 &TurnClient::ParseAllocateResponse, deadline));
    const TurnResponse& response = answered.response;
    if (response.kind == TurnResponse::Kind::kSuccess) return answered;
    if (response.kind == TurnResponse::Kind::kError) {
      return AllocateError(response, where, server.username);
    }
    // A challenge: 401 after credentials means they are wrong; a 438
    // (stale nonce) is retried with the new nonce.
    if (sent_credentials && response.error_code == 401) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the TURN server ", where, " rejected the credentials of user '",
          server.username, "' (", Code(response), ")"));
    }
    sent_credentials = true;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "the TURN server ", where, " kept answering with a new nonce"));
}

void Release(StunTransport& transport, TurnClient& client,
             AllocationReport& report, absl::Time deadline) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<Answered> answered =
        Transact(transport, client, &TurnClient::ReleaseRequest,
                 &TurnClient::ParseRefreshResponse, deadline);
    if (!answered.ok()) {
      report.release_error = std::string(answered.status().message());
      return;
    }
    if (answered->response.kind == TurnResponse::Kind::kSuccess) {
      report.released = true;
      return;
    }
    report.release_error = absl::StrCat("Refresh (lifetime 0) refused: ",
                                        Code(answered->response));
    if (answered->response.kind != TurnResponse::Kind::kChallenge) return;
  }
}

}  // namespace

absl::StatusOr<AllocationReport> AllocateAndRelease(
    const StunTransportConfig& config, const ice::TurnServer& server,
    absl::Time deadline) {
  NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<StunTransport> transport,
                          StunTransport::Connect(config, deadline));
  const std::string where =
      absl::StrCat(config.server.ToString(), " (", transport->name(), ")");
  TurnClient client(server.username, server.password);
  NATFWT_ASSIGN_OR_RETURN(
      Answered allocated,
      Allocate(*transport, client, server, where, deadline));
  AllocationReport report;
  report.relayed = *allocated.response.relayed;
  report.mapped = allocated.response.mapped;
  report.lifetime_seconds = allocated.response.lifetime_seconds;
  report.rtt = allocated.rtt;
  Release(*transport, client, report, deadline);
  return report;
}

}  // namespace natfwt::probe
