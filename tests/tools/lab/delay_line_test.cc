// Copyright 2026 The natfwt Authors.
//
// DelayLine: hold times, batch release order and loss, with made-up times.

#include "tools/lab/delay_line.h"

#include "gtest/gtest.h"

namespace natfwt::lab {
namespace {

using std::chrono::milliseconds;
using Clock = DelayLine::Clock;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

TEST(DelayLine, HoldsForTheDelay) {
  DelayLine line(milliseconds(20), 0, 1);
  EXPECT_EQ(line.Admit(7, kT0), DelayLine::Decision::kHold);
  EXPECT_EQ(line.NextRelease(), kT0 + milliseconds(20));
  EXPECT_EQ(line.ReleaseDue(kT0 + milliseconds(19)), std::nullopt);
  EXPECT_EQ(line.held(), 1u);
  EXPECT_EQ(line.ReleaseDue(kT0 + milliseconds(20)), 7u);
  EXPECT_EQ(line.held(), 0u);
  EXPECT_EQ(line.NextRelease(), std::nullopt);
}

TEST(DelayLine, ReleasesDuePrefixAsOneBatch) {
  DelayLine line(milliseconds(10), 0, 1);
  for (uint32_t id = 1; id <= 5; ++id) {
    line.Admit(id, kT0 + milliseconds(id));
  }
  // Due at 11..15 ms: at 13 ms packets 1-3 are due, the batch ends at 3.
  EXPECT_EQ(line.ReleaseDue(kT0 + milliseconds(13)), 3u);
  EXPECT_EQ(line.held(), 2u);
  EXPECT_EQ(line.NextRelease(), kT0 + milliseconds(14));
  EXPECT_EQ(line.ReleaseAll(), 5u);
  EXPECT_EQ(line.ReleaseAll(), std::nullopt);
}

TEST(DelayLine, ZeroDelayReleasesAtOnce) {
  DelayLine line(milliseconds(0), 0, 1);
  line.Admit(1, kT0);
  line.Admit(2, kT0);
  EXPECT_EQ(line.ReleaseDue(kT0), 2u);
}

TEST(DelayLine, IdsWrapAround) {
  DelayLine line(milliseconds(1), 0, 1);
  line.Admit(0xffffffffu, kT0);
  line.Admit(0, kT0);
  // The last one in arrival order, whatever its numeric value.
  EXPECT_EQ(line.ReleaseDue(kT0 + milliseconds(1)), 0u);
}

TEST(DelayLine, LossExtremes) {
  DelayLine none(milliseconds(1), 0, 42), all(milliseconds(1), 100, 42);
  for (uint32_t id = 0; id < 1000; ++id) {
    EXPECT_EQ(none.Admit(id, kT0), DelayLine::Decision::kHold);
    EXPECT_EQ(all.Admit(id, kT0), DelayLine::Decision::kDrop);
  }
  EXPECT_EQ(none.dropped(), 0u);
  EXPECT_EQ(all.dropped(), 1000u);
  EXPECT_EQ(all.held(), 0u);
  EXPECT_EQ(all.admitted(), 1000u);
}

TEST(DelayLine, LossRateAndSeedReproducibility) {
  DelayLine a(milliseconds(1), 30, 7), b(milliseconds(1), 30, 7);
  for (uint32_t id = 0; id < 10000; ++id) {
    EXPECT_EQ(a.Admit(id, kT0), b.Admit(id, kT0));
  }
  // 30% of 10000: the standard deviation is ~46, so +-300 is > 6 sigma.
  EXPECT_GT(a.dropped(), 2700u);
  EXPECT_LT(a.dropped(), 3300u);
  EXPECT_EQ(a.held() + a.dropped(), 10000u);
}

TEST(DelayLine, NegativeDelayIsZero) {
  DelayLine line(milliseconds(-5), 0, 1);
  line.Admit(1, kT0);
  EXPECT_EQ(line.NextRelease(), kT0);
}

}  // namespace
}  // namespace natfwt::lab
