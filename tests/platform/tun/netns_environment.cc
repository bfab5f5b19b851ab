// Copyright 2026 The natfwt Authors.

#include "tests/platform/tun/netns_environment.h"

#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/platform/tun/loopback_up.h"
#include "tests/support/prerequisites.h"

namespace natfwt::tun::testing {
namespace {

std::string Errno(absl::string_view call) {
  return absl::StrCat(call, ": ", std::strerror(errno));
}

size_t ThreadCount() {
  std::filesystem::directory_iterator tasks("/proc/self/task");
  return static_cast<size_t>(std::distance(tasks, {}));
}

// sysfs shows the namespace of whoever mounted it: mount our own.
std::string MountPrivateSysfs() {
  // Source and type are ignored for a propagation change (named anyway, so
  // valgrind does not flag null pointers).
  if (mount("none", "/", "none", MS_REC | MS_SLAVE, nullptr) != 0) {
    return Errno("mount --make-rslave /");
  }
  umount2("/sys", MNT_DETACH);  // Fails harmlessly when nothing is mounted.
  if (mount("sysfs", "/sys", "sysfs", 0, nullptr) != 0) {
    return Errno("mount sysfs");
  }
  return "";
}

std::string EnterPrivateNamespace() {
  if (ThreadCount() != 1) {
    return "threads exist already; unshare() would not move them";
  }
  if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
    return Errno("unshare(CLONE_NEWNET | CLONE_NEWNS)");
  }
  if (std::string problem = MountPrivateSysfs(); !problem.empty())
    return problem;
  if (std::string problem = BringLoopbackUp(); !problem.empty()) return problem;
  // Applies to interfaces created from now on (without IPv6 it is absent).
  std::ofstream("/proc/sys/net/ipv6/conf/default/addr_gen_mode") << "1";
  if (!natfwt::testing::HaveNetAdmin()) {
    return "no CAP_NET_ADMIN or no TUN driver in the private namespace";
  }
  return "";
}

std::string& Problem() {
  static std::string problem = "the private namespace was not set up";
  return problem;
}

class PrivateNetworkNamespace final : public ::testing::Environment {
 public:
  void SetUp() override { Problem() = EnterPrivateNamespace(); }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PrivateNetworkNamespace);

}  // namespace

std::string KernelTestProblem() { return Problem(); }

}  // namespace natfwt::tun::testing
