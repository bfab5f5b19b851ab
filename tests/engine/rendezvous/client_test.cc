// Copyright 2026 The natfwt Authors.
//
// rendezvous::Client against a real server on loopback (three clients in
// two networks: discovery, records, signals only within the network and
// to the addressee, departures; a server restart the clients recover from
// on their own; no threads or descriptors left after Stop) and against a
// hostile fake server that tampers with, forges, misdirects and replays
// records and signals (each rejected, counted by reason, never delivered)
// or stops answering (keepalive notices, the client reconnects).

#include "engine/rendezvous/client.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/rendezvous/server.h"
#include "engine/secure/node_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/rendezvous/rendezvous_test_support.h"
#include "tests/support/status_matchers.h"

namespace natfwt::rendezvous {
namespace {

using ::natfwt::rendezvous::testing::CountOpenFds;
using ::natfwt::rendezvous::testing::CountThreads;
using ::natfwt::rendezvous::testing::FakeServer;
using ::natfwt::rendezvous::testing::NewIdentity;
using ::natfwt::rendezvous::testing::RawConnection;
using ::natfwt::rendezvous::testing::Recorded;
using ::natfwt::rendezvous::testing::RecordEnvelope;
using ::natfwt::rendezvous::testing::RecordingObserver;
using ::natfwt::rendezvous::testing::ServerLine;
using ::natfwt::rendezvous::testing::SignalEnvelope;
using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One node: identity, observer, client.
struct Node {
  Node(uint16_t port, const std::string& network) {
    Client::Options options;
    options.server = absl::StrCat("127.0.0.1:", port);
    options.network = network;
    options.reconnect_min = absl::Milliseconds(20);
    options.reconnect_max = absl::Milliseconds(200);
    absl::StatusOr<std::unique_ptr<Client>> created =
        Client::Create(identity, options, &observer);
    EXPECT_THAT(created.status(), IsOk());
    if (created.ok()) client = *std::move(created);
  }
  std::string id() const { return identity.node_id(); }
  bool SawPeer(const std::string& node_id, int times = 1) const {
    return observer.WaitFor(
        [&](const Recorded& r) { return r.PeerCount(node_id) >= times; });
  }

  secure::Identity identity = NewIdentity();
  RecordingObserver observer;
  std::unique_ptr<Client> client;
};

std::unique_ptr<Server> StartServer(const std::string& listen) {
  Server::Options options;
  options.listen = listen;
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(options);
  EXPECT_THAT(server.status(), IsOk());
  if (!server.ok()) return nullptr;
  EXPECT_THAT((*server)->Start(), IsOk());
  return *std::move(server);
}

std::vector<std::string> Payloads(const Recorded& recorded) {
  std::vector<std::string> payloads;
  for (const Signal& signal : recorded.signals) {
    payloads.push_back(signal.payload);
  }
  return payloads;
}

TEST(Client, CreateRefusesBadOptions) {
  secure::Identity identity = NewIdentity();
  RecordingObserver observer;
  Client::Options options;
  options.network = "home";
  for (const char* server : {"", "127.0.0.1", "127.0.0.1:0", "[::1:80"}) {
    options.server = server;
    EXPECT_THAT(
        Client::Create(identity, options, &observer).status(),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("server")))
        << server;
  }
  options.server = "rdv.example.net:443";
  options.network = "no spaces";
  EXPECT_THAT(
      Client::Create(identity, options, &observer).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("network")));
  options.network = "home";
  options.reconnect_max = absl::Milliseconds(1);
  EXPECT_THAT(
      Client::Create(identity, options, &observer).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reconnect")));
  options.reconnect_max = absl::Seconds(10);
  EXPECT_THAT(Client::Create(identity, options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Client::Create(identity, options, &observer).status(), IsOk());
}

TEST(Client, SendAndPublishValidate) {
  Node node(9, "home");  // Never started: nothing listens there anyway.
  EXPECT_THAT(node.client->Send(std::string(64, 'a'), "offer", "x"),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(node.client->Send("not-a-node-id", "offer", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(node.client->Send(std::string(64, 'a'), "Offer!", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(node.client->Send(std::string(64, 'a'), "offer",
                                std::string(Client::kMaxPayload + 1, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(node.client->Publish({"fd12::1", "bogus"}, {}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(node.client->Publish({}, {}, "bad\nstandby"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(node.client->Publish({}, {"bad\nhint"}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(node.client->Publish({"fd12::1"}, {"nat=port"}, ""), IsOk());
  node.client->Stop();  // Harmless when never started.
}

TEST(Client, ThreeClientsTwoNetworks) {
  std::unique_ptr<Server> server = StartServer("127.0.0.1:0");
  ASSERT_NE(server, nullptr);
  Node a(server->port(), "home");
  Node b(server->port(), "home");
  Node c(server->port(), "work");
  ASSERT_THAT(a.client->Publish({"fd12::a", "100.64.0.1"}, {"nat=none"}, ""),
              IsOk());
  ASSERT_THAT(b.client->Publish({"fd12::b"}, {}, ""), IsOk());
  for (Node* node : {&a, &b, &c}) ASSERT_THAT(node->client->Start(), IsOk());

  // Discovery, with the published records.
  ASSERT_TRUE(a.SawPeer(b.id()));
  ASSERT_TRUE(b.SawPeer(a.id()));
  const Recorded seen_by_b = b.observer.Snapshot();
  ASSERT_EQ(seen_by_b.peers.size(), 1u);
  EXPECT_EQ(seen_by_b.peers[0].network, "home");
  EXPECT_THAT(seen_by_b.peers[0].transport_ids,
              ElementsAre("fd12::a", "100.64.0.1"));
  EXPECT_THAT(seen_by_b.peers[0].hints, ElementsAre("nat=none"));
  ASSERT_EQ(a.client->Peers().size(), 1u);
  EXPECT_EQ(a.client->Peers()[0].node_id, b.id());
  ASSERT_TRUE(
      c.observer.WaitFor([](const Recorded& r) { return r.connected == 1; }));

  // A signal reaches its addressee, verified and attributed.
  ASSERT_THAT(a.client->Send(b.id(), "offer", "natfwt1:offer-from-a"), IsOk());
  ASSERT_TRUE(b.observer.WaitForSignal("natfwt1:offer-from-a"));
  const Signal signal = b.observer.Snapshot().signals[0];
  EXPECT_EQ(signal.from, a.id());
  EXPECT_EQ(signal.kind, "offer");
  // Across networks there is no such peer: the server says so to A.
  ASSERT_THAT(a.client->Send(c.id(), "offer", "to c"), IsOk());
  // Each client's own messages come back in order: a signal to itself is
  // a barrier behind the answer to the one before.
  ASSERT_THAT(a.client->Send(a.id(), "barrier", "a-barrier"), IsOk());
  ASSERT_TRUE(a.observer.WaitForSignal("a-barrier"));
  EXPECT_EQ(a.client->stats().server_errors, 1u);
  ASSERT_THAT(c.client->Send(c.id(), "barrier", "c-barrier"), IsOk());
  ASSERT_TRUE(c.observer.WaitForSignal("c-barrier"));
  EXPECT_THAT(Payloads(c.observer.Snapshot()), ElementsAre("c-barrier"));
  EXPECT_THAT(c.observer.Snapshot().peers, IsEmpty());
  EXPECT_THAT(c.client->Peers(), IsEmpty());
  EXPECT_THAT(Payloads(b.observer.Snapshot()),
              ElementsAre("natfwt1:offer-from-a"));

  // A republished record reaches the others.
  ASSERT_THAT(b.client->Publish({"fd12::bb"}, {"relay-only"},
                                "natfwt1:standby x25519=key"),
              IsOk());
  ASSERT_TRUE(a.SawPeer(b.id(), 2));
  EXPECT_THAT(a.observer.Snapshot().peers.back().transport_ids,
              ElementsAre("fd12::bb"));
  EXPECT_THAT(a.client->Peers()[0].hints, ElementsAre("relay-only"));
  EXPECT_EQ(a.client->Peers()[0].standby, "natfwt1:standby x25519=key");

  // B leaves: A hears it.
  b.client->Stop();
  ASSERT_TRUE(a.observer.WaitFor([&](const Recorded& r) {
    return r.gone.size() == 1 && r.gone[0] == b.id();
  }));
  EXPECT_THAT(a.client->Peers(), IsEmpty());
  const ClientStats stats = a.client->stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_EQ(stats.connects, 1u);
  // Measured on REGISTER/WELCOME at least (loopback: well under a second).
  ASSERT_TRUE(stats.rtt.has_value());
  EXPECT_GT(*stats.rtt, absl::ZeroDuration());
  EXPECT_LT(*stats.rtt, absl::Seconds(5));
  ASSERT_TRUE(stats.min_rtt.has_value());
  // REGISTER/WELCOME and three PINGs right after, long before the first
  // keepalive (15 s).
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (a.client->stats().rtt_samples < 4 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));  // Polling a counter.
  }
  EXPECT_EQ(a.client->stats().rtt_samples, 4u);
  EXPECT_GT(*stats.min_rtt, absl::ZeroDuration());
  EXPECT_LT(*stats.min_rtt, absl::Seconds(5));
  EXPECT_EQ(stats.signals_sent, 3u);
  EXPECT_EQ(stats.signals_received, 1u);
  EXPECT_EQ(stats.rejected_forged + stats.rejected_replayed +
                stats.rejected_stale + stats.rejected_malformed +
                stats.rejected_misdirected,
            0u);
}

TEST(Client, RecoversFromAServerRestartOnItsOwn) {
  std::unique_ptr<Server> server = StartServer("127.0.0.1:0");
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  Node a(port, "home");
  Node b(port, "home");
  ASSERT_THAT(a.client->Start(), IsOk());
  ASSERT_THAT(b.client->Start(), IsOk());
  ASSERT_TRUE(a.SawPeer(b.id()));
  ASSERT_TRUE(b.SawPeer(a.id()));

  server->Stop();
  for (Node* node : {&a, &b}) {
    ASSERT_TRUE(node->observer.WaitFor(
        [](const Recorded& r) { return r.disconnected == 1; }));
    EXPECT_THAT(node->client->Peers(), IsEmpty());
    EXPECT_THAT(node->client->Send(a.id(), "offer", "x"),
                StatusIs(absl::StatusCode::kUnavailable));
  }
  // A new server on the same port knows nobody; the clients come back,
  // register again and find each other again.
  server = StartServer(absl::StrCat("127.0.0.1:", port));
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(a.SawPeer(b.id(), 2));
  ASSERT_TRUE(b.SawPeer(a.id(), 2));
  EXPECT_EQ(a.observer.Snapshot().connected, 2);
  EXPECT_GE(a.client->stats().connects, 2u);
  ASSERT_THAT(a.client->Send(b.id(), "offer", "after the restart"), IsOk());
  ASSERT_TRUE(b.observer.WaitForSignal("after the restart"));
  EXPECT_EQ(server->stats().registered, 2u);
}

TEST(Client, StopLeavesNoThreadsOrDescriptors) {
  const int fds = CountOpenFds();
  const int threads = CountThreads();
  {
    std::unique_ptr<Server> server = StartServer("127.0.0.1:0");
    ASSERT_NE(server, nullptr);
    Node a(server->port(), "home");
    Node b(server->port(), "home");
    ASSERT_THAT(a.client->Start(), IsOk());
    ASSERT_THAT(b.client->Start(), IsOk());
    ASSERT_TRUE(a.SawPeer(b.id()));
    ASSERT_TRUE(b.SawPeer(a.id()));  // b has its WELCOME too.
    ASSERT_THAT(b.client->Send(a.id(), "offer", "x"), IsOk());
    ASSERT_TRUE(a.observer.WaitForSignal("x"));
    EXPECT_GT(CountThreads(), threads);
    a.client->Stop();
    a.client->Stop();  // Idempotent.
    EXPECT_FALSE(a.client->stats().connected);
    EXPECT_THAT(a.client->Start(),
                StatusIs(absl::StatusCode::kFailedPrecondition));
    // b's destructor stops it; then the server's.
  }
  EXPECT_EQ(CountOpenFds(), fds);
  EXPECT_EQ(CountThreads(), threads);
}

// ---- A hostile server ----

// `bytes` decoded, changed by `change`, and put together again unsigned.
std::string Altered(const std::string& bytes,
                    const std::function<void(Envelope&)>& change) {
  absl::StatusOr<Envelope> envelope = DecodeEnvelope(bytes);
  EXPECT_THAT(envelope.status(), IsOk());
  change(*envelope);
  return AssembleEnvelope(envelope->signed_part, envelope->certificate_der,
                          envelope->signature);
}

// Mallory's envelope claiming to come from `victim`.
std::string Impersonating(const std::string& mallorys,
                          const secure::Identity& victim) {
  return Altered(mallorys, [&](Envelope& e) {
    e.fields.from = victim.fingerprint();
    e.signed_part = EncodeSignedPart(e.fields);
  });
}

std::string TamperedBody(const std::string& bytes) {
  return Altered(bytes, [](Envelope& e) {
    e.fields.body.back() ^= 1;
    e.signed_part = EncodeSignedPart(e.fields);
  });
}

TEST(Client, RejectsWhatAHostileServerMakesUp) {
  NATFWT_ASSERT_OK_AND_ASSIGN(FakeServer fake, FakeServer::Listen());
  Node me(fake.port(), "home");
  ASSERT_THAT(me.client->Start(), IsOk());
  std::string registered_id;
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection server,
                              fake.AcceptAndRegister("home", &registered_id));
  EXPECT_EQ(registered_id, me.id());
  ASSERT_TRUE(
      me.observer.WaitFor([](const Recorded& r) { return r.connected == 1; }));

  const secure::Identity alice = NewIdentity();
  const secure::Identity bob = NewIdentity();
  const secure::Identity mallory = NewIdentity();
  const secure::Fingerprint to_me = me.identity.fingerprint();
  const int64_t now = WallClockMs();
  auto from_alice = [&](const std::string& payload, int64_t at,
                        const std::string& network = "home") {
    return SignalEnvelope(alice, to_me, network, "offer", payload, at);
  };
  const std::string record = RecordEnvelope(alice, "home", now, {"fd12::1"});
  const std::string signal = from_alice("genuine", now);
  const std::vector<std::string> lines = {
      // Records.
      ServerLine(ServerVerb::kPeer, record),
      ServerLine(ServerVerb::kPeer, TamperedBody(record)),  // F
      ServerLine(ServerVerb::kPeer,
                 RecordEnvelope(alice, "home", now - 1000)),  // R
      ServerLine(ServerVerb::kPeer,
                 Impersonating(RecordEnvelope(mallory, "home", now + 5),
                               alice)),  // F
      ServerLine(ServerVerb::kPeer,
                 RecordEnvelope(alice, "work", now + 10)),  // M
      ServerLine(ServerVerb::kPeer,
                 RecordEnvelope(alice, "home", now + 3'600'000)),  // S
      // Signals.
      ServerLine(ServerVerb::kSignal, signal),
      ServerLine(ServerVerb::kSignal, signal),  // R
      ServerLine(ServerVerb::kSignal, TamperedBody(from_alice("x", now))),
      ServerLine(ServerVerb::kSignal,
                 Impersonating(SignalEnvelope(mallory, to_me, "home", "offer",
                                              "evil", now),
                               alice)),                                   // F
      ServerLine(ServerVerb::kSignal, from_alice("old", now - 600'000)),  // S
      ServerLine(ServerVerb::kSignal,
                 SignalEnvelope(alice, bob.fingerprint(), "home", "offer",
                                "for bob", now)),  // M
      ServerLine(ServerVerb::kSignal,
                 from_alice("other network", now, "work")),  // M
      // Garbage.
      "SIGNAL !!!\n",
      "WHATEVER\n",
      "HELLO natfwt-rendezvous/1 " + std::string(43, 'A') + "\n",
      // The barrier: everything above was processed before this arrives.
      ServerLine(ServerVerb::kSignal, from_alice("barrier", now)),
  };
  for (const std::string& line : lines) {
    ASSERT_THAT(server.Send(line), IsOk());
  }
  ASSERT_TRUE(me.observer.WaitForSignal("barrier"));

  const Recorded recorded = me.observer.Snapshot();
  EXPECT_THAT(Payloads(recorded), ElementsAre("genuine", "barrier"));
  for (const Signal& s : recorded.signals) EXPECT_EQ(s.from, alice.node_id());
  ASSERT_EQ(recorded.peers.size(), 1u);
  EXPECT_EQ(recorded.peers[0].node_id, alice.node_id());
  EXPECT_THAT(recorded.peers[0].transport_ids, ElementsAre("fd12::1"));
  EXPECT_EQ(recorded.peers[0].signed_at_ms, now);
  const ClientStats stats = me.client->stats();
  EXPECT_EQ(stats.signals_received, 2u);
  EXPECT_EQ(stats.rejected_forged, 4u);
  EXPECT_EQ(stats.rejected_replayed, 2u);
  EXPECT_EQ(stats.rejected_stale, 2u);
  EXPECT_EQ(stats.rejected_misdirected, 3u);
  EXPECT_EQ(stats.rejected_malformed, 3u);
  EXPECT_TRUE(stats.connected);
  me.client->Stop();
}

TEST(Client, NoticesASilentServerAndReconnects) {
  NATFWT_ASSERT_OK_AND_ASSIGN(FakeServer fake, FakeServer::Listen());
  RecordingObserver observer;
  secure::Identity identity = NewIdentity();
  Client::Options options;
  options.server = absl::StrCat("127.0.0.1:", fake.port());
  options.network = "home";
  options.keepalive = absl::Milliseconds(200);
  options.reconnect_min = absl::Milliseconds(10);
  options.reconnect_max = absl::Milliseconds(50);
  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Client> client,
                              Client::Create(identity, options, &observer));
  ASSERT_THAT(client->Start(), IsOk());
  std::string node_id;
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection first,
                              fake.AcceptAndRegister("home", &node_id));
  // The client pings when idle; this server never answers.
  absl::StatusOr<ClientMessage> ping = first.ReadClientMessage();
  ASSERT_THAT(ping.status(), IsOk());
  EXPECT_EQ(ping->verb, ClientVerb::kPing);
  ASSERT_TRUE(
      observer.WaitFor([](const Recorded& r) { return r.disconnected == 1; }));
  EXPECT_TRUE(first.WaitClosed());
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection second,
                              fake.AcceptAndRegister("home", &node_id));
  ASSERT_TRUE(
      observer.WaitFor([](const Recorded& r) { return r.connected == 2; }));
  client->Stop();
  // Stop() says goodbye.
  absl::StatusOr<ClientMessage> bye = second.ReadClientMessage();
  while (bye.ok() && bye->verb == ClientVerb::kPing) {
    bye = second.ReadClientMessage();
  }
  ASSERT_THAT(bye.status(), IsOk());
  EXPECT_EQ(bye->verb, ClientVerb::kBye);
}

}  // namespace
}  // namespace natfwt::rendezvous
