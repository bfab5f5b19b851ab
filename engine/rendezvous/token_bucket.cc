// Copyright 2026 The natfwt Authors.
//
// TokenBucket: refill on use, no timers.

#include "engine/rendezvous/token_bucket.h"

#include <algorithm>

namespace natfwt::rendezvous {
namespace {
constexpr double kSmallest = 1e-9;
}  // namespace

TokenBucket::TokenBucket(double rate, double burst, absl::Time now)
    : rate_(std::max(rate, kSmallest)),
      burst_(std::max(burst, kSmallest)),
      tokens_(burst_),
      last_(now) {}

void TokenBucket::Refill(absl::Time now) {
  if (now <= last_) return;
  tokens_ =
      std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
  last_ = now;
}

bool TokenBucket::TryTake(double cost, absl::Time now) {
  Refill(now);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

double TokenBucket::Available(absl::Time now) {
  Refill(now);
  return tokens_;
}

}  // namespace natfwt::rendezvous
