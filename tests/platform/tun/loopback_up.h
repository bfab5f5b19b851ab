// Copyright 2026 The natfwt Authors.
//
// Test helper (Linux): brings the loopback interface of the calling
// process's network namespace up, as a fresh namespace has it down. Shared
// by the kernel tests' namespace setup (netns_environment.cc) and the
// benchmarks that unshare a namespace of their own.

#ifndef NATFWT_TESTS_PLATFORM_TUN_LOOPBACK_UP_H_
#define NATFWT_TESTS_PLATFORM_TUN_LOOPBACK_UP_H_

#include <string>

namespace natfwt::tun::testing {

// Empty on success; otherwise the failing call with its errno text.
std::string BringLoopbackUp();

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_LOOPBACK_UP_H_
