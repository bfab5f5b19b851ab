// Copyright 2026 The natfwt Authors.
//
// Running a test only when what it needs exists.
//
//   TEST(Tun, CreatesKernelInterface) {
//     NATFWT_REQUIRE(natfwt::testing::HaveNetAdmin(), "needs CAP_NET_ADMIN");
//     ...
//   }
//
// A missing prerequisite skips the test (GTEST_SKIP). natfwt's test main
// (test_main.cc) exits with 77 when every test that ran was skipped, so meson
// reports SKIP, never a silent pass. When the environment variable CI is
// "true", a missing prerequisite is a failure instead: CI installs and runs
// everything, so a skip there would hide a broken setup.

#ifndef NATFWT_TESTS_SUPPORT_PREREQUISITES_H_
#define NATFWT_TESTS_SUPPORT_PREREQUISITES_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "gtest/gtest.h"

namespace natfwt::testing {

// CAP_NET_ADMIN in the effective set and a working TUN device.
bool HaveNetAdmin();
// Root, CAP_NET_ADMIN and unshare(CLONE_NEWNET) working.
bool HaveNetworkNamespaces();
// Full path of an executable in PATH or sbin, if any.
std::optional<std::string> FindTool(absl::string_view name);
// True when CI=true: missing prerequisites fail instead of skipping.
bool InContinuousIntegration();

}  // namespace natfwt::testing

#define NATFWT_REQUIRE(condition, reason)                                  \
  do {                                                                     \
    if (!(condition)) {                                                    \
      if (::natfwt::testing::InContinuousIntegration()) {                  \
        FAIL() << "prerequisite missing in CI: " << (reason);              \
      }                                                                    \
      GTEST_SKIP() << "prerequisite missing: " << (reason);                \
    }                                                                      \
  } while (false)

#endif  // NATFWT_TESTS_SUPPORT_PREREQUISITES_H_
