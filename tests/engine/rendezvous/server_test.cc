// Copyright 2026 The natfwt Authors.
//
// The rendezvous server over loopback TCP, driven line by line by raw
// connections that play nodes (honest and not): registration and record
// pushes, signal relaying within a network only, GONE, impersonation
// refused, re-registration replacing a connection, PUBLISH/SIGNAL rules,
// malformed lines answered and counted, oversized frames, rate limits,
// slow readers, idle and unregistered clients (FakeClock), limits.

#include "engine/rendezvous/server.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/secure/node_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/rendezvous/rendezvous_test_support.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"

namespace natfwt::rendezvous {
namespace {

using ::natfwt::rendezvous::testing::AuthEnvelope;
using ::natfwt::rendezvous::testing::NewIdentity;
using ::natfwt::rendezvous::testing::RawConnection;
using ::natfwt::rendezvous::testing::RecordEnvelope;
using ::natfwt::rendezvous::testing::RegisterLine;
using ::natfwt::rendezvous::testing::SignalEnvelope;
using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

std::string Line(ClientVerb verb, const std::string& envelope = "") {
  ClientMessage message;
  message.verb = verb;
  message.envelope = envelope;
  return EncodeClientMessage(message);
}

// Sends PING <token> and reads up to the PONG; returns the lines before it.
std::vector<std::string> LinesUntilPong(RawConnection& connection,
                                        const std::string& token = "sync") {
  std::vector<std::string> before;
  EXPECT_THAT(connection.Send(absl::StrCat("PING ", token, "\n")), IsOk());
  for (;;) {
    absl::StatusOr<std::string> line = connection.ReadLine();
    if (!line.ok()) {
      ADD_FAILURE() << line.status();
      return before;
    }
    if (*line == "PONG " + token) return before;
    before.push_back(*line);
  }
}

// Reads the next line and checks it is ERR <code>.
void ExpectError(RawConnection& connection, ErrorCode code,
                 const std::string& text = "") {
  absl::StatusOr<ServerMessage> reply = connection.ReadServerMessage();
  ASSERT_THAT(reply.status(), IsOk());
  ASSERT_EQ(reply->verb, ServerVerb::kError);
  EXPECT_EQ(reply->error_name, ErrorCodeName(code)) << reply->text;
  EXPECT_THAT(reply->text, HasSubstr(text));
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(Server::Options options = {}) {
    options.listen = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(options);
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
    ASSERT_THAT(server_->Start(), IsOk());
    ASSERT_NE(server_->port(), 0);
  }

  absl::StatusOr<RawConnection> Join(const secure::Identity& identity,
                                     const std::string& network) {
    absl::StatusOr<RawConnection> connection =
        RawConnection::Connect(server_->port());
    if (!connection.ok()) return connection.status();
    absl::Status registered = connection->Register(identity, network);
    if (!registered.ok()) return registered;
    return connection;
  }

  uint64_t Errors(ErrorCode code) const {
    return server_->stats().errors[static_cast<size_t>(code)];
  }

  secure::Identity alice_ = NewIdentity();
  secure::Identity bob_ = NewIdentity();
  secure::Identity carol_ = NewIdentity();
  secure::Identity mallory_ = NewIdentity();
  natfwt::testing::FakeClock clock_;  // Outlives the server.
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, CreateRefusesBadOptions) {
  Server::Options options;
  options.listen = "localhost:0";
  EXPECT_THAT(
      Server::Create(options).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("numeric")));
  options.listen = "127.0.0.1";
  EXPECT_THAT(Server::Create(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options = {};
  options.byte_burst = 1000;
  EXPECT_THAT(
      Server::Create(options).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("byte_burst")));
  options = {};
  options.max_clients = 0;
  EXPECT_THAT(Server::Create(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ServerTest, BindFailureIsReported) {
  StartServer();
  Server::Options options;
  options.listen = absl::StrCat("127.0.0.1:", server_->port());
  // SO_REUSEADDR does not allow two listeners on one port.
  std::unique_ptr<Server> second = *Server::Create(options);
  EXPECT_THAT(second->Start(), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(ServerTest, RegistrationPushesRecordsWithinTheNetwork) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection alice, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection carol, Join(carol_, "work"));

  // Bob got Alice's record with his WELCOME, Alice got Bob's on his
  // arrival; Carol, in another network, got nobody's.
  Expectation record;
  record.kind = EnvelopeKind::kRecord;
  record.network = "home";
  for (auto [connection, sender] :
       {std::pair{&bob, &alice_}, std::pair{&alice, &bob_}}) {
    std::vector<std::string> lines = LinesUntilPong(*connection);
    ASSERT_EQ(lines.size(), 1u);
    absl::StatusOr<ServerMessage> peer = ParseServerMessage(lines[0]);
    ASSERT_THAT(peer.status(), IsOk());
    ASSERT_EQ(peer->verb, ServerVerb::kPeer);
    absl::StatusOr<Envelope> envelope = VerifyEnvelope(peer->envelope, record);
    ASSERT_THAT(envelope.status(), IsOk());
    EXPECT_EQ(envelope->fields.from, sender->fingerprint());
  }
  EXPECT_TRUE(LinesUntilPong(carol).empty());

  const ServerStats stats = server_->stats();
  EXPECT_EQ(stats.clients, 3u);
  EXPECT_EQ(stats.registered, 3u);
  EXPECT_EQ(stats.networks, 2u);
  EXPECT_EQ(stats.registrations, 3u);
  EXPECT_EQ(stats.records_pushed, 2u);

  // Bob leaves: Alice hears GONE, Carol does not.
  bob = RawConnection(Socket());
  absl::StatusOr<ServerMessage> gone = alice.ReadServerMessage();
  ASSERT_THAT(gone.status(), IsOk());
  EXPECT_EQ(gone->verb, ServerVerb::kGone);
  EXPECT_EQ(gone->node_id, bob_.node_id());
  EXPECT_TRUE(LinesUntilPong(carol).empty());
}

TEST_F(ServerTest, SignalsReachOnlyTheAddresseeInTheSameNetwork) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection alice, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection carol, Join(carol_, "work"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection dave, Join(mallory_, "home"));
  LinesUntilPong(alice);
  LinesUntilPong(bob);

  const std::string to_bob = SignalEnvelope(alice_, bob_.fingerprint(), "home",
                                            "offer", "hi bob", WallClockMs());
  ASSERT_THAT(alice.Send(Line(ClientVerb::kSignal, to_bob)), IsOk());
  absl::StatusOr<ServerMessage> relayed = bob.ReadServerMessage();
  ASSERT_THAT(relayed.status(), IsOk());
  EXPECT_EQ(relayed->verb, ServerVerb::kSignal);
  EXPECT_EQ(relayed->envelope, to_bob);  // Byte for byte.

  // Carol is registered, but in another network.
  ASSERT_THAT(
      alice.Send(Line(ClientVerb::kSignal,
                      SignalEnvelope(alice_, carol_.fingerprint(), "home",
                                     "offer", "hi carol", WallClockMs()))),
      IsOk());
  ExpectError(alice, ErrorCode::kUnknownPeer, carol_.node_id());
  EXPECT_TRUE(LinesUntilPong(carol).empty());
  // Dave (same network, not the addressee) saw none of it; he only got
  // the others' records.
  for (const std::string& line : LinesUntilPong(dave)) {
    EXPECT_TRUE(absl::StartsWith(line, "PEER ")) << line;
  }
  EXPECT_EQ(server_->stats().signals_relayed, 1u);
}

TEST_F(ServerTest, RefusesImpersonation) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection alice, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  LinesUntilPong(alice);
  LinesUntilPong(bob);

  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection mallory,
                              RawConnection::Connect(server_->port()));
  absl::StatusOr<ServerMessage> hello = mallory.ReadServerMessage();
  ASSERT_THAT(hello.status(), IsOk());
  const std::string alice_record =
      RecordEnvelope(alice_, "home", WallClockMs());
  struct Attempt {
    std::string name;
    std::string auth;
  };
  const std::vector<Attempt> attempts = {
      // Alice's (public) record with Mallory's own proof.
      {"mallory's auth", AuthEnvelope(mallory_, "home", hello->challenge)},
      // A proof Alice made for another connection's challenge.
      {"replayed auth", AuthEnvelope(alice_, "home", alice.challenge())},
  };
  for (const Attempt& attempt : attempts) {
    ClientMessage reg;
    reg.verb = ClientVerb::kRegister;
    reg.envelope = alice_record;
    reg.auth = attempt.auth;
    ASSERT_THAT(mallory.Send(EncodeClientMessage(reg)), IsOk());
    SCOPED_TRACE(attempt.name);
    ExpectError(mallory, ErrorCode::kForbidden);
  }
  // Alice's certificate, Mallory's signatures.
  absl::StatusOr<Envelope> real = DecodeEnvelope(alice_record);
  absl::StatusOr<Envelope> fake =
      DecodeEnvelope(RecordEnvelope(mallory_, "home", WallClockMs()));
  ClientMessage reg;
  reg.verb = ClientVerb::kRegister;
  reg.envelope = AssembleEnvelope(real->signed_part, real->certificate_der,
                                  fake->signature);
  reg.auth = AuthEnvelope(mallory_, "home", hello->challenge);
  ASSERT_THAT(mallory.Send(EncodeClientMessage(reg)), IsOk());
  ExpectError(mallory, ErrorCode::kForbidden, "signature");

  // Mallory is not registered; Alice still is, and nobody was told
  // otherwise.
  ASSERT_THAT(
      mallory.Send(Line(ClientVerb::kSignal,
                        SignalEnvelope(alice_, bob_.fingerprint(), "home",
                                       "offer", "x", WallClockMs()))),
      IsOk());
  ExpectError(mallory, ErrorCode::kNotRegistered);
  EXPECT_TRUE(LinesUntilPong(alice).empty());
  EXPECT_TRUE(LinesUntilPong(bob).empty());
  EXPECT_EQ(Errors(ErrorCode::kForbidden), 3u);
  EXPECT_EQ(server_->stats().registered, 2u);
}

TEST_F(ServerTest, RegisteringAgainReplacesTheOldConnection) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection first, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  LinesUntilPong(bob);
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection second, Join(alice_, "home"));
  // The old connection is told, then closed (after Bob's record).
  absl::StatusOr<ServerMessage> peer = first.ReadServerMessage();
  ASSERT_THAT(peer.status(), IsOk());
  EXPECT_EQ(peer->verb, ServerVerb::kPeer);
  ExpectError(first, ErrorCode::kReplaced);
  EXPECT_TRUE(first.WaitClosed());
  // Bob sees Alice's new record, and no GONE for her.
  std::vector<std::string> lines = LinesUntilPong(bob);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(lines[0], "PEER ")) << lines[0];
  EXPECT_EQ(server_->stats().replaced, 1u);
  EXPECT_EQ(server_->stats().registered, 2u);
  // Signals now reach the new connection.
  ASSERT_THAT(
      bob.Send(Line(ClientVerb::kSignal,
                    SignalEnvelope(bob_, alice_.fingerprint(), "home", "offer",
                                   "to the new one", WallClockMs()))),
      IsOk());
  lines = LinesUntilPong(second);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(absl::StartsWith(lines.back(), "SIGNAL ")) << lines.back();
}

TEST_F(ServerTest, PublishAndSignalRules) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection alice, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  LinesUntilPong(alice);
  LinesUntilPong(bob);

  const std::string newer =
      RecordEnvelope(alice_, "home", WallClockMs() + 1000, {"fd12::1"});
  ASSERT_THAT(alice.Send(Line(ClientVerb::kPublish, newer)), IsOk());
  absl::StatusOr<ServerMessage> peer = bob.ReadServerMessage();
  ASSERT_THAT(peer.status(), IsOk());
  EXPECT_EQ(peer->verb, ServerVerb::kPeer);
  EXPECT_EQ(peer->envelope, newer);

  ASSERT_THAT(alice.Send(Line(ClientVerb::kPublish,
                              RecordEnvelope(alice_, "home", 1000))),
              IsOk());
  ExpectError(alice, ErrorCode::kOutdated);
  ASSERT_THAT(
      alice.Send(Line(ClientVerb::kPublish,
                      RecordEnvelope(mallory_, "home", WallClockMs() + 5000))),
      IsOk());
  ExpectError(alice, ErrorCode::kForbidden);
  ASSERT_THAT(alice.Send(Line(ClientVerb::kPublish,
                              SignalEnvelope(alice_, bob_.fingerprint(), "home",
                                             "offer", "x", WallClockMs()))),
              IsOk());
  ExpectError(alice, ErrorCode::kMalformed, "record");
  // A signal must come from the connection's own node and network.
  ASSERT_THAT(
      alice.Send(Line(ClientVerb::kSignal,
                      SignalEnvelope(mallory_, bob_.fingerprint(), "home",
                                     "offer", "x", WallClockMs()))),
      IsOk());
  ExpectError(alice, ErrorCode::kForbidden);
  ASSERT_THAT(alice.Send(Line(ClientVerb::kSignal,
                              SignalEnvelope(alice_, bob_.fingerprint(), "work",
                                             "offer", "x", WallClockMs()))),
              IsOk());
  ExpectError(alice, ErrorCode::kForbidden);
  ASSERT_THAT(alice.Send(RegisterLine(alice_, "home", alice.challenge())),
              IsOk());
  ExpectError(alice, ErrorCode::kProtocol, "already registered");
  EXPECT_TRUE(LinesUntilPong(bob).empty());
}

TEST_F(ServerTest, MalformedLinesAreAnsweredCountedAndSurvived) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection alice, Join(alice_, "home"));
  const std::vector<std::string> bad = {
      "\n",
      "HELLO there\n",
      "PING  x\n",
      std::string("PING\0\n", 6),
      "SIGNAL !!!!\n",
      "REGISTER a b\n",
      "PUBLISH TlJWMQ\n",  // "NRV1": a truncated envelope.
      "BYE please\n",
      "\xff\xfe\r\n",
  };
  for (const std::string& line : bad) {
    ASSERT_THAT(alice.Send(line), IsOk());
    SCOPED_TRACE(absl::CHexEscape(line));
    ExpectError(alice, ErrorCode::kMalformed);
  }
  EXPECT_TRUE(LinesUntilPong(alice).empty());
  EXPECT_EQ(Errors(ErrorCode::kMalformed), bad.size());
  EXPECT_EQ(server_->stats().registered, 1u);
}

TEST_F(ServerTest, OversizedLineClosesTheConnection) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection alice, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  LinesUntilPong(bob);
  // The peer may close before everything is written; that is the point.
  (void)alice.Send("SIGNAL " + std::string(kMaxLineSize + 100, 'A'));
  EXPECT_TRUE(alice.WaitClosed());
  EXPECT_EQ(server_->stats().dropped_oversized, 1u);
  absl::StatusOr<ServerMessage> gone = bob.ReadServerMessage();
  ASSERT_THAT(gone.status(), IsOk());
  EXPECT_EQ(gone->verb, ServerVerb::kGone);
}

TEST_F(ServerTest, FloodIsRateLimitedThenDroppedOthersUnaffected) {
  Server::Options options;
  options.messages_per_second = 5;
  options.message_burst = 10;
  options.strikes = 5;
  StartServer(options);
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection flooder, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection carol, Join(carol_, "home"));

  // REGISTER spent one token: 9 more pass at once, the rest are refused.
  std::string burst;
  for (int i = 0; i < 12; ++i) burst += "PING\n";
  ASSERT_THAT(flooder.Send(burst), IsOk());
  int pongs = 0, limited = 0;
  while (pongs + limited < 12) {
    absl::StatusOr<ServerMessage> reply = flooder.ReadServerMessage();
    ASSERT_THAT(reply.status(), IsOk());
    if (reply->verb == ServerVerb::kPong) ++pongs;
    if (reply->verb == ServerVerb::kError) {
      EXPECT_EQ(reply->error, ErrorCode::kRateLimited);
      ++limited;
    }
  }
  EXPECT_GE(pongs, 9);
  EXPECT_GE(limited, 1);
  // Keeping it up runs out of strikes: disconnected.
  std::string flood;
  for (int i = 0; i < 200; ++i) flood += "PING\n";
  (void)flooder.Send(flood);
  EXPECT_TRUE(flooder.WaitClosed());
  const ServerStats stats = server_->stats();
  EXPECT_EQ(stats.dropped_abusive, 1u);
  EXPECT_GE(stats.rate_limited, 6u);

  // Bob and Carol carry on as if nothing happened.
  LinesUntilPong(carol);
  ASSERT_THAT(
      bob.Send(Line(ClientVerb::kSignal,
                    SignalEnvelope(bob_, carol_.fingerprint(), "home", "offer",
                                   "still here", WallClockMs()))),
      IsOk());
  std::vector<std::string> lines = LinesUntilPong(carol);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(absl::StartsWith(lines.back(), "SIGNAL ")) << lines.back();
}

TEST_F(ServerTest, ReaderThatDoesNotReadIsDropped) {
  Server::Options options;
  options.max_output_bytes = kMaxLineSize;
  options.messages_per_second = 1e6;
  options.message_burst = 1e6;
  options.bytes_per_second = 1e10;
  options.byte_burst = 1e10;
  StartServer(options);
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection sleeper, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob, Join(bob_, "home"));
  LinesUntilPong(bob);
  // 16 KiB signals until the kernel buffers and the 32 KiB queue are full
  // and Sleeper is dropped: Bob's next signal finds no such peer.
  const std::string line = Line(
      ClientVerb::kSignal,
      SignalEnvelope(bob_, alice_.fingerprint(), "home", "offer",
                     std::string(Client::kMaxPayload, 'x'), WallClockMs()));
  bool dropped = false;
  for (int round = 0; round < 200 && !dropped; ++round) {
    std::string batch;
    for (int i = 0; i < 16; ++i) batch += line;
    ASSERT_THAT(bob.Send(batch), IsOk());
    for (const std::string& reply : LinesUntilPong(bob)) {
      dropped |= absl::StartsWith(reply, "ERR unknown-peer");
    }
  }
  EXPECT_TRUE(dropped);
  EXPECT_EQ(server_->stats().dropped_slow, 1u);
}

TEST_F(ServerTest, IdleAndUnregisteredClientsAreDropped) {
  natfwt::testing::FakeClock& clock = clock_;
  Server::Options options;
  options.clock = &clock;
  options.idle_timeout = absl::Seconds(45);
  options.register_timeout = absl::Seconds(10);
  StartServer(options);
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection silent, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection active, Join(bob_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection lurker,
                              RawConnection::Connect(server_->port()));
  ASSERT_THAT(lurker.ReadServerMessage().status(), IsOk());  // HELLO.
  LinesUntilPong(silent);

  // 11 s: the lurker never registered.
  clock.Advance(absl::Seconds(11));
  ExpectError(lurker, ErrorCode::kIdle, "not registered");
  EXPECT_TRUE(lurker.WaitClosed());
  // 30 s: the active one speaks, then 20 s more: 50 s of silence is too
  // much, 20 s is not.
  clock.Advance(absl::Seconds(19));
  LinesUntilPong(active);
  clock.Advance(absl::Seconds(20));
  ExpectError(silent, ErrorCode::kIdle);
  EXPECT_TRUE(silent.WaitClosed());
  std::vector<std::string> lines = LinesUntilPong(active);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "GONE " + alice_.node_id());
  EXPECT_EQ(server_->stats().dropped_idle, 2u);
}

TEST_F(ServerTest, LimitsRefuseClientsAndNodes) {
  Server::Options options;
  options.max_clients_per_ip = 2;
  options.max_nodes_per_network = 1;
  options.max_networks = 1;
  StartServer(options);
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection alice, Join(alice_, "home"));
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection bob,
                              RawConnection::Connect(server_->port()));
  // The network is full, and no other network may be opened.
  EXPECT_THAT(bob.Register(bob_, "home"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("full")));
  ASSERT_THAT(bob.Send(RegisterLine(bob_, "work", bob.challenge())), IsOk());
  ExpectError(bob, ErrorCode::kFull);
  // Identity is checked before room: a wrong challenge is forbidden.
  ASSERT_THAT(bob.Send(RegisterLine(bob_, "home", std::string(32, 'x'))),
              IsOk());
  ExpectError(bob, ErrorCode::kForbidden);
  // A third connection from this address is refused outright.
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection third,
                              RawConnection::Connect(server_->port()));
  ExpectError(third, ErrorCode::kFull, "too many clients");
  EXPECT_TRUE(third.WaitClosed());
  EXPECT_EQ(server_->stats().refused, 1u);
  EXPECT_EQ(Errors(ErrorCode::kFull), 3u);
  EXPECT_TRUE(LinesUntilPong(alice).empty());
  EXPECT_TRUE(LinesUntilPong(bob).empty());
}

TEST_F(ServerTest, PingNeedsNoRegistration) {
  StartServer();
  NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection raw,
                              RawConnection::Connect(server_->port()));
  ASSERT_THAT(raw.ReadServerMessage().status(), IsOk());
  EXPECT_TRUE(LinesUntilPong(raw, "abc").empty());
}

}  // namespace
}  // namespace natfwt::rendezvous
