// Copyright 2026 The natfwt Authors.

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "platform/sys/host_probe.h"

namespace natfwt::sys {
namespace {

std::string Errno(absl::string_view call) {
  return absl::StrCat(call, ": ", std::strerror(errno));
}

}  // namespace

ProbeResult ProbeTunDevice() {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return {false, Errno("open /dev/net/tun")};
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  // An empty name lets the kernel choose (tunN); the device is not persistent
  // and disappears with the descriptor.
  int rc = ioctl(fd, TUNSETIFF, &request);
  std::string detail = rc == 0 ? absl::StrCat("/dev/net/tun opens; created and "
                                              "removed test interface ",
                                              request.ifr_name)
                               : Errno("/dev/net/tun opens, but TUNSETIFF");
  close(fd);
  return {rc == 0, detail};
}

ProbeResult ProbeNetAdmin() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return {false, Errno("capget")};
  bool has = (data[CAP_NET_ADMIN / 32].effective >> (CAP_NET_ADMIN % 32)) & 1u;
  return {has, has ? "CAP_NET_ADMIN is in the effective set"
                   : "CAP_NET_ADMIN is missing (run as root or grant it with "
                     "setcap cap_net_admin+ep)"};
}

ProbeResult ProbeRoot() {
  uid_t uid = geteuid();
  return {uid == 0, absl::StrCat("effective uid ", uid)};
}

ProbeResult ProbeNetworkNamespaces() {
  pid_t pid = fork();
  if (pid < 0) return {false, Errno("fork")};
  if (pid == 0) {
    // Child: only async-signal-safe calls.
    _exit(unshare(CLONE_NEWNET) == 0 ? 0 : (errno & 0x7f));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return {true, "unshare(CLONE_NEWNET) works"};
  }
  int err = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  return {false, absl::StrCat("unshare(CLONE_NEWNET): ",
                              err ? std::strerror(err) : "child crashed")};
}

ProbeResult ProbeIpv6() {
  std::ifstream sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6");
  int disabled = 0;
  if (!(sysctl >> disabled)) {
    return {false, "/proc/sys/net/ipv6 is missing: the kernel has no IPv6"};
  }
  if (disabled != 0) return {false, "net.ipv6.conf.all.disable_ipv6 = 1"};
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {false, Errno("socket(AF_INET6)")};
  close(fd);
  return {true, "enabled (disable_ipv6 = 0, AF_INET6 sockets work)"};
}

ProbeResult ProbeInNetworkNamespace() {
  struct stat self {};
  if (stat("/proc/self/ns/net", &self) != 0) {
    return {false, Errno("stat /proc/self/ns/net")};
  }
  // `ip netns exec NAME` leaves us in the namespace bound at /run/netns/NAME.
  std::error_code ignored;
  for (const auto& entry :
       std::filesystem::directory_iterator("/run/netns", ignored)) {
    struct stat bound {};
    if (stat(entry.path().c_str(), &bound) == 0 && bound.st_ino == self.st_ino &&
        bound.st_dev == self.st_dev) {
      return {true, absl::StrCat("inside named namespace ",
                                 entry.path().filename().string())};
    }
  }
  struct stat init {};
  if (stat("/proc/1/ns/net", &init) != 0) {
    return {false, absl::StrCat("not in a named namespace (net:[", self.st_ino,
                                "]; PID 1's namespace is not readable here)")};
  }
  bool differs = self.st_ino != init.st_ino || self.st_dev != init.st_dev;
  return {differs, absl::StrCat("net:[", self.st_ino, "] ",
                                differs ? "differs from PID 1's" : "is PID 1's")};
}

std::optional<std::string> FindExecutable(absl::string_view name) {
  const char* path = std::getenv("PATH");
  std::string dirs = absl::StrCat(path ? path : "", ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin");
  for (absl::string_view dir : absl::StrSplit(dirs, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

}  // namespace natfwt::sys
