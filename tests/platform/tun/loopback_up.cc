// Copyright 2026 The natfwt Authors.
//
// loopback_up.h: SIOCGIFFLAGS / SIOCSIFFLAGS on "lo".

#include "tests/platform/tun/loopback_up.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/tun/unique_fd.h"

namespace natfwt::tun::testing {

std::string BringLoopbackUp() {
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::StrCat("socket: ", std::strerror(errno));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(fd.get(), SIOCGIFFLAGS, &request) != 0) {
    return absl::StrCat("SIOCGIFFLAGS lo: ", std::strerror(errno));
  }
  request.ifr_flags |= IFF_UP;
  if (ioctl(fd.get(), SIOCSIFFLAGS, &request) != 0) {
    return absl::StrCat("SIOCSIFFLAGS lo: ", std::strerror(errno));
  }
  return "";
}

}  // namespace natfwt::tun::testing
