// Copyright 2026 The natfwt Authors.
//
// ReplayWindow: hand-written edge cases, then a differential test against
// an obvious oracle (every accepted counter in a std::set).

#include "engine/secure/replay_window.h"

#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::secure {
namespace {

using Verdict = ReplayWindow::Verdict;
constexpr uint64_t kWindow = ReplayWindow::kWindowSize;

// The obvious implementation of the same contract.
class OracleWindow {
 public:
  Verdict Check(uint64_t counter) const {
    if (counter == std::numeric_limits<uint64_t>::max())
      return Verdict::kTooOld;
    if (seen_.empty() || counter > *seen_.rbegin()) return Verdict::kFresh;
    if (*seen_.rbegin() - counter >= kWindow) return Verdict::kTooOld;
    return seen_.count(counter) != 0 ? Verdict::kReplayed : Verdict::kFresh;
  }
  void Accept(uint64_t counter) {
    if (Check(counter) == Verdict::kFresh) seen_.insert(counter);
  }

 private:
  std::set<uint64_t> seen_;
};

TEST(ReplayWindow, EmptyWindowAcceptsAnythingOnce) {
  ReplayWindow window;
  EXPECT_EQ(window.highest(), std::nullopt);
  EXPECT_EQ(window.Check(0), Verdict::kFresh);
  EXPECT_EQ(window.Check(123456789), Verdict::kFresh);
  window.Accept(0);
  EXPECT_EQ(window.highest(), 0u);
  EXPECT_EQ(window.Check(0), Verdict::kReplayed);
  EXPECT_EQ(window.Check(1), Verdict::kFresh);
}

TEST(ReplayWindow, WindowEdgeIsExactly2048) {
  ReplayWindow window;
  window.Accept(10000);
  EXPECT_EQ(window.Check(10000 - (kWindow - 1)), Verdict::kFresh);
  EXPECT_EQ(window.Check(10000 - kWindow), Verdict::kTooOld);
  window.Accept(10000 - (kWindow - 1));
  EXPECT_EQ(window.Check(10000 - (kWindow - 1)), Verdict::kReplayed);
  // One step forward pushes that counter out.
  window.Accept(10001);
  EXPECT_EQ(window.Check(10000 - (kWindow - 1)), Verdict::kTooOld);
}

TEST(ReplayWindow, ReorderedWithinWindowIsAcceptedOnce) {
  ReplayWindow window;
  for (uint64_t c : {5u, 3u, 4u, 1u, 2u, 0u}) {
    EXPECT_EQ(window.Check(c), Verdict::kFresh) << c;
    window.Accept(c);
  }
  for (uint64_t c = 0; c <= 5; ++c)
    EXPECT_EQ(window.Check(c), Verdict::kReplayed);
  EXPECT_EQ(window.highest(), 5u);
}

TEST(ReplayWindow, BigJumpForgetsEverythingBehindTheWindow) {
  ReplayWindow window;
  for (uint64_t c = 0; c < 100; ++c) window.Accept(c);
  window.Accept(1'000'000);
  EXPECT_EQ(window.Check(99), Verdict::kTooOld);
  // Bits of the old words must not alias counters now inside the window.
  for (uint64_t c = 1'000'000 - kWindow + 1; c < 1'000'000; ++c) {
    ASSERT_EQ(window.Check(c), Verdict::kFresh) << c;
  }
}

TEST(ReplayWindow, JumpOfLessThanTheRingClearsOnlyNewWords) {
  ReplayWindow window;
  window.Accept(64);           // word 1
  window.Accept(63);           // word 0
  window.Accept(64 * 20 + 5);  // jump 19 words
  EXPECT_EQ(window.Check(63), Verdict::kReplayed);
  EXPECT_EQ(window.Check(64), Verdict::kReplayed);
  EXPECT_EQ(window.Check(65), Verdict::kFresh);
  for (uint64_t c = 66; c < 64 * 20 + 5; ++c) {
    ASSERT_EQ(window.Check(c), Verdict::kFresh) << c;
  }
}

TEST(ReplayWindow, AcceptIgnoresCountersCheckRefuses) {
  ReplayWindow window;
  window.Accept(5000);
  window.Accept(1);  // Too old: must not be recorded anywhere.
  EXPECT_EQ(window.Check(1), Verdict::kTooOld);
  EXPECT_EQ(window.highest(), 5000u);
  // 1 + 66 * 64 is inside the window and shares a ring word with 1; it
  // must still be fresh.
  EXPECT_EQ(window.Check(1 + 66 * 64), Verdict::kFresh);
}

TEST(ReplayWindow, MaximumCounterIsNeverFresh) {
  ReplayWindow window;
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(window.Check(max), Verdict::kTooOld);
  window.Accept(max);
  EXPECT_EQ(window.highest(), std::nullopt);
  window.Accept(max - 1);
  EXPECT_EQ(window.Check(max - 1), Verdict::kReplayed);
}

TEST(ReplayWindow, ResetForgetsEverything) {
  ReplayWindow window;
  window.Accept(42);
  window.Reset();
  EXPECT_EQ(window.highest(), std::nullopt);
  EXPECT_EQ(window.Check(42), Verdict::kFresh);
}

// Traffic shapes for the differential test: each draws the next counter.
struct Pattern {
  std::string name;
  uint64_t spread;      // How far behind/ahead of the frontier counters fall.
  double replay_share;  // Share of draws that repeat an earlier counter.
  double jump_share;    // Share of draws that jump far ahead.
};

// Test names print the case name, not its bytes.
void PrintTo(const Pattern& c, std::ostream* os) { *os << c.name; }

class ReplayWindowDifferential : public ::testing::TestWithParam<Pattern> {};

TEST_P(ReplayWindowDifferential, AgreesWithOracle) {
  const Pattern& pattern = GetParam();
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 random(seed);
    ReplayWindow window;
    OracleWindow oracle;
    std::vector<uint64_t> history;
    uint64_t frontier = 0;
    for (int step = 0; step < 10000; ++step) {
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      uint64_t counter;
      const double draw = unit(random);
      if (!history.empty() && draw < pattern.replay_share) {
        counter = history[random() % history.size()];
      } else if (draw < pattern.replay_share + pattern.jump_share) {
        frontier += 1000 + random() % 10000;
        counter = frontier;
      } else {
        const uint64_t offset = random() % (2 * pattern.spread + 1);
        counter = frontier + offset >= pattern.spread
                      ? frontier + offset - pattern.spread
                      : 0;
        frontier = std::max(frontier, counter);
        ++frontier;
      }
      history.push_back(counter);
      const Verdict expected = oracle.Check(counter);
      ASSERT_EQ(window.Check(counter), expected)
          << "seed " << seed << " step " << step << " counter " << counter;
      window.Accept(counter);
      oracle.Accept(counter);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, ReplayWindowDifferential,
    ::testing::Values(Pattern{"in_order", 0, 0.0, 0.0},
                      Pattern{"light_reorder", 16, 0.05, 0.0},
                      Pattern{"reorder_around_the_edge", 2100, 0.1, 0.0},
                      Pattern{"wide_reorder_with_jumps", 5000, 0.2, 0.01},
                      Pattern{"replay_storm", 64, 0.6, 0.001}),
    [](const ::testing::TestParamInfo<Pattern>& test_info) {
      return test_info.param.name;
    });

}  // namespace
}  // namespace natfwt::secure
