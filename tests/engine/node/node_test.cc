// Copyright 2026 The natfwt Authors.
//
// Nodes end to end on loopback: a rendezvous server and several nodes in
// one process, each with its own identity directory.

#include "engine/node/node.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/rendezvous/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt::node {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::Each;
using ::testing::Field;
using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(20);

struct PingRun {
  std::vector<PingReply> replies;
};

// Runs a ping and waits for all of it.
PingRun RunPing(Node& from, const std::string& to, int count,
                absl::Duration timeout = absl::Seconds(3)) {
  auto run = std::make_shared<PingRun>();
  auto mutex = std::make_shared<absl::Mutex>();
  auto done = std::make_shared<absl::Notification>();
  from.Ping(
      to, count, absl::Milliseconds(50), timeout,
      [run, mutex](const PingReply& reply) {
        absl::MutexLock lock(mutex.get());
        run->replies.push_back(reply);
      },
      [done] { done->Notify(); });
  EXPECT_TRUE(done->WaitForNotificationWithTimeout(absl::Seconds(60)));
  absl::MutexLock lock(mutex.get());
  return *run;
}

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rendezvous::Server::Options options;
    options.listen = "127.0.0.1:0";
    NATFWT_ASSERT_OK_AND_ASSIGN(server_, rendezvous::Server::Create(options));
    ASSERT_THAT(server_->Start(), IsOk());
  }

  // A loopback node of the test network keeping its identity in `state_dir`.
  NodeOptions Options(std::string state_dir, std::vector<std::string> allow,
                      absl::Duration connect_timeout = kWait) const {
    NodeOptions options;
    options.state_dir = std::move(state_dir);
    options.rendezvous = server_->local_address();
    options.network = "test";
    options.allow = std::move(allow);
    options.local_addresses = {net::IpAddress::Parse("127.0.0.1").value()};
    options.ipv6 = false;
    options.connect_timeout = connect_timeout;
    return options;
  }

  // A node with its own state directory, allowing `allow`.
  std::unique_ptr<Node> MakeNode(
      const std::string& tag, std::vector<std::string> allow,
      absl::Duration connect_timeout = kWait, bool signalled_keys = true,
      absl::Duration standby_lifetime = absl::Seconds(25)) {
    absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create(tag);
    EXPECT_THAT(dir.status(), IsOk());
    NodeOptions options =
        Options(dir->path() + "/state", std::move(allow), connect_timeout);
    options.signalled_keys = signalled_keys;
    options.standby_lifetime = standby_lifetime;
    dirs_.push_back(*std::move(dir));
    absl::StatusOr<std::unique_ptr<Node>> node = Node::Create(options);
    EXPECT_THAT(node.status(), IsOk());
    return node.ok() ? *std::move(node) : nullptr;
  }

  // Waits until `node` sees `count` other members at the rendezvous.
  static bool WaitForMembers(Node& node, size_t count) {
    absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      NodeStatus status = node.Status();
      size_t online = 0;
      for (const PeerStatus& peer : status.peers) online += peer.online;
      if (status.rendezvous_connected && online >= count) return true;
      absl::SleepFor(absl::Milliseconds(20));  // Polling a condition.
    }
    return false;
  }

  // Waits until `node` has its outbound standby and sees `peer`'s published
  // one.
  static bool WaitForStandby(Node& node, const std::string& peer) {
    absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      NodeStatus status = node.Status();
      for (const PeerStatus& p : status.peers) {
        if (p.node_id == peer && p.peer_standby &&
            status.standby_outbound_ready) {
          return true;
        }
      }
      absl::SleepFor(absl::Milliseconds(20));  // Polling a condition.
    }
    return false;
  }

  // Starts both nodes and waits until each sees the other.
  static void StartAndMeet(Node& a, Node& b) {
    ASSERT_THAT(a.Start(), IsOk());
    ASSERT_THAT(b.Start(), IsOk());
    ASSERT_TRUE(WaitForMembers(a, 1));
    ASSERT_TRUE(WaitForMembers(b, 1));
  }

  std::unique_ptr<rendezvous::Server> server_;
  std::vector<testing::TempDir> dirs_;
};

TEST_F(NodeTest, PingCreatesADirectSessionOnDemand) {
  auto a = MakeNode("a", {"any"});
  auto b = MakeNode("b", {"any"});
  ASSERT_NO_FATAL_FAILURE(StartAndMeet(*a, *b));

  PingRun run = RunPing(*a, b->node_id(), 3);
  ASSERT_EQ(run.replies.size(), 3u);
  for (const PingReply& reply : run.replies) {
    EXPECT_THAT(reply.status, IsOk());
    EXPECT_EQ(reply.path, "direct");
    EXPECT_THAT(reply.remote, HasSubstr("127.0.0.1:"));
    EXPECT_GT(reply.rtt, absl::ZeroDuration());
  }
  ASSERT_TRUE(run.replies[0].setup_time.has_value());
  EXPECT_FALSE(run.replies[1].setup_time.has_value());

  NodeStatus status = a->Status();
  ASSERT_EQ(status.peers.size(), 1u);
  const PeerStatus& peer = status.peers[0];
  EXPECT_EQ(peer.node_id, b->node_id());
  EXPECT_EQ(peer.state, "secure");
  EXPECT_TRUE(peer.initiator);
  EXPECT_EQ(peer.path, "direct");
  EXPECT_GE(peer.packets_sent, 3u);
  EXPECT_GE(peer.packets_received, 3u);
  EXPECT_TRUE(peer.last_handshake.has_value());
  EXPECT_EQ(peer.key_exchange, "x25519");  // Keys from the signed signals.
  EXPECT_EQ(status.counters.sessions_started, 1u);
  EXPECT_EQ(b->Status().counters.sessions_accepted, 1u);

  // A second run reuses the session.
  PingRun again = RunPing(*a, b->node_id(), 2);
  EXPECT_THAT(again.replies, Each(Field(&PingReply::status, IsOk())));
  EXPECT_EQ(a->Status().counters.sessions_started, 1u);
}

// With both standbys gathered, the initiator starts on the peer's published
// standby: no signalling round trip before its checks. The responder then
// publishes a new standby, and the next session uses that one.
TEST_F(NodeTest, SessionsStartOnThePeersStandby) {
  auto a = MakeNode("a", {"any"});
  auto b = MakeNode("b", {"any"});
  ASSERT_NO_FATAL_FAILURE(StartAndMeet(*a, *b));
  ASSERT_TRUE(WaitForStandby(*a, b->node_id()));
  EXPECT_TRUE(b->Status().standby_published);

  PingRun run = RunPing(*a, b->node_id(), 2);
  ASSERT_EQ(run.replies.size(), 2u);
  EXPECT_THAT(run.replies, Each(Field(&PingReply::status, IsOk())));
  EXPECT_EQ(run.replies[0].path, "direct");
  NodeStatus a_status = a->Status();
  ASSERT_EQ(a_status.peers.size(), 1u);
  EXPECT_TRUE(a_status.peers[0].standby);
  EXPECT_EQ(a_status.peers[0].key_exchange, "x25519");
  EXPECT_EQ(a_status.counters.standby_fallbacks, 0u);
  NodeStatus b_status = b->Status();
  EXPECT_EQ(b_status.counters.standby_used, 1u);
  EXPECT_EQ(b_status.counters.standby_missed, 0u);
  ASSERT_EQ(b_status.peers.size(), 1u);
  EXPECT_TRUE(b_status.peers[0].standby);
  EXPECT_FALSE(b_status.peers[0].initiator);

  // b ends the session (going dormant closes idle sessions and drops its
  // standbys); back to active it gathers a new standby, and a's next
  // session starts on that one.
  b->SetDormant(true);
  absl::Time deadline = absl::Now() + kWait;
  while (a->Status().peers[0].state == "secure" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // Polling a condition.
  }
  ASSERT_NE(a->Status().peers[0].state, "secure");
  EXPECT_FALSE(b->Status().standby_published);
  // a learns that b has no standby now (else it might still start on the
  // one b just dropped, and fall back).
  while (a->Status().peers[0].peer_standby && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // Polling a condition.
  }
  ASSERT_FALSE(a->Status().peers[0].peer_standby);
  b->SetDormant(false);
  ASSERT_TRUE(WaitForStandby(*a, b->node_id()));
  PingRun again = RunPing(*a, b->node_id(), 1);
  ASSERT_EQ(again.replies.size(), 1u);
  EXPECT_THAT(again.replies[0].status, IsOk());
  EXPECT_EQ(a->Status().counters.sessions_started, 2u);
  EXPECT_EQ(b->Status().counters.standby_used, 2u);
  EXPECT_EQ(a->Status().counters.standby_fallbacks, 0u);
}

// Standbys are renewed as they age (here every second instead of 25 s): the
// published one changes, and a session still starts on whichever the
// initiator saw (a superseded one is honoured for a while).
TEST_F(NodeTest, StandbysAreRenewed) {
  auto a = MakeNode("a", {"any"});
  auto b = MakeNode("b", {"any"}, kWait, true, absl::Seconds(1));
  ASSERT_NO_FATAL_FAILURE(StartAndMeet(*a, *b));
  ASSERT_TRUE(WaitForStandby(*a, b->node_id()));
  // Two at the start, then two per renewal.
  absl::Time deadline = absl::Now() + kWait;
  while (b->Status().counters.standbys_gathered < 6 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // Polling a condition.
  }
  ASSERT_GE(b->Status().counters.standbys_gathered, 6u);
  ASSERT_TRUE(WaitForStandby(*a, b->node_id()));
  PingRun run = RunPing(*a, b->node_id(), 1);
  ASSERT_EQ(run.replies.size(), 1u);
  EXPECT_THAT(run.replies[0].status, IsOk());
  const NodeCounters counters = b->Status().counters;
  EXPECT_EQ(counters.standby_used + counters.standby_missed, 1u);
  EXPECT_EQ(counters.standby_missed, a->Status().counters.standby_fallbacks);
}

// Two initiators reach for the same standby at once: one gets it, the
// other's offer is answered with a fresh session, which it cannot use (its
// keys came from the standby), so it offers again without a standby. Its
// checks may meanwhile have reached the taken standby's agent (same
// credentials) and its first ping gone there: that ping is sent again on
// the new session. Every ping is answered either way.
TEST_F(NodeTest, AnOfferForATakenStandbyIsRedone) {
  auto a = MakeNode("a", {"any"});
  auto b = MakeNode("b", {"any"});
  auto c = MakeNode("c", {"any"});
  ASSERT_THAT(a->Start(), IsOk());
  ASSERT_THAT(b->Start(), IsOk());
  ASSERT_THAT(c->Start(), IsOk());
  for (Node* node : {a.get(), b.get(), c.get()}) {
    ASSERT_TRUE(WaitForMembers(*node, 2));
  }
  ASSERT_TRUE(WaitForStandby(*a, b->node_id()));
  ASSERT_TRUE(WaitForStandby(*c, b->node_id()));

  PingRun from_a, from_c;
  std::thread other([&] { from_c = RunPing(*c, b->node_id(), 2); });
  from_a = RunPing(*a, b->node_id(), 2);
  other.join();
  ASSERT_EQ(from_a.replies.size(), 2u);
  ASSERT_EQ(from_c.replies.size(), 2u);
  EXPECT_THAT(from_a.replies, Each(Field(&PingReply::status, IsOk())));
  EXPECT_THAT(from_c.replies, Each(Field(&PingReply::status, IsOk())));
  const NodeCounters b_counters = b->Status().counters;
  // Usually one offer takes the standby and the other misses it; the second
  // initiator may also have seen b's record without a standby, or b's next
  // one, if its ping started late enough.
  EXPECT_GE(b_counters.standby_used, 1u);
  // Every offer for the taken standby was redone by its initiator.
  EXPECT_EQ(b_counters.standby_missed,
            a->Status().counters.standby_fallbacks +
                c->Status().counters.standby_fallbacks);
  EXPECT_EQ(b_counters.sessions_accepted, 2u + b_counters.standby_missed);
}

// A peer that sends no key in its offer or answer (signalled_keys off: an
// older node) gets the DTLS handshake, in either role.
TEST_F(NodeTest, APeerWithoutSignalledKeysGetsDtls) {
  auto a = MakeNode("a", {"any"});
  auto b = MakeNode("b", {"any"}, kWait, /*signalled_keys=*/false);
  ASSERT_NO_FATAL_FAILURE(StartAndMeet(*a, *b));
  PingRun from_a = RunPing(*a, b->node_id(), 2);
  ASSERT_EQ(from_a.replies.size(), 2u);
  EXPECT_THAT(from_a.replies, Each(Field(&PingReply::status, IsOk())));
  ASSERT_EQ(a->Status().peers.size(), 1u);
  EXPECT_EQ(a->Status().peers[0].key_exchange, "dtls");
  ASSERT_EQ(b->Status().peers.size(), 1u);
  EXPECT_EQ(b->Status().peers[0].key_exchange, "dtls");

  auto c = MakeNode("c", {"any"});
  ASSERT_THAT(c->Start(), IsOk());
  ASSERT_TRUE(WaitForMembers(*c, 2));
  PingRun from_b = RunPing(*b, c->node_id(), 2);
  EXPECT_THAT(from_b.replies, Each(Field(&PingReply::status, IsOk())));
  ASSERT_EQ(from_b.replies.size(), 2u);
  for (const PeerStatus& peer : c->Status().peers) {
    if (peer.node_id == b->node_id()) {
      EXPECT_EQ(peer.key_exchange, "dtls");
    }
  }
}

TEST_F(NodeTest, PeersNotAllowedGetNothing) {
  auto b = MakeNode("b", {});  // Allows nobody.
  auto c = MakeNode("c", {"any"}, absl::Seconds(2));
  ASSERT_THAT(b->Start(), IsOk());
  ASSERT_THAT(c->Start(), IsOk());
  ASSERT_TRUE(WaitForMembers(*c, 1));

  PingRun refused = RunPing(*c, b->node_id(), 2);
  ASSERT_EQ(refused.replies.size(), 2u);
  for (const PingReply& reply : refused.replies) {
    EXPECT_THAT(reply.status, StatusIs(absl::StatusCode::kDeadlineExceeded))
        << reply.status;
  }
  NodeStatus b_status = b->Status();
  EXPECT_GE(b_status.counters.offers_not_allowed, 1u);
  EXPECT_EQ(b_status.counters.sessions_accepted, 0u);

  // And b may not start anything towards c.
  PingRun own = RunPing(*b, c->node_id(), 1);
  ASSERT_EQ(own.replies.size(), 1u);
  EXPECT_THAT(own.replies[0].status,
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(NodeTest, SimultaneousPingsEndInOneSession) {
  auto a = MakeNode("a", {"any"});
  auto b = MakeNode("b", {"any"});
  ASSERT_NO_FATAL_FAILURE(StartAndMeet(*a, *b));

  PingRun from_a, from_b;
  std::thread other([&] { from_b = RunPing(*b, a->node_id(), 3); });
  from_a = RunPing(*a, b->node_id(), 3);
  other.join();
  EXPECT_THAT(from_a.replies, Each(Field(&PingReply::status, IsOk())));
  EXPECT_THAT(from_b.replies, Each(Field(&PingReply::status, IsOk())));
  NodeStatus a_status = a->Status();
  NodeStatus b_status = b->Status();
  ASSERT_EQ(a_status.peers.size(), 1u);
  ASSERT_EQ(b_status.peers.size(), 1u);
  EXPECT_EQ(a_status.peers[0].state, "secure");
  EXPECT_EQ(b_status.peers[0].state, "secure");
  // Exactly one side initiated the surviving session.
  EXPECT_NE(a_status.peers[0].initiator, b_status.peers[0].initiator);
}

TEST_F(NodeTest, ARestartedPeerIsReachedAgain) {
  auto a = MakeNode("a", {"any"});
  auto b = MakeNode("b", {"any"});
  ASSERT_NO_FATAL_FAILURE(StartAndMeet(*a, *b));
  PingRun first = RunPing(*a, b->node_id(), 1);
  ASSERT_THAT(first.replies, Each(Field(&PingReply::status, IsOk())));

  // b leaves (saying bye) and comes back with the same identity.
  std::string b_id = b->node_id();
  b->Stop();
  b.reset();
  NATFWT_ASSERT_OK_AND_ASSIGN(
      b, Node::Create(Options(dirs_.back().path() + "/state", {"any"})));
  ASSERT_EQ(b->node_id(), b_id);
  ASSERT_THAT(b->Start(), IsOk());
  ASSERT_TRUE(WaitForMembers(*b, 1));

  PingRun second = RunPing(*a, b_id, 2);
  EXPECT_THAT(second.replies, Each(Field(&PingReply::status, IsOk())));
  EXPECT_EQ(a->Status().counters.sessions_started, 2u);
}

TEST_F(NodeTest, BadOptionsAreRefused) {
  NodeOptions options;
  EXPECT_THAT(Node::Create(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  NATFWT_ASSERT_OK_AND_ASSIGN(testing::TempDir dir,
                              testing::TempDir::Create("bad"));
  options.state_dir = dir.path();
  options.rendezvous = "127.0.0.1:1";
  options.network = "n";
  options.allow = {"not-a-node-id"};
  absl::StatusOr<std::unique_ptr<Node>> node = Node::Create(options);
  EXPECT_THAT(node.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(node.status().message(), HasSubstr("not-a-node-id"));
  options.allow = {"any"};
  options.standby_lifetime = absl::Milliseconds(500);
  EXPECT_THAT(Node::Create(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("standby lifetime")));
  options.standby_lifetime = absl::Seconds(25);
  options.check_pacing = absl::Milliseconds(1);  // Below RFC 8445's 5 ms.
  EXPECT_THAT(
      Node::Create(options).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("check pacing")));
}

}  // namespace
}  // namespace natfwt::node
