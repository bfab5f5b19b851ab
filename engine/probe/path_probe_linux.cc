// Copyright 2026 The natfwt Authors.
//
// path_probe.h on Linux: IP_TTL per probe, ICMP errors from the socket's
// error queue (IP_RECVERR; ip(7), "IP_RECVERR"). The payload returned with
// each queued error is the start of the expired datagram's UDP payload as
// the router quoted it: its STUN transaction ID names the TTL.

#include "engine/probe/path_probe.h"

// The related header (absl/time) declares struct timespec, which
// linux/errqueue.h uses without including it.
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/probe/socket_address.h"
#include "engine/probe/stun_codec.h"

namespace natfwt::probe {
namespace {

// RFC 792 ICMP types (spec).
constexpr uint8_t kIcmpDestinationUnreachable = 3;
constexpr uint8_t kIcmpTimeExceeded = 11;
constexpr int kMaxHops = 64;
// A STUN header (RFC 8489 section 5) carries the transaction ID in bytes
// 8-19.
constexpr size_t kStunHeader = 20;
constexpr size_t kIdOffset = 8;

absl::Status Errno(absl::string_view call) {
  return absl::UnavailableError(
      absl::StrCat("hop discovery: ", call, ": ", std::strerror(errno)));
}

class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

struct Probe {
  int ttl = 0;
  StunRequest request;
};

// The state of one run, shared by the readers below.
class PathRun {
 public:
  PathRun(int fd, const net::UdpEndpoint& server, int max_hops)
      : fd_(fd), server_(server), max_hops_(max_hops), hops_(max_hops + 1) {}

  absl::Status SendAll(bool only_silent);
  void ReadErrors();
  void ReadAnswers();
  bool Done() const;
  PathProbeResult Result() const;

 private:
  absl::Status Send(const Probe& probe);
  int TtlOf(absl::Span<const uint8_t> payload) const;
  int Limit() const { return server_ttl_ ? *server_ttl_ - 1 : max_hops_; }

  const int fd_;
  const net::UdpEndpoint server_;
  const int max_hops_;
  StunClient client_;
  std::vector<Probe> probes_;
  std::vector<std::optional<net::IpAddress>> hops_;  // Index: TTL.
  std::optional<int> server_ttl_;
};

absl::Status PathRun::Send(const Probe& probe) {
  const int ttl = probe.ttl;
  if (setsockopt(fd_, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) != 0) {
    return Errno("setsockopt(IP_TTL)");
  }
  sockaddr_storage to;
  const size_t length = EndpointToSockaddr(server_, &to);
  // With IP_RECVERR, an ICMP error of an earlier probe is reported by the
  // next send (ip(7)), which then sends nothing: try again (the report
  // clears it; each earlier probe causes at most one).
  for (int attempt = 0; attempt <= max_hops_; ++attempt) {
    if (sendto(fd_, probe.request.bytes.data(), probe.request.bytes.size(), 0,
               reinterpret_cast<const sockaddr*>(&to),
               static_cast<socklen_t>(length)) >= 0 ||
        errno == EAGAIN) {
      return absl::OkStatus();
    }
    if (errno != EINTR && errno != EHOSTUNREACH && errno != ECONNREFUSED &&
        errno != ENETUNREACH) {
      return Errno("sendto");
    }
  }
  return Errno("sendto");
}

absl::Status PathRun::SendAll(bool only_silent) {
  if (probes_.empty()) {
    for (int ttl = 1; ttl <= max_hops_; ++ttl) {
      absl::StatusOr<StunRequest> request = client_.BindingRequest();
      if (!request.ok()) return request.status();
      probes_.push_back({ttl, *std::move(request)});
    }
  }
  for (const Probe& probe : probes_) {
    if (only_silent && (probe.ttl > Limit() || hops_[probe.ttl])) continue;
    if (absl::Status sent = Send(probe); !sent.ok()) return sent;
  }
  return absl::OkStatus();
}

int PathRun::TtlOf(absl::Span<const uint8_t> payload) const {
  if (payload.size() < kStunHeader) return 0;
  for (const Probe& probe : probes_) {
    if (std::equal(probe.request.id.begin(), probe.request.id.end(),
                   payload.begin() + kIdOffset)) {
      return probe.ttl;
    }
  }
  return 0;
}

void PathRun::ReadErrors() {
  for (;;) {
    uint8_t payload[512];
    alignas(cmsghdr) uint8_t control[512];
    iovec io{payload, sizeof(payload)};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    const ssize_t got = recvmsg(fd_, &message, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (got < 0) return;  // EAGAIN: the queue is empty.
    const int ttl =
        TtlOf(absl::MakeConstSpan(payload, static_cast<size_t>(got)));
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
         c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR) continue;
      sock_extended_err error;
      std::memcpy(&error, CMSG_DATA(c), sizeof(error));
      if (error.ee_origin != SO_EE_ORIGIN_ICMP || ttl == 0) continue;
      const auto* offender = reinterpret_cast<const sockaddr*>(
          reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c)) + 1);
      std::optional<net::UdpEndpoint> from = EndpointFromSockaddr(offender);
      if (!from) continue;
      if (error.ee_type == kIcmpTimeExceeded) hops_[ttl] = from->address;
      if (error.ee_type == kIcmpDestinationUnreachable &&
          from->address == server_.address &&
          (!server_ttl_ || ttl < *server_ttl_)) {
        server_ttl_ = ttl;  // The server's port is closed, but reached.
      }
    }
  }
}

void PathRun::ReadAnswers() {
  for (;;) {
    uint8_t datagram[2048];
    const ssize_t got = recv(fd_, datagram, sizeof(datagram), MSG_DONTWAIT);
    if (got < 0) {
      // A pending ICMP error is reported once by recv (and stays queued for
      // ReadErrors); anything else ends the read.
      if (errno == EHOSTUNREACH || errno == ECONNREFUSED ||
          errno == ENETUNREACH) {
        continue;
      }
      return;
    }
    const absl::Span<const uint8_t> bytes(datagram, static_cast<size_t>(got));
    absl::StatusOr<BindingResponse> answer =
        client_.ParseBindingResponse(bytes);
    if (!answer.ok()) continue;
    const int ttl = TtlOf(bytes);
    if (ttl > 0 && (!server_ttl_ || ttl < *server_ttl_)) server_ttl_ = ttl;
  }
}

bool PathRun::Done() const {
  if (!server_ttl_) return false;
  for (int ttl = 1; ttl < *server_ttl_; ++ttl) {
    if (!hops_[ttl]) return false;
  }
  return true;
}

PathProbeResult PathRun::Result() const {
  PathProbeResult result;
  result.server_ttl = server_ttl_;
  for (int ttl = 1; ttl <= Limit(); ++ttl) {
    result.hops.push_back({ttl, hops_[ttl]});
  }
  return result;
}

absl::StatusOr<int> OpenProbeSocket(const net::IpAddress& local) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Errno("socket");
  OwnedFd owned(fd);
  sockaddr_storage bind_to;
  const size_t length = EndpointToSockaddr({local, 0}, &bind_to);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&bind_to),
           static_cast<socklen_t>(length)) != 0) {
    return Errno("bind");
  }
  const int on = 1;
  if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) != 0) {
    return Errno("setsockopt(IP_RECVERR)");
  }
  return owned.Release();
}

}  // namespace

absl::StatusOr<PathProbeResult> ProbePath(const net::IpAddress& local,
                                          const net::UdpEndpoint& server,
                                          int max_hops,
                                          absl::Duration timeout) {
  if (max_hops < 1 || max_hops > kMaxHops) {
    return absl::InvalidArgumentError("max_hops must be 1-64");
  }
  if (local.family() != server.address.family()) {
    return absl::InvalidArgumentError("local and server families differ");
  }
  if (server.address.is_v6()) {
    return absl::UnimplementedError("hop discovery is implemented for IPv4");
  }
  absl::StatusOr<int> fd = OpenProbeSocket(local);
  if (!fd.ok()) return fd.status();
  OwnedFd socket_fd(*fd);
  PathRun run(socket_fd.get(), server, max_hops);
  if (absl::Status sent = run.SendAll(false); !sent.ok()) return sent;
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + timeout;
  const absl::Time resend_at = start + timeout / 3;
  bool resent = false;
  while (!run.Done()) {
    const absl::Time now = absl::Now();
    if (now >= deadline) break;
    if (!resent && now >= resend_at) {
      if (absl::Status sent = run.SendAll(true); !sent.ok()) return sent;
      resent = true;
    }
    const absl::Time wake = resent ? deadline : resend_at;
    pollfd waiter{socket_fd.get(), POLLIN, 0};
    const int wait_ms = static_cast<int>(
        std::max<int64_t>(1, absl::ToInt64Milliseconds(wake - now)));
    if (poll(&waiter, 1, wait_ms) < 0 && errno != EINTR) return Errno("poll");
    run.ReadErrors();
    run.ReadAnswers();
  }
  return run.Result();
}

}  // namespace natfwt::probe
