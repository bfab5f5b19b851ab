// Copyright 2026 The natfwt Authors.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tests/platform/tun/host_side.h"

namespace natfwt::tun::testing {
namespace {

// Implementation choice: the memory "stack" hands out ports from here.
constexpr uint16_t kFirstPort = 40000;

class MemoryListener final : public UdpListener {
 public:
  MemoryListener(MemoryInterface& interface, Endpoint local)
      : interface_(interface), local_(local) {}
  Endpoint local() const override { return local_; }

  absl::StatusOr<UdpDatagram> Receive(absl::Duration timeout) override {
    absl::Time deadline = absl::Now() + timeout;
    while (true) {
      std::optional<std::vector<uint8_t>> packet =
          interface_.WaitDelivered(deadline - absl::Now());
      if (!packet.has_value()) {
        return absl::DeadlineExceededError("nothing delivered");
      }
      std::optional<UdpDatagram> datagram = ParseUdpPacket(*packet);
      // Like a kernel: only checksum-valid datagrams for the bound endpoint.
      if (datagram && datagram->checksums_ok && datagram->to == local_) {
        return *std::move(datagram);
      }
    }
  }

 private:
  MemoryInterface& interface_;
  Endpoint local_;
};

class MemoryHostSide final : public HostSide {
 public:
  explicit MemoryHostSide(MemoryInterface& interface) : interface_(interface) {}

  uint32_t Index() override { return interface_.index(); }
  uint32_t Mtu() override { return interface_.config().mtu; }
  std::string Alias() override { return interface_.config().alias; }
  std::vector<net::IpPrefix> Addresses() override {
    return interface_.addresses();
  }
  bool Exists() override { return !interface_.closed(); }

  absl::Status Bind(const net::IpAddress& local) override {
    std::vector<net::IpPrefix> present = interface_.addresses();
    bool found =
        std::any_of(present.begin(), present.end(),
                    [&](const net::IpPrefix& p) { return p.address == local; });
    return found ? absl::OkStatus()
                 : absl::NotFoundError(
                       absl::StrCat(local.ToString(), " is not local"));
  }

  absl::StatusOr<Endpoint> SendUdp(const net::IpAddress& local,
                                   const Endpoint& peer,
                                   absl::Span<const uint8_t> payload) override {
    Endpoint from{local, next_port_++};
    if (!interface_.InjectFromHost(BuildUdpPacket(from, peer, payload))) {
      return absl::UnavailableError("InjectFromHost refused the packet");
    }
    return from;
  }

  absl::StatusOr<std::unique_ptr<UdpListener>> ListenUdp(
      const net::IpAddress& local) override {
    return std::make_unique<MemoryListener>(interface_,
                                            Endpoint{local, next_port_++});
  }

 private:
  MemoryInterface& interface_;
  uint16_t next_port_ = kFirstPort;
};

}  // namespace

std::unique_ptr<HostSide> MakeMemoryHostSide(MemoryInterface& interface) {
  return std::make_unique<MemoryHostSide>(interface);
}

}  // namespace natfwt::tun::testing
