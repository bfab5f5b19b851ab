// Copyright 2026 The natfwt Authors.
//
// FakeClock: a Clock whose time moves only when a test says so.
//
//   FakeClock clock;
//   runtime.Start(clock);
//   clock.Advance(absl::Seconds(30));   // fires every timer due by then
//
// Timers run on the thread calling Advance(), in deadline order (ties in
// scheduling order), with no lock held, and see Now() equal to their own
// deadline. A timer scheduled from a timer callback runs within the same
// Advance() when it falls due before the target time.

#ifndef NATFWT_TESTS_SUPPORT_FAKE_CLOCK_H_
#define NATFWT_TESTS_SUPPORT_FAKE_CLOCK_H_

#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "platform/base/clock.h"

namespace natfwt::testing {

class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary fixed, positive time.
  FakeClock() = default;

  absl::Time Now() const override;
  TimerId CallAfter(absl::Duration delay,
                    absl::AnyInvocable<void() &&> fn) override;
  bool Cancel(TimerId id) override;

  // Moves time forward by `delta` (>= 0), running each timer as its deadline
  // is reached.
  void Advance(absl::Duration delta);

  // Number of timers scheduled and not yet run or cancelled.
  size_t PendingTimers() const;

 private:
  struct Key {
    absl::Time deadline;
    TimerId id;
    bool operator<(const Key& other) const {
      return deadline != other.deadline ? deadline < other.deadline
                                        : id < other.id;
    }
  };

  mutable absl::Mutex mutex_;
  absl::Time now_ ABSL_GUARDED_BY(mutex_) =
      absl::UnixEpoch() + absl::Hours(24 * 365);
  TimerId last_id_ ABSL_GUARDED_BY(mutex_) = 0;
  std::map<Key, absl::AnyInvocable<void() &&>> timers_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace natfwt::testing

#endif  // NATFWT_TESTS_SUPPORT_FAKE_CLOCK_H_
