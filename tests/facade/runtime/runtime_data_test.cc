// Copyright 2026 The natfwt Authors.
//
// The packet path of spec section 7 through the Runtime on an in-memory
// interface: activation on demand, REACH and its cache and queue, SEND with
// its chain, transport IDs and endpointLuid, idle dormancy, and every check
// IndicateReceivedBuffers makes.

#include <algorithm>

#include "facade/runtime/hresult.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/facade/runtime/runtime_fixture.h"
#include "tests/platform/tun/udp_packet.h"

namespace natfwt::cp::testing {
namespace {

using ::testing::ElementsAreArray;

class DataPathTest : public RuntimeFixture {
 protected:
  void Inject(const std::vector<uint8_t>& packet) {
    ASSERT_TRUE(interface()->InjectFromHost(packet));
  }
  std::vector<uint8_t> FromPeer(const net::IpAddress& peer,
                                const net::IpAddress& to, size_t payload = 40) {
    return tun::testing::BuildUdpPacket({peer, 5000}, {to, 4000},
                                        tun::testing::Pattern(payload, 3));
  }
  HRESULT Indicate(CPNATFWT_PROVIDER_INSTANCE instance,
                   const net::IpAddress& local, const net::IpAddress& remote,
                   std::vector<uint8_t> packet) {
    std::vector<uint8_t> l(local.bytes().begin(), local.bytes().end());
    std::vector<uint8_t> r(remote.bytes().begin(), remote.bytes().end());
    CPNATFWT_TRANSPORT_ID local_id{static_cast<USHORT>(l.size()), l.data()};
    CPNATFWT_TRANSPORT_ID remote_id{static_cast<USHORT>(r.size()), r.data()};
    CPNATFWT_BUFFER chain{nullptr, static_cast<ULONG>(packet.size()),
                          packet.data()};
    return ToHresult(
        runtime_->IndicateReceived(instance, &local_id, &remote_id, &chain));
  }
};

TEST_F(DataPathTest, FirstPacketActivatesReachesAndSends) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<uint8_t> packet = Outbound(instance, PeerAddress());
  Inject(packet);
  ASSERT_TRUE(provider.WaitFor(Event::kSend));
  std::vector<Record> records = provider.Records();
  auto order = [&](Event event) {
    return std::find_if(records.begin(), records.end(),
                        [&](const Record& r) { return r.event == event; }) -
           records.begin();
  };
  EXPECT_LT(order(Event::kActivate), order(Event::kReach));
  EXPECT_LT(order(Event::kReach), order(Event::kSend));
  Record send = provider.RecordsOf(Event::kSend)[0];
  EXPECT_THAT(send.packet, ElementsAreArray(packet));  // One whole IP packet.
  EXPECT_EQ(send.local, local_);
  EXPECT_EQ(send.address, PeerAddress());
  EXPECT_NE(send.endpoint_luid, 0u);
  EXPECT_EQ(provider.RecordsOf(Event::kReach)[0].address, PeerAddress());
  EXPECT_EQ(Info(instance).state, InstanceState::kActive);
}

TEST_F(DataPathTest, ReachAnswersAreCachedPerTtlAndFlowsKeepTheirLuid) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(Outbound(instance, PeerAddress(), 4000));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 1));
  Inject(Outbound(instance, PeerAddress(), 4000));
  Inject(Outbound(instance, PeerAddress(), 4001));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 3));
  EXPECT_EQ(provider.Count(Event::kReach), 1u);  // Cached (D12).
  std::vector<Record> sends = provider.RecordsOf(Event::kSend);
  EXPECT_EQ(sends[0].endpoint_luid, sends[1].endpoint_luid);  // Same flow.
  EXPECT_NE(sends[0].endpoint_luid, sends[2].endpoint_luid);  // Other port.
  clock_.Advance(absl::Seconds(61));
  Inject(Outbound(instance, PeerAddress(), 4000));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 4));
  EXPECT_EQ(provider.Count(Event::kReach), 2u);  // Expired after 60 s.
}

TEST_F(DataPathTest, UnreachableDestinationDropsAndIsRetriedAfterFiveSeconds) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(
      Event::kReach,
      TestProvider::Return(HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE)));
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.state == InstanceState::kActive;
  }));
  auto dropped = [&](uint64_t n) {
    return WaitUntil(instance, [n](const InstanceInfo& info) {
      return info.stats.drops_unreachable >= n;
    });
  };
  ASSERT_TRUE(dropped(1));  // The first answer is cached now.
  Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(dropped(2));  // The second packet met the cached "no".
  EXPECT_EQ(provider.Count(Event::kReach), 1u);
  clock_.Advance(absl::Seconds(5));
  Inject(Outbound(instance, PeerAddress()));  // Expired: asks again.
  ASSERT_TRUE(provider.WaitFor(Event::kReach, 2));
  EXPECT_EQ(provider.Count(Event::kSend), 0u);
}

TEST_F(DataPathTest, PendingReachQueuesSixteenPacketsInOrder) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kReach, TestProvider::Pend());
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(Outbound(instance, PeerAddress(), 1000));
  Pending reach;
  ASSERT_TRUE(provider.TakePending(Event::kReach, &reach));
  for (uint16_t port = 1001; port < 1020; ++port) {
    Inject(Outbound(instance, PeerAddress(), port));
  }
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.stats.drops_queue_overflow == 4;  // 20 packets, 16 kept.
  }));
  reach.Complete(S_OK);
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 16));
  std::vector<Record> sends = provider.RecordsOf(Event::kSend);
  ASSERT_EQ(sends.size(), 16u);
  for (size_t i = 0; i < sends.size(); ++i) {
    std::optional<tun::testing::UdpDatagram> udp =
        tun::testing::ParseUdpPacket(sends[i].packet);
    ASSERT_TRUE(udp.has_value());
    EXPECT_EQ(udp->from.port, 1004 + i);  // Oldest four dropped, order kept.
  }
}

TEST_F(DataPathTest, FailedSendInvalidatesTheCachedAnswer) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(
      Event::kSend,
      TestProvider::Return(HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE)));
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 1));
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.stats.send_failures == 1;
  }));
  Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 2));
  EXPECT_EQ(provider.Count(Event::kReach), 2u);
}

TEST_F(DataPathTest, PendedSendKeepsItsBufferUntilCompletion) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kSend, TestProvider::Pend());
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<uint8_t> packet = Outbound(instance, PeerAddress());
  Inject(packet);
  Pending send;
  ASSERT_TRUE(provider.TakePending(Event::kSend, &send));
  // More traffic while it is pended must not reuse its buffer.
  provider.SetBehaviour(Event::kSend, TestProvider::Return(S_OK));
  for (int i = 0; i < 50; ++i)
    Inject(Outbound(instance, PeerAddress(), 9000, 64));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 51));
  EXPECT_THAT(provider.RecordsOf(Event::kSend)[0].packet,
              ElementsAreArray(packet));
  send.Complete(S_OK);
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.stats.packets_sent == 51;
  }));
}

TEST_F(DataPathTest, SendCompletedBeforeItsCallbackReturns) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kSend,
                        [](TestProvider&, const Pending& pending) {
                          pending.Complete(S_OK);
                          return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
                        });
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  // One first, so the rest meet a cached REACH answer (no queue limit).
  Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 1));
  for (int i = 0; i < 19; ++i) Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.stats.packets_sent == 20;
  }));
  EXPECT_FALSE(Info(instance).termination_reason.has_value());
}

TEST_F(DataPathTest, SendCompletedTwiceEndsTheSession) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kSend, TestProvider::Pend());
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(Outbound(instance, PeerAddress()));
  Pending send;
  ASSERT_TRUE(provider.TakePending(Event::kSend, &send));
  send.Complete(S_OK);
  send.Complete(S_OK);
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  EXPECT_EQ(provider.RecordsOf(Event::kTerminate)[0].reason,
            CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
}

TEST_F(DataPathTest, PendedSendThatNeverCompletesTimesOut) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kSend, TestProvider::Pend());
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(Outbound(instance, PeerAddress()));
  Pending send;
  ASSERT_TRUE(provider.TakePending(Event::kSend, &send));
  clock_.Advance(absl::Seconds(31));
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  EXPECT_EQ(provider.RecordsOf(Event::kTerminate)[0].reason,
            CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT);
  send.Complete(S_OK);  // Late: the buffer goes back, nothing else happens.
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.stats.packets_sent == 1;
  }));
}

TEST_F(DataPathTest, PacketsNotFromATransportIdNeverReachTheProvider) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(tun::testing::BuildUdpPacket({*net::IpAddress::Parse("fe80::1"), 1},
                                      {PeerAddress(), 2}, {}));
  std::vector<uint8_t> garbage = {0x45, 0, 0, 1};
  Inject(garbage);
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.stats.drops_foreign_source == 1 &&
           info.stats.drops_malformed == 1;
  }));
  EXPECT_EQ(provider.Count(Event::kActivate), 0u);
  EXPECT_EQ(provider.Count(Event::kSend), 0u);
}

TEST_F(DataPathTest, IdleSessionGoesDormantAndTrafficReactivatesIt) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 1));
  clock_.Advance(absl::Seconds(60));
  EXPECT_EQ(provider.Count(Event::kDeactivate), 0u);  // Half way to D14.
  // D14: 120 s idle. Traffic is noticed by the once-a-second tick, so the
  // deadline counts from the tick after the last packet: step up to it.
  for (int s = 0; s < 130 && provider.Count(Event::kDeactivate) == 0; ++s) {
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_TRUE(provider.WaitFor(Event::kDeactivate));
  ASSERT_TRUE(WaitForState(instance, InstanceState::kDormant));
  Inject(Outbound(instance, PeerAddress()));
  ASSERT_TRUE(provider.WaitFor(Event::kSend, 2));
  EXPECT_EQ(provider.Count(Event::kActivate), 2u);
  EXPECT_EQ(provider.Count(Event::kReach), 2u);  // Cache cleared when dormant.
}

TEST_F(DataPathTest, ThreeFailedActivationsEndTheSession) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kActivate, TestProvider::Return(E_UNEXPECTED));
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Inject(Outbound(instance, PeerAddress()));
    ASSERT_TRUE(provider.WaitFor(Event::kActivate, attempt));
    ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
      return info.state != InstanceState::kActivating;
    }));
    clock_.Advance(absl::Seconds(10));  // Past the backoff.
  }
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  EXPECT_EQ(provider.RecordsOf(Event::kTerminate)[0].reason,
            CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
  EXPECT_EQ(provider.Count(Event::kSend), 0u);
}

TEST_F(DataPathTest, IndicatedPacketReachesTheInterface) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<uint8_t> packet = FromPeer(PeerAddress(), local_);
  EXPECT_EQ(Indicate(instance, local_, PeerAddress(), packet), S_OK);
  std::optional<std::vector<uint8_t>> delivered =
      interface()->WaitDelivered(absl::Seconds(5));
  ASSERT_TRUE(delivered.has_value());
  EXPECT_THAT(*delivered, ElementsAreArray(packet));
}

TEST_F(DataPathTest, MultiSegmentChainWithEmptySegmentsIsGathered) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<uint8_t> packet = FromPeer(PeerAddress(), local_, 100);
  std::vector<uint8_t> l(local_.bytes().begin(), local_.bytes().end());
  const net::IpAddress peer = PeerAddress();
  std::vector<uint8_t> r(peer.bytes().begin(), peer.bytes().end());
  CPNATFWT_TRANSPORT_ID local_id{16, l.data()};
  CPNATFWT_TRANSPORT_ID remote_id{16, r.data()};
  CPNATFWT_BUFFER third{nullptr, static_cast<ULONG>(packet.size() - 30),
                        packet.data() + 30};
  CPNATFWT_BUFFER empty{&third, 0, nullptr};
  CPNATFWT_BUFFER first{&empty, 30, packet.data()};
  EXPECT_EQ(ToHresult(runtime_->IndicateReceived(instance, &local_id,
                                                 &remote_id, &first)),
            S_OK);
  std::optional<std::vector<uint8_t>> delivered =
      interface()->WaitDelivered(absl::Seconds(5));
  ASSERT_TRUE(delivered.has_value());
  EXPECT_THAT(*delivered, ElementsAreArray(packet));
}

TEST_F(DataPathTest, IndicationsThatMustBeRefused) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  const net::IpAddress peer = PeerAddress();
  const net::IpAddress other = PeerAddress(9);
  std::vector<uint8_t> good = FromPeer(peer, local_);
  std::vector<uint8_t> corrupt = good;
  corrupt[4] ^= 0x01;  // IPv6 payload length no longer matches.
  std::vector<uint8_t> too_big = FromPeer(peer, local_, 1300);
  const HRESULT kInvalidData = HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
  EXPECT_EQ(Indicate(instance, local_, other, good), kInvalidData);  // Source.
  EXPECT_EQ(Indicate(instance, local_, peer, corrupt), kInvalidData);
  EXPECT_EQ(Indicate(instance, local_, peer, too_big), kInvalidData);  // > MTU.
  EXPECT_EQ(Indicate(instance, other, peer, FromPeer(peer, other)),
            HRESULT_FROM_WIN32(ERROR_NOT_FOUND));  // Not an added ID.
  EXPECT_EQ(Indicate(instance, local_, peer, {}), E_INVALIDARG);  // Empty.
  EXPECT_EQ(ToHresult(runtime_->IndicateReceived(instance, nullptr, nullptr,
                                                 nullptr)),
            E_POINTER);
  uint8_t three[3] = {1, 2, 3};
  CPNATFWT_TRANSPORT_ID odd{3, three};
  CPNATFWT_BUFFER chain{nullptr, static_cast<ULONG>(good.size()), good.data()};
  EXPECT_EQ(ToHresult(runtime_->IndicateReceived(instance, &odd, &odd, &chain)),
            E_INVALIDARG);
  CPNATFWT_BUFFER loop{nullptr, 10, good.data()};
  loop.next = &loop;  // A hostile chain.
  std::vector<uint8_t> l(local_.bytes().begin(), local_.bytes().end());
  std::vector<uint8_t> r(peer.bytes().begin(), peer.bytes().end());
  CPNATFWT_TRANSPORT_ID local_id{16, l.data()}, remote_id{16, r.data()};
  EXPECT_EQ(ToHresult(runtime_->IndicateReceived(instance, &local_id,
                                                 &remote_id, &loop)),
            E_INVALIDARG);
  EXPECT_EQ(ToHresult(runtime_->IndicateReceived(
                reinterpret_cast<CPNATFWT_PROVIDER_INSTANCE>(0x7777), &local_id,
                &remote_id, &chain)),
            E_INVALIDARG);  // Bad handle.
  EXPECT_FALSE(interface()->WaitDelivered(absl::ZeroDuration()).has_value());
  EXPECT_EQ(Info(instance).stats.indications_refused, 8u);
  // After teardown: no session.
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(Indicate(instance, local_, peer, good),
            HRESULT_FROM_WIN32(ERROR_INVALID_STATE));
}

}  // namespace
}  // namespace natfwt::cp::testing
