// Copyright 2026 The natfwt Authors.
//
// The ICE provider against a FakeNode and natfwt's CP runtime on in-memory
// interfaces (a fake clock drives the runtime's idle timer and the
// provider's REACH timeout): every callback of the spec, the packet paths
// in both directions, and the teardown order.

#include "engine/provider/ice_provider.h"

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/sys/private_files.h"
#include "tests/engine/provider/fake_node.h"
#include "tests/engine/provider/runtime_api.h"
#include "tests/facade/runtime/runtime_fixture.h"
#include "tests/platform/tun/udp_packet.h"
#include "tests/support/status_matchers.h"

namespace natfwt::provider::testing {
namespace {

using cp::InstanceInfo;
using cp::InstanceState;
using cp::testing::PeerAddress;
using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kPeerA(64, 'a');
const std::string kPeerB(64, 'b');
constexpr absl::Duration kReachTimeout = absl::Seconds(15);

class IceProviderTest : public cp::testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    api_.emplace(*runtime_);
  }
  void TearDown() override {
    provider_.reset();  // Stop(): TERMINATE, Deregister, Destroy.
    api_.reset();
    RuntimeFixture::TearDown();
  }

  IceProviderOptions Options() {
    IceProviderOptions options;
    options.friendly_name = "natfwt test";
    options.api = api_->api();
    options.clock = &clock_;
    options.reach_timeout = kReachTimeout;
    return options;
  }
  void StartProvider() { StartProvider(Options()); }
  void StartProvider(IceProviderOptions options) {
    absl::StatusOr<std::unique_ptr<IceProvider>> started =
        IceProvider::Start(node_, std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    provider_ = *std::move(started);
  }
  CPNATFWT_PROVIDER_INSTANCE instance() { return api_->instances().back(); }

  // Starts the provider and waits for the established, dormant session
  // with its transport ID added; returns that ID.
  net::IpAddress Ready() {
    StartProvider();
    EXPECT_TRUE(WaitUntil(instance(), [](const InstanceInfo& info) {
      return info.state == InstanceState::kDormant && !info.local_ids.empty();
    }));
    net::IpAddress local = Info(instance()).local_ids.at(0);
    EXPECT_TRUE(
        node_.WaitForPublished([&](const std::vector<std::string>& ids) {
          return ids == std::vector<std::string>{local.ToString()};
        }));
    return local;
  }

  void Inject(const net::IpAddress& to, uint16_t port = 4000) {
    ASSERT_TRUE(interface()->InjectFromHost(Outbound(instance(), to, port)));
  }
  bool WaitForStats(const std::function<bool(const cp::InstanceStats&)>& ok) {
    return WaitUntil(instance(),
                     [&](const InstanceInfo& info) { return ok(info.stats); });
  }
  ProviderCounters Counters() { return provider_->Status().counters; }
  // The CP may pend indications (the provider gives a completion routine)
  // and count them only when its writer thread completes them: nothing is
  // signalled per packet, so the counters are polled until `ok` or 10 s.
  bool WaitForCounters(const std::function<bool(const ProviderCounters&)>& ok) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!ok(Counters())) {
      if (absl::Now() >= deadline) return false;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return true;
  }
  // Waits until `n` indications in all were completed or refused.
  bool WaitForIndications(uint64_t n) {
    return WaitForCounters([n](const ProviderCounters& c) {
      return c.packets_indicated + c.drops_refused >= n;
    });
  }

  // A packet from `peer`'s transport ID to `local`.
  static std::vector<uint8_t> FromPeer(const net::IpAddress& peer,
                                       const net::IpAddress& local,
                                       uint8_t seed = 3) {
    return tun::testing::BuildUdpPacket({peer, 5000}, {local, 4000},
                                        tun::testing::Pattern(40, seed));
  }
  static net::IpAddress Destination(const std::vector<uint8_t>& packet) {
    std::optional<tun::testing::UdpDatagram> udp =
        tun::testing::ParseUdpPacket(packet);
    return udp.has_value() ? udp->to.address : net::IpAddress();
  }

  FakeNode node_;
  std::optional<RuntimeApi> api_;
  std::unique_ptr<IceProvider> provider_;
};

// ---- Lifecycle: ESTABLISH, ADD, TERMINATE -> Deregister -> Destroy ----

TEST_F(IceProviderTest, EstablishAndAddPublishTheTransportId) {
  net::IpAddress local = Ready();
  EXPECT_NE(node_.sink(), nullptr);
  IceProviderStatus status = provider_->Status();
  EXPECT_EQ(status.state, "dormant");
  EXPECT_THAT(status.transport_ids, ElementsAre(local.ToString()));
  EXPECT_EQ(status.friendly_name, "natfwt test");
  EXPECT_NE(status.luid, 0u);
  EXPECT_EQ(status.interface_name, "");  // In memory: no kernel interface.
  EXPECT_THAT(provider_->WaitForTransportIds(absl::Seconds(1)),
              ElementsAre(local.ToString()));
  EXPECT_THAT(node_.published().front(), IsEmpty());  // ESTABLISH: none yet.
}

TEST_F(IceProviderTest, StopCanLeaveTheTransportIdsPublished) {
  IceProviderOptions options = Options();
  options.keep_ids_at_stop = true;
  StartProvider(std::move(options));
  ASSERT_TRUE(WaitUntil(instance(), [](const InstanceInfo& info) {
    return info.state == InstanceState::kDormant && !info.local_ids.empty();
  }));
  const std::string local = Info(instance()).local_ids.at(0).ToString();
  ASSERT_TRUE(node_.WaitForPublished([&](const std::vector<std::string>& ids) {
    return ids == std::vector<std::string>{local};
  }));
  provider_->Stop();
  EXPECT_EQ(provider_->Status().state, "terminated");
  EXPECT_EQ(api_->destroys(), 1);
  // Still published: the node going offline next takes them with it, and a
  // restart with the same LUID brings the same IDs back.
  EXPECT_THAT(node_.last_published(), ElementsAre(local));
}

TEST_F(IceProviderTest, StopTerminatesDeregistersAndDestroysOnce) {
  Ready();
  provider_->Stop();
  EXPECT_EQ(api_->deregisters(), 1);
  EXPECT_EQ(api_->destroys(), 1);
  IceProviderStatus status = provider_->Status();
  EXPECT_EQ(status.state, "terminated");
  EXPECT_EQ(status.termination, "PROVIDER_REQUEST");
  EXPECT_THAT(status.transport_ids, IsEmpty());
  EXPECT_EQ(node_.sink(), nullptr);
  EXPECT_THAT(node_.last_published(), IsEmpty());  // Withdrawn.
  provider_->Stop();
  provider_.reset();
  EXPECT_EQ(api_->deregisters(), 1);
  EXPECT_EQ(api_->destroys(), 1);
}

TEST_F(IceProviderTest, PlatformShutdownIsAcknowledgedByTheProvider) {
  Ready();
  runtime_->Shutdown();  // 6.3 B: the CP ends the session.
  ASSERT_TRUE(api_->WaitForDestroys(1));
  EXPECT_EQ(api_->deregisters(), 1);
  IceProviderStatus status = provider_->Status();
  EXPECT_EQ(status.state, "terminated");
  EXPECT_EQ(status.termination, "PLATFORM_SHUTDOWN");
  EXPECT_EQ(node_.sink(), nullptr);
  EXPECT_THAT(node_.last_published(), IsEmpty());
  provider_->Stop();  // Nothing left to do.
  EXPECT_EQ(api_->deregisters(), 1);
  EXPECT_EQ(api_->destroys(), 1);
}

TEST_F(IceProviderTest, RefusedRegistrationDestroysWithoutDeregister) {
  api_->FailRegisterWith(E_ACCESSDENIED);
  absl::StatusOr<std::unique_ptr<IceProvider>> started =
      IceProvider::Start(node_, Options());
  EXPECT_THAT(started.status(), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(api_->destroys(), 1);
  EXPECT_EQ(api_->deregisters(), 0);
  EXPECT_EQ(node_.sink(), nullptr);
}

TEST_F(IceProviderTest, BadFriendlyNameIsRefusedBeforeAnyCall) {
  IceProviderOptions options = Options();
  options.friendly_name = "tab\there";
  EXPECT_THAT(IceProvider::Start(node_, options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(api_->creates(), 0);
}

TEST_F(IceProviderTest, AddAnswersDupNameWhenAPeerOwnsTheAddress) {
  node_.ClaimNextLookup(kPeerB);  // The first ADD's address is a peer's.
  net::IpAddress local = Ready();
  std::vector<net::IpAddress> asked = node_.lookups();
  ASSERT_GE(asked.size(), 2u);
  EXPECT_NE(asked[0], local);  // The CP picked another address.
  EXPECT_EQ(asked.back(), local);
  EXPECT_THAT(node_.last_published(), ElementsAre(local.ToString()));
}

TEST_F(IceProviderTest, LuidIsKeptAndReusedAcrossRuns) {
  IceProviderOptions options = Options();
  options.luid_file = dir_->path() + "/interface.luid";
  StartProvider(options);
  ASSERT_TRUE(WaitUntil(instance(), [](const InstanceInfo& info) {
    return !info.local_ids.empty();
  }));
  const uint64_t luid = provider_->Status().luid;
  const net::IpAddress local = Info(instance()).local_ids[0];
  provider_.reset();

  StartProvider(options);
  ASSERT_TRUE(WaitUntil(instance(), [](const InstanceInfo& info) {
    return !info.local_ids.empty();
  }));
  EXPECT_EQ(provider_->Status().luid, luid);
  EXPECT_EQ(Info(instance()).local_ids[0], local);  // Same address back.
  provider_.reset();

  // A LUID the CP does not know: a new interface, and the file follows.
  NATFWT_ASSERT_OK(sys::ReplaceFileAtomically(options.luid_file, "12345\n"));
  const int registers = api_->registers();
  StartProvider(options);
  EXPECT_EQ(api_->registers(), registers + 2);
  const uint64_t fresh = provider_->Status().luid;
  EXPECT_NE(fresh, 12345u);
  absl::StatusOr<std::optional<std::string>> stored =
      sys::ReadFileIfExists(options.luid_file, 64, "a LUID file");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  uint64_t kept = 0;
  EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(**stored), &kept));
  EXPECT_EQ(kept, fresh);
}

// ---- REACH ----

TEST_F(IceProviderTest, ReachCompletesOnceTheSessionIsSecure) {
  Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  node_.set_connect_mode(FakeNode::ConnectMode::kHold);
  std::vector<uint8_t> packet = Outbound(instance(), PeerAddress(2));
  ASSERT_TRUE(interface()->InjectFromHost(packet));
  FakeNode::Done done;
  std::string peer;
  ASSERT_TRUE(node_.TakeHeldConnect(&done, &peer));
  EXPECT_EQ(peer, kPeerA);
  EXPECT_EQ(node_.packets_sent(), 0u);  // Queued by the CP meanwhile.
  done(absl::OkStatus());               // The session is secure.
  ASSERT_TRUE(node_.WaitForPacketsSent(1));
  std::vector<FakeNode::Batch> batches = node_.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].peer, kPeerA);
  EXPECT_THAT(batches[0].packets, ElementsAre(packet));
  EXPECT_EQ(Counters().reach_ok, 1u);
  EXPECT_EQ(provider_->Status().state, "active");
}

TEST_F(IceProviderTest, ReachWithoutOwnerIsHostUnreachable) {
  Ready();
  Inject(PeerAddress(9));
  ASSERT_TRUE(WaitForStats(
      [](const cp::InstanceStats& s) { return s.drops_unreachable >= 1; }));
  EXPECT_EQ(Counters().reach_no_owner, 1u);
  EXPECT_THAT(node_.connects(), IsEmpty());
  EXPECT_EQ(node_.packets_sent(), 0u);
}

TEST_F(IceProviderTest, ReachFailsWhenNoSessionCanBeSetUp) {
  Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  node_.set_connect_mode(FakeNode::ConnectMode::kFail,
                         absl::DeadlineExceededError("no secure session"));
  Inject(PeerAddress(2));
  ASSERT_TRUE(WaitForStats(
      [](const cp::InstanceStats& s) { return s.drops_unreachable >= 1; }));
  EXPECT_EQ(Counters().reach_failed, 1u);
  EXPECT_EQ(node_.packets_sent(), 0u);
}

TEST_F(IceProviderTest, ReachTimesOutAndIgnoresALateAnswer) {
  Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  node_.set_connect_mode(FakeNode::ConnectMode::kHold);
  Inject(PeerAddress(2));
  FakeNode::Done done;
  ASSERT_TRUE(node_.TakeHeldConnect(&done));
  clock_.Advance(kReachTimeout - absl::Seconds(1));
  EXPECT_EQ(Counters().reach_timeouts, 0u);
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(WaitForStats(
      [](const cp::InstanceStats& s) { return s.drops_unreachable >= 1; }));
  EXPECT_EQ(Counters().reach_timeouts, 1u);
  done(absl::OkStatus());  // Too late: must not complete REACH twice.
  ProviderCounters counters = Counters();
  EXPECT_EQ(counters.reach_ok, 0u);
  EXPECT_EQ(Info(instance()).state, InstanceState::kActive);  // No violation.
  EXPECT_EQ(node_.packets_sent(), 0u);
}

TEST_F(IceProviderTest, StopAbortsAPendingReach) {
  Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  node_.set_connect_mode(FakeNode::ConnectMode::kHold);
  Inject(PeerAddress(2));
  FakeNode::Done done;
  ASSERT_TRUE(node_.TakeHeldConnect(&done));
  provider_->Stop();
  EXPECT_EQ(Counters().reach_aborted, 1u);
  EXPECT_EQ(api_->destroys(), 1);
  done(absl::OkStatus());  // After Destroy: ignored.
  EXPECT_EQ(Counters().reach_ok, 0u);
}

// ---- SEND_BUFFERS ----

class SendTest : public IceProviderTest {
 protected:
  // Both peers reachable, one packet each sent (REACH answers cached).
  void ReadyWithTwoPeers() {
    Ready();
    node_.SetOwner(PeerAddress(2), kPeerA);
    node_.SetOwner(PeerAddress(3), kPeerB);
    Inject(PeerAddress(2));
    ASSERT_TRUE(node_.WaitForPacketsSent(1));
    Inject(PeerAddress(3));
    ASSERT_TRUE(node_.WaitForPacketsSent(2));
  }
  bool WaitForQueued(uint64_t count) {
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (Counters().send.queued < count) {
      if (absl::Now() > deadline) return false;
      std::this_thread::yield();  // A counter, not a notification.
    }
    return true;
  }
};

TEST_F(SendTest, ConsecutivePacketsForOnePeerGoOutAsOneBatch) {
  ReadyWithTwoPeers();
  node_.CloseGate();
  Inject(PeerAddress(2));  // Holds the worker inside SendPackets...
  ASSERT_TRUE(node_.WaitForSendsStarted(3));
  uint16_t port = 5000;  // ...while runs of five per peer queue up.
  for (const net::IpAddress& to :
       {PeerAddress(2), PeerAddress(3), PeerAddress(2), PeerAddress(3)}) {
    for (int i = 0; i < 5; ++i) Inject(to, port++);
  }
  ASSERT_TRUE(WaitForQueued(3 + 20));
  node_.OpenGate();
  ASSERT_TRUE(node_.WaitForPacketsSent(23));
  std::vector<FakeNode::Batch> batches = node_.batches();
  ASSERT_EQ(batches.size(), 7u);
  const std::string expected_peers[] = {kPeerA, kPeerB, kPeerA, kPeerA,
                                        kPeerB, kPeerA, kPeerB};
  for (size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(batches[i].peer, expected_peers[i]) << i;
    EXPECT_EQ(batches[i].size, i < 3 ? 1u : 5u) << i;
    net::IpAddress owned =
        batches[i].peer == kPeerA ? PeerAddress(2) : PeerAddress(3);
    for (const std::vector<uint8_t>& packet : batches[i].packets) {
      EXPECT_EQ(Destination(packet), owned);
    }
  }
  // In order within each run (source ports count up).
  uint16_t expected_port = 5000;
  for (size_t i = 3; i < batches.size(); ++i) {
    for (const std::vector<uint8_t>& packet : batches[i].packets) {
      EXPECT_EQ(tun::testing::ParseUdpPacket(packet)->from.port,
                expected_port++);
    }
  }
  // Every SEND completed (after the provider counted it).
  ASSERT_TRUE(WaitForStats(
      [](const cp::InstanceStats& s) { return s.packets_sent == 23; }));
  ProviderCounters counters = Counters();
  EXPECT_EQ(counters.send.packets_sent, 23u);
  EXPECT_EQ(counters.send.batches, 7u);
  EXPECT_EQ(counters.send.largest_batch, 5u);
}

TEST_F(SendTest, NoSecureSessionFailsTheSendAndTheCpAsksAgain) {
  ReadyWithTwoPeers();
  node_.set_send_status(
      absl::FailedPreconditionError("no secure session with the peer"));
  Inject(PeerAddress(2));
  ASSERT_TRUE(WaitForStats(
      [](const cp::InstanceStats& s) { return s.send_failures >= 1; }));
  EXPECT_EQ(Counters().send.unreachable, 1u);
  node_.set_send_status(absl::OkStatus());
  Inject(PeerAddress(2));  // The REACH answer was invalidated: asked again.
  ASSERT_TRUE(node_.WaitForPacketsSent(3));
  EXPECT_EQ(node_.connects().size(), 3u);
}

TEST_F(SendTest, SendsStillQueuedAtTerminateAreAborted) {
  ReadyWithTwoPeers();
  node_.CloseGate();
  Inject(PeerAddress(2));
  ASSERT_TRUE(node_.WaitForSendsStarted(3));
  for (uint16_t port = 6000; port < 6005; ++port) Inject(PeerAddress(3), port);
  ASSERT_TRUE(WaitForQueued(3 + 5));
  std::thread stopper([this] { provider_->Stop(); });
  // TERMINATE stops the pump before it clears the sink.
  ASSERT_TRUE(node_.WaitForSink(false));
  node_.OpenGate();
  stopper.join();
  ProviderCounters counters = Counters();
  EXPECT_EQ(counters.send.packets_sent, 3u);
  EXPECT_EQ(counters.send.aborted, 5u);
  EXPECT_EQ(api_->destroys(), 1);
}

// ---- Packets from peers ----

TEST_F(IceProviderTest, PacketsAreIndicatedOnlyFromTheOwnerOfTheirSource) {
  net::IpAddress local = Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  std::vector<uint8_t> first = FromPeer(PeerAddress(2), local, 1);
  std::vector<uint8_t> second = FromPeer(PeerAddress(2), local, 2);
  ASSERT_TRUE(node_.Deliver(kPeerA, {first, second}));
  ASSERT_TRUE(WaitForIndications(2));
  EXPECT_THAT(interface()->TakeDelivered(), ElementsAre(first, second));

  ASSERT_TRUE(node_.Deliver(kPeerB, {first}));  // B does not own the source.
  ASSERT_TRUE(node_.Deliver(kPeerA, {{0x45, 0x00}}));  // Not an IP packet.
  // For an address that is not ours: the CP refuses it.
  ASSERT_TRUE(
      node_.Deliver(kPeerA, {FromPeer(PeerAddress(2), PeerAddress(7))}));
  ASSERT_TRUE(WaitForIndications(3));
  EXPECT_THAT(interface()->TakeDelivered(), IsEmpty());
  ProviderCounters counters = Counters();
  EXPECT_EQ(counters.packets_received, 5u);
  EXPECT_EQ(counters.packets_indicated, 2u);
  EXPECT_EQ(counters.drops_not_owner, 1u);
  EXPECT_EQ(counters.drops_malformed, 1u);
  EXPECT_EQ(counters.drops_refused, 1u);
  EXPECT_EQ(Info(instance()).stats.packets_indicated, 2u);
}

// A CP that pends every indication (4.5 allows it when the provider gives a
// completion routine) and lets the test complete them.
struct PendedIndication {
  std::vector<uint8_t> local, remote, packet;
  CPNATFWT_BUFFER* chain;
  PVOID context;
  CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine;
};
std::vector<PendedIndication>* pended_indications = nullptr;

HRESULT WINAPI PendingIndicate(CPNATFWT_PROVIDER_INSTANCE,
                               CPNATFWT_TRANSPORT_ID* local,
                               CPNATFWT_TRANSPORT_ID* remote,
                               CPNATFWT_BUFFER* chain, PVOID context,
                               CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine) {
  if (routine == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
  auto bytes = [](const BYTE* data, size_t size) {
    return std::vector<uint8_t>(data, data + size);
  };
  pended_indications->push_back({bytes(local->transportId, local->size),
                                 bytes(remote->transportId, remote->size),
                                 bytes(chain->buffer, chain->size), chain,
                                 context, routine});
  return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
}

TEST_F(IceProviderTest, PacketsAreLentToACpThatPendsAndCountedOnCompletion) {
  std::vector<PendedIndication> pended;
  pended_indications = &pended;
  IceProviderOptions options = Options();
  options.api.indicate = &PendingIndicate;
  StartProvider(std::move(options));
  ASSERT_TRUE(WaitUntil(instance(), [](const InstanceInfo& info) {
    return info.state == InstanceState::kDormant && !info.local_ids.empty();
  }));
  net::IpAddress local = Info(instance()).local_ids.at(0);
  const net::IpAddress peer = PeerAddress(2);
  node_.SetOwner(peer, kPeerA);
  std::vector<std::vector<uint8_t>> packets = {
      FromPeer(PeerAddress(2), local, 1), FromPeer(PeerAddress(2), local, 2),
      FromPeer(PeerAddress(2), local, 3)};
  ASSERT_TRUE(node_.Deliver(kPeerA, packets));

  // The node's buffers are gone after the batch; the CP holds copies, with
  // their transport IDs, until it completes.
  ASSERT_EQ(pended.size(), 3u);
  for (size_t i = 0; i < pended.size(); ++i) {
    EXPECT_EQ(pended[i].packet, packets[i]);
    EXPECT_EQ(
        std::vector<uint8_t>(pended[i].chain->buffer,
                             pended[i].chain->buffer + pended[i].chain->size),
        packets[i]);
    EXPECT_EQ(pended[i].local,
              std::vector<uint8_t>(local.bytes().begin(), local.bytes().end()));
    EXPECT_EQ(pended[i].remote,
              std::vector<uint8_t>(peer.bytes().begin(), peer.bytes().end()));
  }
  EXPECT_EQ(Counters().packets_indicated, 0u);

  PVOID provider_context = provider_.get();
  pended[0].routine(instance(), provider_context, pended[0].context,
                    pended[0].chain, S_OK);
  pended[1].routine(instance(), provider_context, pended[1].context,
                    pended[1].chain,
                    HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED));
  pended[2].routine(instance(), provider_context, pended[2].context,
                    pended[2].chain, S_OK);
  ProviderCounters counters = Counters();
  EXPECT_EQ(counters.packets_indicated, 2u);
  EXPECT_EQ(counters.drops_refused, 1u);
  pended_indications = nullptr;
}

TEST_F(IceProviderTest, OwnershipChangesApplyToTheNextBatch) {
  net::IpAddress local = Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  std::vector<uint8_t> packet = FromPeer(PeerAddress(2), local);
  ASSERT_TRUE(node_.Deliver(kPeerA, {packet}));
  ASSERT_TRUE(WaitForIndications(1));
  ASSERT_THAT(interface()->TakeDelivered(), ElementsAre(packet));
  const uint64_t lookups = Counters().owner_lookups;
  ASSERT_TRUE(node_.Deliver(kPeerA, {packet}));  // Cached: node not asked.
  EXPECT_EQ(Counters().owner_lookups, lookups);
  ASSERT_TRUE(WaitForIndications(2));
  EXPECT_THAT(interface()->TakeDelivered(), ElementsAre(packet));

  node_.SetOwner(PeerAddress(2), kPeerB);  // B's record now lists it.
  ASSERT_TRUE(node_.Deliver(kPeerA, {packet}));
  ASSERT_TRUE(node_.Deliver(kPeerB, {packet}));
  ASSERT_TRUE(WaitForIndications(3));
  EXPECT_THAT(interface()->TakeDelivered(), ElementsAre(packet));
  EXPECT_EQ(Counters().drops_not_owner, 1u);
}

TEST_F(IceProviderTest, NothingIsIndicatedAfterTerminate) {
  net::IpAddress local = Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  provider_->Stop();
  EXPECT_FALSE(node_.Deliver(kPeerA, {FromPeer(PeerAddress(2), local)}));
  provider_->OnPackets(kPeerA, {});  // A late batch: counted, ignored.
}

// ---- DORMANT / ACTIVE ----

TEST_F(IceProviderTest, DormantStopsIdleSessionsAndActiveResumes) {
  Ready();
  node_.SetOwner(PeerAddress(2), kPeerA);
  Inject(PeerAddress(2));
  // The SEND completed (fake time must not pass the CP's 30 s callback
  // timeout while it is pending).
  ASSERT_TRUE(WaitForStats(
      [](const cp::InstanceStats& s) { return s.packets_sent == 1; }));
  ASSERT_TRUE(node_.WaitForDormancy(1));
  EXPECT_THAT(node_.dormancy(), ElementsAre(false));  // ACTIVE.
  // D14: idle for 120 s. The runtime notes the last traffic at its next
  // tick, which may come a few (fake) seconds late when its packet thread
  // ran late: time moves on until the session is dormant.
  clock_.Advance(absl::Seconds(121));
  bool dormant = false;
  for (int i = 0; i < 30 && !dormant; ++i) {
    dormant = WaitUntil(
        instance(),
        [](const InstanceInfo& info) {
          return info.state == InstanceState::kDormant;
        },
        absl::Milliseconds(200));
    if (!dormant) clock_.Advance(absl::Seconds(5));
  }
  ASSERT_TRUE(dormant);
  ASSERT_TRUE(node_.WaitForDormancy(2));
  EXPECT_THAT(node_.dormancy(), ElementsAre(false, true));
  EXPECT_EQ(provider_->Status().state, "dormant");
  Inject(PeerAddress(2));  // Traffic activates again.
  ASSERT_TRUE(node_.WaitForPacketsSent(2));
  EXPECT_THAT(node_.dormancy(), ElementsAre(false, true, false));
  EXPECT_EQ(provider_->Status().state, "active");
}

}  // namespace
}  // namespace natfwt::provider::testing
