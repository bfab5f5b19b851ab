// Copyright 2026 The natfwt Authors.
//
// Liveness: consent freshness (RFC 7675 semantics) and round-trip time of a
// SecureSession, kept with authenticated keepalives inside the AEAD channel
// (session_record.h) instead of STUN, so it works the same whether libnice
// or the engine's own DirectPath carries the records.
//
// The session calls OnTimer() when the timer it keeps fires: the result
// says whether consent expired, which keepalive request to send, and when to
// call again. Each keepalive response the peer returns is given to
// OnResponse(). Timers (RFC 7675 section 5.1, spec):
//   * a request every `interval` on average, each gap drawn from
//     [0.8, 1.2] x interval (the caller supplies the random factor);
//   * while the latest request is unanswered, the next goes after `retry`
//     (implementation choice, so one lost datagram does not cost a whole
//     interval of the expiry budget);
//   * consent expires `expiry` after the last response (or after the
//     start, before any response).
// A response refreshes consent only when it echoes one of the last
// kPendingRequests request ids: an old or forged id changes nothing (forging
// is impossible anyway without the channel's keys).
//
// RTT: the time from a request to its response; smoothed as in RFC 6298
// section 2 (SRTT = 7/8 SRTT + 1/8 sample, the first sample taken as is).
//
// Pure logic with the time passed in; not thread-safe (the caller locks).

#ifndef NATFWT_ENGINE_SESSION_LIVENESS_H_
#define NATFWT_ENGINE_SESSION_LIVENESS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "engine/ice/ice_config.h"

namespace natfwt::engine {

struct LivenessOptions {
  // RFC 7675 section 5.1: consent checks every 5 s, randomised.
  absl::Duration interval = absl::Seconds(5);
  // Gap after an unanswered request (implementation choice, see above).
  absl::Duration retry = absl::Seconds(1);
  // Consent lifetime without a response. RFC 7675 section 5.1 says 30 s;
  // libnice 0.1.21 uses a fixed 10 s (ice::kConsentExpiry), kept here so
  // loss is detected as fast whether or not the engine took the path over.
  absl::Duration expiry = ice::kConsentExpiry;
};

class Liveness {
 public:
  // Request ids remembered for matching responses and RTT samples.
  static constexpr size_t kPendingRequests = 8;

  // What OnTimer() decided.
  struct Action {
    bool expired = false;                    // Consent expired: stop sending.
    std::optional<uint64_t> request;         // Send a request with this id.
    absl::Time next = absl::InfinitePast();  // Call OnTimer() again then.
  };

  // Starts the consent clock at `now`; request ids count up from
  // `first_id` (a random start makes them unpredictable across sessions).
  Liveness(const LivenessOptions& options, absl::Time now, uint64_t first_id);

  // The timer fired at `now`. `jitter` is the random factor for the next
  // regular gap, clamped to [0.8, 1.2].
  Action OnTimer(absl::Time now, double jitter);

  // A response with `id` arrived at `now`. Returns the RTT sample when it
  // answers a remembered request (consent refreshed), nullopt otherwise.
  std::optional<absl::Duration> OnResponse(uint64_t id, absl::Time now);

  // Smoothed RTT; nullopt before the first sample.
  std::optional<absl::Duration> rtt() const { return srtt_; }
  absl::Time last_consent() const { return last_consent_; }
  uint64_t requests_sent() const { return requests_sent_; }
  uint64_t responses_matched() const { return responses_matched_; }

 private:
  struct Pending {
    uint64_t id = 0;
    absl::Time sent = absl::InfinitePast();
    bool valid = false;
  };

  const LivenessOptions options_;
  absl::Time last_consent_;
  uint64_t next_id_;
  std::optional<uint64_t> awaiting_;  // Latest request, while unanswered.
  std::array<Pending, kPendingRequests> pending_{};
  std::optional<absl::Duration> srtt_;
  uint64_t requests_sent_ = 0;
  uint64_t responses_matched_ = 0;
};

}  // namespace natfwt::engine

#endif  // NATFWT_ENGINE_SESSION_LIVENESS_H_
