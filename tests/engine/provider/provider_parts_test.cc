// Copyright 2026 The natfwt Authors.
//
// The provider's pure parts: finding a packet's addresses, and the
// transport-ID owner cache (hits, invalidation, its bound), and the slots
// packets are lent to the CP in.

#include <string>
#include <vector>

#include "engine/provider/indicate_slots.h"
#include "engine/provider/owner_cache.h"
#include "engine/provider/packet_addresses.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/provider/fake_node.h"
#include "tests/platform/tun/udp_packet.h"

namespace natfwt::provider::testing {
namespace {

using ::testing::ElementsAreArray;

net::IpAddress V6(uint8_t last) {
  return net::IpAddress::V6(
      {0xfd, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last});
}

struct AddressCase {
  std::string name;
  net::IpAddress from;
  net::IpAddress to;
};

class PacketAddressesTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(PacketAddressesTest, FindsSourceAndDestination) {
  const AddressCase& c = GetParam();
  std::vector<uint8_t> packet = tun::testing::BuildUdpPacket(
      {c.from, 1}, {c.to, 2}, tun::testing::Pattern(8, 1));
  std::optional<PacketAddresses> found = FindPacketAddresses(packet);
  ASSERT_TRUE(found.has_value());
  EXPECT_THAT(found->source, ElementsAreArray(c.from.bytes()));
  EXPECT_THAT(found->destination, ElementsAreArray(c.to.bytes()));
  EXPECT_EQ(AddressOf(found->source), c.from);
  EXPECT_EQ(AddressOf(found->destination), c.to);
}

void PrintTo(const AddressCase& c, std::ostream* out) { *out << c.name; }

INSTANTIATE_TEST_SUITE_P(
    Families, PacketAddressesTest,
    ::testing::Values(AddressCase{"v4", net::IpAddress::V4({100, 64, 0, 1}),
                                  net::IpAddress::V4({100, 64, 0, 2})},
                      AddressCase{"v6", V6(1), V6(2)}),
    [](const ::testing::TestParamInfo<AddressCase>& param) {
      return param.param.name;
    });

TEST(PacketAddresses, RejectsShortAndNonIpPackets) {
  std::vector<uint8_t> v4(20, 0);
  v4[0] = 0x45;
  EXPECT_TRUE(FindPacketAddresses(v4).has_value());
  EXPECT_FALSE(FindPacketAddresses(absl::MakeConstSpan(v4).first(19)));
  std::vector<uint8_t> v6(40, 0);
  v6[0] = 0x60;
  EXPECT_TRUE(FindPacketAddresses(v6).has_value());
  EXPECT_FALSE(FindPacketAddresses(absl::MakeConstSpan(v6).first(39)));
  v6[0] = 0x50;  // Version 5.
  EXPECT_FALSE(FindPacketAddresses(v6).has_value());
  EXPECT_FALSE(FindPacketAddresses({}).has_value());
  EXPECT_EQ(AddressOf(absl::MakeConstSpan(v4).first(3)), net::IpAddress());
}

TEST(OwnerCache, AnswersFromTheCacheUntilInvalidated) {
  FakeNode node;
  const std::string a(64, 'a'), b(64, 'b');
  node.SetOwner(V6(2), a);
  OwnerCache cache(node);
  std::string owner;
  EXPECT_TRUE(cache.Lookup(V6(2), &owner));
  EXPECT_EQ(owner, a);
  EXPECT_TRUE(cache.IsOwner(V6(2), a));
  EXPECT_FALSE(cache.IsOwner(V6(2), b));
  EXPECT_FALSE(cache.Lookup(V6(3), &owner));  // Nobody: cached too.
  EXPECT_FALSE(cache.IsOwner(V6(3), a));
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(node.lookups().size(), 2u);

  node.SetOwner(V6(2), b);               // No sink: the cache is told by hand.
  EXPECT_TRUE(cache.IsOwner(V6(2), a));  // Stale until invalidated.
  const uint64_t generation = cache.generation();
  cache.Invalidate();
  EXPECT_NE(cache.generation(), generation);
  EXPECT_TRUE(cache.IsOwner(V6(2), b));
  EXPECT_FALSE(cache.IsOwner(V6(2), a));
  EXPECT_EQ(cache.misses(), 3u);
}

TEST(OwnerCache, StaysBoundedUnderManyAddresses) {
  FakeNode node;
  OwnerCache cache(node);
  std::string owner;
  for (uint32_t i = 0; i < OwnerCache::kMaxEntries + 10; ++i) {
    net::IpAddress spoofed = net::IpAddress::V4(
        {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
         static_cast<uint8_t>(i)});
    EXPECT_FALSE(cache.Lookup(spoofed, &owner));
  }
  // The table started over once full: the first address is asked again.
  const uint64_t misses = cache.misses();
  EXPECT_FALSE(cache.Lookup(net::IpAddress::V4({10, 0, 0, 0}), &owner));
  EXPECT_EQ(cache.misses(), misses + 1);
}

TEST(IndicateSlots, LendsCopiesWithTheirChainAndIds) {
  IndicateSlots slots(2);
  std::vector<uint8_t> packet = tun::testing::Pattern(100, 7);
  const std::vector<uint8_t> local = {10, 0, 0, 1};
  const net::IpAddress remote_address = V6(9);
  const std::vector<uint8_t> remote(remote_address.bytes().begin(),
                                    remote_address.bytes().end());
  IndicateSlots::Slot* slot = slots.Acquire(packet, local, remote);
  ASSERT_NE(slot, nullptr);
  packet.assign(packet.size(), 0);  // The caller's buffer is reused at once.
  EXPECT_THAT(absl::MakeConstSpan(slot->chain.buffer, slot->chain.size),
              ElementsAreArray(tun::testing::Pattern(100, 7)));
  EXPECT_EQ(slot->chain.next, nullptr);
  EXPECT_THAT(absl::MakeConstSpan(slot->local.transportId, slot->local.size),
              ElementsAreArray(local));
  EXPECT_THAT(absl::MakeConstSpan(slot->remote.transportId, slot->remote.size),
              ElementsAreArray(remote));
  EXPECT_EQ(slots.lent(), 1u);
  slots.Release(slot);
  EXPECT_EQ(slots.lent(), 0u);
  EXPECT_TRUE(slots.WaitAllReturned(absl::ZeroDuration()));
}

TEST(IndicateSlots, RunsOutInsteadOfGrowingAndTakesBackOnlyItsOwn) {
  IndicateSlots slots(2);
  const std::vector<uint8_t> packet = tun::testing::Pattern(10, 1);
  const std::vector<uint8_t> id = {10, 0, 0, 1};
  IndicateSlots::Slot* first = slots.Acquire(packet, id, id);
  IndicateSlots::Slot* second = slots.Acquire(packet, id, id);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first, second);
  EXPECT_EQ(slots.Acquire(packet, id, id), nullptr);  // All lent out.
  EXPECT_FALSE(slots.WaitAllReturned(absl::Milliseconds(1)));

  int not_a_slot = 0;
  slots.Release(&not_a_slot);
  slots.Release(reinterpret_cast<const uint8_t*>(first) + 1);  // Inside one.
  slots.Release(nullptr);
  EXPECT_EQ(slots.bad_releases(), 3u);
  EXPECT_EQ(slots.lent(), 2u);

  slots.Release(first);
  slots.Release(first);  // A second completion of the same packet.
  EXPECT_EQ(slots.bad_releases(), 4u);
  EXPECT_EQ(slots.lent(), 1u);
  EXPECT_EQ(slots.Acquire(packet, id, id), first);
}

TEST(IndicateSlots, RefusesWhatDoesNotFit) {
  IndicateSlots slots(1);
  const std::vector<uint8_t> id = {10, 0, 0, 1};
  const std::vector<uint8_t> big(IndicateSlots::kSlotBytes + 1, 0x45);
  const std::vector<uint8_t> odd_id = {1, 2, 3};
  EXPECT_EQ(slots.Acquire(big, id, id), nullptr);
  EXPECT_EQ(slots.Acquire({}, id, id), nullptr);
  EXPECT_EQ(slots.Acquire(id, odd_id, id), nullptr);
  EXPECT_EQ(slots.Acquire(id, id, odd_id), nullptr);
  EXPECT_EQ(slots.lent(), 0u);
  const std::vector<uint8_t> largest(IndicateSlots::kSlotBytes, 0x45);
  EXPECT_NE(slots.Acquire(largest, id, id), nullptr);
}

}  // namespace
}  // namespace natfwt::provider::testing
