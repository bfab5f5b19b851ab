// Copyright 2026 The natfwt Authors.
//
// The RFC 8489 section 6.2.1 retransmission schedule, cut by the timeout.

#include "engine/probe/stun_exchange.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::probe {
namespace {

using ::testing::ElementsAre;

absl::Duration Ms(int ms) { return absl::Milliseconds(ms); }

TEST(Schedule, Rfc8489DefaultsGiveThe39500MsExample) {
  // RFC 8489 section 6.2.1: RTO 500 ms, Rc 7, Rm 16: sends at 0, 500, 1500,
  // 3500, 7500, 15500, 31500 and failure at 39500 ms.
  const RetransmitSchedule schedule =
      MakeSchedule({.initial_rto = Ms(500),
                    .max_transmissions = 7,
                    .last_wait_factor = 16,
                    .timeout = absl::Seconds(60)});
  EXPECT_THAT(schedule.sends, ElementsAre(Ms(0), Ms(500), Ms(1500), Ms(3500),
                                          Ms(7500), Ms(15500), Ms(31500)));
  EXPECT_EQ(schedule.give_up, Ms(39500));
}

TEST(Schedule, TimeoutCutsTransmissionsAndWaitsItOut) {
  const RetransmitSchedule schedule =
      MakeSchedule({.initial_rto = Ms(100), .timeout = Ms(1500)});
  EXPECT_THAT(schedule.sends, ElementsAre(Ms(0), Ms(100), Ms(300), Ms(700)));
  EXPECT_EQ(schedule.give_up, Ms(1500));
}

TEST(Schedule, TimeoutBeforeTheLastWaitEnds) {
  const RetransmitSchedule schedule = MakeSchedule({.initial_rto = Ms(10),
                                                    .max_transmissions = 3,
                                                    .last_wait_factor = 16,
                                                    .timeout = Ms(100)});
  EXPECT_THAT(schedule.sends, ElementsAre(Ms(0), Ms(10), Ms(30)));
  EXPECT_EQ(schedule.give_up, Ms(100));  // min(100, 30 + 160).
}

TEST(Schedule, OneTransmissionWhenOnlyOneIsAllowed) {
  const RetransmitSchedule schedule = MakeSchedule({.initial_rto = Ms(10),
                                                    .max_transmissions = 1,
                                                    .last_wait_factor = 2,
                                                    .timeout = Ms(100)});
  EXPECT_THAT(schedule.sends, ElementsAre(Ms(0)));
  EXPECT_EQ(schedule.give_up, Ms(20));
}

TEST(Schedule, NonPositiveTimeoutSendsOnceAndGivesUp) {
  const RetransmitSchedule schedule = MakeSchedule({.timeout = Ms(0)});
  EXPECT_THAT(schedule.sends, ElementsAre(Ms(0)));
  EXPECT_EQ(schedule.give_up, Ms(0));
}

}  // namespace
}  // namespace natfwt::probe
