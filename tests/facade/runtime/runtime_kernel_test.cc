// Copyright 2026 The natfwt Authors.
//
// The runtime on a real kernel TUN interface, in a private network namespace
// (netns_environment.cc moves the process there before any test runs):
// real sockets send through the interface to the provider, indicated packets
// reach real sockets, and the SDDL's owner filter keeps other users out.

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "facade/runtime/hresult.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/tun/interface_aliases.h"
#include "tests/facade/runtime/runtime_fixture.h"
#include "tests/platform/tun/netns_environment.h"
#include "tests/platform/tun/udp_packet.h"
#include "tests/support/prerequisites.h"

namespace natfwt::cp::testing {
namespace {

using ::testing::Contains;

sockaddr_in6 SocketAddress(const net::IpAddress& address, uint16_t port) {
  sockaddr_in6 out{};
  out.sin6_family = AF_INET6;
  out.sin6_port = htons(port);
  std::memcpy(&out.sin6_addr, address.bytes().data(), 16);
  return out;
}

// Sends one datagram from `from` to `to`:`port`; returns 0 or the errno.
int SendUdp(const net::IpAddress& from, const net::IpAddress& to,
            uint16_t port) {
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 local = SocketAddress(from, 0);
  sockaddr_in6 remote = SocketAddress(to, port);
  int result = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
      sendto(fd, "hello", 5, 0, reinterpret_cast<sockaddr*>(&remote),
             sizeof(remote)) != 5) {
    result = errno;
  }
  close(fd);
  return result;
}

// The same from a child process running as uid/gid 65534 (nobody).
int SendUdpAsNobody(const net::IpAddress& from, const net::IpAddress& to,
                    uint16_t port) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(125);
    _exit(SendUdp(from, to, port) & 0x7f);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class KernelRuntimeTest : public RuntimeFixture {
 protected:
  void SetUp() override {
    NATFWT_REQUIRE(tun::testing::KernelTestProblem().empty(),
                   tun::testing::KernelTestProblem());
    NATFWT_REQUIRE(natfwt::testing::FindTool("nft").has_value(),
                   "nft (nftables) for the SDDL owner filter");
    RuntimeFixture::SetUp();
    RuntimeOptions options = BaseOptions();
    options.interface_factory = tun::CreateKernelInterface;
    options.list_aliases = tun::ListInterfaceAliases;
    options.enforce_sddl = true;
    Restart(std::move(options));
  }
};

TEST_F(KernelRuntimeTest, SocketsReachTheProviderAndIndicationsReachSockets) {
  TestProvider& provider = NewProvider();
  WCHAR name[] = L"natfwt kernel test";
  WCHAR sddl[] = L"D:(A;;GA;;;SY)";  // Root only.
  CPNATFWT_PROVIDER_CALLBACKS callbacks = provider.Callbacks();
  CPNATFWT_PROVIDER_INSTANCE instance;
  ASSERT_EQ(ToHresult(runtime_->Create(&callbacks, &provider, &instance)),
            S_OK);
  created_.push_back(instance);
  ASSERT_EQ(ToHresult(runtime_->Register(instance, name, nullptr, 0, sddl)),
            S_OK);
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return !info.local_ids.empty();
  }));
  InstanceInfo info = Info(instance);
  const net::IpAddress local = info.local_ids[0];
  EXPECT_NE(if_nametoindex(info.kernel_name.c_str()), 0u);
  absl::StatusOr<std::vector<std::string>> aliases =
      tun::ListInterfaceAliases();
  ASSERT_TRUE(aliases.ok());
  EXPECT_THAT(*aliases, Contains("natfwt kernel test"));

  // Outbound: a real socket's datagram becomes SEND_BUFFERS.
  const net::IpAddress peer = PeerAddress(7);
  ASSERT_EQ(SendUdp(local, peer, 5555), 0);
  ASSERT_TRUE(provider.WaitFor(Event::kSend));
  Record send = provider.RecordsOf(Event::kSend)[0];
  EXPECT_EQ(send.local, local);
  EXPECT_EQ(send.address, peer);
  std::optional<tun::testing::UdpDatagram> udp =
      tun::testing::ParseUdpPacket(send.packet);
  ASSERT_TRUE(udp.has_value());
  EXPECT_EQ(udp->to.port, 5555);
  EXPECT_TRUE(udp->checksums_ok);

  // SDDL: another user's traffic never leaves through the interface.
  EXPECT_EQ(SendUdpAsNobody(local, peer, 5555), EPERM);

  // Inbound: an indicated packet reaches a real socket.
  int sink = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 bound = SocketAddress(local, 6000);
  ASSERT_EQ(bind(sink, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)), 0);
  timeval timeout{5, 0};
  setsockopt(sink, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::vector<uint8_t> packet = tun::testing::BuildUdpPacket(
      {peer, 7000}, {local, 6000}, {'p', 'o', 'n', 'g'});
  std::vector<uint8_t> l(local.bytes().begin(), local.bytes().end());
  std::vector<uint8_t> r(peer.bytes().begin(), peer.bytes().end());
  CPNATFWT_TRANSPORT_ID local_id{16, l.data()}, remote_id{16, r.data()};
  CPNATFWT_BUFFER chain{nullptr, static_cast<ULONG>(packet.size()),
                        packet.data()};
  ASSERT_EQ(ToHresult(runtime_->IndicateReceived(instance, &local_id,
                                                 &remote_id, &chain)),
            S_OK);
  char buffer[16] = {};
  EXPECT_EQ(recv(sink, buffer, sizeof(buffer), 0), 4);
  EXPECT_EQ(std::string(buffer, 4), "pong");
  close(sink);

  // Deregister takes the interface (and its filter) away.
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(if_nametoindex(info.kernel_name.c_str()), 0u);
}

}  // namespace
}  // namespace natfwt::cp::testing
