// Copyright 2026 The natfwt Authors.
//
// relay_bench: what each layer of the UDP hot path carries on loopback, in
// one run on one machine, with 1200-byte payloads:
//
//   send/recv      one send() and one recv() per datagram (plain sockets)
//   mmsg           UdpSocket batches: sendmmsg/recvmmsg, GSO and GRO off
//   mmsg+gso+gro   UdpSocket batches with UDP GSO on send and GRO on receive
//   direct path    two DirectPaths (identity transform): Send() batches of
//                  64 on one side, the data thread and sink on the other
//
// Each runs for a bounded time (default 2 s): one thread sends as fast as it
// can, another receives. Figures are what arrived (packets/s and payload
// Gb/s), beside what was sent and the loss (UDP drops what the receiver
// cannot keep up with).
//
//   relay_bench [--seconds N]

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/relay/data_path.h"
#include "engine/relay/identity_transform.h"
#include "platform/net/udp_socket.h"

namespace natfwt::relay {
namespace {

constexpr size_t kPayload = 1200;
constexpr size_t kBatch = 64;
// After the sender stops, the receiver keeps reading until this long passes
// without a datagram (what is still queued counts as arrived).
constexpr absl::Duration kQuiet = absl::Milliseconds(100);

const net::IpAddress kLoopback = *net::IpAddress::Parse("127.0.0.1");

struct Figures {
  uint64_t sent = 0;
  uint64_t received = 0;
  double seconds = 0;
};

void Print(const char* what, const Figures& f) {
  double pps = f.received / f.seconds;
  double sent_pps = f.sent / f.seconds;
  double loss = f.sent == 0 ? 0 : 100.0 * (1.0 - double(f.received) / f.sent);
  std::printf(
      "  %-26s %10.0f packets/s %7.2f Gb/s   (sent %10.0f/s, loss %5.1f%%)\n",
      what, pps, pps * kPayload * 8 / 1e9, sent_pps, loss);
  std::fflush(stdout);
}

// Runs `send_once` (returns datagrams sent) in a loop for `duration` on one
// thread while `receive` (returns when told to stop and the socket is quiet)
// runs on another.
Figures Run(absl::Duration duration, const std::function<uint64_t()>& send_once,
            const std::function<uint64_t(const std::atomic<bool>&)>& receive) {
  std::atomic<bool> sender_done{false};
  uint64_t received = 0;
  std::thread receiver([&] { received = receive(sender_done); });
  Figures figures;
  absl::Time start = absl::Now();
  absl::Time deadline = start + duration;
  while (absl::Now() < deadline) figures.sent += send_once();
  figures.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  sender_done.store(true);
  receiver.join();
  figures.received = received;
  return figures;
}

// ---- send()/recv() one at a time ----

int PlainSocket() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int bytes = 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  return fd;
}

Figures PlainSendRecv(absl::Duration duration) {
  int rx = PlainSocket();
  int tx = PlainSocket();
  sockaddr_in to{};
  socklen_t length = sizeof(to);
  getsockname(rx, reinterpret_cast<sockaddr*>(&to), &length);
  connect(tx, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  std::vector<uint8_t> payload(kPayload, 0xD0);
  auto send_once = [&]() -> uint64_t {
    return send(tx, payload.data(), payload.size(), 0) > 0 ? 1 : 0;
  };
  auto receive = [&](const std::atomic<bool>& done) -> uint64_t {
    std::vector<uint8_t> buffer(2048);
    uint64_t count = 0;
    while (true) {
      if (recv(rx, buffer.data(), buffer.size(), MSG_DONTWAIT) > 0) {
        ++count;
        continue;
      }
      pollfd fds{rx, POLLIN, 0};
      int timeout = done.load() ? absl::ToInt64Milliseconds(kQuiet) : 50;
      if (poll(&fds, 1, timeout) == 0 && done.load()) return count;
    }
  };
  Figures figures = Run(duration, send_once, receive);
  close(tx);
  close(rx);
  return figures;
}

// ---- UdpSocket batches ----

uint64_t ReceiveBatches(net::UdpSocket& rx, const std::atomic<bool>& done) {
  const size_t slot_bytes =
      rx.gro_enabled() ? net::UdpSocket::kMaxUdpPayload : 2048;
  const size_t slot_count = rx.gro_enabled() ? 8 : kBatch;
  std::vector<uint8_t> storage(slot_bytes * slot_count);
  std::vector<net::IncomingMessage> slots(slot_count);
  uint64_t count = 0;
  while (true) {
    for (size_t i = 0; i < slots.size(); ++i) {
      slots[i].buffer = storage.data() + i * slot_bytes;
      slots[i].capacity = slot_bytes;
    }
    net::ReceiveResult result = rx.ReceiveBatch(absl::MakeSpan(slots));
    for (size_t m = 0; m < result.messages; ++m) {
      count += slots[m].segment_count();
    }
    if (result.error != net::IoError::kWouldBlock) continue;
    absl::Duration wait = done.load() ? kQuiet : absl::Milliseconds(50);
    if (rx.WaitReadable(wait) == net::WaitResult::kTimedOut && done.load()) {
      return count;
    }
  }
}

Figures SocketBatches(absl::Duration duration, bool offloads) {
  net::UdpSocketOptions options;
  options.gso = offloads;
  options.gro = offloads;
  auto rx = net::UdpSocket::Open({kLoopback, 0}, options);
  auto tx = net::UdpSocket::Open({kLoopback, 0}, options);
  if (!rx.ok() || !tx.ok()) return {};
  std::vector<uint8_t> payload(kPayload, 0xD0);
  std::vector<net::OutgoingDatagram> batch(
      kBatch, {payload.data(), payload.size(), (*rx)->local_address()});
  auto send_once = [&]() -> uint64_t {
    net::SendResult result = (*tx)->SendBatch(batch);
    if (result.error == net::IoError::kWouldBlock) {
      (*tx)->WaitWritable(absl::Milliseconds(50));
    }
    return result.sent;
  };
  auto receive = [&](const std::atomic<bool>& done) {
    return ReceiveBatches(**rx, done);
  };
  return Run(duration, send_once, receive);
}

// ---- two DirectPaths ----

class CountingSink : public PacketSink {
 public:
  void OnPackets(absl::Span<PacketSpan> packets) override {
    count_.fetch_add(packets.size(), std::memory_order_relaxed);
  }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> count_{0};
};

Figures DirectPaths(absl::Duration duration) {
  auto socket_a = net::UdpSocket::Open({kLoopback, 0});
  auto socket_b = net::UdpSocket::Open({kLoopback, 0});
  if (!socket_a.ok() || !socket_b.ok()) return {};
  IdentityTransform transform;
  CountingSink sink_a, sink_b;
  DirectPathOptions options_a, options_b;
  options_a.remote = (*socket_b)->local_address();
  options_a.transform = &transform;
  options_a.sink = &sink_a;
  options_b.remote = (*socket_a)->local_address();
  options_b.transform = &transform;
  options_b.sink = &sink_b;
  auto a = DirectPath::Start(*std::move(socket_a), std::move(options_a));
  auto b = DirectPath::Start(*std::move(socket_b), std::move(options_b));
  if (!a.ok() || !b.ok()) return {};
  std::vector<uint8_t> payload(kPayload, 0x45);
  std::vector<absl::Span<const uint8_t>> spans(kBatch, payload);
  auto send_once = [&]() -> uint64_t { return (*a)->Send(spans); };
  auto receive = [&](const std::atomic<bool>& done) -> uint64_t {
    uint64_t last = 0;
    while (true) {  // The data thread receives; here only the count is read.
      absl::SleepFor(done.load() ? kQuiet : absl::Milliseconds(50));
      uint64_t now = sink_b.count();
      if (done.load() && now == last) return now;
      last = now;
    }
  };
  Figures figures = Run(duration, send_once, receive);
  PathStats stats = (*b)->stats();
  std::printf(
      "  %-26s GSO %s, GRO %s; receiver: %llu recvmmsg calls, "
      "%llu GRO segments, %llu drops\n",
      "", (*a)->gso_enabled() ? "on" : "off",
      (*b)->gro_enabled() ? "on" : "off",
      static_cast<unsigned long long>(stats.receive_calls),
      static_cast<unsigned long long>(stats.gro_segments),
      static_cast<unsigned long long>(stats.total_dropped()));
  return figures;
}

}  // namespace
}  // namespace natfwt::relay

int main(int argc, char** argv) {
  using namespace natfwt::relay;  // NOLINT: a benchmark's main.
  double seconds = 2;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc &&
        absl::SimpleAtod(argv[i + 1], &seconds) && seconds > 0) {
      ++i;
      continue;
    }
    std::fprintf(stderr, "usage: %s [--seconds N]\n", argv[0]);
    return 2;
  }
  const absl::Duration duration = absl::Seconds(seconds);
  std::printf("relay_bench: loopback, %zu-byte payloads, %.1f s each\n",
              kPayload, seconds);
  Figures plain = PlainSendRecv(duration);
  Print("send/recv", plain);
  Figures mmsg = SocketBatches(duration, false);
  Print("sendmmsg/recvmmsg", mmsg);
  Figures gso = SocketBatches(duration, true);
  Print("mmsg+gso+gro", gso);
  Figures path = DirectPaths(duration);
  Print("direct path (identity)", path);
  if (plain.received == 0 || mmsg.received == 0 || path.received == 0) {
    std::fprintf(stderr, "relay_bench: a scenario carried nothing\n");
    return 1;
  }
  return 0;
}
