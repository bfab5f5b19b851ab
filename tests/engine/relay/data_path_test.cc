// Copyright 2026 The natfwt Authors.
//
// DirectPath over loopback: two paths exchanging 100k packets each way with
// an identity and a checksumming transform (counters exact, clean stop, no
// leaked descriptors or threads), demultiplexing of foreign traffic into the
// control queue or drop counters, tampered records, zero-copy sends, and the
// option checks.

#include "engine/relay/data_path.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/relay/buffer_pool.h"
#include "engine/relay/identity_transform.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/base/status_macros.h"
#include "tests/engine/relay/checksum_transform.h"
#include "tests/support/status_matchers.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace natfwt::relay {
namespace {

using ::natfwt::testing::StatusIs;

const net::IpAddress kLoopback = *net::IpAddress::Parse("127.0.0.1");

size_t CountEntries(const char* directory) {
  size_t count = 0;
  DIR* dir = opendir(directory);
  if (dir == nullptr) return 0;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count;
}
size_t OpenDescriptors() { return CountEntries("/proc/self/fd"); }
size_t Threads() { return CountEntries("/proc/self/task"); }

// Packet `seq`: its number, then bytes that depend on it. With `mixed`,
// sizes vary with seq (so GSO runs are short); otherwise 1200 bytes.
size_t PayloadSize(uint32_t seq, bool mixed) {
  return mixed ? 8 + (seq * 97) % 1400 : 1200;
}
void FillPayload(uint32_t seq, absl::Span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = i < 4 ? static_cast<uint8_t>(seq >> (8 * i))
                   : static_cast<uint8_t>(seq * 7 + i);
  }
}
std::vector<uint8_t> MakePayload(uint32_t seq, bool mixed) {
  std::vector<uint8_t> out(PayloadSize(seq, mixed));
  FillPayload(seq, absl::MakeSpan(out));
  return out;
}

// Checks every packet against the payload pattern, counts the good ones,
// remembers which sequence numbers it saw, and lets a test wait for counts.
class CheckingSink : public PacketSink {
 public:
  CheckingSink(size_t expected, bool mixed)
      : seen_(expected, 0), mixed_(mixed) {}

  void OnPackets(absl::Span<PacketSpan> packets) override {
    size_t good = 0, bad = 0, duplicate = 0;
    for (const PacketSpan& packet : packets) {
      if (!Valid(packet)) {
        ++bad;
        continue;
      }
      uint32_t seq = Sequence(packet);
      if (seen_[seq]++ != 0) ++duplicate;
      ++good;
    }
    absl::MutexLock lock(&mu_);
    good_ += good;
    bad_ += bad;
    duplicates_ += duplicate;
    ++batches_;
  }

  // Waits until `count` good packets arrived; false after 20 s.
  bool AwaitAtLeast(uint64_t count) {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return good_ >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(20));
  }
  uint64_t good() const {
    absl::MutexLock lock(&mu_);
    return good_;
  }
  uint64_t bad() const {
    absl::MutexLock lock(&mu_);
    return bad_;
  }
  uint64_t duplicates() const {
    absl::MutexLock lock(&mu_);
    return duplicates_;
  }
  uint64_t batches() const {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  static uint32_t Sequence(const PacketSpan& packet) {
    return uint32_t{packet.data[0]} | (uint32_t{packet.data[1]} << 8) |
           (uint32_t{packet.data[2]} << 16) | (uint32_t{packet.data[3]} << 24);
  }
  bool Valid(const PacketSpan& packet) const {
    if (packet.size < 4) return false;
    uint32_t seq = Sequence(packet);
    if (seq >= seen_.size() || packet.size != PayloadSize(seq, mixed_)) {
      return false;
    }
    std::vector<uint8_t> expected(packet.size);
    FillPayload(seq, absl::MakeSpan(expected));
    return std::equal(expected.begin(), expected.end(), packet.data);
  }

  std::vector<uint8_t> seen_;  // Data thread only.
  const bool mixed_;
  mutable absl::Mutex mu_;
  uint64_t good_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bad_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t batches_ ABSL_GUARDED_BY(mu_) = 0;
};

enum class TransformKind { kIdentity, kChecksum };

std::unique_ptr<PacketTransform> MakeTransform(TransformKind kind) {
  if (kind == TransformKind::kIdentity) {
    return std::make_unique<IdentityTransform>();
  }
  return std::make_unique<ChecksumTransform>();
}

// Two sockets on 127.0.0.1 and a DirectPath on each, pointing at the other.
struct PathPair {
  std::unique_ptr<PacketTransform> transform_a, transform_b;
  std::unique_ptr<CheckingSink> sink_a, sink_b;
  std::unique_ptr<DirectPath> a, b;
  absl::Notification control_a, control_b;

  absl::Status Start(TransformKind kind, bool offloads, size_t expected,
                     bool mixed) {
    net::UdpSocketOptions socket_options;
    socket_options.gso = offloads;
    socket_options.gro = offloads;
    NATFWT_ASSIGN_OR_RETURN(
        auto socket_a, net::UdpSocket::Open({kLoopback, 0}, socket_options));
    NATFWT_ASSIGN_OR_RETURN(
        auto socket_b, net::UdpSocket::Open({kLoopback, 0}, socket_options));
    const net::UdpEndpoint address_a = socket_a->local_address();
    const net::UdpEndpoint address_b = socket_b->local_address();
    transform_a = MakeTransform(kind);
    transform_b = MakeTransform(kind);
    sink_a = std::make_unique<CheckingSink>(expected, mixed);
    sink_b = std::make_unique<CheckingSink>(expected, mixed);
    NATFWT_ASSIGN_OR_RETURN(
        a, DirectPath::Start(std::move(socket_a),
                             Options(address_b, transform_a.get(), sink_a.get(),
                                     &control_a)));
    NATFWT_ASSIGN_OR_RETURN(
        b, DirectPath::Start(std::move(socket_b),
                             Options(address_a, transform_b.get(), sink_b.get(),
                                     &control_b)));
    return absl::OkStatus();
  }

  static DirectPathOptions Options(const net::UdpEndpoint& remote,
                                   PacketTransform* transform, PacketSink* sink,
                                   absl::Notification* control) {
    DirectPathOptions options;
    options.remote = remote;
    options.transform = transform;
    options.sink = sink;
    options.on_control = [control] {
      if (!control->HasBeenNotified()) control->Notify();
    };
    return options;
  }
};

// Sends `count` packets through `path`, never more than `window` ahead of
// what `peer_sink` has received (UDP drops what the receiver's socket buffer
// cannot hold; the window keeps the exchange lossless and the counts exact).
void SendWindowed(DirectPath& path, CheckingSink& peer_sink, uint32_t count,
                  bool mixed, uint64_t window) {
  constexpr size_t kBatch = 64;
  std::vector<std::vector<uint8_t>> payloads(kBatch);
  std::vector<absl::Span<const uint8_t>> spans(kBatch);
  uint32_t next = 0;
  while (next < count) {
    uint64_t in_flight_limit = next >= window ? next - window + kBatch : 0;
    if (in_flight_limit > 0 && !peer_sink.AwaitAtLeast(in_flight_limit)) {
      ADD_FAILURE() << "receiver stalled at " << peer_sink.good() << " of "
                    << next << " sent";
      return;
    }
    size_t n = std::min<size_t>(kBatch, count - next);
    for (size_t i = 0; i < n; ++i) {
      payloads[i] = MakePayload(next + static_cast<uint32_t>(i), mixed);
      spans[i] = payloads[i];
    }
    size_t sent = path.Send(absl::MakeConstSpan(spans.data(), n));
    ASSERT_EQ(sent, n);
    next += static_cast<uint32_t>(n);
  }
}

struct ExchangeCase {
  std::string name;
  TransformKind transform;
  bool offloads;
  bool mixed_sizes;
  friend void PrintTo(const ExchangeCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class DirectPathExchangeTest : public ::testing::TestWithParam<ExchangeCase> {};

TEST_P(DirectPathExchangeTest, PacketsBothWaysWithExactCounters) {
  const ExchangeCase& c = GetParam();
  constexpr uint32_t kCount = 100000;
  const size_t fds_before = OpenDescriptors();
  const size_t threads_before = Threads();
  {
    PathPair pair;
    ASSERT_THAT(pair.Start(c.transform, c.offloads, kCount, c.mixed_sizes),
                ::natfwt::testing::IsOk());
    EXPECT_EQ(Threads(), threads_before + 2);  // One data thread per path.
    // Keep what is in flight well inside the receive buffer (the kernel
    // accounts about 2.3 KiB per 1.2 KB datagram, and doubles the request).
    NATFWT_ASSERT_OK_AND_ASSIGN(auto probe,
                                net::UdpSocket::Open({kLoopback, 0}));
    const uint64_t window = std::clamp<uint64_t>(
        static_cast<uint64_t>(probe->receive_buffer_bytes()) / 4096, 128, 2048);
    probe.reset();
    std::thread a_to_b([&] {
      SendWindowed(*pair.a, *pair.sink_b, kCount, c.mixed_sizes, window);
    });
    std::thread b_to_a([&] {
      SendWindowed(*pair.b, *pair.sink_a, kCount, c.mixed_sizes, window);
    });
    a_to_b.join();
    b_to_a.join();
    ASSERT_TRUE(pair.sink_b->AwaitAtLeast(kCount));
    ASSERT_TRUE(pair.sink_a->AwaitAtLeast(kCount));
    pair.a->Stop();
    pair.b->Stop();
    for (auto [path, sink] : {std::pair{pair.a.get(), pair.sink_a.get()},
                              std::pair{pair.b.get(), pair.sink_b.get()}}) {
      PathStats stats = path->stats();
      SCOPED_TRACE(path->local().ToString());
      EXPECT_EQ(sink->good(), kCount);
      EXPECT_EQ(sink->bad(), 0u);
      EXPECT_EQ(sink->duplicates(), 0u);
      EXPECT_EQ(stats.packets_sent, kCount);
      EXPECT_EQ(stats.packets_received, kCount);
      EXPECT_EQ(stats.datagrams_received, kCount);
      EXPECT_EQ(stats.total_dropped(), 0u);
      EXPECT_EQ(stats.receive_errors, 0u);
      EXPECT_EQ(stats.control_received, 0u);
      EXPECT_FALSE(path->failed());
      // Batched: far fewer system calls and sink calls than packets.
      EXPECT_LE(stats.send_calls, kCount / 16 + 64);
      EXPECT_LT(sink->batches(), kCount / 2);
      if (path->gso_enabled() && !c.mixed_sizes) {
        EXPECT_GT(stats.gso_segments, kCount / 2);
      }
      if (!c.offloads) {
        EXPECT_EQ(stats.gso_segments, 0u);
        EXPECT_EQ(stats.gro_segments, 0u);
      }
    }
    // Bytes each way agree: what one sent is what the other received.
    PathStats a = pair.a->stats(), b = pair.b->stats();
    EXPECT_EQ(a.bytes_sent, b.bytes_received);
    EXPECT_EQ(b.bytes_sent, a.bytes_received);
    EXPECT_EQ(a.wire_bytes_sent, b.wire_bytes_received);
    const size_t overhead = c.transform == TransformKind::kIdentity ? 1 : 5;
    EXPECT_EQ(a.wire_bytes_sent, a.bytes_sent + overhead * kCount);
    if (pair.b->gro_enabled() && pair.a->gso_enabled() && !c.mixed_sizes) {
      EXPECT_GT(b.gro_segments, 0u);
    }
  }
  EXPECT_EQ(OpenDescriptors(), fds_before);
  EXPECT_EQ(Threads(), threads_before);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, DirectPathExchangeTest,
    ::testing::Values(
        ExchangeCase{"IdentityOffloads", TransformKind::kIdentity, true, false},
        ExchangeCase{"IdentityPlain", TransformKind::kIdentity, false, false},
        ExchangeCase{"ChecksumOffloadsMixed", TransformKind::kChecksum, true,
                     true},
        ExchangeCase{"ChecksumPlain", TransformKind::kChecksum, false, false}),
    [](const ::testing::TestParamInfo<ExchangeCase>& test) {
      return test.param.name;
    });

// ---- foreign traffic on the path's socket ----

std::vector<uint8_t> StunBindingRequest() {
  return {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1,  2,
          3,    4,    5,    6,    7,    8,    9,    10,   11, 12};
}

// Sends raw datagrams from a socket of its own (a "stranger").
void SendRaw(net::UdpSocket& from, const net::UdpEndpoint& to,
             const std::vector<std::vector<uint8_t>>& datagrams) {
  std::vector<net::OutgoingDatagram> out;
  for (const auto& d : datagrams) out.push_back({d.data(), d.size(), to});
  net::SendResult result = from.SendBatch(out);
  ASSERT_EQ(result.error, net::IoError::kOk);
  ASSERT_EQ(result.sent, out.size());
}

TEST(DirectPath, ForeignTrafficIsQueuedOrDroppedByClass) {
  PathPair pair;
  ASSERT_THAT(pair.Start(TransformKind::kIdentity, true, 16, false),
              ::natfwt::testing::IsOk());
  NATFWT_ASSERT_OK_AND_ASSIGN(auto stranger,
                              net::UdpSocket::Open({kLoopback, 0}));
  std::vector<uint8_t> data_record = MakePayload(1, false);
  data_record.insert(data_record.begin(), kNatfwtDataFirst);
  SendRaw(*stranger, pair.b->local(),
          {
              {22, 0xFE, 0xFD, 0, 0},    // DTLS handshake record.
              {0x40, 0x00, 0x00, 0x04},  // TURN ChannelData.
              {0x80, 0x60, 0, 1},        // RTP.
              {0x10, 0},                 // ZRTP.
              {0x05, 1, 2, 3},           // Unassigned first byte.
              {},                        // Empty datagram.
              {0x00, 0x01, 0x00},        // First byte says STUN; it is not.
              data_record,               // natfwt data, wrong source.
              StunBindingRequest(),      // Last: the fence.
          });
  ASSERT_TRUE(pair.control_b.WaitForNotificationWithTimeout(absl::Seconds(20)));
  PathStats stats = pair.b->stats();
  EXPECT_EQ(stats.datagrams_received, 9u);
  EXPECT_EQ(stats.dropped(DropReason::kDtls), 1u);
  EXPECT_EQ(stats.dropped(DropReason::kTurnChannel), 1u);
  EXPECT_EQ(stats.dropped(DropReason::kRtp), 1u);
  EXPECT_EQ(stats.dropped(DropReason::kZrtp), 1u);
  EXPECT_EQ(stats.dropped(DropReason::kUnknownClass), 2u);
  EXPECT_EQ(stats.dropped(DropReason::kMalformedStun), 1u);
  EXPECT_EQ(stats.dropped(DropReason::kUnexpectedSource), 1u);
  EXPECT_EQ(stats.total_dropped(), 8u);
  EXPECT_EQ(stats.control_received, 1u);
  EXPECT_EQ(stats.packets_received, 0u);
  EXPECT_EQ(pair.sink_b->good(), 0u);
  // The engine drains the STUN message and answers through the path.
  std::vector<uint8_t> drained;
  net::UdpEndpoint source;
  EXPECT_EQ(pair.b->DrainControl([&](absl::Span<const uint8_t> message,
                                     const net::UdpEndpoint& from) {
    drained.assign(message.begin(), message.end());
    source = from;
  }),
            1u);
  EXPECT_EQ(drained, StunBindingRequest());
  EXPECT_EQ(source, stranger->local_address());
  EXPECT_EQ(pair.b->DrainControl([](auto, const auto&) {}), 0u);
  ASSERT_THAT(pair.b->SendControl(drained, source), ::natfwt::testing::IsOk());
  EXPECT_EQ(pair.b->stats().control_sent, 1u);
  std::vector<uint8_t> buffer(2048);
  net::IncomingMessage slot;
  slot.buffer = buffer.data();
  slot.capacity = buffer.size();
  ASSERT_EQ(stranger->WaitReadable(absl::Seconds(20)), net::WaitResult::kReady);
  ASSERT_EQ(stranger->ReceiveBatch(absl::MakeSpan(&slot, 1)).messages, 1u);
  EXPECT_EQ(slot.size, drained.size());
  EXPECT_EQ(slot.source, pair.b->local());
}

TEST(DirectPath, ControlQueueOverflowIsCountedNotBlocking) {
  PathPair pair;
  ASSERT_THAT(pair.Start(TransformKind::kIdentity, false, 16, false),
              ::natfwt::testing::IsOk());
  const size_t depth = DirectPathOptions().control_queue_depth;
  const std::vector<uint8_t> request = StunBindingRequest();
  std::vector<uint8_t> data = MakePayload(0, false);
  absl::Span<const uint8_t> spans[] = {data};
  for (uint64_t round = 1; round <= 2; ++round) {
    // From A's socket, then a data packet as a fence: datagrams from one
    // socket are processed in order, so once the sink has the fence every
    // request before it was queued or dropped.
    for (size_t i = 0; i < depth + 5; ++i) {
      ASSERT_THAT(pair.a->SendControl(request, pair.b->local()),
                  ::natfwt::testing::IsOk());
    }
    ASSERT_EQ(pair.a->Send(spans), 1u);
    ASSERT_TRUE(pair.sink_b->AwaitAtLeast(round));
    PathStats stats = pair.b->stats();
    EXPECT_EQ(stats.control_received, round * depth);
    EXPECT_EQ(stats.dropped(DropReason::kControlQueueFull), round * 5);
    // Draining frees the buffers for the next round.
    size_t drained = pair.b->DrainControl([&](absl::Span<const uint8_t> message,
                                              const net::UdpEndpoint& from) {
      EXPECT_EQ(std::vector<uint8_t>(message.begin(), message.end()), request);
      EXPECT_EQ(from, pair.a->local());
    });
    EXPECT_EQ(drained, depth);
  }
}

TEST(DirectPath, TamperedAndForgedRecordsAreDroppedAndCounted) {
  PathPair pair;
  ASSERT_THAT(pair.Start(TransformKind::kChecksum, true, 16, false),
              ::natfwt::testing::IsOk());
  // Raw records from A's own socket (the expected source), so only the
  // transform can reject them.
  std::vector<uint8_t> payload = MakePayload(3, false);
  std::vector<uint8_t> good = {ChecksumTransform::kRecordByte};
  good.insert(good.end(), payload.begin(), payload.end());
  uint32_t sum = ChecksumTransform::Checksum(payload);
  for (int b = 0; b < 4; ++b)
    good.push_back(static_cast<uint8_t>(sum >> (24 - 8 * b)));
  std::vector<uint8_t> tampered = good;
  tampered[100] ^= 0x01;
  std::vector<uint8_t> wrong_version = good;
  wrong_version[0] = kNatfwtDataFirst;  // An identity record: malformed here.
  std::vector<uint8_t> stub = {ChecksumTransform::kRecordByte, 1, 2};
  for (const auto* record : {&tampered, &wrong_version, &stub, &good}) {
    ASSERT_THAT(pair.a->SendControl(*record, pair.b->local()),
                ::natfwt::testing::IsOk());
  }
  ASSERT_TRUE(pair.sink_b->AwaitAtLeast(1));  // `good`, sent last.
  PathStats stats = pair.b->stats();
  EXPECT_EQ(stats.dropped(DropReason::kOpenAuthentication), 1u);
  EXPECT_EQ(stats.dropped(DropReason::kOpenMalformed), 2u);
  EXPECT_EQ(stats.total_dropped(), 3u);
  EXPECT_EQ(stats.packets_received, 1u);
  EXPECT_EQ(stats.bytes_received, payload.size());
  EXPECT_EQ(pair.sink_b->good(), 1u);
  EXPECT_EQ(pair.sink_b->bad(), 0u);
}

TEST(DirectPath, SendInPlaceSealsPoolBuffersWithoutCopies) {
  PathPair pair;
  ASSERT_THAT(pair.Start(TransformKind::kChecksum, true, 200, false),
              ::natfwt::testing::IsOk());
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool, BufferPool::Create({128, 2048, 16}));
  std::vector<BufferPool::BufferId> ids(100);
  ASSERT_EQ(pool->TryAcquire(absl::MakeSpan(ids)), 100u);
  std::vector<PacketSpan> packets;
  for (uint32_t seq = 0; seq < 100; ++seq) {
    PacketSpan packet = pool->Fresh(ids[seq]);
    ASSERT_TRUE(packet.Append(PayloadSize(seq, false)));
    FillPayload(seq, packet.bytes());
    packets.push_back(packet);
  }
  PacketSpan cramped = packets[99];  // No headroom: cannot be sealed.
  cramped.data -= cramped.headroom;
  cramped.size = 1200;
  cramped.headroom = 0;
  packets[99] = cramped;
  EXPECT_EQ(pair.a->SendInPlace(absl::MakeSpan(packets)), 99u);
  ASSERT_TRUE(pair.sink_b->AwaitAtLeast(99));
  EXPECT_EQ(pair.a->stats().dropped(DropReason::kNoRoom), 1u);
  EXPECT_EQ(pair.a->stats().packets_sent, 99u);
  EXPECT_EQ(packets[0].size, 1200u + 5);  // Spans describe the records now.
  EXPECT_EQ(packets[0].data[0], ChecksumTransform::kRecordByte);
  EXPECT_EQ(pool->Release(ids), 0u);
}

TEST(DirectPath, OversizePacketsAreDroppedAndStopEndsSending) {
  PathPair pair;
  ASSERT_THAT(pair.Start(TransformKind::kIdentity, true, 16, false),
              ::natfwt::testing::IsOk());
  std::vector<uint8_t> big(4000, 0xAB);  // Above max_packet_bytes (2048).
  std::vector<uint8_t> fine = MakePayload(2, false);
  absl::Span<const uint8_t> spans[] = {big, fine};
  EXPECT_EQ(pair.a->Send(spans), 1u);
  ASSERT_TRUE(pair.sink_b->AwaitAtLeast(1));
  EXPECT_EQ(pair.a->stats().dropped(DropReason::kOversize), 1u);
  pair.a->Stop();
  pair.a->Stop();  // Idempotent.
  EXPECT_EQ(pair.a->Send(spans), 0u);
  EXPECT_EQ(pair.a->stats().dropped(DropReason::kStopped), 1u);
  EXPECT_THAT(pair.a->SendControl(fine, pair.b->local()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(DirectPath, AdoptedSocketIsHandedBackWithoutGro) {
  int original = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
  ASSERT_GE(original, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      bind(original, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
      0);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto receiver,
                              net::UdpSocket::Open({kLoopback, 0}));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto adopted,
                              net::UdpSocket::Adopt(dup(original)));
  const bool had_gro = adopted->gro_enabled();
  IdentityTransform transform;
  CheckingSink sink(16, false);
  NATFWT_ASSERT_OK_AND_ASSIGN(
      auto path,
      DirectPath::Start(std::move(adopted),
                        PathPair::Options(receiver->local_address(), &transform,
                                          &sink, nullptr)));
  EXPECT_EQ(path->gro_enabled(), had_gro);
  std::vector<uint8_t> payload = MakePayload(4, false);
  absl::Span<const uint8_t> spans[] = {payload};
  EXPECT_EQ(path->Send(spans), 1u);
  std::vector<uint8_t> buffer(2048);
  net::IncomingMessage slot;
  slot.buffer = buffer.data();
  slot.capacity = buffer.size();
  ASSERT_EQ(receiver->WaitReadable(absl::Seconds(20)), net::WaitResult::kReady);
  ASSERT_EQ(receiver->ReceiveBatch(absl::MakeSpan(&slot, 1)).messages, 1u);
  ASSERT_EQ(slot.size, payload.size() + 1);
  EXPECT_EQ(buffer[0], kNatfwtDataFirst);
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), buffer.begin() + 1));
  EXPECT_EQ(slot.source, path->local());
  path.reset();
  int gro = -1;
  socklen_t length = sizeof(gro);
  ASSERT_EQ(getsockopt(original, SOL_UDP, UDP_GRO, &gro, &length), 0);
  EXPECT_EQ(gro, 0);  // Off again for libnice.
  close(original);
}

struct BadOptionsCase {
  std::string name;
  void (*spoil)(DirectPathOptions&);
  friend void PrintTo(const BadOptionsCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class DirectPathOptionsTest : public ::testing::TestWithParam<BadOptionsCase> {
};

TEST_P(DirectPathOptionsTest, IsInvalidArgument) {
  IdentityTransform transform;
  CheckingSink sink(1, false);
  DirectPathOptions options;
  options.remote = {kLoopback, 9};
  options.transform = &transform;
  options.sink = &sink;
  GetParam().spoil(options);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto socket,
                              net::UdpSocket::Open({kLoopback, 0}));
  EXPECT_THAT(DirectPath::Start(std::move(socket), std::move(options)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

INSTANTIATE_TEST_SUITE_P(
    Bad, DirectPathOptionsTest,
    ::testing::Values(
        BadOptionsCase{"NoTransform", [](auto& o) { o.transform = nullptr; }},
        BadOptionsCase{"NoSink", [](auto& o) { o.sink = nullptr; }},
        BadOptionsCase{"RemotePortZero", [](auto& o) { o.remote.port = 0; }},
        BadOptionsCase{"NoClassifier", [](auto& o) { o.classifier = nullptr; }},
        BadOptionsCase{"ZeroPacketBytes",
                       [](auto& o) { o.max_packet_bytes = 0; }},
        BadOptionsCase{"HugePackets",
                       [](auto& o) { o.max_packet_bytes = 65507; }},
        BadOptionsCase{"NoReceiveSlots", [](auto& o) { o.receive_slots = 0; }},
        BadOptionsCase{"TooManyGroSlots",
                       [](auto& o) { o.gro_receive_slots = 129; }},
        BadOptionsCase{"NoControlQueue",
                       [](auto& o) { o.control_queue_depth = 0; }},
        BadOptionsCase{"TinyControlMessages",
                       [](auto& o) { o.control_message_bytes = 19; }}),
    [](const ::testing::TestParamInfo<BadOptionsCase>& test) {
      return test.param.name;
    });

TEST(DirectPath, StartRejectsAMissingSocket) {
  IdentityTransform transform;
  CheckingSink sink(1, false);
  DirectPathOptions options;
  options.remote = {kLoopback, 9};
  options.transform = &transform;
  options.sink = &sink;
  EXPECT_THAT(DirectPath::Start(nullptr, std::move(options)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt::relay
