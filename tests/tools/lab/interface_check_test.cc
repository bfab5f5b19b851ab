// Copyright 2026 The natfwt Authors.
//
// Reading what the lab's interface checks read: iputils ping's report and
// `natfwt status --json` (as node_render.cc writes it).

#include "tools/lab/interface_check.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::lab {
namespace {

using ::natfwt::testing::StatusIs;

constexpr char kPing[] =
    "PING fd00::2(fd00::2) 56 data bytes\n"
    "[1700000000.350000] 64 bytes from fd00::2: icmp_seq=1 ttl=64 "
    "time=310 ms\n"
    "[1700000000.550000] 64 bytes from fd00::2: icmp_seq=2 ttl=64 "
    "time=0.800 ms\n"
    "[1700000000.750000] 64 bytes from fd00::2: icmp_seq=3 ttl=64 "
    "time=1.20 ms\n"
    "\n"
    "--- fd00::2 ping statistics ---\n"
    "4 packets transmitted, 3 received, 25% packet loss, time 601ms\n"
    "rtt min/avg/max/mdev = 0.800/104.000/310.000/145.000 ms\n";

TEST(ParsePingOutput, ReadsRepliesSetupAndWarmRtt) {
  PingOutcome ping =
      ParsePingOutput(kPing, absl::FromUnixMillis(1700000000000));
  EXPECT_EQ(ping.transmitted, 4);
  EXPECT_EQ(ping.received, 3);
  ASSERT_TRUE(ping.first_reply.has_value());
  EXPECT_EQ(*ping.first_reply, absl::Milliseconds(350));
  ASSERT_EQ(ping.rtts.size(), 3u);
  // The cold first reply does not count.
  EXPECT_EQ(ping.WarmRtt(), absl::Microseconds(1000));
}

TEST(ParsePingOutput, NoReplies) {
  PingOutcome ping = ParsePingOutput(
      "PING fd00::2(fd00::2) 56 data bytes\n\n--- fd00::2 ping statistics "
      "---\n3 packets transmitted, 0 received, 100% packet loss, time 2030ms\n",
      absl::Now());
  EXPECT_EQ(ping.transmitted, 3);
  EXPECT_EQ(ping.received, 0);
  EXPECT_FALSE(ping.first_reply.has_value());
  EXPECT_FALSE(ping.WarmRtt().has_value());
}

TEST(ParseNodeView, ReadsTheStatusJson) {
  const std::string json = R"({"node_id":"aa","network":"n",
    "rendezvous":"r:1","rendezvous_connected":true,"transport_ids":["fd00::1"],
    "nat":"symmetric","allow":["any"],
    "interface":{"name":"cpnat1","friendly_name":"natfwt n","luid":"7",
      "state":"active","termination":"","transport_ids":["fd00::1"],
      "counters":{"packets_sent":5,"reach_no_owner":2}},
    "peers":[{"node_id":"bb","state":"secure","initiator":true,
      "path":"relay","local_candidate":"relay udp 203.0.113.1:5",
      "remote_candidate":"prflx udp 198.18.1.2:6","rtt_ms":1.5,
      "packets_sent":1,"packets_received":2,"bytes_sent":300,
      "bytes_received":400,"last_handshake_unix_ms":1700000000123,
      "setup_ms":150.5,"transport_ids":["fd00::2"],"online":true}],
    "counters":{"sessions_started":1,"offers_not_allowed":3}})";
  absl::StatusOr<NodeView> view = ParseNodeView(json);
  ASSERT_THAT(view, natfwt::testing::IsOk());
  EXPECT_EQ(view->node_id, "aa");
  EXPECT_TRUE(view->rendezvous_connected);
  EXPECT_EQ(view->interface_name, "cpnat1");
  EXPECT_EQ(view->interface_state, "active");
  EXPECT_THAT(view->transport_ids, ::testing::ElementsAre("fd00::1"));
  EXPECT_EQ(view->InterfaceCounter("reach_no_owner"), 2u);
  EXPECT_EQ(view->NodeCounter("offers_not_allowed"), 3u);
  EXPECT_EQ(view->NodeCounter("absent"), 0u);
  const PeerView* peer = view->Peer("bb");
  ASSERT_NE(peer, nullptr);
  EXPECT_EQ(peer->path, "relay");
  EXPECT_EQ(peer->local_candidate, "relay udp 203.0.113.1:5");
  EXPECT_EQ(peer->setup, absl::Microseconds(150500));
  EXPECT_EQ(peer->last_handshake, absl::FromUnixMillis(1700000000123));
  EXPECT_EQ(peer->bytes_received, 400u);
  EXPECT_THAT(peer->transport_ids, ::testing::ElementsAre("fd00::2"));
  EXPECT_TRUE(peer->online);
  EXPECT_EQ(view->Peer("cc"), nullptr);
}

TEST(ParseNodeView, RejectsWhatIsNoStatus) {
  EXPECT_THAT(ParseNodeView("[1]"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseNodeView("{\"node_id\":"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt::lab
