// Copyright 2026 The natfwt Authors.
//
// MemoryInterface beyond the shared contract (interface_contract.cc): its
// host-side methods, queue bounds and naming.

#include "platform/tun/memory_interface.h"

#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::tun {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Optional;

net::IpPrefix Prefix(absl::string_view text) {
  return *net::IpPrefix::Parse(text);
}

std::vector<uint8_t> Packet(uint8_t tag, size_t size = 20) {
  std::vector<uint8_t> packet(size, tag);
  packet[0] = 0x45;
  return packet;
}

// Read() into `count` buffers of `capacity` bytes.
absl::StatusOr<std::vector<std::vector<uint8_t>>> ReadPackets(
    MemoryInterface& tun, size_t count, size_t capacity = 256) {
  std::vector<std::vector<uint8_t>> storage(count,
                                            std::vector<uint8_t>(capacity));
  std::vector<PacketBuffer> buffers;
  for (auto& bytes : storage) buffers.push_back({bytes.data(), capacity, 0});
  absl::StatusOr<size_t> filled = tun.Read(absl::MakeSpan(buffers));
  if (!filled.ok()) return filled.status();
  storage.resize(*filled);
  for (size_t i = 0; i < *filled; ++i) storage[i].resize(buffers[i].size);
  return storage;
}

TEST(MemoryInterface, NamesAndIndexes) {
  MemoryInterface unnamed(InterfaceConfig{});
  EXPECT_EQ(unnamed.name(), "mem0");
  InterfaceConfig patterned;
  patterned.kernel_name = "m%d";
  MemoryInterface first(patterned);
  MemoryInterface second(patterned);
  EXPECT_NE(first.index(), 0u);
  EXPECT_NE(first.index(), second.index());
  EXPECT_EQ(first.name(), "m" + std::to_string(first.index()));
  EXPECT_EQ(second.mtu(), 1280u);
}

TEST(MemoryInterface, LuidIsZeroUntilATestSetsOne) {
  MemoryInterface tun(InterfaceConfig{});
  EXPECT_EQ(tun.luid(), 0u);         // Like Linux: no OS LUIDs.
  tun.set_luid(0x0035000008000000);  // Like a Wintun adapter.
  const VirtualInterface& as_interface = tun;
  EXPECT_EQ(as_interface.luid(), 0x0035000008000000u);
  tun.Close();
  EXPECT_EQ(tun.luid(), 0x0035000008000000u);  // Also after Close().
}

TEST(MemoryInterface, CreateChecksTheConfigAndTheConstructorKeepsIt) {
  InterfaceConfig bad;
  bad.mtu = 10;
  EXPECT_THAT(MemoryInterface::Create(bad),
              StatusIs(absl::StatusCode::kInvalidArgument));
  MemoryInterface kept(bad);
  EXPECT_EQ(kept.mtu(), 10u);
  EXPECT_EQ(kept.config().mtu, 10u);
}

TEST(MemoryInterface, InjectRefusesWhenFullClosedOrEmpty) {
  MemoryInterface tun(InterfaceConfig{}, /*queue_limit=*/2);
  EXPECT_TRUE(tun.InjectFromHost(Packet(1)));
  EXPECT_TRUE(tun.InjectFromHost(Packet(2)));
  EXPECT_FALSE(tun.InjectFromHost(Packet(3)));
  EXPECT_FALSE(tun.InjectFromHost({}));
  EXPECT_EQ(tun.dropped_injected(), 2u);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto packets, ReadPackets(tun, 8));
  EXPECT_THAT(packets, ElementsAre(Packet(1), Packet(2)));
  tun.Close();
  EXPECT_TRUE(tun.closed());
  EXPECT_FALSE(tun.InjectFromHost(Packet(4)));
  EXPECT_EQ(tun.dropped_injected(), 3u);
}

TEST(MemoryInterface, InjectAcceptsMalformedPacketsForTheReader) {
  MemoryInterface tun(InterfaceConfig{});
  const uint8_t garbage[] = {0xff, 0x00};
  EXPECT_TRUE(tun.InjectFromHost(garbage));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto packets, ReadPackets(tun, 1));
  EXPECT_THAT(packets, ElementsAre(ElementsAre(0xff, 0x00)));
}

TEST(MemoryInterface, ReadReturnsAtMostABatch) {
  MemoryInterface tun(InterfaceConfig{});
  for (int i = 0; i < 70; ++i) ASSERT_TRUE(tun.InjectFromHost(Packet(i)));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto first, ReadPackets(tun, 100));
  EXPECT_EQ(first.size(), VirtualInterface::kBatchSize);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto rest, ReadPackets(tun, 100));
  ASSERT_EQ(rest.size(), 6u);
  EXPECT_EQ(rest.back(), Packet(69));
}

TEST(MemoryInterface, OversizeDropsShowInBothCounters) {
  MemoryInterface tun(InterfaceConfig{});
  ASSERT_TRUE(tun.InjectFromHost(Packet(1, 300)));
  ASSERT_TRUE(tun.InjectFromHost(Packet(2, 300)));
  ASSERT_TRUE(tun.InjectFromHost(Packet(3, 100)));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto packets, ReadPackets(tun, 4, 100));
  EXPECT_THAT(packets, ElementsAre(Packet(3, 100)));  // Exactly fits.
  EXPECT_EQ(tun.dropped_oversize(), 2u);
  EXPECT_EQ(tun.stats().dropped_oversize, 2u);
}

TEST(MemoryInterface, WriteStopsAtTheDeliveredQueueBound) {
  MemoryInterface tun(InterfaceConfig{}, /*queue_limit=*/2);
  std::vector<uint8_t> a = Packet(1), b = Packet(2), c = Packet(3);
  absl::Span<const uint8_t> packets[] = {a, b, c};
  size_t written = 0;
  EXPECT_THAT(tun.Write(packets, &written),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(written, 2u);
  EXPECT_THAT(tun.TakeDelivered(), ElementsAre(a, b));
  EXPECT_THAT(tun.TakeDelivered(), ElementsAre());
  EXPECT_THAT(tun.Write(absl::MakeConstSpan(packets).subspan(2)), IsOk());
  EXPECT_THAT(tun.WaitDelivered(absl::ZeroDuration()), Optional(c));
}

TEST(MemoryInterface, HeldWritesWaitForReleaseAndBatchSizesAreKept) {
  MemoryInterface tun(InterfaceConfig{});
  std::vector<uint8_t> a = Packet(1), b = Packet(2), c = Packet(3);
  absl::Span<const uint8_t> packets[] = {a, b, c};
  tun.HoldWrites();
  EXPECT_FALSE(tun.WaitForHeldWrite(absl::ZeroDuration()));
  absl::Status held;
  std::thread writer([&] { held = tun.Write(packets); });
  ASSERT_TRUE(tun.WaitForHeldWrite(absl::Seconds(10)));
  EXPECT_THAT(tun.TakeDelivered(), ElementsAre());  // Nothing passed yet.
  EXPECT_THAT(tun.WriteBatchSizes(), ElementsAre());
  tun.ReleaseWrites();
  writer.join();
  EXPECT_THAT(held, IsOk());
  EXPECT_THAT(tun.Write(absl::MakeConstSpan(packets).subspan(1)), IsOk());
  EXPECT_THAT(tun.WriteBatchSizes(), ElementsAre(3u, 2u));
  EXPECT_THAT(tun.TakeDelivered(), ElementsAre(a, b, c, b, c));
}

TEST(MemoryInterface, CloseReleasesAHeldWrite) {
  MemoryInterface tun(InterfaceConfig{});
  std::vector<uint8_t> a = Packet(1);
  absl::Span<const uint8_t> one(a);
  tun.HoldWrites();
  absl::Status held;
  size_t written = 7;
  std::thread writer([&] { held = tun.Write({&one, 1}, &written); });
  ASSERT_TRUE(tun.WaitForHeldWrite(absl::Seconds(10)));
  tun.Close();
  writer.join();
  EXPECT_THAT(held, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(written, 0u);
  EXPECT_THAT(tun.WriteBatchSizes(), ElementsAre());
}

TEST(MemoryInterface, WaitDeliveredTimesOutWakesAndDrainsAfterClose) {
  MemoryInterface tun(InterfaceConfig{});
  EXPECT_EQ(tun.WaitDelivered(absl::Milliseconds(1)), std::nullopt);
  absl::Notification waiting;
  std::optional<std::vector<uint8_t>> got;
  std::thread host([&] {
    waiting.Notify();
    got = tun.WaitDelivered(absl::Seconds(30));
  });
  waiting.WaitForNotification();
  std::vector<uint8_t> packet = Packet(7);
  absl::Span<const uint8_t> packets[] = {packet};
  ASSERT_THAT(tun.Write(packets), IsOk());
  host.join();
  EXPECT_EQ(got, packet);

  ASSERT_THAT(tun.Write(packets), IsOk());
  tun.Close();
  EXPECT_EQ(tun.WaitDelivered(absl::Seconds(30)), packet);  // Not lost.
  absl::Time start = absl::Now();
  EXPECT_EQ(tun.WaitDelivered(absl::Seconds(30)), std::nullopt);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));  // Closed: no waiting.
}

TEST(MemoryInterface, AddressesFollowLinuxIdentityRules) {
  InterfaceConfig config;
  config.addresses = {Prefix("10.1.0.1/16"), Prefix("fd00::1/64")};
  MemoryInterface tun(config);
  EXPECT_THAT(tun.addresses(),
              ElementsAre(config.addresses[0], config.addresses[1]));
  // IPv4: another prefix length is another address; IPv6: the same one.
  EXPECT_THAT(tun.AddAddress(Prefix("10.1.0.1/24")), IsOk());
  EXPECT_THAT(tun.AddAddress(Prefix("fd00::1/80")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  // Removal needs the exact prefix length.
  EXPECT_THAT(tun.RemoveAddress(Prefix("fd00::1/80")),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(tun.RemoveAddress(Prefix("10.1.0.1/16")), IsOk());
  EXPECT_THAT(tun.addresses(),
              ElementsAre(config.addresses[1], Prefix("10.1.0.1/24")));
  EXPECT_EQ(tun.config().addresses.size(), 2u);  // The config stays as given.
}

TEST(MemoryInterface, Ipv6AddressNeedsAnIpv6Mtu) {
  InterfaceConfig config;
  config.mtu = 1000;
  MemoryInterface tun(config);
  EXPECT_THAT(tun.AddAddress(Prefix("fd00::2/64")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(tun.AddAddress(Prefix("10.0.0.2/8")), IsOk());
}

TEST(MemoryInterface, ConcurrentWriterAndReaderKeepOrder) {
  constexpr int kPackets = 2000;
  MemoryInterface tun(InterfaceConfig{}, kPackets);
  std::thread writer([&] {
    for (int i = 0; i < kPackets; ++i) {
      std::vector<uint8_t> packet = Packet(static_cast<uint8_t>(i));
      absl::Span<const uint8_t> packets[] = {packet};
      ASSERT_THAT(tun.Write(packets), IsOk());
    }
  });
  std::thread injector([&] {
    for (int i = 0; i < kPackets; ++i) {
      ASSERT_TRUE(tun.InjectFromHost(Packet(static_cast<uint8_t>(i))));
    }
  });
  int read = 0;
  while (read < kPackets) {
    NATFWT_ASSERT_OK_AND_ASSIGN(auto packets, ReadPackets(tun, 16));
    for (const auto& packet : packets) {
      EXPECT_EQ(packet, Packet(static_cast<uint8_t>(read))) << read;
      ++read;
    }
  }
  for (int i = 0; i < kPackets; ++i) {
    EXPECT_THAT(tun.WaitDelivered(absl::Seconds(30)),
                Optional(Packet(static_cast<uint8_t>(i))));
  }
  writer.join();
  injector.join();
}

}  // namespace
}  // namespace natfwt::tun
