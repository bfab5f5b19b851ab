// Copyright 2026 The natfwt Authors.
//
// Two SecureSessions in one process over loopback: ICE finds the host path,
// DTLS authenticates both ends against the fingerprints of the session
// descriptions, and datagrams travel encrypted both ways.

#include "engine/session/secure_session.h"

#include <deque>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "engine/secure/key_agreement.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::engine {
namespace {

using ::natfwt::testing::IsOk;

class Recorder : public SecureSessionObserver {
 public:
  void OnLocalCandidate(const ice::TrickleCandidate& candidate) override {
    absl::MutexLock lock(&mutex_);
    candidates_.push_back(candidate);
  }
  void OnStateChanged(SessionState state, const absl::Status& why) override {
    absl::MutexLock lock(&mutex_);
    states_.push_back(state);
    last_status_ = why;
  }
  void OnData(absl::Span<const uint8_t> data) override {
    absl::MutexLock lock(&mutex_);
    data_.emplace_back(data.begin(), data.end());
  }
  bool WaitForState(SessionState state,
                    absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mutex_);
    auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return std::find(states_.begin(), states_.end(), state) != states_.end();
    };
    return mutex_.AwaitWithTimeout(absl::Condition(&seen), timeout);
  }
  bool WaitForCandidate(absl::Duration timeout = absl::Seconds(10)) {
    absl::MutexLock lock(&mutex_);
    auto any = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return !candidates_.empty();
    };
    return mutex_.AwaitWithTimeout(absl::Condition(&any), timeout);
  }
  bool WaitForData(size_t count, absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mutex_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return data_.size() >= count;
    };
    return mutex_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  std::vector<std::vector<uint8_t>> data() {
    absl::MutexLock lock(&mutex_);
    return data_;
  }
  std::vector<SessionState> states() {
    absl::MutexLock lock(&mutex_);
    return states_;
  }
  absl::Status last_status() {
    absl::MutexLock lock(&mutex_);
    return last_status_;
  }

 private:
  absl::Mutex mutex_;
  std::vector<ice::TrickleCandidate> candidates_ ABSL_GUARDED_BY(mutex_);
  std::vector<SessionState> states_ ABSL_GUARDED_BY(mutex_);
  absl::Status last_status_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::vector<uint8_t>> data_ ABSL_GUARDED_BY(mutex_);
};

SecureSession::Options LoopbackOptions(bool controlling) {
  SecureSession::Options options;
  options.ice.local_addresses = {*net::IpAddress::Parse("127.0.0.1")};
  options.ice.ipv6 = false;
  options.ice.controlling = controlling;
  return options;
}

class SecureSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(thread_.Start(), IsOk());
    NATFWT_ASSERT_OK_AND_ASSIGN(identity_a_, secure::Identity::Generate());
    NATFWT_ASSERT_OK_AND_ASSIGN(identity_b_, secure::Identity::Generate());
    NATFWT_ASSERT_OK_AND_ASSIGN(
        a_, SecureSession::Create(thread_, *identity_a_, LoopbackOptions(true),
                                  &ra_));
    NATFWT_ASSERT_OK_AND_ASSIGN(
        b_, SecureSession::Create(thread_, *identity_b_, LoopbackOptions(false),
                                  &rb_));
    ASSERT_THAT(a_->Start(), IsOk());
    ASSERT_THAT(b_->Start(), IsOk());
  }
  void TearDown() override {
    if (a_) a_->Close();
    if (b_) b_->Close();
    thread_.Stop();
  }

  // Exchanges descriptions once both sides gathered their host candidate;
  // `spoil_b` changes what A is told about B.
  void Exchange(
      const std::function<void(ice::SessionDescription&)>& spoil_b = {}) {
    // Once each side has trickled its host candidate, its description
    // carries it.
    ASSERT_TRUE(ra_.WaitForCandidate());
    ASSERT_TRUE(rb_.WaitForCandidate());
    absl::StatusOr<ice::SessionDescription> da = a_->LocalDescription();
    absl::StatusOr<ice::SessionDescription> db = b_->LocalDescription();
    ASSERT_THAT(da.status(), IsOk());
    ASSERT_THAT(db.status(), IsOk());
    if (spoil_b) spoil_b(*db);
    ASSERT_THAT(b_->SetRemoteDescription(*da), IsOk());
    ASSERT_THAT(a_->SetRemoteDescription(*db), IsOk());
  }

  // Keys for A (initiator) and B from a fresh X25519 exchange, as the
  // node derives them.
  static void AgreeKeys(uint64_t session_id, secure::ChannelKeys* keys_a,
                        secure::ChannelKeys* keys_b) {
    NATFWT_ASSERT_OK_AND_ASSIGN(secure::EphemeralKey ka,
                                secure::EphemeralKey::Generate());
    NATFWT_ASSERT_OK_AND_ASSIGN(secure::EphemeralKey kb,
                                secure::EphemeralKey::Generate());
    secure::KeyAgreementContext context;
    context.session_id = session_id;
    context.initiator_id = std::string(64, 'a');
    context.responder_id = std::string(64, 'b');
    context.initiator_public = ka.public_key();
    context.responder_public = kb.public_key();
    NATFWT_ASSERT_OK_AND_ASSIGN(*keys_a, ka.Derive(kb.public_key(), context));
    NATFWT_ASSERT_OK_AND_ASSIGN(*keys_b, kb.Derive(ka.public_key(), context));
  }

  NetworkThread thread_{"session-test"};
  std::optional<secure::Identity> identity_a_, identity_b_;
  Recorder ra_, rb_;
  std::unique_ptr<SecureSession> a_, b_;
};

TEST_F(SecureSessionTest, AuthenticatedEncryptedDatagramsBothWays) {
  Exchange();
  ASSERT_TRUE(ra_.WaitForState(SessionState::kSecure)) << ra_.last_status();
  ASSERT_TRUE(rb_.WaitForState(SessionState::kSecure)) << rb_.last_status();
  std::optional<ice::SelectedPairInfo> pair = a_->SelectedPair();
  ASSERT_TRUE(pair.has_value());
  EXPECT_EQ(pair->local.type, ice::CandidateType::kHost);

  for (int i = 0; i < 50; ++i) {
    std::string message = "from a #" + std::to_string(i);
    ASSERT_THAT(a_->Send({reinterpret_cast<const uint8_t*>(message.data()),
                          message.size()}),
                IsOk());
  }
  std::vector<uint8_t> big(1200, 0x42);
  ASSERT_THAT(b_->Send(big), IsOk());
  ASSERT_TRUE(rb_.WaitForData(50));
  ASSERT_TRUE(ra_.WaitForData(1));
  std::vector<std::vector<uint8_t>> at_b = rb_.data();
  EXPECT_EQ(std::string(at_b[0].begin(), at_b[0].end()), "from a #0");
  EXPECT_EQ(ra_.data()[0], big);
  SessionStats stats = b_->stats();
  EXPECT_EQ(stats.packets_received, 50u);
  EXPECT_EQ(stats.drops_auth + stats.drops_replay + stats.drops_other, 0u);
  EXPECT_EQ(a_->stats().packets_sent, 50u);
}

TEST_F(SecureSessionTest, WrongFingerprintFailsAndDeliversNothing) {
  NATFWT_ASSERT_OK_AND_ASSIGN(secure::Identity impostor,
                              secure::Identity::Generate());
  Exchange([&](ice::SessionDescription& b) {
    b.fingerprint = impostor.fingerprint();
  });
  ASSERT_TRUE(ra_.WaitForState(SessionState::kFailed));
  EXPECT_EQ(ra_.last_status().code(), absl::StatusCode::kUnauthenticated)
      << ra_.last_status();
  EXPECT_EQ(a_->stats().fingerprint_mismatches, 1u);
  ASSERT_TRUE(rb_.WaitForState(SessionState::kFailed));
  EXPECT_FALSE(a_->Send(std::vector<uint8_t>{1, 2, 3}).ok());
  EXPECT_FALSE(b_->Send(std::vector<uint8_t>{1, 2, 3}).ok());
  EXPECT_TRUE(ra_.data().empty());
  EXPECT_TRUE(rb_.data().empty());
}

// Keys agreed in signalling (the node's way): no DTLS handshake, secure as
// soon as ICE connects, data both ways.
TEST_F(SecureSessionTest, PresetKeysSkipTheHandshake) {
  secure::ChannelKeys keys_a, keys_b;
  ASSERT_NO_FATAL_FAILURE(AgreeKeys(7, &keys_a, &keys_b));
  ASSERT_THAT(a_->UsePresetKeys(keys_a, secure::DtlsRole::kClient), IsOk());
  ASSERT_THAT(b_->UsePresetKeys(keys_b, secure::DtlsRole::kServer), IsOk());
  EXPECT_EQ(a_->UsePresetKeys(keys_a, secure::DtlsRole::kClient).code(),
            absl::StatusCode::kFailedPrecondition);
  Exchange();
  ASSERT_TRUE(ra_.WaitForState(SessionState::kSecure)) << ra_.last_status();
  ASSERT_TRUE(rb_.WaitForState(SessionState::kSecure)) << rb_.last_status();
  EXPECT_THAT(ra_.states(),
              ::testing::Not(::testing::Contains(SessionState::kHandshaking)));
  EXPECT_THAT(rb_.states(),
              ::testing::Not(::testing::Contains(SessionState::kHandshaking)));
  ASSERT_THAT(a_->Send(std::vector<uint8_t>{1, 2, 3}), IsOk());
  ASSERT_THAT(b_->Send(std::vector<uint8_t>{4, 5}), IsOk());
  ASSERT_TRUE(rb_.WaitForData(1));
  ASSERT_TRUE(ra_.WaitForData(1));
  EXPECT_EQ(rb_.data()[0], (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(ra_.data()[0], (std::vector<uint8_t>{4, 5}));
  EXPECT_EQ(b_->stats().drops_auth, 0u);
}

// The node's standby: A knows B's key and description in advance and
// connects before B has A's description or key. B's libnice answers A's
// checks, so A's records reach B before B can open them: B keeps the first
// eight and opens them, in order, once its keys come (A's early datagrams
// are delivered, the rest counted as drops).
TEST_F(SecureSessionTest, RecordsBeforeKeysOpenWhenTheKeysCome) {
  secure::ChannelKeys keys_a, keys_b;
  ASSERT_NO_FATAL_FAILURE(AgreeKeys(9, &keys_a, &keys_b));
  ASSERT_THAT(a_->UsePresetKeys(keys_a, secure::DtlsRole::kClient), IsOk());
  ASSERT_TRUE(ra_.WaitForCandidate());
  ASSERT_TRUE(rb_.WaitForCandidate());
  NATFWT_ASSERT_OK_AND_ASSIGN(ice::SessionDescription da,
                              a_->LocalDescription());
  NATFWT_ASSERT_OK_AND_ASSIGN(ice::SessionDescription db,
                              b_->LocalDescription());
  ASSERT_THAT(a_->SetRemoteDescription(db), IsOk());
  ASSERT_TRUE(ra_.WaitForState(SessionState::kSecure)) << ra_.last_status();
  for (uint8_t i = 0; i < 10; ++i) {
    ASSERT_THAT(a_->Send(std::vector<uint8_t>{i}), IsOk());
  }
  // Counters are not signalled: polled until all ten were seen.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  auto seen = [&] {
    SessionStats stats = b_->stats();
    return stats.early_records + stats.drops_not_secure;
  };
  while (seen() < 10 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  // A's first keepalive (a control record) may be among the eight kept.
  EXPECT_EQ(b_->stats().early_records, 8u);
  EXPECT_GE(b_->stats().drops_not_secure, 2u);
  EXPECT_TRUE(rb_.data().empty());

  ASSERT_THAT(b_->UsePresetKeys(keys_b, secure::DtlsRole::kServer), IsOk());
  ASSERT_TRUE(rb_.WaitForData(7));
  const std::vector<std::vector<uint8_t>> got = rb_.data();
  ASSERT_LE(got.size(), 8u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], std::vector<uint8_t>{static_cast<uint8_t>(i)});
  }
  ASSERT_TRUE(rb_.WaitForState(SessionState::kSecure)) << rb_.last_status();
  // B's replies wait for its own ICE, which needs A's description.
  ASSERT_THAT(b_->SetRemoteDescription(da), IsOk());
  ASSERT_THAT(b_->Send(std::vector<uint8_t>{42}), IsOk());
  ASSERT_TRUE(ra_.WaitForData(1));
  EXPECT_EQ(ra_.data()[0], std::vector<uint8_t>{42});
  EXPECT_EQ(b_->stats().drops_auth, 0u);
}

// Keys that do not match (in the node, signalling would have to be forged
// for this): nothing is delivered, every record fails authentication.
TEST_F(SecureSessionTest, MismatchedPresetKeysDeliverNothing) {
  secure::ChannelKeys keys_a, keys_b;
  keys_a.client_to_server.key.fill(1);
  keys_a.server_to_client.key.fill(2);
  keys_b.client_to_server.key.fill(3);
  keys_b.server_to_client.key.fill(2);
  ASSERT_THAT(a_->UsePresetKeys(keys_a, secure::DtlsRole::kClient), IsOk());
  ASSERT_THAT(b_->UsePresetKeys(keys_b, secure::DtlsRole::kServer), IsOk());
  Exchange();
  ASSERT_TRUE(ra_.WaitForState(SessionState::kSecure)) << ra_.last_status();
  ASSERT_TRUE(rb_.WaitForState(SessionState::kSecure)) << rb_.last_status();
  // B's record reaches A (the server_to_client keys agree): the path works.
  ASSERT_THAT(b_->Send(std::vector<uint8_t>{8}), IsOk());
  ASSERT_TRUE(ra_.WaitForData(1));
  // A's records fail authentication at B. Counters are not signalled, so
  // they are polled until all five were seen (or the deadline).
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(a_->Send(std::vector<uint8_t>{9}), IsOk());
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (b_->stats().drops_auth < 5 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_GE(b_->stats().drops_auth, 5u);
  EXPECT_TRUE(rb_.data().empty());
}

TEST_F(SecureSessionTest, SendBeforeSecureIsRefused) {
  EXPECT_EQ(a_->Send(std::vector<uint8_t>{1}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(a_->stats().send_errors, 1u);
}

}  // namespace
}  // namespace natfwt::engine
