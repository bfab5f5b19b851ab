// Copyright 2026 The natfwt Authors.
//
// UdpSocket over loopback: batches both ways with and without GSO/GRO, GRO
// splitting, would-block, error mapping, adopting a dup()ed descriptor, the
// wake-up, and the fallbacks when the kernel refuses a GSO send.

#include "platform/net/udp_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/net/udp_features.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace natfwt::net {
namespace {

using ::natfwt::testing::StatusIs;

const IpAddress kLoopback4 = *IpAddress::Parse("127.0.0.1");
const IpAddress kLoopback6 = *IpAddress::Parse("::1");

// Datagram `seq` of `size` bytes: the sequence number, then a pattern that
// depends on it, so a misplaced or corrupted byte is detected.
std::vector<uint8_t> MakePayload(uint32_t seq, size_t size) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) {
    out[i] = i < 4 ? static_cast<uint8_t>(seq >> (8 * i))
                   : static_cast<uint8_t>(seq * 31 + i);
  }
  return out;
}

IncomingMessage Slot(uint8_t* buffer, size_t capacity) {
  IncomingMessage slot;
  slot.buffer = buffer;
  slot.capacity = capacity;
  return slot;
}

struct Received {
  std::vector<std::vector<uint8_t>> datagrams;
  std::vector<UdpEndpoint> sources;
  size_t messages = 0;
  size_t coalesced_messages = 0;  // Messages holding more than one segment.
};

// Receives until `count` datagrams arrived (or 5 s without any: failure).
Received ReceiveCount(UdpSocket& socket, size_t count, size_t slot_bytes) {
  std::vector<std::vector<uint8_t>> storage(16,
                                            std::vector<uint8_t>(slot_bytes));
  std::vector<IncomingMessage> slots(storage.size());
  Received got;
  while (got.datagrams.size() < count) {
    for (size_t i = 0; i < slots.size(); ++i) {
      slots[i] = Slot(storage[i].data(), slot_bytes);
    }
    ReceiveResult result = socket.ReceiveBatch(absl::MakeSpan(slots));
    if (result.error == IoError::kWouldBlock) {
      if (socket.WaitReadable(absl::Seconds(5)) != WaitResult::kReady) break;
      continue;
    }
    EXPECT_EQ(result.error, IoError::kOk) << IoErrorName(result.error);
    if (result.error != IoError::kOk) break;
    for (size_t m = 0; m < result.messages; ++m) {
      EXPECT_FALSE(slots[m].truncated);
      got.messages++;
      if (slots[m].segment_count() > 1) got.coalesced_messages++;
      for (size_t s = 0; s < slots[m].segment_count(); ++s) {
        absl::Span<uint8_t> segment = slots[m].segment(s);
        got.datagrams.emplace_back(segment.begin(), segment.end());
        got.sources.push_back(slots[m].source);
      }
    }
  }
  return got;
}

// Sends every datagram in `payloads` to `to`, waiting when the send buffer
// is full.
SendResult SendAll(UdpSocket& socket,
                   const std::vector<std::vector<uint8_t>>& payloads,
                   const UdpEndpoint& to) {
  std::vector<OutgoingDatagram> out;
  for (const auto& payload : payloads) {
    out.push_back({payload.data(), payload.size(), to});
  }
  SendResult total;
  size_t next = 0;
  while (next < out.size()) {
    SendResult result =
        socket.SendBatch(absl::MakeConstSpan(out).subspan(next));
    total.sent += result.sent;
    total.messages += result.messages;
    total.calls += result.calls;
    next += result.sent;
    if (result.error == IoError::kWouldBlock) {
      socket.WaitWritable(absl::Seconds(5));
      continue;
    }
    total.error = result.error;
    if (result.error != IoError::kOk) break;
  }
  return total;
}

UdpSocketOptions Offloads(bool gso, bool gro) {
  UdpSocketOptions options;
  options.gso = gso;
  options.gro = gro;
  return options;
}

TEST(UdpEndpoint, ToStringBracketsIpv6) {
  EXPECT_EQ((UdpEndpoint{kLoopback4, 3478}).ToString(), "127.0.0.1:3478");
  EXPECT_EQ((UdpEndpoint{kLoopback6, 9}).ToString(), "[::1]:9");
}

TEST(IncomingMessage, SegmentsSplitByGsoSize) {
  std::vector<uint8_t> buffer(4000);
  IncomingMessage message = Slot(buffer.data(), buffer.size());
  message.size = 2500;
  message.segment_size = 1000;
  ASSERT_EQ(message.segment_count(), 3u);
  EXPECT_EQ(message.segment(0).data(), buffer.data());
  EXPECT_EQ(message.segment(0).size(), 1000u);
  EXPECT_EQ(message.segment(1).data(), buffer.data() + 1000);
  EXPECT_EQ(message.segment(2).data(), buffer.data() + 2000);
  EXPECT_EQ(message.segment(2).size(), 500u);
  message.segment_size = 2500;  // Not coalesced.
  ASSERT_EQ(message.segment_count(), 1u);
  EXPECT_EQ(message.segment(0).size(), 2500u);
  message.size = 0;  // An empty datagram is still one datagram.
  ASSERT_EQ(message.segment_count(), 1u);
  EXPECT_TRUE(message.segment(0).empty());
}

class UdpSocketFamilyTest : public ::testing::TestWithParam<IpAddress> {};

TEST_P(UdpSocketFamilyTest, OpenBindsAnEphemeralPort) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto socket, UdpSocket::Open({GetParam(), 0}));
  EXPECT_EQ(socket->local_address().address, GetParam());
  EXPECT_NE(socket->local_address().port, 0);
  EXPECT_GE(socket->fd(), 0);
}

TEST_P(UdpSocketFamilyTest, PortInUseIsAlreadyExists) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto first, UdpSocket::Open({GetParam(), 0}));
  EXPECT_THAT(UdpSocket::Open(first->local_address()),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_P(UdpSocketFamilyTest, EmptySocketWouldBlockAtOnce) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto socket, UdpSocket::Open({GetParam(), 0}));
  std::vector<uint8_t> buffer(2048);
  IncomingMessage slot = Slot(buffer.data(), buffer.size());
  ReceiveResult result = socket->ReceiveBatch(absl::MakeSpan(&slot, 1));
  EXPECT_EQ(result.messages, 0u);
  EXPECT_EQ(result.error, IoError::kWouldBlock);
  EXPECT_EQ(socket->WaitReadable(absl::Milliseconds(20)),
            WaitResult::kTimedOut);
  EXPECT_EQ(socket->WaitWritable(absl::Seconds(5)), WaitResult::kReady);
}

INSTANTIATE_TEST_SUITE_P(Families, UdpSocketFamilyTest,
                         ::testing::Values(kLoopback4, kLoopback6),
                         [](const auto& test) {
                           return test.param.is_v4() ? "IPv4" : "IPv6";
                         });

TEST(UdpSocket, NonLocalBindIsInvalidArgument) {
  // 192.0.2.1 (RFC 5737 TEST-NET-1) is on no interface: bind fails, and no
  // packet is ever sent.
  EXPECT_THAT(UdpSocket::Open({*IpAddress::Parse("192.0.2.1"), 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("bind(192.0.2.1:0)")));
}

TEST(UdpSocket, RootGetsLargeBuffers) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto socket, UdpSocket::Open({kLoopback4, 0}));
  if (geteuid() == 0) {
    // SO_RCVBUFFORCE passes rmem_max; the kernel reports double the request.
    EXPECT_GE(socket->receive_buffer_bytes(), 8 << 20);
    EXPECT_GE(socket->send_buffer_bytes(), 8 << 20);
  } else {
    EXPECT_GT(socket->receive_buffer_bytes(), 0);
  }
  UdpSocketOptions defaults;
  defaults.buffer_bytes = 0;
  NATFWT_ASSERT_OK_AND_ASSIGN(auto plain,
                              UdpSocket::Open({kLoopback4, 0}, defaults));
  EXPECT_LT(plain->receive_buffer_bytes(), socket->receive_buffer_bytes());
}

struct BatchCase {
  std::string name;
  IpAddress family;
  bool gso;
  bool gro;
  bool equal_sizes;
  friend void PrintTo(const BatchCase& c, std::ostream* os) { *os << c.name; }
};

class UdpSocketBatchTest : public ::testing::TestWithParam<BatchCase> {};

TEST_P(UdpSocketBatchTest, BatchesArriveIntactBothWays) {
  const BatchCase& c = GetParam();
  NATFWT_ASSERT_OK_AND_ASSIGN(UdpFeatures features, ProbeUdpFeatures());
  UdpSocketOptions options = Offloads(c.gso, c.gro);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto a, UdpSocket::Open({c.family, 0}, options));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto b, UdpSocket::Open({c.family, 0}, options));
  EXPECT_EQ(a->gso_enabled(), c.gso && features.gso);
  EXPECT_EQ(a->gro_enabled(), c.gro && features.gro);
  const size_t slot = a->gro_enabled() ? UdpSocket::kMaxUdpPayload : 2048;
  constexpr uint32_t kCount = 300;  // More than kMaxBatch: several calls.
  const std::pair<UdpSocket*, UdpSocket*> directions[] = {{a.get(), b.get()},
                                                          {b.get(), a.get()}};
  for (auto [from, to] : directions) {
    std::vector<std::vector<uint8_t>> payloads;
    for (uint32_t seq = 0; seq < kCount; ++seq) {
      size_t size = c.equal_sizes ? 1200 : 20 + (seq * 97) % 1400;
      payloads.push_back(MakePayload(seq, size));
    }
    SendResult sent = SendAll(*from, payloads, to->local_address());
    ASSERT_EQ(sent.error, IoError::kOk) << IoErrorName(sent.error);
    ASSERT_EQ(sent.sent, kCount);
    if (from->gso_enabled() && c.equal_sizes) {
      EXPECT_LE(sent.messages, kCount / 32);  // Runs of up to 64 segments.
    } else if (!from->gso_enabled()) {
      EXPECT_EQ(sent.messages, kCount);
    }
    EXPECT_LT(sent.calls, kCount / 2);  // Batched, not one call each.
    Received got = ReceiveCount(*to, kCount, slot);
    ASSERT_EQ(got.datagrams.size(), kCount);
    for (uint32_t seq = 0; seq < kCount; ++seq) {
      EXPECT_EQ(got.datagrams[seq], payloads[seq]) << "datagram " << seq;
      EXPECT_EQ(got.sources[seq], from->local_address());
    }
    if (!to->gro_enabled()) {
      EXPECT_EQ(got.coalesced_messages, 0u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, UdpSocketBatchTest,
    ::testing::Values(
        BatchCase{"V4PlainEqual", kLoopback4, false, false, true},
        BatchCase{"V4PlainMixed", kLoopback4, false, false, false},
        BatchCase{"V4GsoOnly", kLoopback4, true, false, true},
        BatchCase{"V4GroOnly", kLoopback4, false, true, true},
        BatchCase{"V4GsoGroEqual", kLoopback4, true, true, true},
        BatchCase{"V4GsoGroMixed", kLoopback4, true, true, false},
        BatchCase{"V6GsoGroEqual", kLoopback6, true, true, true},
        BatchCase{"V6PlainMixed", kLoopback6, false, false, false}),
    [](const auto& test) { return test.param.name; });

TEST(UdpSocket, GroSplitsACoalescedRunIntoItsDatagrams) {
  NATFWT_ASSERT_OK_AND_ASSIGN(UdpFeatures features, ProbeUdpFeatures());
  NATFWT_REQUIRE(features.gso && features.gro, "kernel without UDP GSO/GRO");
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tx, UdpSocket::Open({kLoopback4, 0}));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto rx, UdpSocket::Open({kLoopback4, 0}));
  std::vector<std::vector<uint8_t>> payloads;
  for (uint32_t seq = 0; seq < 40; ++seq) {
    payloads.push_back(MakePayload(seq, 1000));
  }
  payloads.push_back(MakePayload(40, 300));  // A short last segment.
  SendResult sent = SendAll(*tx, payloads, rx->local_address());
  ASSERT_EQ(sent.sent, payloads.size());
  EXPECT_EQ(sent.messages, 1u);  // 41 datagrams, one GSO send.
  // Loopback hands the GSO packet over whole; GRO keeps it whole.
  Received got = ReceiveCount(*rx, payloads.size(), UdpSocket::kMaxUdpPayload);
  EXPECT_EQ(got.messages, 1u);
  EXPECT_EQ(got.coalesced_messages, 1u);
  ASSERT_EQ(got.datagrams.size(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_EQ(got.datagrams[i], payloads[i]) << "segment " << i;
  }
}

TEST(UdpSocket, GsoRunsBreakAtDestinationAndSize) {
  NATFWT_ASSERT_OK_AND_ASSIGN(UdpFeatures features, ProbeUdpFeatures());
  NATFWT_REQUIRE(features.gso, "kernel without UDP GSO");
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tx, UdpSocket::Open({kLoopback4, 0}));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto r1, UdpSocket::Open({kLoopback4, 0}));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto r2, UdpSocket::Open({kLoopback4, 0}));
  std::vector<uint8_t> big(1000, 1), small(500, 2), bigger(1100, 3);
  const UdpEndpoint to1 = r1->local_address(), to2 = r2->local_address();
  OutgoingDatagram batch[] = {
      {big.data(), 1000, to1},    {big.data(), 1000, to1},  // Run 1 ...
      {small.data(), 500, to1},                             // ... ends short.
      {big.data(), 1000, to1},    {bigger.data(), 1100, to1},  // Larger: 2.
      {bigger.data(), 1100, to2}, {bigger.data(), 1100, to2},  // New dest.
  };
  SendResult sent = tx->SendBatch(batch);
  ASSERT_EQ(sent.error, IoError::kOk);
  EXPECT_EQ(sent.sent, 7u);
  EXPECT_EQ(sent.messages, 4u);  // {3}, {1}, {1}, {2}.
  Received got1 = ReceiveCount(*r1, 5, UdpSocket::kMaxUdpPayload);
  Received got2 = ReceiveCount(*r2, 2, UdpSocket::kMaxUdpPayload);
  ASSERT_EQ(got1.datagrams.size(), 5u);
  ASSERT_EQ(got2.datagrams.size(), 2u);
  std::vector<size_t> sizes;
  for (const auto& d : got1.datagrams) sizes.push_back(d.size());
  EXPECT_THAT(sizes, ::testing::ElementsAre(1000, 1000, 500, 1000, 1100));
}

TEST(UdpSocket, SendStopsAtTheFirstRefusedDatagram) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tx,
                              UdpSocket::Open({kLoopback4, 0}, Offloads(0, 0)));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto rx, UdpSocket::Open({kLoopback4, 0}));
  std::vector<uint8_t> payload(100, 7);
  std::vector<uint8_t> huge(70000, 7);
  const UdpEndpoint ok = rx->local_address();
  struct ErrorCase {
    OutgoingDatagram bad;
    IoError expected;
  };
  const ErrorCase cases[] = {
      {{payload.data(), payload.size(), {kLoopback4, 0}},
       IoError::kInvalidArgument},  // Port 0 (Linux udp_sendmsg: EINVAL).
      {{huge.data(), huge.size(), ok}, IoError::kMessageTooBig},
      {{payload.data(), payload.size(), {kLoopback6, ok.port}},
       IoError::kInvalidArgument},  // IPv6 on an IPv4 socket.
  };
  for (const ErrorCase& c : cases) {
    OutgoingDatagram batch[] = {{payload.data(), payload.size(), ok},
                                c.bad,
                                {payload.data(), payload.size(), ok}};
    SendResult result = tx->SendBatch(batch);
    EXPECT_EQ(result.sent, 1u);
    EXPECT_EQ(result.error, c.expected) << IoErrorName(result.error);
  }
  Received got = ReceiveCount(*rx, 3, 2048);  // The three first datagrams.
  EXPECT_EQ(got.datagrams.size(), 3u);
}

TEST(UdpSocket, ReceiveRejectsASlotWithoutStorage) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto socket, UdpSocket::Open({kLoopback4, 0}));
  IncomingMessage slot = Slot(nullptr, 2048);
  EXPECT_EQ(socket->ReceiveBatch(absl::MakeSpan(&slot, 1)).error,
            IoError::kInvalidArgument);
  EXPECT_EQ(socket->ReceiveBatch({}).error, IoError::kInvalidArgument);
}

TEST(UdpSocket, DualStackSocketSpeaksIpv4) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto any6, UdpSocket::Open({*IpAddress::Parse("::"), 0}, Offloads(0, 0)));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto v4, UdpSocket::Open({kLoopback4, 0}));
  std::vector<std::vector<uint8_t>> payloads = {MakePayload(1, 64)};
  ASSERT_EQ(
      SendAll(*v4, payloads, {kLoopback4, any6->local_address().port}).error,
      IoError::kOk);
  Received got = ReceiveCount(*any6, 1, 2048);
  ASSERT_EQ(got.sources.size(), 1u);
  EXPECT_EQ(got.sources[0], v4->local_address());  // Not ::ffff:127.0.0.1.
  ASSERT_EQ(SendAll(*any6, payloads, v4->local_address()).error, IoError::kOk);
  EXPECT_EQ(ReceiveCount(*v4, 1, 2048).datagrams, payloads);
}

int GroOption(int fd) {
  int value = -1;
  socklen_t length = sizeof(value);
  getsockopt(fd, SOL_UDP, UDP_GRO, &value, &length);
  return value;
}

TEST(UdpSocket, AdoptsADupedDescriptorAndHandsItBackClean) {
  int original = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
  ASSERT_GE(original, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      bind(original, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
      0);
  socklen_t length = sizeof(address);
  getsockname(original, reinterpret_cast<sockaddr*>(&address), &length);
  int duplicate = dup(original);
  ASSERT_GE(duplicate, 0);
  NATFWT_ASSERT_OK_AND_ASSIGN(UdpFeatures features, ProbeUdpFeatures());
  {
    NATFWT_ASSERT_OK_AND_ASSIGN(auto adopted, UdpSocket::Adopt(duplicate));
    EXPECT_EQ(adopted->fd(), duplicate);
    EXPECT_EQ(adopted->local_address().port, ntohs(address.sin_port));
    EXPECT_EQ(adopted->gro_enabled(), features.gro);
    EXPECT_EQ(GroOption(original), features.gro ? 1 : 0);  // Shared socket.
    NATFWT_ASSERT_OK_AND_ASSIGN(auto peer, UdpSocket::Open({kLoopback4, 0}));
    std::vector<std::vector<uint8_t>> payloads = {MakePayload(5, 900),
                                                  MakePayload(6, 900)};
    ASSERT_EQ(SendAll(*adopted, payloads, peer->local_address()).error,
              IoError::kOk);
    EXPECT_EQ(ReceiveCount(*peer, 2, 2048).datagrams, payloads);
    ASSERT_EQ(SendAll(*peer, payloads, adopted->local_address()).error,
              IoError::kOk);
    EXPECT_EQ(ReceiveCount(*adopted, 2, UdpSocket::kMaxUdpPayload).datagrams,
              payloads);
  }
  EXPECT_EQ(fcntl(duplicate, F_GETFD), -1);  // Closed with the object ...
  EXPECT_GE(fcntl(original, F_GETFD), 0);    // ... the original is not,
  EXPECT_EQ(GroOption(original), 0);         // and GRO is off again.
  close(original);
}

TEST(UdpSocket, AdoptRefusesWhatIsNotAUdpSocket) {
  EXPECT_THAT(UdpSocket::Adopt(-1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  EXPECT_THAT(UdpSocket::Adopt(pipe_fds[0]),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(fcntl(pipe_fds[0], F_GETFD), -1);  // Ownership passed: closed.
  close(pipe_fds[1]);
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(tcp, 0);
  EXPECT_THAT(UdpSocket::Adopt(tcp),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("not a UDP socket")));
}

TEST(UdpSocket, WakeReleasesABlockedWaitUntilReset) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto socket, UdpSocket::Open({kLoopback4, 0}));
  WaitResult seen = WaitResult::kError;
  std::thread waiter([&] { seen = socket->WaitReadable(); });  // Forever.
  socket->Wake();
  waiter.join();
  EXPECT_EQ(seen, WaitResult::kWoken);
  EXPECT_EQ(socket->WaitWritable(), WaitResult::kWoken);  // Latched.
  socket->ResetWake();
  EXPECT_EQ(socket->WaitReadable(absl::Milliseconds(10)),
            WaitResult::kTimedOut);
  std::vector<std::vector<uint8_t>> payloads = {MakePayload(1, 10)};
  ASSERT_EQ(SendAll(*socket, payloads, socket->local_address()).error,
            IoError::kOk);
  EXPECT_EQ(socket->WaitReadable(absl::Seconds(5)), WaitResult::kReady);
}

// ---- GSO refused by the kernel: the fallbacks ----

// A bound socket of `protocol` (IPPROTO_UDP or IPPROTO_UDPLITE) on 127.0.0.1,
// adopted.
std::unique_ptr<UdpSocket> AdoptLoopback(int protocol, bool no_checksum) {
  int fd = socket(AF_INET, SOCK_DGRAM, protocol);
  if (fd < 0) return nullptr;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int on = 1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      (no_checksum &&
       setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &on, sizeof(on)) != 0)) {
    close(fd);
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<UdpSocket>> adopted = UdpSocket::Adopt(fd);
  return adopted.ok() ? *std::move(adopted) : nullptr;
}

TEST(UdpSocket, GsoEioSwitchesGsoOffForGoodAndResends) {
  // Linux answers a GSO send with EIO where it cannot segment: UDP-Lite
  // (RFC 3828) sockets and IPsec routes since 6.11, also devices without
  // checksum offload before (udp_send_skb). UDP-Lite shows it on loopback.
  NATFWT_ASSERT_OK_AND_ASSIGN(UdpFeatures features, ProbeUdpFeatures());
  NATFWT_REQUIRE(features.gso, "kernel without UDP GSO");
  std::unique_ptr<UdpSocket> tx = AdoptLoopback(IPPROTO_UDPLITE, false);
  std::unique_ptr<UdpSocket> rx = AdoptLoopback(IPPROTO_UDPLITE, false);
  NATFWT_REQUIRE(tx != nullptr && rx != nullptr, "kernel without UDP-Lite");
  ASSERT_TRUE(tx->gso_enabled());
  std::vector<std::vector<uint8_t>> payloads;
  for (uint32_t seq = 0; seq < 10; ++seq) {
    payloads.push_back(MakePayload(seq, 1000));
  }
  SendResult sent = SendAll(*tx, payloads, rx->local_address());
  EXPECT_EQ(sent.error, IoError::kOk) << IoErrorName(sent.error);
  EXPECT_EQ(sent.sent, 10u);
  EXPECT_EQ(sent.messages, 10u);    // Resent one by one ...
  EXPECT_FALSE(tx->gso_enabled());  // ... and GSO stays off.
  EXPECT_EQ(ReceiveCount(*rx, 10, UdpSocket::kMaxUdpPayload).datagrams,
            payloads);
}

TEST(UdpSocket, GsoEinvalResendsTheRunButKeepsGso) {
  // A socket without UDP checksums (SO_NO_CHECK) cannot use GSO (EINVAL,
  // udp_send_skb), like a segment larger than the route's MTU: that run goes
  // out unsegmented, GSO stays on for the next.
  NATFWT_ASSERT_OK_AND_ASSIGN(UdpFeatures features, ProbeUdpFeatures());
  NATFWT_REQUIRE(features.gso, "kernel without UDP GSO");
  std::unique_ptr<UdpSocket> tx = AdoptLoopback(IPPROTO_UDP, true);
  ASSERT_NE(tx, nullptr);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto rx, UdpSocket::Open({kLoopback4, 0}));
  std::vector<std::vector<uint8_t>> payloads;
  for (uint32_t seq = 0; seq < 10; ++seq) {
    payloads.push_back(MakePayload(seq, 1000));
  }
  SendResult sent = SendAll(*tx, payloads, rx->local_address());
  EXPECT_EQ(sent.error, IoError::kOk) << IoErrorName(sent.error);
  EXPECT_EQ(sent.sent, 10u);
  EXPECT_EQ(sent.messages, 10u);
  EXPECT_TRUE(tx->gso_enabled());
  EXPECT_EQ(ReceiveCount(*rx, 10, UdpSocket::kMaxUdpPayload).datagrams,
            payloads);
}

}  // namespace
}  // namespace natfwt::net
