// Copyright 2026 The natfwt Authors.

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/net/udp_features.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // include/uapi/linux/udp.h, Linux 4.18.
#endif
#ifndef UDP_GRO
#define UDP_GRO 104  // include/uapi/linux/udp.h, Linux 5.0.
#endif

namespace natfwt::net {

absl::StatusOr<UdpFeatures> ProbeUdpFeatures() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("socket(AF_INET, SOCK_DGRAM): ", std::strerror(errno)));
  }
  UdpFeatures features;
  // Setting a segment size of 0 leaves GSO off per send but proves the kernel
  // knows the option; unknown options fail with ENOPROTOOPT.
  int zero = 0;
  features.gso = setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof(zero)) == 0;
  int one = 1;
  features.gro = setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
  // sendmmsg with zero messages returns 0 when the call exists (ENOSYS if not).
  features.batch = sendmmsg(fd, nullptr, 0, 0) == 0;
  close(fd);
  return features;
}

}  // namespace natfwt::net
