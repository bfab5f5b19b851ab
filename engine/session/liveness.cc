// Copyright 2026 The natfwt Authors.

#include "engine/session/liveness.h"

#include <algorithm>

namespace natfwt::engine {

Liveness::Liveness(const LivenessOptions& options, absl::Time now,
                   uint64_t first_id)
    : options_(options), last_consent_(now), next_id_(first_id) {}

Liveness::Action Liveness::OnTimer(absl::Time now, double jitter) {
  Action action;
  const absl::Time expires = last_consent_ + options_.expiry;
  if (now >= expires) {
    action.expired = true;
    return action;
  }
  const uint64_t id = next_id_++;
  pending_[id % kPendingRequests] = Pending{id, now, true};
  ++requests_sent_;
  action.request = id;
  const absl::Duration gap =
      awaiting_.has_value() ? options_.retry
                            : options_.interval * std::clamp(jitter, 0.8, 1.2);
  awaiting_ = id;
  // Never sleep past the expiry: loss is reported on time.
  action.next = std::min(now + gap, expires);
  return action;
}

std::optional<absl::Duration> Liveness::OnResponse(uint64_t id,
                                                   absl::Time now) {
  Pending& pending = pending_[id % kPendingRequests];
  if (!pending.valid || pending.id != id) return std::nullopt;
  pending.valid = false;
  const absl::Duration sample =
      std::max(now - pending.sent, absl::ZeroDuration());
  last_consent_ = std::max(last_consent_, now);
  if (awaiting_ == id) awaiting_.reset();
  ++responses_matched_;
  srtt_ = srtt_.has_value() ? (*srtt_ * 7 + sample) / 8 : sample;
  return sample;
}

}  // namespace natfwt::engine
