// Copyright 2026 The natfwt Authors.
//
// DtlsHandshake: two ends wired back to back in memory, driven by a
// FakeClock; loss, duplication and reordering; wrong fingerprints;
// timeouts; garbage; teardown from callbacks and with a real clock.

#include "engine/secure/dtls_handshake.h"

#include <cstdlib>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/secure/aead_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/base/logging.h"
#include "tests/engine/secure/handshake_harness.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"

namespace natfwt::secure {
namespace {

using ::natfwt::secure::testing::Bytes;
using ::natfwt::secure::testing::HandshakePair;
using ::natfwt::secure::testing::LinkPolicy;
using ::natfwt::testing::FakeClock;
using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using State = DtlsHandshake::State;

Identity MustGenerate() {
  absl::StatusOr<Identity> identity = Identity::Generate();
  if (!identity.ok()) {
    ADD_FAILURE() << identity.status();
    std::abort();
  }
  return *std::move(identity);
}

class DtlsHandshakeTest : public ::testing::Test {
 protected:
  // Both ends expect the right peer.
  absl::Status InitHonest(HandshakePair& pair,
                          const DtlsHandshake::Options& client = {},
                          const DtlsHandshake::Options& server = {}) {
    return pair.Init(client_id_, server_id_, server_id_.fingerprint(),
                     client_id_.fingerprint(), client, server);
  }

  static void ExpectEstablishedWithEqualKeys(HandshakePair& pair) {
    ASSERT_EQ(pair.client().handshake->state(), State::kEstablished)
        << pair.client().handshake->status();
    ASSERT_EQ(pair.server().handshake->state(), State::kEstablished)
        << pair.server().handshake->status();
    NATFWT_ASSERT_OK_AND_ASSIGN(ChannelKeys client_keys,
                                pair.client().handshake->keys());
    NATFWT_ASSERT_OK_AND_ASSIGN(ChannelKeys server_keys,
                                pair.server().handshake->keys());
    EXPECT_TRUE(client_keys == server_keys);
    EXPECT_TRUE(client_keys.client_to_server != client_keys.server_to_client);
    EXPECT_TRUE(client_keys.client_to_server != DirectionKeys());
    EXPECT_THAT(pair.client().states, ElementsAre(State::kEstablished));
    EXPECT_THAT(pair.server().states, ElementsAre(State::kEstablished));
  }

  FakeClock clock_;  // Outlives every handshake below.
  Identity client_id_ = MustGenerate();
  Identity server_id_ = MustGenerate();
  Identity stranger_id_ = MustGenerate();
};

TEST_F(DtlsHandshakeTest, BothEndsEstablishAndExportTheSameKeys) {
  HandshakePair pair(clock_);
  ASSERT_THAT(InitHonest(pair), IsOk());
  const absl::Time start = clock_.Now();
  pair.Run();
  ExpectEstablishedWithEqualKeys(pair);
  EXPECT_EQ(clock_.Now(), start);  // No timer was needed.
  EXPECT_EQ(pair.client().handshake->keys()->algorithm,
            AeadAlgorithm::kAes256Gcm);
  for (HandshakePair::Side* side : {&pair.client(), &pair.server()}) {
    const DtlsHandshake::Stats stats = side->handshake->stats();
    EXPECT_EQ(stats.flights_retransmitted, 0u);
    EXPECT_EQ(stats.fingerprint_mismatches, 0u);
    EXPECT_EQ(stats.datagrams_sent, side->sent.size());
    for (const Bytes& datagram : side->sent) {
      EXPECT_LE(datagram.size(), 1200u);
      EXPECT_GE(datagram[0], 20);  // RFC 7983 DTLS range.
      EXPECT_LE(datagram[0], 63);
    }
    for (const absl::Status& result : side->datagram_results) {
      EXPECT_THAT(result, IsOk());
    }
  }
  EXPECT_EQ(clock_.PendingTimers(), 0u);
}

TEST_F(DtlsHandshakeTest, TheClientsAeadPreferenceDecides) {
  struct Case {
    AeadAlgorithm client;
    AeadAlgorithm server;
  };
  for (const Case& c :
       {Case{AeadAlgorithm::kChaCha20Poly1305, AeadAlgorithm::kAes256Gcm},
        Case{AeadAlgorithm::kAes256Gcm, AeadAlgorithm::kChaCha20Poly1305},
        Case{AeadAlgorithm::kChaCha20Poly1305,
             AeadAlgorithm::kChaCha20Poly1305}}) {
    HandshakePair pair(clock_);
    DtlsHandshake::Options client;
    DtlsHandshake::Options server;
    client.preferred_aead = c.client;
    server.preferred_aead = c.server;
    ASSERT_THAT(InitHonest(pair, client, server), IsOk());
    pair.Run();
    ExpectEstablishedWithEqualKeys(pair);
    EXPECT_EQ(pair.server().handshake->keys()->algorithm, c.client);
  }
}

TEST_F(DtlsHandshakeTest, ExportedKeysDriveAeadChannelsBothWays) {
  HandshakePair pair(clock_);
  ASSERT_THAT(InitHonest(pair), IsOk());
  pair.Run();
  ExpectEstablishedWithEqualKeys(pair);
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto client,
      AeadChannel::Create(*pair.client().handshake->keys(), DtlsRole::kClient));
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto server,
      AeadChannel::Create(*pair.server().handshake->keys(), DtlsRole::kServer));
  const Bytes message = {'h', 'e', 'l', 'l', 'o'};
  Bytes record(message.size() + AeadChannel::kOverhead);
  Bytes plain(message.size());
  ASSERT_EQ(client->Seal(message, absl::MakeSpan(record)), record.size());
  EXPECT_EQ(server->Open(record, absl::MakeSpan(plain)).size, message.size());
  EXPECT_EQ(plain, message);
  ASSERT_EQ(server->Seal(message, absl::MakeSpan(record)), record.size());
  EXPECT_TRUE(client->Open(record, absl::MakeSpan(plain)).ok());
  // A record sealed by the client does not open at the client.
  ASSERT_EQ(client->Seal(message, absl::MakeSpan(record)), record.size());
  EXPECT_EQ(client->Open(record, absl::MakeSpan(plain)).drop,
            AeadChannel::DropReason::kAuthFailed);
}

// Every flight travels as one datagram (dtls_handshake.h relies on it).
TEST_F(DtlsHandshakeTest, EachFlightIsOneDatagram) {
  for (size_t mtu : {size_t{1000}, size_t{1200}, size_t{9000}}) {
    DtlsHandshake::Options options;
    options.mtu = mtu;
    HandshakePair pair(clock_);
    ASSERT_THAT(InitHonest(pair, options, options), IsOk());
    pair.Run();
    ExpectEstablishedWithEqualKeys(pair);
    // Client: ClientHello; Certificate ... Finished. Server: ServerHello
    // ... ServerHelloDone; ChangeCipherSpec, Finished.
    EXPECT_EQ(pair.client().sent.size(), 2u) << mtu;
    EXPECT_EQ(pair.server().sent.size(), 2u) << mtu;
    for (const Bytes& datagram : pair.server().sent) {
      EXPECT_LE(datagram.size(), 1000u);
    }
  }
}

// Every datagram of a clean handshake, lost once: retransmission (the
// Clock timer, or the final-flight answer) must recover each time.
TEST_F(DtlsHandshakeTest, LosingAnyOneDatagramStillCompletes) {
  size_t total = 0;
  {
    HandshakePair clean(clock_);
    ASSERT_THAT(InitHonest(clean), IsOk());
    clean.Run();
    ExpectEstablishedWithEqualKeys(clean);
    total = clean.delivered();
  }
  ASSERT_EQ(total, 4u);
  for (size_t lost = 0; lost < total; ++lost) {
    SCOPED_TRACE(::testing::Message() << "lost datagram " << lost);
    HandshakePair pair(clock_);
    ASSERT_THAT(InitHonest(pair), IsOk());
    LinkPolicy policy;
    policy.copies = [lost](size_t n) { return n == lost ? 0 : 1; };
    pair.Run(policy);
    ExpectEstablishedWithEqualKeys(pair);
    const DtlsHandshake::Stats client = pair.client().handshake->stats();
    const DtlsHandshake::Stats server = pair.server().handshake->stats();
    EXPECT_GE(client.flights_retransmitted + server.flights_retransmitted +
                  server.final_flight_resends,
              1u);
  }
}

TEST_F(DtlsHandshakeTest, LostFinalFlightIsAnsweredByTheServer) {
  size_t total = 0;
  {
    HandshakePair clean(clock_);
    ASSERT_THAT(InitHonest(clean), IsOk());
    clean.Run();
    total = clean.delivered();
  }
  HandshakePair pair(clock_);
  ASSERT_THAT(InitHonest(pair), IsOk());
  LinkPolicy policy;  // The server's last flight (one datagram) lost.
  policy.copies = [total](size_t n) { return n + 1 == total ? 0 : 1; };
  pair.Run(policy);
  ExpectEstablishedWithEqualKeys(pair);
  EXPECT_GE(pair.server().handshake->stats().final_flight_resends, 1u);
  EXPECT_GE(pair.client().handshake->stats().flights_retransmitted, 1u);
}

struct LinkCase {
  std::string name;
  LinkPolicy policy;
};

// Test names print the case name, not its bytes.
void PrintTo(const LinkCase& c, std::ostream* os) { *os << c.name; }

std::vector<LinkCase> LinkCases() {
  std::vector<LinkCase> cases = {
      {"duplicate_everything", {[](size_t) { return 2; }, false}},
      {"reverse_every_batch", {[](size_t) { return 1; }, true}},
      {"duplicate_and_reverse", {[](size_t) { return 2; }, true}},
      {"lose_every_third",
       {[](size_t n) { return n % 3 == 2 ? 0 : 1; }, false}},
      {"lose_two_of_five_reversed",
       {[](size_t n) { return n % 5 == 1 || n % 5 == 3 ? 0 : 1; }, true}},
  };
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    auto random = std::make_shared<std::mt19937>(seed);
    cases.push_back({"random_loss_dup_reorder_seed" + std::to_string(seed),
                     {[random](size_t) {
                        const uint32_t draw = (*random)() % 100;
                        return draw < 30 ? 0 : (draw < 45 ? 2 : 1);
                      },
                      seed % 2 == 0}});
  }
  return cases;
}

class DtlsHandshakeLinkTest : public DtlsHandshakeTest,
                              public ::testing::WithParamInterface<LinkCase> {};

TEST_P(DtlsHandshakeLinkTest, StillCompletesWithEqualKeys) {
  HandshakePair pair(clock_);
  DtlsHandshake::Options options;
  options.max_retransmit_timeout = absl::Seconds(4);
  options.handshake_timeout = absl::Minutes(5);
  ASSERT_THAT(InitHonest(pair, options, options), IsOk());
  pair.Run(GetParam().policy, absl::Minutes(6));
  ExpectEstablishedWithEqualKeys(pair);
}

INSTANTIATE_TEST_SUITE_P(
    Links, DtlsHandshakeLinkTest, ::testing::ValuesIn(LinkCases()),
    [](const ::testing::TestParamInfo<LinkCase>& test_info) {
      return test_info.param.name;
    });

// Collects log messages while it lives.
class LogCapture {
 public:
  LogCapture() : level_(GetLogLevel()) {
    SetLogLevel(LogLevel::kWarning);
    previous_ = SetLogSink(
        [this](LogLevel, absl::string_view, int, absl::string_view message) {
          absl::MutexLock lock(&mutex_);
          messages_.emplace_back(message);
        });
  }
  ~LogCapture() {
    SetLogSink(previous_);
    SetLogLevel(level_);
  }
  int Count(absl::string_view needle) {
    absl::MutexLock lock(&mutex_);
    int count = 0;
    for (const std::string& message : messages_) {
      count += absl::StrContains(message, needle) ? 1 : 0;
    }
    return count;
  }

 private:
  LogLevel level_;
  LogSink previous_;
  absl::Mutex mutex_;
  std::vector<std::string> messages_;
};

TEST_F(DtlsHandshakeTest, ClientExpectingAnotherNodeFailsBothEnds) {
  LogCapture log;
  HandshakePair pair(clock_);
  ASSERT_THAT(pair.Init(client_id_, server_id_, stranger_id_.fingerprint(),
                        client_id_.fingerprint()),
              IsOk());
  pair.Run();
  DtlsHandshake& client = *pair.client().handshake;
  DtlsHandshake& server = *pair.server().handshake;
  EXPECT_EQ(client.state(), State::kFailed);
  EXPECT_THAT(client.status(),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       AllOf(HasSubstr("fingerprint mismatch"),
                             HasSubstr(stranger_id_.node_id()),
                             HasSubstr(server_id_.node_id()))));
  EXPECT_EQ(server.state(), State::kFailed);
  EXPECT_THAT(server.status(),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("the peer rejected this node's certificate")));
  EXPECT_THAT(client.keys(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(server.keys(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(client.stats().fingerprint_mismatches, 1u);
  EXPECT_EQ(server.stats().fingerprint_mismatches, 0u);
  EXPECT_THAT(pair.client().states, ElementsAre(State::kFailed));
  EXPECT_THAT(pair.server().states, ElementsAre(State::kFailed));
  EXPECT_EQ(clock_.PendingTimers(), 0u);
  // Logged once by each end, however many datagrams followed.
  for (const Bytes& datagram : pair.server().sent) {
    pair.client().handshake->OnDatagram(datagram).IgnoreError();
  }
  EXPECT_EQ(log.Count("fingerprint mismatch"), 1);
  EXPECT_EQ(log.Count("rejected this node's certificate"), 1);
}

TEST_F(DtlsHandshakeTest, ServerExpectingAnotherNodeFailsBothEnds) {
  HandshakePair pair(clock_);
  ASSERT_THAT(pair.Init(client_id_, server_id_, server_id_.fingerprint(),
                        stranger_id_.fingerprint()),
              IsOk());
  pair.Run();
  DtlsHandshake& client = *pair.client().handshake;
  DtlsHandshake& server = *pair.server().handshake;
  EXPECT_THAT(server.status(),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       AllOf(HasSubstr("fingerprint mismatch"),
                             HasSubstr(client_id_.node_id()))));
  EXPECT_THAT(client.status(),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("the peer rejected this node's certificate")));
  EXPECT_THAT(client.keys(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(server.keys(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(server.stats().fingerprint_mismatches, 1u);
  EXPECT_THAT(pair.server().states, ElementsAre(State::kFailed));
  EXPECT_THAT(pair.client().states, ElementsAre(State::kFailed));
}

TEST_F(DtlsHandshakeTest, SilentPeerTimesOutAfterBackedOffRetransmissions) {
  std::vector<absl::Duration> sent_at;
  std::vector<State> states;
  const absl::Time start = clock_.Now();
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto client,
      DtlsHandshake::Create(
          client_id_, DtlsRole::kClient, server_id_.fingerprint(), clock_,
          [&](absl::Span<const uint8_t>) {
            sent_at.push_back(clock_.Now() - start);
          },
          [&](State state, const absl::Status&) { states.push_back(state); }));
  ASSERT_THAT(client->Start(), IsOk());
  clock_.Advance(absl::Seconds(29));
  EXPECT_EQ(client->state(), State::kHandshaking);
  clock_.Advance(absl::Seconds(1));
  // RFC 6347 §4.2.4.1: 1 s, then doubled: resent at 1, 3, 7 and 15 s.
  EXPECT_THAT(sent_at,
              ElementsAre(absl::Seconds(0), absl::Seconds(1), absl::Seconds(3),
                          absl::Seconds(7), absl::Seconds(15)));
  EXPECT_THAT(client->status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("did not complete within 30s")));
  EXPECT_THAT(states, ElementsAre(State::kFailed));
  EXPECT_EQ(client->stats().flights_retransmitted, 4u);
  EXPECT_EQ(clock_.PendingTimers(), 0u);
}

TEST_F(DtlsHandshakeTest, RetransmitTimeoutStopsDoublingAtTheMaximum) {
  std::vector<absl::Duration> sent_at;
  const absl::Time start = clock_.Now();
  DtlsHandshake::Options options;
  options.initial_retransmit_timeout = absl::Milliseconds(500);
  options.max_retransmit_timeout = absl::Seconds(2);
  options.handshake_timeout = absl::Seconds(8);
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto client,
      DtlsHandshake::Create(
          client_id_, DtlsRole::kClient, server_id_.fingerprint(), clock_,
          [&](absl::Span<const uint8_t>) {
            sent_at.push_back(clock_.Now() - start);
          },
          nullptr, options));
  ASSERT_THAT(client->Start(), IsOk());
  clock_.Advance(absl::Seconds(10));
  EXPECT_THAT(sent_at,
              ElementsAre(absl::ZeroDuration(), absl::Milliseconds(500),
                          absl::Milliseconds(1500), absl::Milliseconds(3500),
                          absl::Milliseconds(5500), absl::Milliseconds(7500)));
  EXPECT_EQ(client->state(), State::kFailed);
}

TEST_F(DtlsHandshakeTest, RejectsBadOptionsAndMissingCallback) {
  auto send = [](absl::Span<const uint8_t>) {};
  EXPECT_THAT(DtlsHandshake::Create(client_id_, DtlsRole::kClient,
                                    server_id_.fingerprint(), clock_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<DtlsHandshake::Options> bad(4);
  bad[0].initial_retransmit_timeout = absl::ZeroDuration();
  bad[1].initial_retransmit_timeout = absl::Seconds(61);
  bad[2].handshake_timeout = absl::Hours(1);
  bad[3].mtu = 999;  // A flight might not fit.
  for (const DtlsHandshake::Options& options : bad) {
    EXPECT_THAT(DtlsHandshake::Create(client_id_, DtlsRole::kClient,
                                      server_id_.fingerprint(), clock_, send,
                                      nullptr, options),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST_F(DtlsHandshakeTest, NonDtlsDatagramsAreRejectedWithoutEffect) {
  HandshakePair pair(clock_);
  ASSERT_THAT(InitHonest(pair), IsOk());
  DtlsHandshake& server = *pair.server().handshake;
  const std::vector<Bytes> not_dtls = {
      {},
      Bytes(12, 22),     // Shorter than a record header.
      Bytes(100, 0x00),  // STUN range.
      Bytes(100, 64),    // TURN ChannelData range.
      Bytes(100, 0xD0),  // natfwt data.
      Bytes(100, 128),   // RTP.
      Bytes(70000, 22),  // Not a UDP payload.
  };
  for (const Bytes& datagram : not_dtls) {
    EXPECT_THAT(server.OnDatagram(datagram),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("not a DTLS datagram")));
  }
  EXPECT_EQ(server.stats().datagrams_rejected, not_dtls.size());
  EXPECT_EQ(server.stats().datagrams_received, 0u);
  EXPECT_TRUE(pair.server().sent.empty());
  pair.Run();
  ExpectEstablishedWithEqualKeys(pair);
}

// DTLS-looking garbage is discarded by the record layer (RFC 6347
// §4.1.2.7) before, during and after the handshake.
TEST_F(DtlsHandshakeTest, GarbageInDtlsRecordsIsDiscarded) {
  std::mt19937 random(7);
  auto garbage = [&random](uint8_t type, uint8_t version_high, size_t size) {
    Bytes datagram(size);
    for (uint8_t& byte : datagram) byte = static_cast<uint8_t>(random());
    datagram[0] = type;
    datagram[1] = version_high;
    return datagram;
  };
  std::vector<Bytes> junk;
  for (uint8_t type : {20, 21, 22, 23, 24, 63}) {
    junk.push_back(garbage(type, 0x03, 200));  // TLS, not DTLS, version.
    junk.push_back(garbage(type, 0xfe, 13));   // Header only.
    Bytes epoch_one = garbage(type, 0xfe, 120);
    epoch_one[2] = 0xfd;  // DTLS 1.2,
    epoch_one[3] = 0;     // epoch 1: no keys yet, or wrong keys.
    epoch_one[4] = 1;
    junk.push_back(epoch_one);
  }
  HandshakePair pair(clock_);
  ASSERT_THAT(InitHonest(pair), IsOk());
  for (const Bytes& datagram : junk) {
    EXPECT_THAT(pair.server().handshake->OnDatagram(datagram), IsOk());
    EXPECT_THAT(pair.client().handshake->OnDatagram(datagram), IsOk());
  }
  pair.Run();
  ExpectEstablishedWithEqualKeys(pair);
  for (const Bytes& datagram : junk) {
    EXPECT_THAT(pair.server().handshake->OnDatagram(datagram), IsOk());
    EXPECT_THAT(pair.client().handshake->OnDatagram(datagram), IsOk());
  }
}

TEST_F(DtlsHandshakeTest, DatagramsAfterFailureAreRefused) {
  HandshakePair pair(clock_);
  ASSERT_THAT(pair.Init(client_id_, server_id_, stranger_id_.fingerprint(),
                        client_id_.fingerprint()),
              IsOk());
  pair.Run();
  ASSERT_EQ(pair.client().handshake->state(), State::kFailed);
  EXPECT_THAT(pair.client().handshake->OnDatagram(pair.server().sent.at(0)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("already failed")));
}

TEST_F(DtlsHandshakeTest, DestroyingWithPendingTimersCancelsThem) {
  int sends = 0;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto client, DtlsHandshake::Create(
                       client_id_, DtlsRole::kClient, server_id_.fingerprint(),
                       clock_, [&](absl::Span<const uint8_t>) { ++sends; }));
  ASSERT_THAT(client->Start(), IsOk());
  EXPECT_EQ(sends, 1);
  EXPECT_EQ(clock_.PendingTimers(), 2u);  // Retransmission and deadline.
  client.reset();
  EXPECT_EQ(clock_.PendingTimers(), 0u);
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(sends, 1);
}

TEST_F(DtlsHandshakeTest, ACallbackMayDestroyTheHandshake) {
  std::unique_ptr<DtlsHandshake> server;
  int server_sends = 0;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      server, DtlsHandshake::Create(server_id_, DtlsRole::kServer,
                                    client_id_.fingerprint(), clock_,
                                    [&](absl::Span<const uint8_t>) {
                                      ++server_sends;
                                      server.reset();  // Mid-flight.
                                    }));
  Bytes hello;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto client, DtlsHandshake::Create(
                       client_id_, DtlsRole::kClient, server_id_.fingerprint(),
                       clock_, [&](absl::Span<const uint8_t> datagram) {
                         hello.assign(datagram.begin(), datagram.end());
                       }));
  ASSERT_THAT(client->Start(), IsOk());
  ASSERT_FALSE(hello.empty());
  DtlsHandshake* raw = server.get();
  EXPECT_THAT(raw->OnDatagram(hello), IsOk());
  EXPECT_EQ(server, nullptr);
  EXPECT_EQ(server_sends, 1);  // The rest of the flight was not delivered.
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(server_sends, 1);
}

// With the process's real clock: timers fire on the clock's thread while
// datagrams are fed back to back through the callbacks (re-entrantly).
TEST_F(DtlsHandshakeTest, CompletesOnTheRealClockWithReentrantDelivery) {
  absl::Mutex mutex;
  std::unique_ptr<DtlsHandshake> client;
  std::unique_ptr<DtlsHandshake> server;
  absl::Notification client_done;
  absl::Notification server_done;
  bool dropped_first_hello = false;
  DtlsHandshake::Options options;
  options.initial_retransmit_timeout = absl::Milliseconds(20);
  options.max_retransmit_timeout = absl::Milliseconds(80);
  auto deliver = [&](DtlsHandshake* to, absl::Span<const uint8_t> datagram) {
    to->OnDatagram(datagram).IgnoreError();
  };
  NATFWT_ASSERT_OK_AND_ASSIGN(
      server,
      DtlsHandshake::Create(
          server_id_, DtlsRole::kServer, client_id_.fingerprint(),
          RealClock::Get(),
          [&](absl::Span<const uint8_t> datagram) {
            deliver(client.get(), datagram);
          },
          [&](State, const absl::Status&) { server_done.Notify(); }, options));
  NATFWT_ASSERT_OK_AND_ASSIGN(
      client,
      DtlsHandshake::Create(
          client_id_, DtlsRole::kClient, server_id_.fingerprint(),
          RealClock::Get(),
          [&](absl::Span<const uint8_t> datagram) {
            {
              absl::MutexLock lock(&mutex);
              if (!dropped_first_hello) {  // Lost: the timer must resend.
                dropped_first_hello = true;
                return;
              }
            }
            deliver(server.get(), datagram);
          },
          [&](State, const absl::Status&) { client_done.Notify(); }, options));
  ASSERT_THAT(client->Start(), IsOk());
  ASSERT_TRUE(client_done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  ASSERT_TRUE(server_done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_EQ(client->state(), State::kEstablished);
  EXPECT_EQ(server->state(), State::kEstablished);
  EXPECT_TRUE(*client->keys() == *server->keys());
  EXPECT_GE(client->stats().flights_retransmitted, 1u);
  client.reset();
  server.reset();
}

}  // namespace
}  // namespace natfwt::secure
