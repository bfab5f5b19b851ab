// Copyright 2026 The natfwt Authors.
//
// The VirtualInterface contract against MemoryInterface (no privileges).

#include "tests/platform/tun/interface_contract.h"

namespace natfwt::tun::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Backends, InterfaceContract,
                         ::testing::Values(MemoryBackend()), BackendName);

}  // namespace
}  // namespace natfwt::tun::testing
