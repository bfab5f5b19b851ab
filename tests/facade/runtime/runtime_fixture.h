// Copyright 2026 The natfwt Authors.
//
// RuntimeFixture: a Runtime on in-memory interfaces, a fake clock and a
// private state directory, with helpers to wait for instance changes.

#ifndef NATFWT_TESTS_FACADE_RUNTIME_RUNTIME_FIXTURE_H_
#define NATFWT_TESTS_FACADE_RUNTIME_RUNTIME_FIXTURE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "facade/runtime/runtime.h"
#include "gtest/gtest.h"
#include "platform/net/ip_address.h"
#include "platform/tun/memory_interface.h"
#include "tests/facade/runtime/test_provider.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

// On Windows, cpnatfwt.h brings in windows.h, whose COM headers define
// `interface` as `struct`; this fixture uses the word as a name and no COM.
#undef interface

namespace natfwt::cp::testing {

class RuntimeFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Options used by SetUp; tests may change them and call Restart().
  RuntimeOptions BaseOptions();
  void Restart(RuntimeOptions options);

  // A provider that outlives every instance of the test (TearDown destroys
  // the instances first).
  TestProvider& NewProvider() { return providers_.emplace_back(); }

  // Create + Register with `provider`; fails the test on error.
  CPNATFWT_PROVIDER_INSTANCE CreateRegistered(TestProvider& provider,
                                              const WCHAR* name = nullptr,
                                              IF_LUID* luid = nullptr);
  // Registers and waits until the session is dormant with its IPv6 transport
  // ID added.
  CPNATFWT_PROVIDER_INSTANCE Established(TestProvider& provider);
  // Established(), keeping the instance's transport ID in local_.
  CPNATFWT_PROVIDER_INSTANCE Ready(TestProvider& provider);

  // Waits (bounded) until `predicate` holds for the instance's info: woken by
  // instance-change notifications, re-checking counters every 2 ms. Returns
  // false on timeout.
  bool WaitUntil(CPNATFWT_PROVIDER_INSTANCE instance,
                 const std::function<bool(const InstanceInfo&)>& predicate,
                 absl::Duration timeout = absl::Seconds(10));
  bool WaitForState(CPNATFWT_PROVIDER_INSTANCE instance, InstanceState state);
  InstanceInfo Info(CPNATFWT_PROVIDER_INSTANCE instance);

  // From now on every interface the runtime creates reports
  // `os_luid(config)` as its OS LUID (VirtualInterface::luid()), as Wintun
  // adapters do on Windows; without this (or with 0) they report none, as on
  // Linux. Applies across Restart().
  void SetOsLuids(std::function<uint64_t(const tun::InterfaceConfig&)> os_luid);

  // The in-memory interface the runtime created, and its configuration.
  tun::MemoryInterface* interface(size_t index = 0);
  tun::InterfaceConfig config(size_t index = 0);

  // A UDP packet from the instance's first transport ID to `peer`.
  std::vector<uint8_t> Outbound(CPNATFWT_PROVIDER_INSTANCE instance,
                                const net::IpAddress& peer,
                                uint16_t source_port = 4000,
                                size_t payload = 32);

  std::optional<natfwt::testing::TempDir> dir_;
  natfwt::testing::FakeClock clock_;
  std::vector<std::string> aliases_;
  std::deque<TestProvider> providers_;  // Before runtime_: destroyed after.
  std::unique_ptr<Runtime> runtime_;
  std::vector<CPNATFWT_PROVIDER_INSTANCE> created_;
  net::IpAddress local_;  // Set by Ready().

  absl::Mutex mutex_;
  std::vector<tun::MemoryInterface*> interfaces_ ABSL_GUARDED_BY(mutex_);
  std::vector<tun::InterfaceConfig> configs_ ABSL_GUARDED_BY(mutex_);
  uint64_t changes_ ABSL_GUARDED_BY(mutex_) = 0;
  std::function<uint64_t(const tun::InterfaceConfig&)> os_luid_
      ABSL_GUARDED_BY(mutex_);
};

// A peer address inside the default overlay (fd00::/8).
net::IpAddress PeerAddress(uint8_t last = 2);

}  // namespace natfwt::cp::testing

#endif  // NATFWT_TESTS_FACADE_RUNTIME_RUNTIME_FIXTURE_H_
