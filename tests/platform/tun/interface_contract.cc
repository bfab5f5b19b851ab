// Copyright 2026 The natfwt Authors.
//
// The VirtualInterface contract, run identically against every backend
// (style C10.44). Backends differ only in Backend::create and the HostSide.

#include "tests/platform/tun/interface_contract.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/tun/memory_interface.h"
#include "tests/platform/tun/thread_state.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

namespace natfwt::tun::testing {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAreArray;
using ::testing::Not;

namespace {

constexpr absl::Duration kTestLimit = absl::Seconds(30);
constexpr absl::Duration kReceiveLimit = absl::Seconds(5);

net::IpPrefix Prefix(absl::string_view text) {
  return *net::IpPrefix::Parse(text);
}

std::vector<uint8_t> Payload(absl::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

}  // namespace

Backend MemoryBackend() {
  return Backend{
      "memory", [] { return std::string(); },
      [](const InterfaceConfig& config)
          -> absl::StatusOr<std::unique_ptr<VirtualInterface>> {
        auto created = MemoryInterface::Create(config);
        if (!created.ok()) return created.status();
        return std::unique_ptr<VirtualInterface>(*std::move(created));
      },
      [](VirtualInterface& interface) {
        return MakeMemoryHostSide(static_cast<MemoryInterface&>(interface));
      }};
}

void PrintTo(const Backend& backend, std::ostream* out) {
  *out << backend.name;
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

Watchdog::Watchdog(VirtualInterface& interface, absl::Duration limit)
    : thread_([this, &interface, limit] {
        if (!done_.WaitForNotificationWithTimeout(limit)) {
          fired_ = true;
          interface.Close();
        }
      }) {}

Watchdog::~Watchdog() {
  done_.Notify();
  thread_.join();
}

InterfaceConfig InterfaceContract::DefaultConfig() {
  InterfaceConfig config;
  config.kernel_name = "nftest0";
  config.alias = "natfwt contract \xE2\x80\x93 Adapter #1";  // En dash.
  config.mtu = 1400;
  config.addresses = {Prefix("100.80.1.1/24"), Prefix("fd00:80::1/64")};
  config.routes = {Prefix("100.81.0.0/16"), Prefix("fd00:81::/48")};
  return config;
}

net::IpAddress InterfaceContract::Local(bool v4) {
  return *net::IpAddress::Parse(v4 ? "100.80.1.1" : "fd00:80::1");
}

Endpoint InterfaceContract::Peer(bool v4) {
  return {*net::IpAddress::Parse(v4 ? "100.81.0.7" : "fd00:81::7"), 5555};
}

void InterfaceContract::SetUp() {
  std::string why = GetParam().unavailable();
  NATFWT_REQUIRE(why.empty(), why);
  config_ = DefaultConfig();
  NATFWT_ASSERT_OK_AND_ASSIGN(tun_, GetParam().create(config_));
  host_ = GetParam().host(*tun_);
  watchdog_ = std::make_unique<Watchdog>(*tun_, kTestLimit);
}

void InterfaceContract::TearDown() {
  if (watchdog_ != nullptr) {
    EXPECT_FALSE(watchdog_->fired())
        << "the test ran longer than " << kTestLimit;
  }
  watchdog_.reset();
  if (tun_ != nullptr) tun_->Close();
}

absl::StatusOr<std::vector<std::vector<uint8_t>>> InterfaceContract::ReadOnce(
    size_t slots, size_t capacity) {
  std::vector<std::vector<uint8_t>> storage(slots,
                                            std::vector<uint8_t>(capacity));
  std::vector<PacketBuffer> buffers(slots);
  for (size_t i = 0; i < slots; ++i) {
    buffers[i] = {storage[i].data(), capacity, 0};
  }
  absl::StatusOr<size_t> count = tun_->Read(absl::MakeSpan(buffers));
  if (!count.ok()) return count.status();
  EXPECT_GE(*count, 1u);
  EXPECT_LE(*count, slots);
  std::vector<std::vector<uint8_t>> packets;
  for (size_t i = 0; i < *count; ++i) {
    EXPECT_LE(buffers[i].size, capacity);
    storage[i].resize(buffers[i].size);
    packets.push_back(std::move(storage[i]));
  }
  return packets;
}

std::optional<UdpDatagram> InterfaceContract::ReadUdpTo(const Endpoint& to) {
  while (true) {
    auto packets = ReadOnce(VirtualInterface::kBatchSize);
    if (!packets.ok()) {
      ADD_FAILURE() << "Read: " << packets.status();
      return std::nullopt;
    }
    for (const std::vector<uint8_t>& packet : *packets) {
      std::optional<UdpDatagram> datagram = ParseUdpPacket(packet);
      if (datagram && datagram->to == to) return datagram;
    }
  }
}

namespace {

TEST_P(InterfaceContract, ReportsNameMtuAndIndex) {
  EXPECT_EQ(tun_->name(), "nftest0");
  EXPECT_EQ(tun_->mtu(), 1400u);
  EXPECT_EQ(host_->Mtu(), 1400u);
  EXPECT_NE(tun_->index(), 0u);
  EXPECT_EQ(host_->Index(), tun_->index());
  EXPECT_TRUE(host_->Exists());
}

TEST_P(InterfaceContract, StoresTheAliasAsFriendlyName) {
  EXPECT_EQ(host_->Alias(), config_.alias);
}

TEST_P(InterfaceContract, ConfiguredAddressesAreUsableAtOnce) {
  std::vector<net::IpPrefix> present = host_->Addresses();
  for (const net::IpPrefix& address : config_.addresses) {
    EXPECT_THAT(present, Contains(address)) << address.ToString();
    // IPv6 included: no duplicate address detection to wait for.
    EXPECT_THAT(host_->Bind(address.address), IsOk()) << address.ToString();
  }
}

TEST_P(InterfaceContract, WrittenPacketReachesTheHostSocket) {
  // IPv6 first: right after creation is when its local route could still be
  // missing (address_linux.h).
  for (bool v4 : {false, true}) {
    SCOPED_TRACE(v4 ? "IPv4" : "IPv6");
    NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<UdpListener> listener,
                                host_->ListenUdp(Local(v4)));
    std::vector<uint8_t> payload = Payload(v4 ? "to host over v4" : "over v6");
    std::vector<uint8_t> packet =
        BuildUdpPacket(Peer(v4), listener->local(), payload);
    absl::Span<const uint8_t> packets[] = {packet};
    size_t written = 99;
    ASSERT_THAT(tun_->Write(packets, &written), IsOk());
    EXPECT_EQ(written, 1u);
    NATFWT_ASSERT_OK_AND_ASSIGN(UdpDatagram got,
                                listener->Receive(kReceiveLimit));
    EXPECT_EQ(got.from, Peer(v4));
    EXPECT_EQ(got.payload, payload);
  }
}

TEST_P(InterfaceContract, HostPacketIsReadWithExactBytes) {
  for (bool v4 : {true, false}) {
    SCOPED_TRACE(v4 ? "IPv4" : "IPv6");
    std::vector<uint8_t> payload = Pattern(v4 ? 100 : 1000, 3);
    NATFWT_ASSERT_OK_AND_ASSIGN(Endpoint from,
                                host_->SendUdp(Local(v4), Peer(v4), payload));
    std::optional<UdpDatagram> got = ReadUdpTo(Peer(v4));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->from, from);
    EXPECT_EQ(got->from.address, Local(v4));
    EXPECT_THAT(got->payload, ElementsAreArray(payload));
    EXPECT_TRUE(got->checksums_ok);
  }
}

TEST_P(InterfaceContract, OneReadReturnsEveryQueuedPacket) {
  constexpr int kSent = 8;
  for (int i = 0; i < kSent; ++i) {
    ASSERT_THAT(
        host_->SendUdp(Local(true), Peer(true), Pattern(20, i)).status(),
        IsOk());
  }
  // Every packet is queued before Read() starts, so one call returns all.
  NATFWT_ASSERT_OK_AND_ASSIGN(auto packets,
                              ReadOnce(VirtualInterface::kBatchSize));
  std::vector<std::vector<uint8_t>> payloads;
  for (const auto& packet : packets) {
    std::optional<UdpDatagram> datagram = ParseUdpPacket(packet);
    if (datagram && datagram->to == Peer(true))
      payloads.push_back(datagram->payload);
  }
  ASSERT_EQ(payloads.size(), static_cast<size_t>(kSent));
  for (int i = 0; i < kSent; ++i) EXPECT_EQ(payloads[i], Pattern(20, i)) << i;
}

TEST_P(InterfaceContract, ReadFillsAtMostTheBuffersGiven) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(
        host_->SendUdp(Local(true), Peer(true), Pattern(20, i)).status(),
        IsOk());
  }
  NATFWT_ASSERT_OK_AND_ASSIGN(auto first, ReadOnce(2));
  EXPECT_EQ(first.size(), 2u);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto rest,
                              ReadOnce(VirtualInterface::kBatchSize));
  ASSERT_EQ(rest.size(), 1u);
  std::optional<UdpDatagram> last = ParseUdpPacket(rest[0]);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->payload, Pattern(20, 2));
}

TEST_P(InterfaceContract, OversizePacketIsDroppedAndCounted) {
  uint64_t before = tun_->stats().dropped_oversize;
  ASSERT_THAT(host_->SendUdp(Local(true), Peer(true), Pattern(600, 1)).status(),
              IsOk());
  ASSERT_THAT(host_->SendUdp(Local(true), Peer(true), Pattern(10, 2)).status(),
              IsOk());
  // 200-byte buffers: the 628-byte packet fits none of them.
  NATFWT_ASSERT_OK_AND_ASSIGN(auto packets, ReadOnce(4, 200));
  ASSERT_EQ(packets.size(), 1u);
  std::optional<UdpDatagram> small = ParseUdpPacket(packets[0]);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(small->payload, Pattern(10, 2));
  EXPECT_EQ(tun_->stats().dropped_oversize, before + 1);
}

TEST_P(InterfaceContract, WriteRefusesMalformedPacketsAndCountsTheOnesBefore) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<UdpListener> listener,
                              host_->ListenUdp(Local(true)));
  std::vector<uint8_t> good =
      BuildUdpPacket(Peer(true), listener->local(), Payload("ok"));
  std::vector<uint8_t> version5 = good;
  version5[0] = 0x55;
  std::vector<uint8_t> huge(65536, 0x45);
  for (const std::vector<uint8_t>* bad : {&version5, &huge}) {
    absl::Span<const uint8_t> packets[] = {good, *bad, good};
    size_t written = 99;
    EXPECT_THAT(tun_->Write(packets, &written),
                StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_EQ(written, 1u);
    NATFWT_ASSERT_OK_AND_ASSIGN(UdpDatagram got,
                                listener->Receive(kReceiveLimit));
    EXPECT_EQ(got.payload, Payload("ok"));
  }
  absl::Span<const uint8_t> empty[] = {absl::Span<const uint8_t>()};
  EXPECT_THAT(tun_->Write(empty), StatusIs(absl::StatusCode::kInvalidArgument));
  size_t written = 99;
  EXPECT_THAT(tun_->Write({}, &written), IsOk());
  EXPECT_EQ(written, 0u);
}

TEST_P(InterfaceContract, ReadRefusesBuffersWithoutStorage) {
  EXPECT_THAT(tun_->Read({}), StatusIs(absl::StatusCode::kInvalidArgument));
  uint8_t byte = 0;
  PacketBuffer buffers[] = {{&byte, 1, 0}, {nullptr, 100, 0}};
  EXPECT_THAT(tun_->Read(buffers),
              StatusIs(absl::StatusCode::kInvalidArgument));
  PacketBuffer empty[] = {{&byte, 0, 0}};
  EXPECT_THAT(tun_->Read(empty), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(InterfaceContract, CloseWakesABlockedRead) {
  std::atomic<uint64_t> reader_id{0};
  absl::Notification started;
  absl::StatusOr<std::vector<std::vector<uint8_t>>> result;
  std::thread reader([&] {
    reader_id = CurrentThreadId();
    started.Notify();
    result = ReadOnce(4);
  });
  started.WaitForNotification();
  // Close once the reader sleeps in Read() (poll or a condition variable).
  // Should it not get there in time, Close() lands before the Read(): that
  // order must give kCancelled as well.
  bool asleep = AwaitThreadAsleep(reader_id, absl::Now() + absl::Seconds(5));
  RecordProperty("reader_seen_asleep", asleep ? "yes" : "no");
  tun_->Close();
  reader.join();
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kCancelled));
}

TEST_P(InterfaceContract, InterruptWakesABlockedReadWithZeroPackets) {
  std::atomic<uint64_t> reader_id{0};
  absl::Notification started;
  absl::StatusOr<size_t> result;
  std::vector<uint8_t> storage(2048);
  std::thread reader([&] {
    reader_id = CurrentThreadId();
    started.Notify();
    PacketBuffer buffer{storage.data(), storage.size(), 0};
    result = tun_->Read({&buffer, 1});
  });
  started.WaitForNotification();
  // Before or during the Read(): either way it returns 0 once.
  bool asleep = AwaitThreadAsleep(reader_id, absl::Now() + absl::Seconds(5));
  RecordProperty("reader_seen_asleep", asleep ? "yes" : "no");
  tun_->Interrupt();
  reader.join();
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(*result, 0u);
  // The interruption is used up: a packet is read normally afterwards.
  ASSERT_THAT(
      host_->SendUdp(Local(true), Peer(true), Payload("after")).status(),
      IsOk());
  NATFWT_ASSERT_OK_AND_ASSIGN(auto packets, ReadOnce(4));
  EXPECT_EQ(packets.size(), 1u);
  tun_->Close();
  tun_->Interrupt();  // Harmless after Close().
}

TEST_P(InterfaceContract, ReadAfterCloseIsCancelled) {
  ASSERT_THAT(
      host_->SendUdp(Local(true), Peer(true), Payload("queued")).status(),
      IsOk());
  tun_->Close();
  EXPECT_THAT(ReadOnce(4), StatusIs(absl::StatusCode::kCancelled));
}

TEST_P(InterfaceContract, CloseIsIdempotentAndRemovesTheInterface) {
  tun_->Close();
  tun_->Close();
  EXPECT_FALSE(host_->Exists());
  EXPECT_EQ(tun_->name(), "nftest0");  // Queries still answer.
  std::vector<uint8_t> packet =
      BuildUdpPacket(Peer(true), {Local(true), 9}, Payload("x"));
  absl::Span<const uint8_t> packets[] = {packet};
  size_t written = 99;
  EXPECT_THAT(tun_->Write(packets, &written),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(written, 0u);
  EXPECT_THAT(tun_->AddAddress(Prefix("100.80.9.1/24")),
              StatusIs(absl::StatusCode::kCancelled));
}

TEST_P(InterfaceContract, ConcurrentClosesAllReturnWithTheInterfaceGone) {
  std::vector<std::thread> closers;
  for (int i = 0; i < 4; ++i) closers.emplace_back([this] { tun_->Close(); });
  for (std::thread& closer : closers) closer.join();
  EXPECT_FALSE(host_->Exists());
}

TEST_P(InterfaceContract, AddedAndRemovedAddressesAreVisible) {
  for (const char* text : {"100.80.2.1/24", "fd00:82::1/64"}) {
    SCOPED_TRACE(text);
    net::IpPrefix address = Prefix(text);
    ASSERT_THAT(tun_->AddAddress(address), IsOk());
    EXPECT_THAT(host_->Addresses(), Contains(address));
    {
      // Usable at once: a packet written right away reaches a socket on it.
      NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<UdpListener> listener,
                                  host_->ListenUdp(address.address));
      std::vector<uint8_t> packet = BuildUdpPacket(
          Peer(address.address.is_v4()), listener->local(), Payload("new"));
      absl::Span<const uint8_t> packets[] = {packet};
      ASSERT_THAT(tun_->Write(packets), IsOk());
      NATFWT_ASSERT_OK_AND_ASSIGN(UdpDatagram got,
                                  listener->Receive(kReceiveLimit));
      EXPECT_EQ(got.payload, Payload("new"));
    }
    EXPECT_THAT(tun_->AddAddress(address),
                StatusIs(absl::StatusCode::kAlreadyExists));
    ASSERT_THAT(tun_->RemoveAddress(address), IsOk());
    EXPECT_THAT(host_->Addresses(), Not(Contains(address)));
    EXPECT_THAT(host_->Bind(address.address), Not(IsOk()));
    EXPECT_THAT(tun_->RemoveAddress(address),
                StatusIs(absl::StatusCode::kNotFound));
  }
  EXPECT_THAT(tun_->AddAddress({Local(true), 33}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

struct BadConfig {
  const char* name;
  std::function<void(InterfaceConfig&)> spoil;
};

TEST_P(InterfaceContract, RefusesBadConfigs) {
  const BadConfig cases[] = {
      {"mtu_too_small", [](InterfaceConfig& c) { c.mtu = 67; }},
      {"mtu_too_large", [](InterfaceConfig& c) { c.mtu = 65536; }},
      {"ipv6_below_1280", [](InterfaceConfig& c) { c.mtu = 1279; }},
      {"name_too_long",
       [](InterfaceConfig& c) { c.kernel_name = "nftest-16-bytes!"; }},
      {"name_with_slash", [](InterfaceConfig& c) { c.kernel_name = "nf/1"; }},
      {"two_patterns", [](InterfaceConfig& c) { c.kernel_name = "nf%d%d"; }},
      {"alias_too_long",
       [](InterfaceConfig& c) { c.alias = std::string(256, 'a'); }},
      {"address_length",
       [](InterfaceConfig& c) { c.addresses[0].length = 33; }},
      {"route_length", [](InterfaceConfig& c) { c.routes[1].length = 129; }},
  };
  for (const BadConfig& bad : cases) {
    InterfaceConfig config = DefaultConfig();
    config.kernel_name = "nfbad0";
    bad.spoil(config);
    EXPECT_THAT(GetParam().create(config),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad.name;
  }
}

}  // namespace
}  // namespace natfwt::tun::testing
