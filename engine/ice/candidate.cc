// Copyright 2026 The natfwt Authors.

#include "engine/ice/candidate.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace natfwt::ice {
namespace {

absl::Status Invalid(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

absl::Status CheckRelated(const Candidate& candidate) {
  const bool host = candidate.type == CandidateType::kHost;
  if (host && candidate.related.has_value()) {
    return Invalid("host candidates carry no related address");
  }
  if (!host && !candidate.related.has_value()) {
    return Invalid(absl::StrCat(CandidateTypeName(candidate.type),
                                " candidates need a related address"));
  }
  return absl::OkStatus();
}

absl::Status CheckCredential(absl::string_view what, absl::string_view value,
                             size_t min_length) {
  if (value.size() < min_length || value.size() > kMaxCredentialLength) {
    return Invalid(absl::StrCat(what, " must be ", min_length, "-",
                                kMaxCredentialLength, " characters, not ",
                                value.size()));
  }
  if (!IsIceChars(value)) {
    return Invalid(
        absl::StrCat(what, " has characters outside A-Z a-z 0-9 + /"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view CandidateTypeName(CandidateType type) {
  switch (type) {
    case CandidateType::kHost:
      return "host";
    case CandidateType::kServerReflexive:
      return "srflx";
    case CandidateType::kPeerReflexive:
      return "prflx";
    case CandidateType::kRelay:
      return "relay";
  }
  return "unknown";
}

absl::StatusOr<CandidateType> ParseCandidateType(absl::string_view name) {
  for (CandidateType type :
       {CandidateType::kHost, CandidateType::kServerReflexive,
        CandidateType::kPeerReflexive, CandidateType::kRelay}) {
    if (name == CandidateTypeName(type)) return type;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown candidate type \"", name, "\""));
}

absl::string_view CandidateTransportName(CandidateTransport transport) {
  switch (transport) {
    case CandidateTransport::kUdp:
      return "udp";
    case CandidateTransport::kTcpActive:
      return "tcp-active";
    case CandidateTransport::kTcpPassive:
      return "tcp-passive";
    case CandidateTransport::kTcpSimultaneousOpen:
      return "tcp-so";
  }
  return "unknown";
}

bool IsTcp(CandidateTransport transport) {
  return transport != CandidateTransport::kUdp;
}

std::string TransportAddress::ToString() const {
  if (address.is_v6()) return absl::StrCat("[", address.ToString(), "]:", port);
  return absl::StrCat(address.ToString(), ":", port);
}

absl::Status ValidateCandidate(const Candidate& candidate) {
  if (candidate.foundation.size() > kMaxFoundationLength ||
      !IsIceChars(candidate.foundation)) {
    return Invalid("foundation must be 1-32 characters of A-Z a-z 0-9 + /");
  }
  if (candidate.component < 1 || candidate.component > kMaxComponent) {
    return Invalid(absl::StrCat("component ", candidate.component,
                                " outside 1-", kMaxComponent));
  }
  if (candidate.priority < 1 || candidate.priority > kMaxPriority) {
    return Invalid(
        absl::StrCat("priority ", candidate.priority, " outside 1-2147483647"));
  }
  // An active TCP candidate never listens: its port means nothing and
  // receivers ignore it (RFC 6544 section 4.5). libnice signals 0, and the
  // local side of a selected tcp-active pair carries the connection's port.
  const bool active = candidate.transport == CandidateTransport::kTcpActive;
  if (candidate.address.port == 0 && !active)
    return Invalid("candidate port 0");
  return CheckRelated(candidate);
}

bool IsIceChars(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (!absl::ascii_isalnum(u) && c != '+' && c != '/') return false;
  }
  return true;
}

absl::Status ValidateUfrag(absl::string_view ufrag) {
  return CheckCredential("ufrag", ufrag, kMinUfragLength);
}

absl::Status ValidatePwd(absl::string_view pwd) {
  return CheckCredential("pwd", pwd, kMinPwdLength);
}

}  // namespace natfwt::ice
