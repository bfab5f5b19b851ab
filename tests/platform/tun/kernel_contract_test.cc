// Copyright 2026 The natfwt Authors.
//
// The VirtualInterface contract against the Linux TUN backend, inside this
// binary's private network namespace (netns_environment.cc).

#include "platform/tun/virtual_interface.h"
#include "tests/platform/tun/interface_contract.h"
#include "tests/platform/tun/netns_environment.h"

namespace natfwt::tun::testing {
namespace {

Backend KernelBackend() {
  return Backend{"kernel", [] { return KernelTestProblem(); },
                 [](const InterfaceConfig& config) {
                   return CreateKernelInterface(config);
                 },
                 [](VirtualInterface& interface) {
                   return MakeKernelHostSide(interface);
                 }};
}

INSTANTIATE_TEST_SUITE_P(Backends, InterfaceContract,
                         ::testing::Values(KernelBackend()), BackendName);

}  // namespace
}  // namespace natfwt::tun::testing
