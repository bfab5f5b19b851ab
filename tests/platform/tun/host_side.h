// Copyright 2026 The natfwt Authors.
//
// HostSide: the "applications and OS" end of a VirtualInterface, as the
// contract tests see it. For the kernel backend it is real sockets, sysfs
// and getifaddrs() in the test's private network namespace; for
// MemoryInterface it is InjectFromHost()/WaitDelivered() with packets the
// helper builds and parses itself. The contract cases only talk to this
// interface, so they run unchanged against every backend.
//
// Thread-safety: one test thread at a time.

#ifndef NATFWT_TESTS_PLATFORM_TUN_HOST_SIDE_H_
#define NATFWT_TESTS_PLATFORM_TUN_HOST_SIDE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "platform/net/ip_address.h"
#include "platform/tun/memory_interface.h"
#include "platform/tun/virtual_interface.h"
#include "tests/platform/tun/udp_packet.h"

namespace natfwt::tun::testing {

// A UDP socket an application bound to a local address.
class UdpListener {
 public:
  virtual ~UdpListener() = default;
  // The bound address and port.
  virtual Endpoint local() const = 0;
  // The next datagram addressed to local(), within `timeout`. Errors:
  // kDeadlineExceeded when none came.
  virtual absl::StatusOr<UdpDatagram> Receive(absl::Duration timeout) = 0;
};

class HostSide {
 public:
  virtual ~HostSide() = default;

  // What the OS reports for the interface.
  virtual uint32_t Index() = 0;
  virtual uint32_t Mtu() = 0;
  virtual std::string Alias() = 0;
  virtual std::vector<net::IpPrefix> Addresses() = 0;
  // Whether the interface still exists.
  virtual bool Exists() = 0;
  // Whether an application can bind a UDP socket to `local` now.
  virtual absl::Status Bind(const net::IpAddress& local) = 0;

  // An application sends `payload` from `local` (any port) to `peer`, which
  // is routed through the interface. Returns the source endpoint used.
  virtual absl::StatusOr<Endpoint> SendUdp(
      const net::IpAddress& local, const Endpoint& peer,
      absl::Span<const uint8_t> payload) = 0;
  // An application binds a UDP socket to `local` (a port of its choice).
  virtual absl::StatusOr<std::unique_ptr<UdpListener>> ListenUdp(
      const net::IpAddress& local) = 0;
};

// The host side of a MemoryInterface (which must outlive it).
std::unique_ptr<HostSide> MakeMemoryHostSide(MemoryInterface& interface);
// The host side of a kernel interface, in the current network namespace.
std::unique_ptr<HostSide> MakeKernelHostSide(const VirtualInterface& interface);

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_HOST_SIDE_H_
