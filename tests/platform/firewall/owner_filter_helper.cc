// Copyright 2026 The natfwt Authors.
//
// Helper for owner_filter_netns_test: does one thing as another user, in a
// process of its own (so the test never runs library code in a forked copy
// of itself, which leak checkers would see as a second, half-torn-down
// program). Exit code is the result.
//
//   owner_filter_helper send UID GID ADDRESS PORT
//       drops to UID/GID (no supplementary groups), sends one UDP datagram;
//       exits 0 or with the errno of the failing call.
//   owner_filter_helper install UID GID IFNAME
//       drops to UID/GID, calls OwnerFilter::Install(IFNAME, {0}, {});
//       exits with the absl::StatusCode.
// Exit 200 means bad usage, 201 that dropping privileges failed.

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "platform/firewall/owner_filter.h"

namespace {

constexpr int kUsage = 200;
constexpr int kDropFailed = 201;

bool DropTo(const char* uid, const char* gid) {
  return setgroups(0, nullptr) == 0 && setgid(std::atoi(gid)) == 0 &&
         setuid(std::atoi(uid)) == 0;
}

int Send(const char* address, const char* port) {
  sockaddr_storage to{};
  socklen_t size = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
  if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(std::atoi(port)));
    size = sizeof *v4;
  } else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(std::atoi(port)));
    size = sizeof *v6;
  } else {
    return kUsage;
  }
  int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const char byte = 'x';
  int error =
      sendto(fd, &byte, 1, 0, reinterpret_cast<sockaddr*>(&to), size) == 1
          ? 0
          : errno;
  close(fd);
  return error;
}

int Install(const char* ifname) {
  auto filter = natfwt::firewall::OwnerFilter::Install(ifname, {0}, {});
  return static_cast<int>(filter.status().code());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return kUsage;
  const std::string command = argv[1];
  if (!DropTo(argv[2], argv[3])) return kDropFailed;
  if (command == "send" && argc == 6) return Send(argv[4], argv[5]);
  if (command == "install" && argc == 5) return Install(argv[4]);
  return kUsage;
}
