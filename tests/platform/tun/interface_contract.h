// Copyright 2026 The natfwt Authors.
//
// The VirtualInterface contract suite: one set of TEST_P cases
// (interface_contract_cases.cc) that every backend must pass. Each test
// binary instantiates it with the backends it can run:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, InterfaceContract,
//                            ::testing::Values(MemoryBackend()),
//                            BackendName);

#ifndef NATFWT_TESTS_PLATFORM_TUN_INTERFACE_CONTRACT_H_
#define NATFWT_TESTS_PLATFORM_TUN_INTERFACE_CONTRACT_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "platform/tun/virtual_interface.h"
#include "tests/platform/tun/host_side.h"

namespace natfwt::tun::testing {

struct Backend {
  std::string name;
  // Why the backend cannot run here; empty when it can.
  std::function<std::string()> unavailable;
  std::function<absl::StatusOr<std::unique_ptr<VirtualInterface>>(
      const InterfaceConfig&)>
      create;
  std::function<std::unique_ptr<HostSide>(VirtualInterface&)> host;
};

// Prints the backend's name (gtest would dump its bytes).
void PrintTo(const Backend& backend, std::ostream* out);

Backend MemoryBackend();
std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

// Closes `interface` when the test has not finished within `limit`, so a
// Read() that never returns turns into a failure instead of a hung test.
class Watchdog {
 public:
  Watchdog(VirtualInterface& interface, absl::Duration limit);
  ~Watchdog();
  bool fired() const { return fired_; }

 private:
  absl::Notification done_;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

class InterfaceContract : public ::testing::TestWithParam<Backend> {
 protected:
  // 100.80.1.1/24 and fd00:80::1/64 local; 100.81.0.0/16 and fd00:81::/48
  // routed to the interface (the peers live there).
  static InterfaceConfig DefaultConfig();
  static net::IpAddress Local(bool v4);
  static Endpoint Peer(bool v4);

  void SetUp() override;
  void TearDown() override;

  // One Read() into `slots` buffers of `capacity` bytes; the packets read.
  absl::StatusOr<std::vector<std::vector<uint8_t>>> ReadOnce(
      size_t slots, size_t capacity = 2048);
  // Reads until a UDP datagram addressed to `to` arrives, skipping any
  // other packet; nullopt (and a failure) when Read() fails.
  std::optional<UdpDatagram> ReadUdpTo(const Endpoint& to);

  InterfaceConfig config_;
  std::unique_ptr<VirtualInterface> tun_;
  std::unique_ptr<HostSide> host_;
  std::unique_ptr<Watchdog> watchdog_;
};

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_INTERFACE_CONTRACT_H_
