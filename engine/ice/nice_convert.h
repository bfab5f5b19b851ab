// Copyright 2026 The natfwt Authors.
//
// Conversions between natfwt's candidate values and libnice's structures.
// Internal to engine/ice (the only folder that includes libnice headers).
//
// Thread-safety: pure functions.

#ifndef NATFWT_ENGINE_ICE_NICE_CONVERT_H_
#define NATFWT_ENGINE_ICE_NICE_CONVERT_H_

#include <nice/agent.h>

#include <memory>

#include "absl/status/statusor.h"
#include "engine/ice/candidate.h"

namespace natfwt::ice {

struct NiceCandidateDeleter {
  void operator()(NiceCandidate* candidate) const {
    nice_candidate_free(candidate);
  }
};
using NiceCandidatePtr = std::unique_ptr<NiceCandidate, NiceCandidateDeleter>;

// A libnice address as an IP address and port. Errors: kInvalidArgument for
// an unset or non-IP address.
absl::StatusOr<TransportAddress> FromNiceAddress(const NiceAddress& address);
NiceAddress ToNiceAddress(const TransportAddress& address);

// A candidate libnice reported. The related address is libnice's base
// address for srflx/prflx/relay candidates and absent for host ones.
// Errors: kInvalidArgument when libnice's values break ValidateCandidate.
absl::StatusOr<Candidate> FromNiceCandidate(const NiceCandidate& candidate);

// A remote candidate for nice_agent_set_remote_candidates (`stream_id`,
// component 1; no per-candidate credentials).
NiceCandidatePtr ToNiceCandidate(const Candidate& candidate, guint stream_id);

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_NICE_CONVERT_H_
