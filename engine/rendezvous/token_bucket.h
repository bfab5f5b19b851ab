// Copyright 2026 The natfwt Authors.
//
// TokenBucket: a rate limit with bursts (pure; time is passed in).
//
// The bucket holds at most `burst` tokens and gains `rate` tokens per
// second; an action costing n tokens is allowed when n are there. The
// rendezvous server keeps three per client (server.h): messages, bytes,
// and "strikes" that rate-limit violations spend, so a client that keeps
// exceeding its rate runs out of strikes and is disconnected.
//
// Thread-safety: none; a plain value with one owner.

#ifndef NATFWT_ENGINE_RENDEZVOUS_TOKEN_BUCKET_H_
#define NATFWT_ENGINE_RENDEZVOUS_TOKEN_BUCKET_H_

#include "absl/time/time.h"

namespace natfwt::rendezvous {

class TokenBucket {
 public:
  // Starts full at `now`. `rate` (tokens per second) and `burst` must be
  // positive; non-positive values are treated as the smallest positive ones.
  TokenBucket(double rate, double burst, absl::Time now);

  // Takes `cost` tokens when there are that many at `now`; returns whether
  // it did. Time going backwards adds nothing.
  bool TryTake(double cost, absl::Time now);

  // Tokens available at `now`.
  double Available(absl::Time now);

 private:
  void Refill(absl::Time now);

  double rate_;
  double burst_;
  double tokens_;
  absl::Time last_;
};

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_TOKEN_BUCKET_H_
