// Copyright 2026 The natfwt Authors.
//
// Injectable time: every component that reads time or waits for it takes a
// Clock&, so tests drive it with tests/support's FakeClock instead of sleeping.
//
// Thread-safety: all methods may be called from any thread.

#ifndef NATFWT_PLATFORM_BASE_CLOCK_H_
#define NATFWT_PLATFORM_BASE_CLOCK_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"

namespace natfwt {

// Identifies a scheduled timer; 0 is never a valid id.
using TimerId = uint64_t;

class Clock {
 public:
  virtual ~Clock() = default;

  // Monotonic time: never goes backwards, unrelated to the wall clock.
  virtual absl::Time Now() const = 0;

  // Runs `fn` once, no earlier than `delay` from Now(), on a thread the
  // clock owns (RealClock) or the thread that advances time (FakeClock).
  // `fn` must not block for long. Negative delays count as zero.
  virtual TimerId CallAfter(absl::Duration delay,
                            absl::AnyInvocable<void() &&> fn) = 0;

  // Cancels a timer that has not started. Returns false when it already ran,
  // is running now, or is unknown. Never waits for a running timer.
  virtual bool Cancel(TimerId id) = 0;
};

// The process's monotonic clock with one lazily started timer thread.
// RealClock::Get() lives for the whole process.
class RealClock final : public Clock {
 public:
  static RealClock& Get();

  absl::Time Now() const override;
  TimerId CallAfter(absl::Duration delay,
                    absl::AnyInvocable<void() &&> fn) override;
  bool Cancel(TimerId id) override;

 private:
  RealClock();
  class Impl;
  Impl* impl_;  // Never destroyed: timers may be pending at exit.
};

}  // namespace natfwt

#endif  // NATFWT_PLATFORM_BASE_CLOCK_H_
