// Copyright 2026 The natfwt Authors.
//
// The kernel host side observes the interface only through interfaces
// independent of platform/tun's netlink code: sysfs, ioctl, getifaddrs()
// and UDP sockets.

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "platform/tun/unique_fd.h"
#include "tests/platform/tun/host_side.h"
#include "tests/platform/tun/sockaddr_util.h"

namespace natfwt::tun::testing {
namespace {

absl::Status ErrnoError(absl::string_view call) {
  return absl::UnknownError(absl::StrCat(call, ": ", std::strerror(errno)));
}

int PrefixLength(const sockaddr* netmask) {
  Endpoint mask = FromSockaddr(netmask);
  int length = 0;
  for (uint8_t byte : mask.address.bytes()) length += std::popcount(byte);
  return length;
}

// A UDP socket bound to `local`.
absl::StatusOr<UniqueFd> BoundSocket(const Endpoint& local) {
  UniqueFd fd(socket(local.address.is_v4() ? AF_INET : AF_INET6,
                     SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket");
  sockaddr_storage address;
  socklen_t length = ToSockaddr(local, &address);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    return ErrnoError(absl::StrCat("bind ", local.address.ToString()));
  }
  return fd;
}

Endpoint LocalEndpoint(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return FromSockaddr(reinterpret_cast<sockaddr*>(&address));
}

class KernelListener final : public UdpListener {
 public:
  explicit KernelListener(UniqueFd fd)
      : fd_(std::move(fd)), local_(LocalEndpoint(fd_.get())) {}
  Endpoint local() const override { return local_; }

  absl::StatusOr<UdpDatagram> Receive(absl::Duration timeout) override {
    pollfd readable{fd_.get(), POLLIN, 0};
    if (poll(&readable, 1,
             static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) {
      return absl::DeadlineExceededError("no datagram");
    }
    std::vector<uint8_t> buffer(65536);
    sockaddr_storage from{};
    socklen_t from_length = sizeof(from);
    ssize_t size = recvfrom(fd_.get(), buffer.data(), buffer.size(), 0,
                            reinterpret_cast<sockaddr*>(&from), &from_length);
    if (size < 0) return ErrnoError("recvfrom");
    buffer.resize(static_cast<size_t>(size));
    // The kernel verified the checksums before delivering.
    return UdpDatagram{FromSockaddr(reinterpret_cast<sockaddr*>(&from)), local_,
                       std::move(buffer), /*checksums_ok=*/true};
  }

 private:
  UniqueFd fd_;
  Endpoint local_;
};

class KernelHostSide final : public HostSide {
 public:
  explicit KernelHostSide(std::string name) : name_(std::move(name)) {}

  uint32_t Index() override { return if_nametoindex(name_.c_str()); }

  uint32_t Mtu() override {
    UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq request{};
    std::strncpy(request.ifr_name, name_.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd.get(), SIOCGIFMTU, &request) != 0) return 0;
    return static_cast<uint32_t>(request.ifr_mtu);
  }

  // Needs a sysfs mounted in this namespace (the netns test environment
  // mounts one).
  std::string Alias() override {
    std::ifstream file(absl::StrCat("/sys/class/net/", name_, "/ifalias"));
    std::stringstream text;
    text << file.rdbuf();
    return std::string(absl::StripSuffix(text.str(), "\n"));
  }

  std::vector<net::IpPrefix> Addresses() override {
    std::vector<net::IpPrefix> found;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return found;
    for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
      if (entry->ifa_addr == nullptr || name_ != entry->ifa_name) continue;
      int family = entry->ifa_addr->sa_family;
      if (family != AF_INET && family != AF_INET6) continue;
      found.push_back({FromSockaddr(entry->ifa_addr).address,
                       PrefixLength(entry->ifa_netmask)});
    }
    freeifaddrs(list);
    return found;
  }

  bool Exists() override { return if_nametoindex(name_.c_str()) != 0; }

  absl::Status Bind(const net::IpAddress& local) override {
    return BoundSocket({local, 0}).status();
  }

  absl::StatusOr<Endpoint> SendUdp(const net::IpAddress& local,
                                   const Endpoint& peer,
                                   absl::Span<const uint8_t> payload) override {
    absl::StatusOr<UniqueFd> fd = BoundSocket({local, 0});
    if (!fd.ok()) return fd.status();
    sockaddr_storage to;
    socklen_t length = ToSockaddr(peer, &to);
    if (sendto(fd->get(), payload.data(), payload.size(), 0,
               reinterpret_cast<sockaddr*>(&to), length) < 0) {
      return ErrnoError("sendto");
    }
    return LocalEndpoint(fd->get());
  }

  absl::StatusOr<std::unique_ptr<UdpListener>> ListenUdp(
      const net::IpAddress& local) override {
    absl::StatusOr<UniqueFd> fd = BoundSocket({local, 0});
    if (!fd.ok()) return fd.status();
    return std::make_unique<KernelListener>(*std::move(fd));
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<HostSide> MakeKernelHostSide(
    const VirtualInterface& interface) {
  return std::make_unique<KernelHostSide>(interface.name());
}

}  // namespace natfwt::tun::testing
