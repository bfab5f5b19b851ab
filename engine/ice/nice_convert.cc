// Copyright 2026 The natfwt Authors.

#include "engine/ice/nice_convert.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

CandidateType FromNiceType(NiceCandidateType type) {
  switch (type) {
    case NICE_CANDIDATE_TYPE_HOST:
      return CandidateType::kHost;
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
      return CandidateType::kServerReflexive;
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
      return CandidateType::kPeerReflexive;
    case NICE_CANDIDATE_TYPE_RELAYED:
      return CandidateType::kRelay;
  }
  return CandidateType::kHost;
}

NiceCandidateType ToNiceType(CandidateType type) {
  switch (type) {
    case CandidateType::kHost:
      return NICE_CANDIDATE_TYPE_HOST;
    case CandidateType::kServerReflexive:
      return NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE;
    case CandidateType::kPeerReflexive:
      return NICE_CANDIDATE_TYPE_PEER_REFLEXIVE;
    case CandidateType::kRelay:
      return NICE_CANDIDATE_TYPE_RELAYED;
  }
  return NICE_CANDIDATE_TYPE_HOST;
}

CandidateTransport FromNiceTransport(NiceCandidateTransport transport) {
  switch (transport) {
    case NICE_CANDIDATE_TRANSPORT_UDP:
      return CandidateTransport::kUdp;
    case NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE:
      return CandidateTransport::kTcpActive;
    case NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE:
      return CandidateTransport::kTcpPassive;
    case NICE_CANDIDATE_TRANSPORT_TCP_SO:
      return CandidateTransport::kTcpSimultaneousOpen;
  }
  return CandidateTransport::kUdp;
}

NiceCandidateTransport ToNiceTransport(CandidateTransport transport) {
  switch (transport) {
    case CandidateTransport::kUdp:
      return NICE_CANDIDATE_TRANSPORT_UDP;
    case CandidateTransport::kTcpActive:
      return NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE;
    case CandidateTransport::kTcpPassive:
      return NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE;
    case CandidateTransport::kTcpSimultaneousOpen:
      return NICE_CANDIDATE_TRANSPORT_TCP_SO;
  }
  return NICE_CANDIDATE_TRANSPORT_UDP;
}

}  // namespace

absl::StatusOr<TransportAddress> FromNiceAddress(const NiceAddress& address) {
  if (!nice_address_is_valid(&address)) {
    return absl::InvalidArgumentError("libnice address is not set");
  }
  gchar text[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string(&address, text);
  NATFWT_ASSIGN_OR_RETURN(net::IpAddress ip, net::IpAddress::Parse(text));
  return TransportAddress{
      ip, static_cast<uint16_t>(nice_address_get_port(&address))};
}

NiceAddress ToNiceAddress(const TransportAddress& address) {
  NiceAddress result;
  nice_address_init(&result);
  nice_address_set_from_string(&result, address.address.ToString().c_str());
  nice_address_set_port(&result, address.port);
  return result;
}

absl::StatusOr<Candidate> FromNiceCandidate(const NiceCandidate& nice) {
  Candidate candidate;
  candidate.type = FromNiceType(nice.type);
  candidate.transport = FromNiceTransport(nice.transport);
  candidate.component = nice.component_id;
  candidate.priority = nice.priority;
  candidate.foundation = nice.foundation;
  NATFWT_ASSIGN_OR_RETURN(candidate.address, FromNiceAddress(nice.addr));
  if (candidate.type != CandidateType::kHost) {
    absl::StatusOr<TransportAddress> base = FromNiceAddress(nice.base_addr);
    // A missing base (libnice leaves it unset for some remote-learned
    // candidates) is reported as the unspecified address.
    candidate.related = base.ok() ? *base : TransportAddress{};
  }
  absl::Status valid = ValidateCandidate(candidate);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("libnice candidate rejected: ", valid.message()));
  }
  return candidate;
}

NiceCandidatePtr ToNiceCandidate(const Candidate& candidate, guint stream_id) {
  NiceCandidatePtr nice(nice_candidate_new(ToNiceType(candidate.type)));
  nice->transport = ToNiceTransport(candidate.transport);
  nice->addr = ToNiceAddress(candidate.address);
  if (candidate.related.has_value()) {
    nice->base_addr = ToNiceAddress(*candidate.related);
  }
  nice->priority = candidate.priority;
  nice->stream_id = stream_id;
  nice->component_id = candidate.component;
  const size_t length = std::min(candidate.foundation.size(),
                                 size_t{NICE_CANDIDATE_MAX_FOUNDATION - 1});
  std::memcpy(nice->foundation, candidate.foundation.data(), length);
  nice->foundation[length] = '\0';
  return nice;
}

}  // namespace natfwt::ice
