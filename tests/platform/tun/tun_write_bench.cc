// Copyright 2026 The natfwt Authors.
//
// tun_write_bench: how many packets/s the Linux TUN backend's Write() puts
// through the kernel's receive path into a UDP socket, for batches of one
// packet (what the CP runtime does per indication today) and of 64 packets
// of one flow (what UDP GSO coalescing in tun_linux.cc turns into a few
// super-packets). A benchmark (`meson test --benchmark`), never a test: the
// machine is shared, so quote ranges over several runs.
//
//   written:  packets Write() accepted per second
//   received: datagrams the sink socket read per second (recvmmsg, no
//             UDP_GRO, so the kernel segments every super-packet)
//
// Needs CAP_NET_ADMIN; runs in a private network namespace of its own
// (unshare), so nothing appears on the host. Exit 77 without privileges.
//
//   tun_write_bench [--seconds N]

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "platform/tun/virtual_interface.h"
#include "tests/platform/tun/loopback_up.h"
#include "tests/platform/tun/udp_packet.h"

namespace natfwt::tun {
namespace {

constexpr uint16_t kSinkPort = 7000;

struct Case {
  const char* name;
  bool v4;
  size_t packet_size;  // Whole IP packet.
  size_t batch;
};

struct Figures {
  double written_per_second = 0;
  double received_per_second = 0;
};

int BoundSocket(const net::IpAddress& address) {
  sockaddr_storage storage{};
  socklen_t length;
  if (address.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(kSinkPort);
    std::memcpy(&v4->sin_addr, address.bytes().data(), 4);
    length = sizeof(*v4);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(kSinkPort);
    std::memcpy(&v6->sin6_addr, address.bytes().data(), 16);
    length = sizeof(*v6);
  }
  int fd = socket(address.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
  int size = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
  timeval timeout{0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    std::perror("bind");
  }
  return fd;
}

// Drains `fd` with recvmmsg until `stop`, counting datagrams.
void Sink(int fd, const std::atomic<bool>& stop,
          std::atomic<uint64_t>& received) {
  constexpr size_t kBatch = 64;
  std::vector<std::vector<uint8_t>> buffers(kBatch, std::vector<uint8_t>(2048));
  std::vector<iovec> vectors(kBatch);
  std::vector<mmsghdr> messages(kBatch);
  while (!stop.load(std::memory_order_relaxed)) {
    for (size_t i = 0; i < kBatch; ++i) {
      vectors[i] = {buffers[i].data(), buffers[i].size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, messages.data(), kBatch, 0, nullptr);
    if (n > 0) received.fetch_add(n, std::memory_order_relaxed);
  }
}

Figures Run(const Case& c, absl::Duration duration) {
  const net::IpAddress local =
      *net::IpAddress::Parse(c.v4 ? "100.64.0.1" : "fd00::1");
  const net::IpAddress peer =
      *net::IpAddress::Parse(c.v4 ? "100.99.0.2" : "fd99::2");
  InterfaceConfig config;
  config.mtu = 1500;
  config.addresses = {{local, c.v4 ? 32 : 128}};
  config.routes = {*net::IpPrefix::Parse(c.v4 ? "100.99.0.0/16" : "fd99::/64")};
  auto iface = CreateKernelInterface(config);
  if (!iface.ok()) {
    std::fprintf(stderr, "TUN: %s\n",
                 std::string(iface.status().message()).c_str());
    return {};
  }
  int sink_fd = BoundSocket(local);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> received{0};
  std::thread sink([&] { Sink(sink_fd, stop, received); });
  size_t header = c.v4 ? 28 : 48;
  std::vector<std::vector<uint8_t>> packets;
  for (size_t i = 0; i < c.batch; ++i) {
    packets.push_back(testing::BuildUdpPacket(
        {peer, 9}, {local, kSinkPort},
        testing::Pattern(c.packet_size - header, static_cast<uint8_t>(i))));
  }
  std::vector<absl::Span<const uint8_t>> spans(packets.begin(), packets.end());
  uint64_t written = 0;
  uint64_t received_before = received.load();
  absl::Time start = absl::Now();
  absl::Time end = start + duration;
  while (absl::Now() < end) {
    for (int i = 0; i < 64; ++i) {
      size_t n = 0;
      (void)(*iface)->Write(spans, &n);
      written += n;
    }
  }
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  Figures figures{written / seconds,
                  (received.load() - received_before) / seconds};
  stop = true;
  sink.join();
  close(sink_fd);
  (*iface)->Close();
  return figures;
}

int Main(int argc, char** argv) {
  absl::Duration duration = absl::Seconds(2);
  for (int i = 1; i + 1 < argc; ++i) {
    int seconds;
    if (std::string(argv[i]) == "--seconds" &&
        absl::SimpleAtoi(argv[i + 1], &seconds)) {
      duration = absl::Seconds(seconds);
    }
  }
  if (unshare(CLONE_NEWNET) != 0 ||
      !natfwt::tun::testing::BringLoopbackUp().empty()) {
    std::fprintf(stderr,
                 "tun_write_bench: needs CAP_NET_ADMIN and network "
                 "namespaces\n");
    return 77;
  }
  const Case cases[] = {
      {"IPv6 1280 B, 1 packet per Write()", false, 1280, 1},
      {"IPv6 1280 B, 64 packets per Write()", false, 1280, 64},
      {"IPv4 1280 B, 64 packets per Write()", true, 1280, 64},
  };
  std::printf("tun_write_bench: %s per case, private netns\n",
              absl::FormatDuration(duration).c_str());
  for (const Case& c : cases) {
    Figures figures = Run(c, duration);
    std::printf("  %-40s written %9.0f/s  received %9.0f/s\n", c.name,
                figures.written_per_second, figures.received_per_second);
  }
  return 0;
}

}  // namespace
}  // namespace natfwt::tun

int main(int argc, char** argv) { return natfwt::tun::Main(argc, argv); }
