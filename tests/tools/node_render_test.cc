// Copyright 2026 The natfwt Authors.

#include "tools/natfwt/node_render.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

node::NodeStatus SampleStatus() {
  node::NodeStatus status;
  status.node_id = std::string(64, 'a');
  status.network = "home";
  status.rendezvous = "203.0.113.3:443";
  status.rendezvous_connected = true;
  status.nat_behaviour = "port-restricted-cone";
  status.allow = {"any"};
  node::PeerStatus peer;
  peer.node_id = std::string(64, 'b');
  peer.state = "secure";
  peer.path = "direct";
  peer.local_candidate = "host udp 192.168.1.2:4000";
  peer.remote_candidate = "srflx udp 198.18.0.6:5000";
  peer.rtt = absl::Microseconds(1250);
  peer.bytes_sent = 100;
  peer.bytes_received = 20000;
  peer.setup_time = absl::Milliseconds(120);
  peer.last_handshake = absl::FromUnixSeconds(1000);
  peer.online = true;
  status.peers.push_back(peer);
  node::PeerStatus known;
  known.node_id = std::string(64, 'c');
  known.state = "known";
  status.peers.push_back(known);
  status.counters.sessions_secure = 1;
  return status;
}

TEST(NodeRender, StatusText) {
  std::string text =
      RenderStatusText(SampleStatus(), absl::FromUnixSeconds(1065));
  EXPECT_THAT(text, HasSubstr("network     home (rendezvous 203.0.113.3:443, "
                              "connected)"));
  EXPECT_THAT(text, HasSubstr("nat         port-restricted-cone"));
  EXPECT_THAT(text,
              HasSubstr("bbbbbbbbbbbb  secure  direct  host udp "
                        "192.168.1.2:4000 <-> srflx udp 198.18.0.6:5000"));
  EXPECT_THAT(text, HasSubstr("rtt 1.25 ms"));
  EXPECT_THAT(text, HasSubstr("tx 100 B rx 19 KiB"));
  EXPECT_THAT(text, HasSubstr("handshake 1m5s ago (setup 120.00 ms)"));
  EXPECT_THAT(text, HasSubstr("cccccccccccc  known (offline)\n"));
}

TEST(NodeRender, StatusJson) {
  std::string json = RenderStatusJson(SampleStatus());
  EXPECT_THAT(json, HasSubstr("\"rendezvous_connected\":true"));
  EXPECT_THAT(json, HasSubstr("\"path\":\"direct\""));
  EXPECT_THAT(json, HasSubstr("\"rtt_ms\":1.25"));
  EXPECT_THAT(json, HasSubstr("\"last_handshake_unix_ms\":1000000"));
  EXPECT_THAT(json, HasSubstr("\"rtt_ms\":null"));  // The known peer.
  EXPECT_THAT(json, HasSubstr("\"sessions_secure\":1"));
  EXPECT_THAT(json, Not(HasSubstr("\n")));
}

InterfaceReport SampleInterface() {
  provider::IceProviderStatus status;
  status.friendly_name = "natfwt home";
  status.interface_name = "cpnat0";
  status.luid = 0x83000001000000;
  status.state = "active";
  status.transport_ids = {"fd12:3456:789a:1::5"};
  status.counters.send.packets_sent = 10;
  status.counters.send.batches = 2;
  status.counters.packets_indicated = 7;
  status.counters.drops_not_owner = 3;
  return {status, ""};
}

TEST(NodeRender, StatusTextShowsTheInterfaceAndWhatPeersOwn) {
  node::NodeStatus status = SampleStatus();
  status.peers[0].transport_ids = {"fd77::2", "100.64.0.9"};
  std::string text =
      RenderStatusText(status, absl::FromUnixSeconds(1065), SampleInterface());
  EXPECT_THAT(text, HasSubstr("interface   cpnat0 \"natfwt home\" active, "
                              "transport IDs fd12:3456:789a:1::5\n"));
  EXPECT_THAT(text, HasSubstr("sent 10 in 2 batches, received 7, dropped 3 "
                              "(3 not from their owner)"));
  EXPECT_THAT(text, HasSubstr("owns fd77::2 100.64.0.9\n"));

  EXPECT_THAT(RenderStatusText(status, absl::FromUnixSeconds(1065),
                               {std::nullopt, "--no-interface"}),
              HasSubstr("interface   none (--no-interface)\n"));
  EXPECT_THAT(RenderStatusText(SampleStatus(), absl::FromUnixSeconds(1065)),
              Not(HasSubstr("interface")));
}

TEST(NodeRender, StatusJsonShowsTheInterface) {
  std::string json = RenderStatusJson(SampleStatus(), SampleInterface());
  EXPECT_THAT(json, HasSubstr("\"interface\":{\"name\":\"cpnat0\","
                              "\"friendly_name\":\"natfwt home\","));
  EXPECT_THAT(json, HasSubstr("\"state\":\"active\""));
  EXPECT_THAT(json, HasSubstr("\"transport_ids\":[\"fd12:3456:789a:1::5\"]"));
  EXPECT_THAT(json, HasSubstr("\"drops_not_owner\":3"));
  EXPECT_THAT(RenderStatusJson(SampleStatus(), {std::nullopt, "no TUN"}),
              HasSubstr("\"interface\":{\"state\":\"none\","
                        "\"reason\":\"no TUN\"}"));
  EXPECT_THAT(RenderStatusJson(SampleStatus()),
              HasSubstr("\"interface\":null"));
}

TEST(NodeRender, PingRepliesAndSummary) {
  std::string peer(64, 'b');
  node::PingReply ok;
  ok.sequence = 1;
  ok.rtt = absl::Microseconds(800);
  ok.path = "relay";
  ok.remote = "relay udp 203.0.113.1:50000";
  ok.setup_time = absl::Milliseconds(300);
  node::PingReply lost;
  lost.sequence = 2;
  lost.status = absl::DeadlineExceededError("no reply within 2s");
  EXPECT_EQ(RenderPingReply(peer, ok),
            "reply from bbbbbbbbbbbb: seq=1 time=0.80 ms via relay (relay udp "
            "203.0.113.1:50000) [session set up in 300.00 ms]");
  EXPECT_EQ(RenderPingReply(peer, lost),
            "no reply from bbbbbbbbbbbb: seq=2 no reply within 2s");
  PingSummary summary(peer);
  summary.Add(ok);
  summary.Add(lost);
  EXPECT_EQ(summary.received(), 1);
  EXPECT_EQ(summary.Text(),
            "2 pings, 1 replies, 50% loss, rtt min/avg/max 0.80/0.80/0.80 ms");
  std::string json = summary.Json();
  EXPECT_THAT(json, HasSubstr("\"sent\":2,\"received\":1,\"setup_ms\":300"));
  EXPECT_THAT(json, HasSubstr("\"error\":\"no reply within 2s\""));
  PingSummary none(peer);
  none.Add(lost);
  EXPECT_THAT(none.Json(), HasSubstr("\"rtt_ms\":null"));
}

}  // namespace
}  // namespace natfwt::cli
