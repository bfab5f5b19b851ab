// Copyright 2026 The natfwt Authors.
//
// Linking netns_environment.cc into a test binary moves the whole process,
// before its first test and before any thread exists, into a private
// network namespace (and a private mount namespace with its own sysfs, so
// /sys/class/net shows that namespace). Every interface the tests create
// lives there and vanishes with the process; `lo` is up; IPv6 link-local
// addresses are off by default (addr_gen_mode 1), so new interfaces send no
// router solicitations that tests would have to skip.

#ifndef NATFWT_TESTS_PLATFORM_TUN_NETNS_ENVIRONMENT_H_
#define NATFWT_TESTS_PLATFORM_TUN_NETNS_ENVIRONMENT_H_

#include <string>

namespace natfwt::tun::testing {

// Empty once the process runs in its private namespace with CAP_NET_ADMIN
// and a working TUN driver; otherwise why not (for NATFWT_REQUIRE).
std::string KernelTestProblem();

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_NETNS_ENVIRONMENT_H_
