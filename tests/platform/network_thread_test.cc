// Copyright 2026 The natfwt Authors.

#include "platform/base/network_thread.h"

#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;

TEST(NetworkThread, RunsTasksInOrderOnItsOwnThread) {
  NetworkThread thread("test-net");
  ASSERT_THAT(thread.Start(), IsOk());
  std::vector<int> order;
  std::thread::id ran_on;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(thread.Post([&order, i] { order.push_back(i); }));
  }
  ASSERT_THAT(thread.PostAndWait([&] {
    ran_on = std::this_thread::get_id();
    EXPECT_TRUE(thread.IsCurrent());
  }), IsOk());
  EXPECT_THAT(order, ElementsAre(0, 1, 2, 3, 4));
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_FALSE(thread.IsCurrent());
}

TEST(NetworkThread, ContextIsThreadDefaultOnTheThread) {
  NetworkThread thread("test-net");
  ASSERT_THAT(thread.Start(), IsOk());
  GMainContext* seen = nullptr;
  ASSERT_THAT(thread.PostAndWait([&] { seen = g_main_context_get_thread_default(); }),
              IsOk());
  EXPECT_EQ(seen, thread.context());
}

TEST(NetworkThread, PostAndWaitFromTheThreadRunsInline) {
  NetworkThread thread("test-net");
  ASSERT_THAT(thread.Start(), IsOk());
  int value = 0;
  ASSERT_THAT(thread.PostAndWait([&] {
    EXPECT_THAT(thread.PostAndWait([&] { value = 7; }), IsOk());
    EXPECT_EQ(value, 7);  // Ran before the outer task continued.
  }), IsOk());
}

TEST(NetworkThread, DelayedTaskRunsNoEarlierThanItsDelay) {
  NetworkThread thread("test-net");
  ASSERT_THAT(thread.Start(), IsOk());
  absl::Notification done;
  absl::Time posted = absl::Now();
  absl::Time ran;
  ASSERT_TRUE(thread.PostDelayed(absl::Milliseconds(10), [&] {
    ran = absl::Now();
    done.Notify();
  }));
  done.WaitForNotification();
  EXPECT_GE(ran - posted, absl::Milliseconds(10));
}

TEST(NetworkThread, StopRunsQueuedTasksThenRefusesNewOnes) {
  NetworkThread thread("test-net");
  ASSERT_THAT(thread.Start(), IsOk());
  int ran = 0;
  for (int i = 0; i < 100; ++i) thread.Post([&] { ++ran; });
  thread.Stop();
  EXPECT_EQ(ran, 100);
  EXPECT_FALSE(thread.Post([&] { ++ran; }));
  EXPECT_THAT(thread.PostAndWait([] {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  thread.Stop();  // Idempotent.
  EXPECT_EQ(ran, 100);
}

TEST(NetworkThread, RestartsAfterStopAndRejectsDoubleStart) {
  NetworkThread thread("test-net");
  ASSERT_THAT(thread.Start(), IsOk());
  EXPECT_THAT(thread.Start(), StatusIs(absl::StatusCode::kFailedPrecondition));
  thread.Stop();
  ASSERT_THAT(thread.Start(), IsOk());
  bool ran = false;
  ASSERT_THAT(thread.PostAndWait([&] { ran = true; }), IsOk());
  EXPECT_TRUE(ran);
}

TEST(NetworkThread, DroppedDelayedTaskIsDestroyedAtShutdown) {
  auto token = std::make_shared<int>(1);
  {
    NetworkThread thread("test-net");
    ASSERT_THAT(thread.Start(), IsOk());
    thread.PostDelayed(absl::Hours(1), [token] {});
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);  // The closure did not leak.
}

}  // namespace
}  // namespace natfwt
