// Copyright 2026 The natfwt Authors.

#include "facade/wire/buffer_chain.h"

#include <array>
#include <cstdint>
#include <numeric>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Segments linked in order over caller-provided storage.
using Parts = std::vector<std::vector<uint8_t>>;

class Chain {
 public:
  explicit Chain(std::vector<std::vector<uint8_t>> parts)
      : parts_(std::move(parts)), segments_(parts_.size()) {
    for (size_t i = 0; i < parts_.size(); ++i) {
      segments_[i].size = static_cast<ULONG>(parts_[i].size());
      segments_[i].buffer = parts_[i].empty() ? nullptr : parts_[i].data();
      segments_[i].next = i + 1 < parts_.size() ? &segments_[i + 1] : nullptr;
    }
  }
  CPNATFWT_BUFFER* head() {
    return segments_.empty() ? nullptr : &segments_[0];
  }
  CPNATFWT_BUFFER& segment(size_t i) { return segments_[i]; }

 private:
  std::vector<std::vector<uint8_t>> parts_;
  std::vector<CPNATFWT_BUFFER> segments_;
};

TEST(ChainLength, SumsSegmentsAndSkipsEmptyOnes) {
  Chain chain(Parts{{1, 2, 3}, {}, {4}, {}, {5, 6}});
  EXPECT_EQ(*ChainLength(chain.head(), 1280), 6u);
  std::array<uint8_t, 6> out{};
  EXPECT_EQ(CopyChain(chain.head(), absl::MakeSpan(out)), 6u);
  EXPECT_THAT(out, ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST(ChainLength, ExactlyMaxBytesIsAccepted) {
  Chain chain(Parts{std::vector<uint8_t>(1000), std::vector<uint8_t>(280)});
  EXPECT_EQ(*ChainLength(chain.head(), 1280), 1280u);
  EXPECT_THAT(
      ChainLength(chain.head(), 1279),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("more than 1279 bytes (1280 after segment 1)")));
}

TEST(ChainLength, ExactlyMaxSegmentsIsAccepted) {
  Chain chain(std::vector<std::vector<uint8_t>>(kMaxChainSegments, {7}));
  EXPECT_EQ(*ChainLength(chain.head(), 1280), kMaxChainSegments);
  Chain longer(std::vector<std::vector<uint8_t>>(kMaxChainSegments + 1, {7}));
  EXPECT_THAT(ChainLength(longer.head(), 1280),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than 64 segments")));
}

struct BadChainCase {
  std::string name;
  std::vector<std::vector<uint8_t>> parts;
  // Applied to the chain before validation: -1 none; otherwise the segment
  // whose buffer becomes NULL (keeping its size) ...
  int null_buffer_at = -1;
  // ... or whose next pointer loops back to segment loop_to.
  int loop_from = -1;
  int loop_to = -1;
  std::string message;
};

void PrintTo(const BadChainCase& c, std::ostream* os) { *os << c.name; }

class ChainLengthRefuses : public ::testing::TestWithParam<BadChainCase> {};

TEST_P(ChainLengthRefuses, WithReason) {
  const BadChainCase& c = GetParam();
  Chain chain(c.parts);
  if (c.null_buffer_at >= 0) chain.segment(c.null_buffer_at).buffer = nullptr;
  if (c.loop_from >= 0) {
    chain.segment(c.loop_from).next = &chain.segment(c.loop_to);
  }
  EXPECT_THAT(
      ChainLength(chain.head(), 1280),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ChainLengthRefuses,
    ::testing::Values(
        BadChainCase{"NullChain", {}, -1, -1, -1, "buffer chain is NULL"},
        BadChainCase{"AllEmpty", {{}, {}}, -1, -1, -1, "holds no bytes"},
        BadChainCase{"NullBufferWithSize",
                     {{1}, {2, 3}},
                     1,
                     -1,
                     -1,
                     "segment 1 has a NULL buffer and size 2"},
        BadChainCase{"SelfLoop", {{1}}, -1, 0, 0, "loops back on itself"},
        BadChainCase{
            "LoopWithTail", {{1}, {2}, {3}}, -1, 2, 1, "loops back on itself"},
        BadChainCase{"LoopOfEmptySegments",
                     {{1}, {}, {}},
                     -1,
                     2,
                     1,
                     "loops back on itself"},
        BadChainCase{"TooLong",
                     {std::vector<uint8_t>(1281)},
                     -1,
                     -1,
                     -1,
                     "more than 1280 bytes"}),
    [](const ::testing::TestParamInfo<BadChainCase>& test) {
      return test.param.name;
    });

TEST(CopyChain, StopsWhenTheOutputIsFull) {
  Chain chain(Parts{{1, 2}, {3, 4, 5}});
  std::array<uint8_t, 3> out{};
  EXPECT_EQ(CopyChain(chain.head(), absl::MakeSpan(out)), 3u);
  EXPECT_THAT(out, ElementsAre(1, 2, 3));
}

TEST(CopyChain, IsBoundedOnAnUnvalidatedLoop) {
  Chain chain(Parts{{9}});
  chain.segment(0).next = &chain.segment(0);
  std::vector<uint8_t> out(1000);
  EXPECT_EQ(CopyChain(chain.head(), absl::MakeSpan(out)), kMaxChainSegments);
}

TEST(SingleSegmentChain, PresentsContiguousBytes) {
  std::vector<uint8_t> packet(40);
  std::iota(packet.begin(), packet.end(), uint8_t{0});
  SingleSegmentChain single(absl::MakeSpan(packet));
  EXPECT_EQ(single.chain()->next, nullptr);
  EXPECT_EQ(*ChainLength(single.chain(), 1280), 40u);
  std::vector<uint8_t> out(40);
  EXPECT_EQ(CopyChain(single.chain(), absl::MakeSpan(out)), 40u);
  EXPECT_EQ(out, packet);
}

}  // namespace
}  // namespace natfwt::cp
