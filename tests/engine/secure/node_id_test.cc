// Copyright 2026 The natfwt Authors.
//
// Node ID text and RFC 7983 demultiplexing.

#include "engine/secure/node_id.h"

#include <ostream>
#include <string>

#include "engine/secure/demux.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::secure {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

Fingerprint Counting() {
  Fingerprint fingerprint;
  for (size_t i = 0; i < fingerprint.size(); ++i) {
    fingerprint[i] = static_cast<uint8_t>(i * 9 + 1);
  }
  return fingerprint;
}

TEST(NodeId, FormatsLowercaseHexMostSignificantFirst) {
  // Bytes i * 9 + 1; the text was computed independently (Python).
  EXPECT_EQ(FormatNodeId(Counting()),
            "010a131c252e374049525b646d767f88"
            "919aa3acb5bec7d0d9e2ebf4fd060f18");
  Fingerprint zeros{};
  EXPECT_EQ(FormatNodeId(zeros), std::string(64, '0'));
}

TEST(NodeId, RoundTrips) {
  NATFWT_ASSERT_OK_AND_ASSIGN(Fingerprint parsed,
                              ParseNodeId(FormatNodeId(Counting())));
  EXPECT_EQ(parsed, Counting());
  Fingerprint ones;
  ones.fill(0xff);
  NATFWT_ASSERT_OK_AND_ASSIGN(parsed, ParseNodeId(std::string(64, 'f')));
  EXPECT_EQ(parsed, ones);
}

struct BadCase {
  std::string name;
  std::string text;
  std::string message;
};

// Test names print the case name, not its bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class NodeIdRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(NodeIdRejects, WithAClearMessage) {
  EXPECT_THAT(ParseNodeId(GetParam().text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

const std::string kGood = FormatNodeId(Counting());

INSTANTIATE_TEST_SUITE_P(
    Cases, NodeIdRejects,
    ::testing::Values(
        BadCase{"empty", "", "got 0 characters"},
        BadCase{"one_short", kGood.substr(1), "got 63 characters"},
        BadCase{"one_long", kGood + "0", "got 65 characters"},
        BadCase{"uppercase", "0A" + kGood.substr(2),
                "position 2; only the digits 0-9 and a-f are allowed "
                "(node IDs are lowercase)"},
        BadCase{"openssl_colon_form",
                "01:0a:13:1c:25:2e:37:40:49:52:5b:64:6d:76:7f:88:91:9a:a3:ac:"
                "b5:be:c7:d0:d9:e2:eb:f4:fd:06:0f:18",
                "got 95 characters"},
        BadCase{"colon_of_right_length", "01:" + kGood.substr(3),
                "position 3; only the digits 0-9 and a-f are allowed (write "
                "the fingerprint without colons)"},
        BadCase{"space", " " + kGood.substr(1), "' ' at position 1"},
        BadCase{"not_hex", kGood.substr(0, 63) + "g", "'g' at position 64"},
        BadCase{"nul_byte", std::string(1, '\0') + kGood.substr(1),
                "'\\x00' at position 1"}),
    [](const ::testing::TestParamInfo<BadCase>& test_info) {
      return test_info.param.name;
    });

struct DemuxCase {
  uint8_t first;
  uint8_t last;
  PacketKind kind;
};

TEST(Demux, FollowsRfc7983Ranges) {
  const DemuxCase cases[] = {
      {0, 3, PacketKind::kStun},
      {4, 15, PacketKind::kUnknown},
      {16, 19, PacketKind::kZrtp},
      {20, 63, PacketKind::kDtls},
      {64, 79, PacketKind::kTurnChannelData},
      {80, 127, PacketKind::kUnknown},
      {128, 191, PacketKind::kRtp},
      {192, 207, PacketKind::kUnknown},
      {208, 215, PacketKind::kNatfwtData},
      {216, 255, PacketKind::kUnknown},
  };
  int covered = 0;
  for (const DemuxCase& c : cases) {
    for (int byte = c.first; byte <= c.last; ++byte) {
      EXPECT_EQ(ClassifyPacket(static_cast<uint8_t>(byte)), c.kind) << byte;
      ++covered;
    }
  }
  EXPECT_EQ(covered, 256);
}

}  // namespace
}  // namespace natfwt::secure
