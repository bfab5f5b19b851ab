// Copyright 2026 The natfwt Authors.
//
// IceSessions through a coturn turnserver started by the test on loopback:
// relay-only sessions over TURN UDP, TCP and TLS (turns:, real TLS through
// the session's tunnel), closing (allocations, tunnels and their sockets
// released before Close returns), a certificate that is not trusted, a TURN
// server named by host name, and a relayed session moving to a direct pair.

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/ice/ice_session.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/ice/ice_test_support.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

namespace natfwt::ice {
namespace {

using ::natfwt::ice::testing::IcePair;
using ::natfwt::ice::testing::LoopbackConfig;
using ::natfwt::ice::testing::Peer;
using ::natfwt::ice::testing::Recorded;
using ::natfwt::ice::testing::TurnServerProcess;
using ::natfwt::testing::IsOk;
using ::testing::IsEmpty;

constexpr absl::Duration kConnect = absl::Seconds(15);
constexpr absl::Duration kDeliver = absl::Seconds(5);

absl::Span<const uint8_t> Bytes(const std::string& text) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()),
                             text.size());
}

class IceTurnTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!natfwt::testing::FindTool("turnserver")) return;
    absl::StatusOr<std::unique_ptr<TurnServerProcess>> started =
        TurnServerProcess::Start();
    if (!started.ok()) {
      start_error_ = new std::string(started.status().ToString());
      return;
    }
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    NATFWT_REQUIRE(natfwt::testing::FindTool("turnserver").has_value(),
                   "coturn's turnserver is not installed");
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    ASSERT_THAT(thread_.Start(), IsOk());
  }

  void TearDown() override {
    if (HasFailure() && server_ != nullptr) {
      std::printf("---- turnserver log ----\n%s\n", server_->Log().c_str());
    }
  }

  static SessionConfig RelayConfig(bool controlling, TurnTransport transport) {
    SessionConfig config = LoopbackConfig(controlling);
    config.turn_servers = {server_->Server(transport)};
    config.relay_only = true;
    return config;
  }

  static bool Connected(IcePair& pair) {
    return pair.a().observer.WaitForState(IceState::kConnected, kConnect) &&
           pair.b().observer.WaitForState(IceState::kConnected, kConnect);
  }

  static void ExpectDataBothWays(IcePair& pair, const std::string& tag) {
    const std::string to_b = "a->b " + tag, to_a = "b->a " + tag;
    EXPECT_THAT(pair.a().session->Send(Bytes(to_b)), IsOk());
    EXPECT_THAT(pair.b().session->Send(Bytes(to_a)), IsOk());
    EXPECT_TRUE(pair.b().observer.WaitForData(to_b, kDeliver)) << to_b;
    EXPECT_TRUE(pair.a().observer.WaitForData(to_a, kDeliver)) << to_a;
  }

  // One TLS/TLS session, connected and closed: GLib's TLS backend and
  // resolver threads start once, so resource counts taken afterwards are
  // stable. Returns when the warm-up's connections have finished closing
  // (asynchronously).
  void WarmUpTls() {
    const guint mark = testing::MarkSources(thread_);
    {
      IcePair warm(thread_, RelayConfig(true, TurnTransport::kTls),
                   RelayConfig(false, TurnTransport::kTls));
      ASSERT_THAT(warm.Create(), IsOk());
      ASSERT_THAT(warm.ExchangeDescriptions(), IsOk());
      ASSERT_THAT(warm.StartBoth(), IsOk());
      ASSERT_TRUE(Connected(warm));
    }
    ASSERT_EQ(testing::WaitForSourcesGone(thread_, mark, absl::Seconds(5)), 0);
  }

  static TurnServerProcess* server_;
  static std::string* start_error_;
  NetworkThread thread_{"ice-turn-test"};
};

TurnServerProcess* IceTurnTest::server_ = nullptr;
std::string* IceTurnTest::start_error_ = nullptr;

class IceTurnRelayOnly : public IceTurnTest,
                         public ::testing::WithParamInterface<TurnTransport> {};

TEST_P(IceTurnRelayOnly, SelectsARelayedPairAndCarriesData) {
  const TurnTransport transport = GetParam();
  IcePair pair(thread_, RelayConfig(true, transport),
               RelayConfig(false, transport));
  ASSERT_THAT(pair.Create(), IsOk());
  ASSERT_THAT(pair.ExchangeDescriptions(), IsOk());
  ASSERT_THAT(pair.StartBoth(), IsOk());
  ASSERT_TRUE(Connected(pair));
  for (Peer* peer : {&pair.a(), &pair.b()}) {
    std::optional<SelectedPairInfo> selected = peer->session->SelectedPair();
    ASSERT_TRUE(selected.has_value());
    EXPECT_EQ(selected->local.type, CandidateType::kRelay);
    EXPECT_EQ(selected->relay_transport, transport);
    // Only relayed candidates are offered (libnice "force-relay").
    for (const TrickleCandidate& c : peer->observer.Snapshot().candidates) {
      EXPECT_EQ(c.candidate.type, CandidateType::kRelay);
    }
    EXPECT_THAT(peer->session->SelectedSocket(),
                ::natfwt::testing::StatusIs(absl::StatusCode::kUnavailable));
  }
  for (int i = 0; i < 10; ++i) ExpectDataBothWays(pair, std::to_string(i));
  EXPECT_THAT(pair.ForwardingErrors(), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Transports, IceTurnRelayOnly,
                         ::testing::Values(TurnTransport::kUdp,
                                           TurnTransport::kTcp,
                                           TurnTransport::kTls),
                         [](const auto& test) {
                           return std::string(TurnTransportName(test.param));
                         });

TEST_F(IceTurnTest, UntrustedCertificateGivesNoRelayCandidate) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string other_ca, server_->UntrustedCaFile());
  SessionConfig config = RelayConfig(true, TurnTransport::kTls);
  config.turn_servers[0].tls_ca_file = other_ca;
  config.relay_only = false;  // Host candidates still come.
  config.timeouts.gathering = absl::Seconds(1);
  testing::RecordingObserver observer;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto session, IceSession::Create(thread_, config, {}, &observer));
  ASSERT_THAT(session->Start(), IsOk());
  ASSERT_TRUE(observer.WaitFor(
      [](const Recorded& r) { return !r.gathering_done.empty(); }, kConnect));
  const Recorded r = observer.Snapshot();
  ASSERT_FALSE(r.candidates.empty());
  for (const TrickleCandidate& c : r.candidates) {
    EXPECT_NE(c.candidate.type, CandidateType::kRelay);
  }
}

// coturn usually serves STUN and TURN on one port. libnice 0.1.21 would
// drop the answer to its STUN request there (it takes everything from a UDP
// TURN server's address for TURN traffic) and finish gathering only when
// that request times out, after about 2 s; the session leaves such a STUN
// server out and gets the mapped address from the allocation instead.
TEST_F(IceTurnTest, StunServerOnTheTurnPortDoesNotHoldGatheringUp) {
  SessionConfig config = RelayConfig(true, TurnTransport::kUdp);
  config.relay_only = false;
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnUri turn,
                              ParseTurnUri(config.turn_servers[0].uri));
  config.stun_servers = {absl::StrCat("127.0.0.1:", turn.server.port)};
  testing::RecordingObserver observer;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto session, IceSession::Create(thread_, config, {}, &observer));
  const absl::Time start = absl::Now();
  ASSERT_THAT(session->Start(), IsOk());
  ASSERT_TRUE(observer.WaitFor(
      [](const Recorded& r) { return !r.gathering_done.empty(); }, kConnect));
  // A loopback allocation takes milliseconds; the lost STUN answer would
  // take libnice's whole retransmission schedule.
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  const Recorded r = observer.Snapshot();
  EXPECT_TRUE(std::any_of(r.candidates.begin(), r.candidates.end(),
                          [](const TrickleCandidate& c) {
                            return c.candidate.type == CandidateType::kRelay;
                          }));
}

TEST_F(IceTurnTest, CloseReleasesAllocationsTunnelsAndSockets) {
  ASSERT_NO_FATAL_FAILURE(WarmUpTls());
  const int fds = testing::CountOpenFds();
  const int threads = testing::CountThreads();
  const guint mark = testing::MarkSources(thread_);
  {
    IcePair pair(thread_, RelayConfig(true, TurnTransport::kTls),
                 RelayConfig(false, TurnTransport::kUdp));
    ASSERT_THAT(pair.Create(), IsOk());
    ASSERT_THAT(pair.ExchangeDescriptions(), IsOk());
    ASSERT_THAT(pair.StartBoth(), IsOk());
    ASSERT_TRUE(Connected(pair));
    ExpectDataBothWays(pair, "before close");
    const absl::Time closing = absl::Now();
    pair.CloseBoth();
    // TURN deallocation is answered (no retransmission timeouts).
    EXPECT_LT(absl::Now() - closing, absl::Seconds(1));
  }
  EXPECT_EQ(testing::WaitForSourcesGone(thread_, mark, absl::Seconds(5)), 0);
  EXPECT_EQ(testing::CountOpenFds(), fds);
  EXPECT_LE(testing::CountThreads(), threads + 1);  // GLib's pool may grow.
}

// Close() returns only once the turns: tunnels' connections are closed, so a
// caller may stop the network thread right after it (the TURN check does):
// nothing is left for a loop that no longer runs. Counted at once, no wait.
TEST_F(IceTurnTest, CloseReturnsAfterTheTunnelsSocketsAreClosed) {
  ASSERT_NO_FATAL_FAILURE(WarmUpTls());
  const int fds = testing::CountOpenFds();
  for (int round = 0; round < 5; ++round) {
    {
      IcePair pair(thread_, RelayConfig(true, TurnTransport::kTls),
                   RelayConfig(false, TurnTransport::kTls));
      ASSERT_THAT(pair.Create(), IsOk());
      ASSERT_THAT(pair.ExchangeDescriptions(), IsOk());
      ASSERT_THAT(pair.StartBoth(), IsOk());
      ASSERT_TRUE(Connected(pair));
      ExpectDataBothWays(pair, "round " + std::to_string(round));
      pair.CloseBoth();
    }
    EXPECT_EQ(testing::CountOpenFds(), fds) << "round " << round;
  }
}

TEST_F(IceTurnTest, TurnServerNamedByHostNameIsResolved) {
  SessionConfig config = LoopbackConfig(true);
  config.turn_servers = {server_->Server(TurnTransport::kUdp, "localhost")};
  testing::RecordingObserver observer;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto session, IceSession::Create(thread_, config, {}, &observer));
  ASSERT_THAT(session->Start(), IsOk());
  ASSERT_TRUE(observer.WaitFor(
      [](const Recorded& r) {
        for (const TrickleCandidate& c : r.candidates) {
          if (c.candidate.type == CandidateType::kRelay) return true;
        }
        return false;
      },
      kConnect));
}

// Hosts on 127.0.0.2 and 127.0.0.3 (still loopback) so the relays'
// permissions, which TURN keys on IP address (RFC 8656 section 9), do not
// also admit the other side's host address: until host candidates are
// signalled, only relay-to-relay works.
TEST_F(IceTurnTest, RelayedSessionMovesToADirectPairWhenOneWorks) {
  SessionConfig a = LoopbackConfig(true, "127.0.0.2");
  SessionConfig b = LoopbackConfig(false, "127.0.0.3");
  a.turn_servers = {server_->Server(TurnTransport::kUdp)};
  b.turn_servers = a.turn_servers;
  IcePair pair(thread_, a, b);
  pair.SetFilter(
      [](const Candidate& c) { return c.type == CandidateType::kRelay; });
  ASSERT_THAT(pair.Create(), IsOk());
  ASSERT_THAT(pair.ExchangeDescriptions(), IsOk());
  ASSERT_THAT(pair.StartBoth(), IsOk());
  ASSERT_TRUE(Connected(pair));
  for (Peer* peer : {&pair.a(), &pair.b()}) {
    EXPECT_EQ(peer->session->SelectedPair()->local.type, CandidateType::kRelay);
  }
  ExpectDataBothWays(pair, "relayed");

  pair.ReleaseHeld();  // The direct path becomes possible.
  for (Peer* peer : {&pair.a(), &pair.b()}) {
    ASSERT_TRUE(peer->observer.WaitFor(
        [](const Recorded& r) {
          return r.pairs.back().local.type == CandidateType::kHost &&
                 r.pairs.back().remote.type == CandidateType::kHost;
        },
        kConnect));
  }
  EXPECT_EQ(pair.a().session->SelectedPair()->local.address.address.ToString(),
            "127.0.0.2");
  ExpectDataBothWays(pair, "direct");
  EXPECT_THAT(pair.ForwardingErrors(), IsEmpty());
}

}  // namespace
}  // namespace natfwt::ice
