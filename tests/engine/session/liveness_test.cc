// Copyright 2026 The natfwt Authors.
//
// Liveness (consent timers and RTT, driven by explicit times) and the
// session record framing of keepalives.

#include "engine/session/liveness.h"

#include <string>
#include <vector>

#include "engine/session/session_record.h"
#include "gtest/gtest.h"

namespace natfwt::engine {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);

LivenessOptions Options() {
  LivenessOptions options;
  options.interval = absl::Seconds(5);
  options.retry = absl::Seconds(1);
  options.expiry = absl::Seconds(10);
  return options;
}

TEST(LivenessTest, FirstTimerSendsAtOnceAndWaitsAnInterval) {
  Liveness liveness(Options(), kStart, 100);
  Liveness::Action action = liveness.OnTimer(kStart, 1.0);
  EXPECT_FALSE(action.expired);
  ASSERT_TRUE(action.request.has_value());
  EXPECT_EQ(*action.request, 100u);
  EXPECT_EQ(action.next, kStart + absl::Seconds(5));
  EXPECT_EQ(liveness.requests_sent(), 1u);
  EXPECT_FALSE(liveness.rtt().has_value());
}

TEST(LivenessTest, JitterIsClampedToRfc7675Range) {
  Liveness low(Options(), kStart, 1);
  EXPECT_EQ(low.OnTimer(kStart, 0.1).next, kStart + absl::Seconds(4));
  Liveness high(Options(), kStart, 1);
  EXPECT_EQ(high.OnTimer(kStart, 7.0).next, kStart + absl::Seconds(6));
}

TEST(LivenessTest, AnsweredRequestsKeepConsentAndMeasureRtt) {
  Liveness liveness(Options(), kStart, 7);
  absl::Time now = kStart;
  for (int round = 0; round < 10; ++round) {
    Liveness::Action action = liveness.OnTimer(now, 1.0);
    ASSERT_FALSE(action.expired) << round;
    ASSERT_TRUE(action.request.has_value());
    std::optional<absl::Duration> sample = liveness.OnResponse(
        *action.request, now + absl::Milliseconds(20 + round));
    ASSERT_TRUE(sample.has_value());
    EXPECT_EQ(*sample, absl::Milliseconds(20 + round));
    EXPECT_EQ(action.next, now + absl::Seconds(5));
    now = action.next;
  }
  EXPECT_EQ(liveness.responses_matched(), 10u);
  ASSERT_TRUE(liveness.rtt().has_value());
  EXPECT_GE(*liveness.rtt(), absl::Milliseconds(20));
  EXPECT_LE(*liveness.rtt(), absl::Milliseconds(29));
  EXPECT_EQ(liveness.last_consent(),
            now - absl::Seconds(5) + absl::Milliseconds(29));
}

TEST(LivenessTest, UnansweredRequestsRetryFasterThenExpire) {
  Liveness liveness(Options(), kStart, 1);
  std::vector<absl::Time> sends;
  absl::Time now = kStart;
  while (true) {
    Liveness::Action action = liveness.OnTimer(now, 1.0);
    if (action.expired) break;
    ASSERT_TRUE(action.request.has_value());
    sends.push_back(now);
    ASSERT_LE(action.next, kStart + absl::Seconds(10));
    now = action.next;
  }
  // t=0 (regular), then retries every second until the 10 s expiry.
  EXPECT_EQ(now, kStart + absl::Seconds(10));
  ASSERT_GE(sends.size(), 2u);
  EXPECT_EQ(sends[1] - sends[0], absl::Seconds(5));
  for (size_t i = 2; i < sends.size(); ++i) {
    EXPECT_EQ(sends[i] - sends[i - 1], absl::Seconds(1)) << i;
  }
}

TEST(LivenessTest, LateResponseOfRecentRequestRestoresConsent) {
  Liveness liveness(Options(), kStart, 50);
  const uint64_t first = *liveness.OnTimer(kStart, 1.0).request;
  const absl::Time t5 = kStart + absl::Seconds(5);
  ASSERT_TRUE(liveness.OnTimer(t5, 1.0).request.has_value());
  // The first request's answer arrives late: still a valid answer.
  ASSERT_TRUE(liveness.OnResponse(first, kStart + absl::Seconds(9)));
  EXPECT_FALSE(liveness.OnTimer(kStart + absl::Seconds(12), 1.0).expired);
  EXPECT_TRUE(liveness.OnTimer(kStart + absl::Seconds(19), 1.0).expired);
}

TEST(LivenessTest, UnknownOrRepeatedIdsChangeNothing) {
  Liveness liveness(Options(), kStart, 500);
  const uint64_t id = *liveness.OnTimer(kStart, 1.0).request;
  EXPECT_FALSE(liveness.OnResponse(id + 1, kStart + absl::Seconds(1)));
  EXPECT_FALSE(liveness.OnResponse(id - 1, kStart + absl::Seconds(1)));
  ASSERT_TRUE(liveness.OnResponse(id, kStart + absl::Seconds(2)));
  EXPECT_FALSE(liveness.OnResponse(id, kStart + absl::Seconds(3)));
  EXPECT_EQ(liveness.responses_matched(), 1u);
  EXPECT_EQ(liveness.last_consent(), kStart + absl::Seconds(2));
}

TEST(LivenessTest, OnlyRecentRequestsAreRemembered) {
  Liveness liveness(Options(), kStart, 0);
  absl::Time now = kStart;
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < Liveness::kPendingRequests + 1; ++i) {
    Liveness::Action action = liveness.OnTimer(now, 1.0);
    ids.push_back(*action.request);
    now += absl::Milliseconds(100);
  }
  EXPECT_FALSE(liveness.OnResponse(ids.front(), now));  // Forgotten.
  EXPECT_TRUE(liveness.OnResponse(ids.back(), now));
}

TEST(LivenessTest, InfiniteExpiryNeverExpires) {
  LivenessOptions options = Options();
  options.expiry = absl::InfiniteDuration();
  Liveness liveness(options, kStart, 0);
  absl::Time now = kStart;
  for (int i = 0; i < 100; ++i) {
    Liveness::Action action = liveness.OnTimer(now, 1.0);
    ASSERT_FALSE(action.expired);
    now = action.next;
  }
  EXPECT_GT(now, kStart + absl::Seconds(90));
}

struct RecordCase {
  const char* name;
  std::vector<uint8_t> bytes;
  std::optional<Keepalive> expected;
};

class KeepaliveParseTest : public ::testing::TestWithParam<RecordCase> {};

TEST_P(KeepaliveParseTest, Parses) {
  std::optional<Keepalive> parsed = ParseKeepalive(GetParam().bytes);
  ASSERT_EQ(parsed.has_value(), GetParam().expected.has_value());
  if (!parsed.has_value()) return;
  EXPECT_EQ(parsed->response, GetParam().expected->response);
  EXPECT_EQ(parsed->id, GetParam().expected->id);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, KeepaliveParseTest,
    ::testing::Values(
        RecordCase{
            "Request", {1, 0, 0, 0, 0, 0, 0, 1, 2}, Keepalive{false, 258}},
        RecordCase{"Response",
                   {2, 0x80, 0, 0, 0, 0, 0, 0, 0},
                   Keepalive{true, uint64_t{1} << 63}},
        RecordCase{"Data", {0, 0, 0, 0, 0, 0, 0, 0, 0}, std::nullopt},
        RecordCase{"ReservedKind", {3, 0, 0, 0, 0, 0, 0, 0, 0}, std::nullopt},
        RecordCase{"Short", {1, 0, 0, 0, 0, 0, 0, 0}, std::nullopt},
        RecordCase{"Long", {1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, std::nullopt},
        RecordCase{"Empty", {}, std::nullopt}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(KeepaliveWriteTest, RoundTripsAndRefusesShortBuffers) {
  for (bool response : {false, true}) {
    std::array<uint8_t, kKeepaliveSize> bytes{};
    const Keepalive keepalive{response, 0x0102030405060708};
    ASSERT_TRUE(WriteKeepalive(keepalive, absl::MakeSpan(bytes)));
    std::optional<Keepalive> parsed = ParseKeepalive(bytes);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->response, response);
    EXPECT_EQ(parsed->id, keepalive.id);
  }
  std::array<uint8_t, kKeepaliveSize - 1> small{};
  EXPECT_FALSE(WriteKeepalive(Keepalive{}, absl::MakeSpan(small)));
}

}  // namespace
}  // namespace natfwt::engine
