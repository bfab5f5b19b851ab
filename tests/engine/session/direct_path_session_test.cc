// Copyright 2026 The natfwt Authors.
//
// SecureSession on the engine's own hot path, two sessions in one process
// over loopback: once secure, both take the direct UDP pair over from libnice
// (DirectPath, batched I/O) and the records travel there; batches both ways
// arrive intact; consent and liveness hold for longer than libnice's consent
// expiry while the engine answers the peer's ICE checks; a silent peer is
// detected; an ICE restart hands the path back and takes it again; records
// injected on the socket (replayed, tampered) are dropped and counted; and
// nothing leaks (descriptors, threads) after Close.

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/session/secure_session.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/ice/ice_test_support.h"
#include "tests/engine/session/session_test_support.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

namespace natfwt::engine {
namespace {

using ::natfwt::engine::testing::CountOpenFds;
using ::natfwt::engine::testing::CountThreads;
using ::natfwt::engine::testing::LoopbackSessionOptions;
using ::natfwt::engine::testing::PollUntil;
using ::natfwt::engine::testing::SessionPair;
using ::natfwt::testing::IsOk;
using Bytes = std::vector<uint8_t>;

constexpr absl::Duration kWait = absl::Seconds(20);

Bytes Tagged(char side, int index, size_t size) {
  Bytes bytes(size);
  const std::string tag = absl::StrCat(std::string(1, side), "#", index, ":");
  for (size_t i = 0; i < size; ++i) {
    bytes[i] = i < tag.size() ? static_cast<uint8_t>(tag[i])
                              : static_cast<uint8_t>(index * 7 + i);
  }
  return bytes;
}

class DirectPathSessionTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(thread_.Start(), IsOk()); }
  void TearDown() override {
    pair_.reset();
    thread_.Stop();
  }

  // Connects a pair; waits until secure and, when `direct`, taken over.
  void Connect(SecureSession::Options a, SecureSession::Options b,
               bool direct = true) {
    pair_ = std::make_unique<SessionPair>(thread_, std::move(a), std::move(b));
    ASSERT_THAT(pair_->Create(), IsOk());
    ASSERT_THAT(pair_->Connect(), IsOk());
    ASSERT_THAT(pair_->WaitSecure(), IsOk());
    if (direct) {
      ASSERT_THAT(pair_->WaitDirect(), IsOk());
    }
  }
  void Connect() {
    Connect(LoopbackSessionOptions(true), LoopbackSessionOptions(false));
  }
  SecureSession& a() { return *pair_->a().session; }
  SecureSession& b() { return *pair_->b().session; }

  NetworkThread thread_{"direct-session-test"};
  std::unique_ptr<SessionPair> pair_;
};

TEST_F(DirectPathSessionTest, DatagramsTravelOnTheTakenOverPath) {
  Connect();
  const SessionStats a_before = a().stats();
  const SessionStats b_before = b().stats();
  EXPECT_EQ(a_before.direct_takeovers, 1u);
  EXPECT_EQ(b_before.direct_takeovers, 1u);
  std::optional<ice::SelectedPairInfo> pair = a().SelectedPair();
  ASSERT_TRUE(pair.has_value());
  EXPECT_EQ(pair->local.type, ice::CandidateType::kHost);

  constexpr int kCount = 300;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_THAT(a().Send(Tagged('a', i, 1 + i * 4)), IsOk()) << i;
  }
  ASSERT_TRUE(pair_->b().recorder.WaitForData(kCount, kWait));
  std::vector<Bytes> got = pair_->b().recorder.data();
  ASSERT_EQ(got.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(got[i], Tagged('a', i, 1 + i * 4));

  const SessionStats a_after = a().stats();
  const SessionStats b_after = b().stats();
  EXPECT_TRUE(a_after.direct_path);
  // Every datagram went out and came in through the DirectPaths.
  EXPECT_GE(a_after.direct_records_sent - a_before.direct_records_sent,
            static_cast<uint64_t>(kCount));
  EXPECT_GE(b_after.direct_records_received - b_before.direct_records_received,
            static_cast<uint64_t>(kCount));
  EXPECT_GT(b_after.direct_receive_calls, 0u);
  EXPECT_EQ(a_after.packets_sent, static_cast<uint64_t>(kCount));
  EXPECT_EQ(b_after.packets_received, static_cast<uint64_t>(kCount));
  EXPECT_EQ(b_after.drops_auth + b_after.drops_replay + b_after.drops_other,
            0u);
  // The keepalive that confirmed the peer measured the path.
  ASSERT_TRUE(
      PollUntil([&] { return a().SelectedPair()->rtt.has_value(); }, kWait));
  EXPECT_LT(*a().SelectedPair()->rtt, absl::Seconds(1));
  EXPECT_GE(a().stats().keepalive_responses, 1u);
}

TEST_F(DirectPathSessionTest, BatchesBothWaysArriveIntact) {
  Connect();
  constexpr int kBatches = 12;
  constexpr int kPerBatch = 64;
  std::vector<Bytes> from_a, from_b;
  for (int i = 0; i < kBatches * kPerBatch; ++i) {
    from_a.push_back(Tagged('a', i, 1200));
    from_b.push_back(Tagged('b', i, 100 + i % 1100));
  }
  for (int batch = 0; batch < kBatches; ++batch) {
    std::vector<absl::Span<const uint8_t>> spans_a, spans_b;
    for (int i = 0; i < kPerBatch; ++i) {
      spans_a.emplace_back(from_a[batch * kPerBatch + i]);
      spans_b.emplace_back(from_b[batch * kPerBatch + i]);
    }
    absl::StatusOr<size_t> sent_a = a().SendBatch(spans_a);
    absl::StatusOr<size_t> sent_b = b().SendBatch(spans_b);
    ASSERT_THAT(sent_a.status(), IsOk());
    ASSERT_THAT(sent_b.status(), IsOk());
    EXPECT_EQ(*sent_a, static_cast<size_t>(kPerBatch));
    EXPECT_EQ(*sent_b, static_cast<size_t>(kPerBatch));
  }
  ASSERT_TRUE(pair_->b().recorder.WaitForData(from_a.size(), kWait));
  ASSERT_TRUE(pair_->a().recorder.WaitForData(from_b.size(), kWait));
  EXPECT_EQ(pair_->b().recorder.data(), from_a);  // In order, intact.
  EXPECT_EQ(pair_->a().recorder.data(), from_b);
  // The observer got batches, not one call per datagram.
  EXPECT_GT(pair_->b().recorder.batch_calls(), 0u);
  EXPECT_LT(pair_->b().recorder.batch_calls(), from_a.size());
  const SessionStats a_stats = a().stats();
  EXPECT_EQ(a_stats.packets_sent, from_a.size());
  EXPECT_LT(a_stats.direct_send_calls, from_a.size() / 8);
}

TEST_F(DirectPathSessionTest, OversizeAndPreSecureSendsAreRefused) {
  Connect();
  Bytes too_big(SecureSession::kMaxDatagramSize + 1, 1);
  EXPECT_EQ(a().Send(too_big).code(), absl::StatusCode::kInvalidArgument);
  Bytes largest(SecureSession::kMaxDatagramSize, 2);
  ASSERT_THAT(a().Send(largest), IsOk());
  ASSERT_TRUE(pair_->b().recorder.WaitForData(1, kWait));
  EXPECT_EQ(pair_->b().recorder.data().front(), largest);
  EXPECT_EQ(a().stats().send_errors, 1u);
}

// Longer than libnice's 10 s consent expiry. Pair 1: both sides take the
// path over (libnice consent off, the engine's keepalives carry consent).
// Pair 2: only a takes it over; b keeps libnice's I/O with libnice's consent
// freshness on, so its consent checks reach a's DirectPath and a answers.
TEST_F(DirectPathSessionTest, ConsentHoldsBeyondLibniceExpiryWithTraffic) {
  Connect();
  SecureSession::Options libnice_b = LoopbackSessionOptions(false);
  libnice_b.direct_path = false;
  ASSERT_TRUE(libnice_b.ice.consent_freshness);
  SessionPair mixed(thread_, LoopbackSessionOptions(true), libnice_b);
  ASSERT_THAT(mixed.Create(), IsOk());
  ASSERT_THAT(mixed.Connect(), IsOk());
  ASSERT_THAT(mixed.WaitSecure(), IsOk());
  ASSERT_TRUE(
      PollUntil([&] { return mixed.a().session->stats().direct_path; }, kWait));
  EXPECT_FALSE(mixed.b().session->stats().direct_path);

  const absl::Time end = absl::Now() + absl::Seconds(16);
  int sent = 0;
  while (absl::Now() < end) {
    const Bytes payload = Tagged('x', sent, 200);
    ASSERT_THAT(a().Send(payload), IsOk()) << SessionStateName(a().state());
    ASSERT_THAT(b().Send(payload), IsOk());
    ASSERT_THAT(mixed.a().session->Send(payload), IsOk());
    ASSERT_THAT(mixed.b().session->Send(payload), IsOk());
    ++sent;
    // Paces the traffic (about 20 datagrams/s each way), not a sync point.
    pair_->a().recorder.WaitForData(1u << 30, absl::Milliseconds(50));
  }
  for (SessionPair* p : {pair_.get(), &mixed}) {
    ASSERT_TRUE(p->a().recorder.WaitForData(sent, kWait));
    ASSERT_TRUE(p->b().recorder.WaitForData(sent, kWait));
    EXPECT_FALSE(p->a().recorder.failed()) << p->a().recorder.last_status();
    EXPECT_FALSE(p->b().recorder.failed()) << p->b().recorder.last_status();
    EXPECT_EQ(p->a().session->state(), SessionState::kSecure);
    EXPECT_EQ(p->b().session->state(), SessionState::kSecure);
    // Keepalives every ~5 s, each answered.
    const SessionStats stats = p->a().session->stats();
    EXPECT_GE(stats.keepalives_sent, 3u);
    EXPECT_GE(stats.keepalive_responses, 3u);
    EXPECT_TRUE(stats.rtt.has_value());
  }
  // b's libnice sent consent checks (every ~5 s) to a's taken-over socket;
  // a answered them, and b's libnice accepted the answers (else b failed).
  const SessionStats mixed_a = mixed.a().session->stats();
  EXPECT_GE(mixed_a.stun_answered, 2u);
  EXPECT_TRUE(mixed_a.direct_path);
}

TEST_F(DirectPathSessionTest, SilentPeerFailsTheSession) {
  SecureSession::Options a = LoopbackSessionOptions(true);
  SecureSession::Options b = LoopbackSessionOptions(false);
  for (SecureSession::Options* o : {&a, &b}) {
    o->liveness.interval = absl::Milliseconds(200);
    o->liveness.retry = absl::Milliseconds(100);
    o->liveness.expiry = absl::Milliseconds(1500);
  }
  Connect(a, b);
  // Alive for several expiries while both answer.
  ASSERT_TRUE(PollUntil(
      [&] { return this->a().stats().keepalive_responses >= 8; }, kWait));
  EXPECT_EQ(this->a().state(), SessionState::kSecure);
  // b goes away without a word.
  pair_->b().session.reset();
  const absl::Time gone = absl::Now();
  ASSERT_TRUE(pair_->a().recorder.WaitForState(SessionState::kFailed, kWait));
  const absl::Duration detected = absl::Now() - gone;
  EXPECT_LT(detected, absl::Seconds(5));
  EXPECT_EQ(pair_->a().recorder.last_status().code(),
            absl::StatusCode::kUnavailable)
      << pair_->a().recorder.last_status();
  EXPECT_FALSE(this->a().stats().direct_path);
  EXPECT_FALSE(this->a().Send(Bytes{1}).ok());
}

TEST_F(DirectPathSessionTest, IceRestartHandsThePathBackAndTakesItAgain) {
  Connect();
  ASSERT_THAT(a().Restart(), IsOk());
  EXPECT_FALSE(a().stats().direct_path);  // Handed back before restarting.
  ASSERT_TRUE(pair_->a().recorder.WaitForRestart(kWait));
  // Signal a's new credentials to b (b restarts too), then b's to a.
  absl::StatusOr<ice::SessionDescription> da = a().LocalDescription();
  ASSERT_THAT(da.status(), IsOk());
  ASSERT_THAT(b().SetRemoteDescription(*da), IsOk());
  ASSERT_TRUE(pair_->b().recorder.WaitForRestart(kWait));
  EXPECT_FALSE(b().stats().direct_path);
  absl::StatusOr<ice::SessionDescription> db = b().LocalDescription();
  ASSERT_THAT(db.status(), IsOk());
  ASSERT_THAT(a().SetRemoteDescription(*db), IsOk());
  ASSERT_TRUE(PollUntil(
      [&] {
        return a().stats().direct_takeovers == 2 &&
               b().stats().direct_takeovers == 2;
      },
      kWait))
      << a().stats().direct_takeovers << " " << b().stats().direct_takeovers;
  ASSERT_THAT(a().Send(Tagged('r', 1, 500)), IsOk());
  ASSERT_TRUE(pair_->b().recorder.WaitForData(1, kWait));
  EXPECT_EQ(pair_->b().recorder.data().back(), Tagged('r', 1, 500));
  EXPECT_EQ(a().state(), SessionState::kSecure);
}

TEST_F(DirectPathSessionTest, DirectPathOffKeepsLibnice) {
  SecureSession::Options a = LoopbackSessionOptions(true);
  SecureSession::Options b = LoopbackSessionOptions(false);
  a.direct_path = false;
  b.direct_path = false;
  Connect(a, b, /*direct=*/false);
  ASSERT_THAT(this->a().Send(Tagged('n', 0, 64)), IsOk());
  ASSERT_TRUE(pair_->b().recorder.WaitForData(1, kWait));
  ASSERT_TRUE(PollUntil(
      [&] { return this->a().stats().keepalive_responses >= 1; }, kWait));
  EXPECT_FALSE(this->a().stats().direct_path);
  EXPECT_EQ(this->a().stats().direct_takeovers, 0u);
  EXPECT_EQ(this->b().stats().direct_records_received, 0u);
}

TEST_F(DirectPathSessionTest, RelayedPairStaysOnLibniceWithKeepalives) {
  absl::StatusOr<std::unique_ptr<ice::testing::TurnServerProcess>> turn =
      ice::testing::TurnServerProcess::Start();
  NATFWT_REQUIRE(turn.status().code() != absl::StatusCode::kNotFound,
                 "needs coturn's turnserver and openssl");
  ASSERT_THAT(turn.status(), IsOk());
  auto relayed = [&](bool controlling) {
    SecureSession::Options options = LoopbackSessionOptions(controlling);
    options.ice.turn_servers = {(*turn)->Server(ice::TurnTransport::kUdp)};
    options.ice.relay_only = true;
    return options;
  };
  Connect(relayed(true), relayed(false), /*direct=*/false);
  std::optional<ice::SelectedPairInfo> pair = a().SelectedPair();
  ASSERT_TRUE(pair.has_value());
  EXPECT_EQ(pair->local.type, ice::CandidateType::kRelay);
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT(a().Send(Tagged('a', i, 800)), IsOk());
    ASSERT_THAT(b().Send(Tagged('b', i, 800)), IsOk());
  }
  ASSERT_TRUE(pair_->b().recorder.WaitForData(20, kWait));
  ASSERT_TRUE(pair_->a().recorder.WaitForData(20, kWait));
  EXPECT_EQ(pair_->b().recorder.data()[19], Tagged('a', 19, 800));
  // Keepalives and RTT work through the relay too.
  ASSERT_TRUE(
      PollUntil([&] { return a().stats().keepalive_responses >= 1; }, kWait));
  EXPECT_TRUE(a().SelectedPair()->rtt.has_value());
  EXPECT_EQ(a().stats().direct_takeovers, 0u);
  EXPECT_EQ(b().stats().direct_takeovers, 0u);
  EXPECT_FALSE(a().stats().direct_path);
}

// ---- records injected on the socket ----

// Captures (AF_PACKET on lo) and injects (raw IPv4/UDP) datagrams that look
// like they come from the peer's port: needs CAP_NET_RAW.
class Wire {
 public:
  Wire() {
    capture_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
    inject_ = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
    if (capture_ < 0) return;
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_IP);
    address.sll_ifindex = static_cast<int>(if_nametoindex("lo"));
    bind(capture_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    timeval timeout{0, 100 * 1000};
    setsockopt(capture_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~Wire() {
    if (capture_ >= 0) close(capture_);
    if (inject_ >= 0) close(inject_);
  }
  bool ok() const { return capture_ >= 0 && inject_ >= 0; }

  // The next UDP payload from port `from` to port `to` on 127.0.0.1 whose
  // first byte is natfwt data, within `timeout`; empty if none.
  Bytes CaptureRecord(uint16_t from, uint16_t to, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::vector<uint8_t> frame(70000);
    while (absl::Now() < deadline) {
      ssize_t n = recv(capture_, frame.data(), frame.size(), 0);
      if (n < static_cast<ssize_t>(sizeof(iphdr) + sizeof(udphdr))) continue;
      const auto* ip = reinterpret_cast<const iphdr*>(frame.data());
      if (ip->protocol != IPPROTO_UDP) continue;
      const size_t ip_size = ip->ihl * 4u;
      const auto* udp = reinterpret_cast<const udphdr*>(frame.data() + ip_size);
      if (ntohs(udp->source) != from || ntohs(udp->dest) != to) continue;
      const uint8_t* payload = frame.data() + ip_size + sizeof(udphdr);
      const size_t size = ntohs(udp->len) - sizeof(udphdr);
      if (size > 25 && (payload[0] & 0xF8) == 0xD0) {
        return Bytes(payload, payload + size);
      }
    }
    return {};
  }

  // Sends `payload` as a UDP datagram 127.0.0.1:from -> 127.0.0.1:to.
  bool Inject(uint16_t from, uint16_t to, const Bytes& payload) {
    Bytes datagram(sizeof(udphdr) + payload.size());
    auto* udp = reinterpret_cast<udphdr*>(datagram.data());
    udp->source = htons(from);
    udp->dest = htons(to);
    udp->len = htons(static_cast<uint16_t>(datagram.size()));
    udp->check = 0;  // No checksum (RFC 768, IPv4).
    std::memcpy(datagram.data() + sizeof(udphdr), payload.data(),
                payload.size());
    sockaddr_in destination{};
    destination.sin_family = AF_INET;
    destination.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sendto(inject_, datagram.data(), datagram.size(), 0,
                  reinterpret_cast<sockaddr*>(&destination),
                  sizeof(destination)) == static_cast<ssize_t>(datagram.size());
  }

 private:
  int capture_ = -1;
  int inject_ = -1;
};

TEST_F(DirectPathSessionTest, InjectedReplayedAndTamperedRecordsAreDropped) {
  Wire wire;
  NATFWT_REQUIRE(wire.ok(), "needs CAP_NET_RAW (packet capture, raw socket)");
  Connect();
  std::optional<ice::SelectedPairInfo> pair = a().SelectedPair();
  ASSERT_TRUE(pair.has_value());
  const uint16_t a_port = pair->local.address.port;
  const uint16_t b_port = pair->remote.address.port;

  // Capture a record b sends to a.
  Bytes record;
  for (int i = 0; i < 20 && record.empty(); ++i) {
    ASSERT_THAT(b().Send(Tagged('b', i, 300)), IsOk());
    record = wire.CaptureRecord(b_port, a_port, absl::Milliseconds(300));
  }
  ASSERT_FALSE(record.empty()) << "no record captured";
  ASSERT_TRUE(PollUntil(
      [&] {
        return pair_->a().recorder.data_count() == b().stats().packets_sent;
      },
      kWait));
  const uint64_t received_before = pair_->a().recorder.data_count();
  const SessionStats before = a().stats();

  // 1. The same record again: replayed.
  ASSERT_TRUE(wire.Inject(b_port, a_port, record));
  // 2. A fresh counter and a changed byte: fails authentication.
  Bytes tampered = record;
  tampered[7] ^= 0x01;  // Counter +/- 256: fresh.
  tampered[tampered.size() / 2] ^= 0x20;
  ASSERT_TRUE(wire.Inject(b_port, a_port, tampered));
  // 3. The untouched record from another port: not the peer.
  ASSERT_TRUE(wire.Inject(static_cast<uint16_t>(b_port + 1), a_port, record));

  ASSERT_TRUE(PollUntil(
      [&] {
        const SessionStats now = a().stats();
        return now.drops_replay > before.drops_replay &&
               now.drops_auth > before.drops_auth &&
               now.drops_other > before.drops_other;
      },
      kWait));
  const SessionStats after = a().stats();
  EXPECT_EQ(after.drops_replay, before.drops_replay + 1);
  EXPECT_EQ(after.drops_auth, before.drops_auth + 1);
  EXPECT_EQ(after.drops_other, before.drops_other + 1);
  EXPECT_EQ(pair_->a().recorder.data_count(), received_before);
  EXPECT_EQ(after.packets_received, before.packets_received);
  // The channel still works: the forged counter was never accepted.
  ASSERT_THAT(b().Send(Tagged('b', 99, 300)), IsOk());
  ASSERT_TRUE(pair_->a().recorder.WaitForData(received_before + 1, kWait));
  EXPECT_EQ(pair_->a().recorder.data().back(), Tagged('b', 99, 300));
}

// ---- no leaks ----

void RunOnePair(NetworkThread& thread) {
  SessionPair pair(thread, LoopbackSessionOptions(true),
                   LoopbackSessionOptions(false));
  ASSERT_THAT(pair.Create(), IsOk());
  ASSERT_THAT(pair.Connect(), IsOk());
  ASSERT_THAT(pair.WaitSecure(), IsOk());
  ASSERT_THAT(pair.WaitDirect(), IsOk());
  ASSERT_THAT(pair.a().session->Send(Tagged('l', 0, 100)), IsOk());
  ASSERT_TRUE(pair.b().recorder.WaitForData(1, kWait));
  pair.a().session->Close();
  pair.b().session->Close();
  EXPECT_EQ(pair.a().session->state(), SessionState::kClosed);
  EXPECT_FALSE(pair.a().session->stats().direct_path);
}

// A data callback on the direct path's data thread closes its own session
// while the network thread may be stopping that path: no deadlock, nothing
// delivered afterwards, the session destroyed cleanly.
TEST_F(DirectPathSessionTest, CloseFromADataCallback) {
  Connect();
  std::atomic<int> closes{0};
  SecureSession* b_session = &b();
  pair_->b().recorder.set_on_data([&] {
    if (closes.fetch_add(1) == 0) b_session->Close();
  });
  std::vector<Bytes> burst;
  for (int i = 0; i < 64; ++i) burst.push_back(Tagged('c', i, 1000));
  std::vector<absl::Span<const uint8_t>> spans(burst.begin(), burst.end());
  ASSERT_THAT(a().SendBatch(spans).status(), IsOk());
  ASSERT_TRUE(pair_->b().recorder.WaitForData(1, kWait));
  ASSERT_TRUE(PollUntil([&] { return !b().stats().direct_path; }, kWait));
  EXPECT_EQ(b().state(), SessionState::kClosed);
  const uint64_t delivered = pair_->b().recorder.data_count();
  ASSERT_THAT(a().SendBatch(spans).status(), IsOk());
  pair_->b().session.reset();  // Waits for the close to finish.
  EXPECT_EQ(pair_->b().recorder.data_count(), delivered);
}

TEST_F(DirectPathSessionTest, CloseLeaksNoDescriptorsOrThreads) {
  RunOnePair(thread_);  // Warm-up: lazily started process-wide threads.
  const int fds = CountOpenFds();
  const int threads = CountThreads();
  const guint sources = ice::testing::MarkSources(thread_);
  RunOnePair(thread_);
  // Two DirectPath threads and four sockets existed meanwhile; all gone.
  EXPECT_EQ(CountThreads(), threads);
  EXPECT_EQ(CountOpenFds(), fds);
  // libnice's agents, their timers and the sessions' tasks: no GSource
  // left on the network thread's context.
  EXPECT_EQ(ice::testing::WaitForSourcesGone(thread_, sources, kWait), 0);
}

}  // namespace
}  // namespace natfwt::engine
