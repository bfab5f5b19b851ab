// Copyright 2026 The natfwt Authors.
//
// The Linux TUN backend's virtio_net_hdr use against the real kernel, in
// this binary's private network namespace (netns_environment.cc): Write()
// coalescing UDP runs into GSO super-packets that sockets receive as the
// original datagrams, segments the kernel forwards with checksums it
// computed from our seed, and attaching to a persistent interface whose
// virtio_net_hdr size and offloads an earlier user changed.

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/tun/unique_fd.h"
#include "platform/tun/virtual_interface.h"
#include "tests/platform/tun/host_side.h"
#include "tests/platform/tun/interface_contract.h"
#include "tests/platform/tun/netns_environment.h"
#include "tests/platform/tun/sockaddr_util.h"
#include "tests/platform/tun/udp_packet.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

#ifndef UDP_GRO
#define UDP_GRO 104  // include/uapi/linux/udp.h (Linux 5.0).
#endif

namespace natfwt::tun::testing {
namespace {

using ::natfwt::testing::IsOk;

#define REQUIRE_PRIVATE_NAMESPACE() \
  NATFWT_REQUIRE(KernelTestProblem().empty(), KernelTestProblem())

constexpr absl::Duration kReceiveLimit = absl::Seconds(5);
constexpr absl::Duration kTestLimit = absl::Seconds(30);

net::IpAddress Ip(absl::string_view text) {
  return *net::IpAddress::Parse(text);
}
net::IpPrefix Prefix(absl::string_view text) {
  return *net::IpPrefix::Parse(text);
}

// Linux 6.2 took VIRTIO_NET_HDR_GSO_UDP_L4 into virtio_net_hdr_to_skb();
// older kernels refuse super-packets and the backend writes one by one.
bool KernelTakesUdpGso() {
  utsname name{};
  int major = 0;
  int minor = 0;
  if (uname(&name) != 0 ||
      std::sscanf(name.release, "%d.%d", &major, &minor) != 2) {
    return false;
  }
  return major > 6 || (major == 6 && minor >= 2);
}

struct Received {
  Endpoint from;
  std::vector<uint8_t> payload;
  int gro_size = 0;  // UDP_GRO control message; 0 when absent.
};

// A UDP socket with a large receive buffer (a whole test batch fits, so
// nothing is dropped before the test reads it), optionally with UDP_GRO.
class Socket {
 public:
  static Socket Open(const net::IpAddress& address, bool gro) {
    Socket socket;
    bool v4 = address.is_v4();
    socket.fd_.Reset(
        ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    EXPECT_TRUE(socket.fd_.valid()) << std::strerror(errno);
    int size = 4 << 20;
    EXPECT_EQ(setsockopt(socket.fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size,
                         sizeof(size)),
              0)
        << std::strerror(errno);
    int one = 1;
    if (gro) {
      EXPECT_EQ(
          setsockopt(socket.fd_.get(), SOL_UDP, UDP_GRO, &one, sizeof(one)), 0)
          << std::strerror(errno);
    }
    sockaddr_storage storage{};
    socklen_t length = ToSockaddr({address, 0}, &storage);
    EXPECT_EQ(
        bind(socket.fd_.get(), reinterpret_cast<sockaddr*>(&storage), length),
        0)
        << std::strerror(errno);
    length = sizeof(storage);
    getsockname(socket.fd_.get(), reinterpret_cast<sockaddr*>(&storage),
                &length);
    socket.local_ = FromSockaddr(storage);
    return socket;
  }

  const Endpoint& local() const { return local_; }

  std::optional<Received> Receive(absl::Duration timeout) {
    pollfd readable{fd_.get(), POLLIN, 0};
    if (poll(&readable, 1,
             static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) {
      return std::nullopt;
    }
    std::vector<uint8_t> buffer(65536);
    sockaddr_storage from{};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec part{buffer.data(), buffer.size()};
    msghdr message{};
    message.msg_name = &from;
    message.msg_namelen = sizeof(from);
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    ssize_t size = recvmsg(fd_.get(), &message, 0);
    if (size < 0) return std::nullopt;
    Received received;
    received.from = FromSockaddr(from);
    buffer.resize(static_cast<size_t>(size));
    received.payload = std::move(buffer);
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
         c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
        std::memcpy(&received.gro_size, CMSG_DATA(c), sizeof(int));
      }
    }
    return received;
  }

 private:
  UniqueFd fd_;
  Endpoint local_;
};

using Packet = std::vector<uint8_t>;

// `count` datagrams from `from` to `to`, payload i being Pattern(size, i)
// (the last one `last_size` bytes).
std::vector<Packet> Flow(const Endpoint& from, const Endpoint& to, size_t count,
                         size_t size, size_t last_size, uint8_t seed) {
  std::vector<Packet> packets;
  for (size_t i = 0; i < count; ++i) {
    packets.push_back(BuildUdpPacket(from, to,
                                     Pattern(i + 1 == count ? last_size : size,
                                             static_cast<uint8_t>(seed + i))));
  }
  return packets;
}

std::vector<uint8_t> PayloadOf(const Packet& packet) {
  std::optional<UdpDatagram> datagram = ParseUdpPacket(packet);
  return datagram.has_value() ? datagram->payload : std::vector<uint8_t>();
}

InterfaceConfig GsoConfig(std::string name, int net) {
  InterfaceConfig config;
  config.kernel_name = std::move(name);
  config.mtu = 1500;
  config.addresses = {Prefix(absl::StrCat("100.", net, ".0.1/24")),
                      Prefix(absl::StrCat("fd00:", net, "::1/64"))};
  config.routes = {Prefix(absl::StrCat("100.", net + 1, ".0.0/16")),
                   Prefix(absl::StrCat("fd00:", net + 1, "::/48"))};
  return config;
}

TEST(KernelUdpGso, BatchOfTwoFlowsReachesTheSocketsInOrderAndCoalesced) {
  REQUIRE_PRIVATE_NAMESPACE();
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tun,
                              CreateKernelInterface(GsoConfig("nfgso0", 60)));
  Watchdog watchdog(*tun, kTestLimit);
  Socket v6 = Socket::Open(Ip("fd00:60::1"), /*gro=*/false);
  Socket v4 = Socket::Open(Ip("100.60.0.1"), /*gro=*/false);
  const Endpoint peer6{Ip("fd00:61::7"), 5555};
  const Endpoint other6{Ip("fd00:61::8"), 6666};
  const Endpoint peer4{Ip("100.61.0.7"), 5555};

  // 40 IPv6 datagrams of one flow with one of another flow after the 20th,
  // a TCP packet, 40 IPv4 datagrams of one flow; last ones shorter.
  std::vector<Packet> flow6 = Flow(peer6, v6.local(), 40, 1000, 300, 0);
  std::vector<Packet> flow4 = Flow(peer4, v4.local(), 40, 1200, 77, 100);
  Packet other = BuildUdpPacket(other6, v6.local(), Pattern(500, 9));
  Packet tcp = BuildUdpPacket(peer4, {v4.local().address, 9}, Pattern(20, 1));
  tcp[9] = 6;  // TCP; the kernel drops it (its checksum does not verify).
  RefreshChecksums(tcp);
  std::vector<absl::Span<const uint8_t>> batch;
  for (size_t i = 0; i < 20; ++i) batch.emplace_back(flow6[i]);
  batch.emplace_back(other);
  for (size_t i = 20; i < 40; ++i) batch.emplace_back(flow6[i]);
  batch.emplace_back(tcp);
  for (const Packet& packet : flow4) batch.emplace_back(packet);

  InterfaceStats before = tun->stats();
  size_t written = 0;
  ASSERT_THAT(tun->Write(batch, &written), IsOk());
  EXPECT_EQ(written, batch.size());
  InterfaceStats after = tun->stats();
  if (KernelTakesUdpGso()) {
    // Runs: IPv6 20 + 20 (the other flow splits them), IPv4 40.
    EXPECT_EQ(after.gso_super_packets - before.gso_super_packets, 3u);
    EXPECT_EQ(after.gso_packets - before.gso_packets, 80u);
  } else {
    EXPECT_EQ(after.gso_super_packets, before.gso_super_packets);
  }

  std::vector<std::pair<Endpoint, std::vector<uint8_t>>> expected6;
  for (size_t i = 0; i < 40; ++i) {
    if (i == 20) expected6.emplace_back(other6, Pattern(500, 9));
    expected6.emplace_back(peer6, PayloadOf(flow6[i]));
  }
  for (size_t i = 0; i < expected6.size(); ++i) {
    std::optional<Received> got = v6.Receive(kReceiveLimit);
    ASSERT_TRUE(got.has_value()) << "IPv6 datagram " << i << " missing";
    EXPECT_EQ(got->from, expected6[i].first) << i;
    EXPECT_EQ(got->payload, expected6[i].second) << i;
    EXPECT_EQ(got->gro_size, 0);
  }
  for (size_t i = 0; i < flow4.size(); ++i) {
    std::optional<Received> got = v4.Receive(kReceiveLimit);
    ASSERT_TRUE(got.has_value()) << "IPv4 datagram " << i << " missing";
    EXPECT_EQ(got->from, peer4) << i;
    EXPECT_EQ(got->payload, PayloadOf(flow4[i])) << i;
  }
  // Nothing more (no duplicate) is queued.
  EXPECT_FALSE(v6.Receive(absl::ZeroDuration()).has_value());
  EXPECT_FALSE(v4.Receive(absl::ZeroDuration()).has_value());
}

// A socket with UDP_GRO takes a GSO packet whole (udp_unexpected_gso()):
// the proof that one super-packet, not 10 packets, entered the kernel.
TEST(KernelUdpGso, UdpGroSocketGetsTheSuperPacketWhole) {
  REQUIRE_PRIVATE_NAMESPACE();
  NATFWT_REQUIRE(KernelTakesUdpGso(), "needs Linux 6.2 or later");
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tun,
                              CreateKernelInterface(GsoConfig("nfgso1", 62)));
  for (bool v4 : {false, true}) {
    SCOPED_TRACE(v4 ? "IPv4" : "IPv6");
    Socket socket = Socket::Open(Ip(v4 ? "100.62.0.1" : "fd00:62::1"), true);
    const Endpoint peer{Ip(v4 ? "100.63.0.7" : "fd00:63::7"), 5555};
    std::vector<Packet> flow = Flow(peer, socket.local(), 10, 500, 500, 3);
    std::vector<absl::Span<const uint8_t>> batch(flow.begin(), flow.end());
    ASSERT_THAT(tun->Write(batch), IsOk());
    std::optional<Received> got = socket.Receive(kReceiveLimit);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->gro_size, 500);
    std::vector<uint8_t> all;
    for (const Packet& packet : flow) {
      std::vector<uint8_t> payload = PayloadOf(packet);
      all.insert(all.end(), payload.begin(), payload.end());
    }
    EXPECT_EQ(got->payload, all);
  }
}

// Writes `value` to a sysctl file and restores the old value when it goes.
class ScopedSysctl {
 public:
  ScopedSysctl(std::string path, const std::string& value)
      : path_(std::move(path)) {
    std::ifstream(path_) >> old_;
    std::ofstream(path_) << value;
  }
  ~ScopedSysctl() {
    if (!old_.empty()) std::ofstream(path_) << old_;
  }
  std::string Read() const {
    std::string now;
    std::ifstream(path_) >> now;
    return now;
  }

 private:
  std::string path_;
  std::string old_;
};

// Forwarded out of a second TUN interface (which has no offloads), the
// kernel segments in software and completes each UDP checksum from the
// seed in the super-packet: the segments Read() returns must verify.
TEST(KernelUdpGso, ForwardedSegmentsCarryValidChecksums) {
  REQUIRE_PRIVATE_NAMESPACE();
  ScopedSysctl forward4("/proc/sys/net/ipv4/conf/all/forwarding", "1");
  ScopedSysctl forward6("/proc/sys/net/ipv6/conf/all/forwarding", "1");
  NATFWT_REQUIRE(forward4.Read() == "1" && forward6.Read() == "1",
                 "cannot turn forwarding on in the private namespace");
  NATFWT_ASSERT_OK_AND_ASSIGN(auto in,
                              CreateKernelInterface(GsoConfig("nfgsoin", 64)));
  NATFWT_ASSERT_OK_AND_ASSIGN(auto out,
                              CreateKernelInterface(GsoConfig("nfgsoout", 66)));
  Watchdog watchdog(*out, kTestLimit);
  for (bool v4 : {false, true}) {
    SCOPED_TRACE(v4 ? "IPv4" : "IPv6");
    // From a peer behind `in` to one behind `out`.
    const Endpoint from{Ip(v4 ? "100.65.0.7" : "fd00:65::7"), 5555};
    const Endpoint to{Ip(v4 ? "100.67.0.9" : "fd00:67::9"), 7777};
    std::vector<Packet> flow = Flow(from, to, 30, 1100, 5, 40);
    std::vector<absl::Span<const uint8_t>> batch(flow.begin(), flow.end());
    InterfaceStats before = in->stats();
    ASSERT_THAT(in->Write(batch), IsOk());
    if (KernelTakesUdpGso()) {
      EXPECT_EQ(in->stats().gso_packets - before.gso_packets, 30u);
    }
    size_t seen = 0;
    std::vector<uint8_t> storage(2048);
    while (seen < flow.size()) {
      PacketBuffer buffer{storage.data(), storage.size(), 0};
      absl::StatusOr<size_t> n = out->Read({&buffer, 1});
      ASSERT_THAT(n.status(), IsOk()) << "after " << seen << " segments";
      if (*n == 0) continue;
      Packet packet(storage.begin(), storage.begin() + buffer.size);
      std::optional<UdpDatagram> datagram = ParseUdpPacket(packet);
      if (!datagram.has_value() || datagram->to != to) continue;
      EXPECT_TRUE(datagram->checksums_ok) << seen;
      EXPECT_EQ(datagram->from, from) << seen;
      EXPECT_EQ(datagram->payload, PayloadOf(flow[seen])) << seen;
      EXPECT_EQ(packet[v4 ? 8 : 7], 63) << seen;  // TTL / hop limit - 1.
      ++seen;
    }
  }
  EXPECT_EQ(out->stats().dropped_offloaded, 0u);
  EXPECT_FALSE(watchdog.fired());
}

// Creates (or, with persist false, removes) a persistent TUN interface the
// way another program could have left it.
void SetPersistent(const std::string& name, bool persist, bool vnet_header) {
  UniqueFd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet_header ? IFF_VNET_HDR : 0);
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ASSERT_EQ(ioctl(fd.get(), TUNSETIFF, &request), 0) << std::strerror(errno);
  if (persist && vnet_header) {
    // virtio_net_hdr_mrg_rxbuf's size, and offloads that would hand
    // unfinished checksums and super-packets to a reader.
    int size = 12;
    ASSERT_EQ(ioctl(fd.get(), TUNSETVNETHDRSZ, &size), 0)
        << std::strerror(errno);
    ASSERT_EQ(
        ioctl(fd.get(), TUNSETOFFLOAD,
              static_cast<unsigned long>(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)),
        0)
        << std::strerror(errno);
  }
  ASSERT_EQ(ioctl(fd.get(), TUNSETPERSIST, persist ? 1 : 0), 0)
      << std::strerror(errno);
}

class PersistentInterface : public ::testing::TestWithParam<bool> {};

TEST_P(PersistentInterface, AttachResetsTheVnetHeaderAndOffloads) {
  REQUIRE_PRIVATE_NAMESPACE();
  const std::string name = "nfpersist0";
  ASSERT_NO_FATAL_FAILURE(SetPersistent(name, true, GetParam()));
  struct Remove {
    std::string name;
    ~Remove() { SetPersistent(name, false, false); }
  } remove{name};
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tun,
                              CreateKernelInterface(GsoConfig(name, 68)));
  Watchdog watchdog(*tun, kTestLimit);
  std::unique_ptr<HostSide> host = MakeKernelHostSide(*tun);

  // Write: a coalescible run reaches the socket.
  Socket socket = Socket::Open(Ip("100.68.0.1"), /*gro=*/false);
  const Endpoint peer{Ip("100.69.0.7"), 5555};
  std::vector<Packet> flow = Flow(peer, socket.local(), 5, 800, 100, 1);
  std::vector<absl::Span<const uint8_t>> batch(flow.begin(), flow.end());
  ASSERT_THAT(tun->Write(batch), IsOk());
  for (const Packet& packet : flow) {
    std::optional<Received> got = socket.Receive(kReceiveLimit);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->payload, PayloadOf(packet));
  }

  // Read: a host datagram of 1400 bytes arrives whole, checksum complete.
  std::vector<uint8_t> payload = Pattern(1400, 5);
  const Endpoint target{Ip("fd00:69::7"), 4000};
  NATFWT_ASSERT_OK_AND_ASSIGN(Endpoint sender,
                              host->SendUdp(Ip("fd00:68::1"), target, payload));
  std::vector<uint8_t> storage(2048);
  while (true) {
    PacketBuffer buffer{storage.data(), storage.size(), 0};
    NATFWT_ASSERT_OK_AND_ASSIGN(size_t n, tun->Read({&buffer, 1}));
    if (n == 0) continue;
    std::optional<UdpDatagram> datagram =
        ParseUdpPacket(absl::MakeConstSpan(storage.data(), buffer.size));
    if (!datagram.has_value() || datagram->to != target) continue;
    EXPECT_EQ(datagram->from, sender);
    EXPECT_EQ(datagram->payload, payload);
    EXPECT_TRUE(datagram->checksums_ok);
    break;
  }
  EXPECT_EQ(tun->stats().dropped_offloaded, 0u);
  tun->Close();
  EXPECT_NE(if_nametoindex(name.c_str()), 0u);  // Still there: persistent.
}

INSTANTIATE_TEST_SUITE_P(Kernel, PersistentInterface, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "LeftWithVnetHeader"
                                              : "LeftPlain";
                         });

}  // namespace
}  // namespace natfwt::tun::testing
