// Copyright 2026 The natfwt Authors.

#include "platform/base/clock.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"

namespace natfwt {
namespace {

using ::natfwt::testing::FakeClock;
using ::testing::ElementsAre;

TEST(FakeClock, TimeMovesOnlyWhenAdvanced) {
  FakeClock clock;
  absl::Time start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Seconds(3));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(3));
}

TEST(FakeClock, FiresTimersInDeadlineOrderAtTheirDeadline) {
  FakeClock clock;
  absl::Time start = clock.Now();
  std::vector<int> order;
  std::vector<absl::Duration> seen_at;
  auto record = [&](int n) {
    return [&, n] {
      order.push_back(n);
      seen_at.push_back(clock.Now() - start);
    };
  };
  clock.CallAfter(absl::Seconds(2), record(2));
  clock.CallAfter(absl::Seconds(1), record(1));
  clock.CallAfter(absl::Seconds(2), record(3));  // Tie: scheduling order.
  clock.CallAfter(absl::Seconds(5), record(5));
  clock.Advance(absl::Seconds(2));
  EXPECT_THAT(order, ElementsAre(1, 2, 3));
  EXPECT_THAT(seen_at, ElementsAre(absl::Seconds(1), absl::Seconds(2),
                                   absl::Seconds(2)));
  EXPECT_EQ(clock.PendingTimers(), 1u);
  clock.Advance(absl::Seconds(3));
  EXPECT_THAT(order, ElementsAre(1, 2, 3, 5));
}

TEST(FakeClock, CancelAndRescheduleFromCallback) {
  FakeClock clock;
  int fired = 0;
  TimerId cancelled = clock.CallAfter(absl::Seconds(1), [&] { fired += 100; });
  clock.CallAfter(absl::Seconds(1), [&] {
    ++fired;
    clock.CallAfter(absl::Seconds(1), [&] { ++fired; });
  });
  EXPECT_TRUE(clock.Cancel(cancelled));
  EXPECT_FALSE(clock.Cancel(cancelled));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(clock.PendingTimers(), 0u);
}

TEST(RealClock, IsMonotonic) {
  Clock& clock = RealClock::Get();
  absl::Time a = clock.Now();
  absl::Time b = clock.Now();
  EXPECT_LE(a, b);
}

TEST(RealClock, RunsDueTimerWhileLaterOneWaits) {
  Clock& clock = RealClock::Get();
  absl::Notification due_ran;
  bool later_ran = false;
  TimerId later = clock.CallAfter(absl::Hours(1), [&] { later_ran = true; });
  clock.CallAfter(absl::ZeroDuration(), [&] { due_ran.Notify(); });
  due_ran.WaitForNotification();
  EXPECT_TRUE(clock.Cancel(later));
  EXPECT_FALSE(later_ran);
}

TEST(RealClock, NeverRunsATimerBeforeItsDelay) {
  Clock& clock = RealClock::Get();
  absl::Notification done;
  absl::Time scheduled = clock.Now();
  absl::Time fired_at;
  clock.CallAfter(absl::Milliseconds(20), [&] {
    fired_at = clock.Now();
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_GE(fired_at - scheduled, absl::Milliseconds(20));
}

TEST(RealClock, CancelledTimerNeverRuns) {
  Clock& clock = RealClock::Get();
  absl::Notification later_ran;
  bool cancelled_ran = false;
  TimerId id = clock.CallAfter(absl::Milliseconds(5), [&] { cancelled_ran = true; });
  EXPECT_TRUE(clock.Cancel(id));
  // A later timer on the same thread proves the first deadline has passed.
  clock.CallAfter(absl::Milliseconds(10), [&] { later_ran.Notify(); });
  later_ran.WaitForNotification();
  EXPECT_FALSE(cancelled_ran);
}

}  // namespace
}  // namespace natfwt
