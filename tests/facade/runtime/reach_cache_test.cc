// Copyright 2026 The natfwt Authors.

#include "facade/runtime/reach_cache.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::cp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Answer = ReachCache::Answer;

const net::IpAddress kPeer = *net::IpAddress::Parse("fd00::2");
const net::IpAddress kOther = *net::IpAddress::Parse("fd00::3");
const absl::Time kStart = absl::FromUnixSeconds(1000);

TEST(ReachCache, PositiveAnswersLastSixtySecondsNegativeFive) {
  ReachCache cache;
  EXPECT_EQ(cache.Find(kPeer, kStart), Answer::kUnknown);
  ASSERT_TRUE(cache.StartQuery(kPeer, kStart));
  EXPECT_EQ(cache.Find(kPeer, kStart), Answer::kPending);
  EXPECT_THAT(cache.Complete(kPeer, true, kStart), IsEmpty());
  EXPECT_EQ(cache.Find(kPeer, kStart + absl::Seconds(59)), Answer::kReachable);
  EXPECT_EQ(cache.Find(kPeer, kStart + absl::Seconds(60)), Answer::kUnknown);
  ASSERT_TRUE(cache.StartQuery(kOther, kStart));
  cache.Complete(kOther, false, kStart);
  EXPECT_EQ(cache.Find(kOther, kStart + absl::Seconds(4)),
            Answer::kUnreachable);
  EXPECT_EQ(cache.Find(kOther, kStart + absl::Seconds(5)), Answer::kUnknown);
}

TEST(ReachCache, QueueKeepsSixteenNewestInOrder) {
  ReachCache cache;
  ASSERT_TRUE(cache.StartQuery(kPeer, kStart));
  std::vector<uint32_t> dropped;
  for (uint32_t i = 0; i < 20; ++i)
    ASSERT_TRUE(cache.Enqueue(kPeer, i, &dropped));
  EXPECT_THAT(dropped, ElementsAre(0, 1, 2, 3));
  std::vector<uint32_t> queued = cache.Complete(kPeer, true, kStart);
  ASSERT_EQ(queued.size(), 16u);
  EXPECT_EQ(queued.front(), 4u);
  EXPECT_EQ(queued.back(), 19u);
}

TEST(ReachCache, EnqueueWithoutPendingQueryIsRefused) {
  ReachCache cache;
  std::vector<uint32_t> dropped;
  EXPECT_FALSE(cache.Enqueue(kPeer, 1, &dropped));
  cache.StartQuery(kPeer, kStart);
  cache.Complete(kPeer, true, kStart);
  EXPECT_FALSE(cache.Enqueue(kPeer, 1, &dropped));
}

TEST(ReachCache, InvalidateForgetsAnswerButNotPendingQueue) {
  ReachCache cache;
  cache.StartQuery(kPeer, kStart);
  cache.Complete(kPeer, true, kStart);
  cache.Invalidate(kPeer);
  EXPECT_EQ(cache.Find(kPeer, kStart), Answer::kUnknown);
  cache.StartQuery(kPeer, kStart);
  std::vector<uint32_t> dropped;
  cache.Enqueue(kPeer, 7, &dropped);
  cache.Invalidate(kPeer);
  EXPECT_EQ(cache.Find(kPeer, kStart), Answer::kPending);
  EXPECT_THAT(cache.Clear(), ElementsAre(7));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ReachCache, DestinationCountIsBoundedAndExpiredEntriesAreEvicted) {
  ReachCache cache({.max_destinations = 2});
  ASSERT_TRUE(cache.StartQuery(kPeer, kStart));
  ASSERT_TRUE(cache.StartQuery(kOther, kStart));
  const net::IpAddress third = *net::IpAddress::Parse("fd00::4");
  EXPECT_FALSE(cache.StartQuery(third, kStart));  // Both pending: full.
  cache.Complete(kPeer, false, kStart);
  EXPECT_FALSE(cache.StartQuery(third, kStart + absl::Seconds(1)));
  EXPECT_TRUE(cache.StartQuery(third, kStart + absl::Seconds(6)));  // Evicted.
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace natfwt::cp
