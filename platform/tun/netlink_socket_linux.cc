// Copyright 2026 The natfwt Authors.

#include "platform/tun/netlink_socket_linux.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "platform/base/status_macros.h"
#include "platform/tun/errno_status.h"

namespace natfwt::tun {
namespace {

// Large enough for any dump datagram: the kernel sizes dump skbs to at most
// NLMSG_GOODSIZE-ish (a page) unless the reader's buffer is bigger; 32 KiB
// leaves room for huge pages and many attributes (iproute2 uses 32 KiB too).
constexpr size_t kReceiveBufferBytes = 32 * 1024;
// Implementation choice: the kernel answers rtnetlink requests synchronously;
// a bound only guards against a wedged kernel.
constexpr time_t kReceiveTimeoutSeconds = 10;

void SetOptionalOption(int fd, int option) {
  int one = 1;
  // Both options exist since Linux 4.12/4.3; without them answers are still
  // correct, only less detailed (no kernel text) or longer (full echo).
  setsockopt(fd, SOL_NETLINK, option, &one, sizeof(one));
}

uint32_t SequenceOf(absl::Span<const uint8_t> request) {
  nlmsghdr header{};
  std::memcpy(&header, request.data(),
              std::min(request.size(), sizeof(header)));
  return header.nlmsg_seq;
}

absl::Status AckStatus(const netlink::Message& message,
                       absl::string_view what) {
  absl::StatusOr<netlink::Ack> ack = netlink::ParseAck(message);
  if (!ack.ok()) {
    return absl::InternalError(
        absl::StrCat(what, ": ", ack.status().message()));
  }
  if (ack->error == 0) return absl::OkStatus();
  absl::Status status = MapErrno(ack->error, what);
  if (ack->kernel_message.empty()) return status;
  return absl::Status(
      status.code(),
      absl::StrCat(status.message(), " (kernel: ", ack->kernel_message, ")"));
}

absl::StatusOr<std::vector<netlink::Message>> Split(
    absl::Span<const uint8_t> datagram, absl::string_view what) {
  absl::StatusOr<std::vector<netlink::Message>> messages =
      netlink::SplitMessages(datagram);
  if (!messages.ok()) {
    return absl::InternalError(
        absl::StrCat(what, ": ", messages.status().message()));
  }
  return messages;
}

// NLMSG_DONE carries the dump's final error code (0: complete).
absl::Status DoneStatus(const netlink::Message& done, bool interrupted,
                        absl::string_view what) {
  int error = 0;
  if (done.payload.size() >= sizeof(error)) {
    std::memcpy(&error, done.payload.data(), sizeof(error));
  }
  if (error < 0) return MapErrno(-error, what);
  if (interrupted) {
    return absl::AbortedError(
        absl::StrCat(what, ": interrupted by a concurrent change, retry"));
  }
  return absl::OkStatus();
}

absl::Status AwaitReadable(int fd, absl::Time deadline,
                           absl::string_view what) {
  while (true) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(what, ": timed out"));
    }
    pollfd readable{fd, POLLIN, 0};
    int ready = poll(&readable, 1,
                     static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready > 0) return absl::OkStatus();
    if (ready < 0 && errno != EINTR)
      return MapErrno(errno, absl::StrCat(what, ": poll"));
  }
}

}  // namespace

absl::StatusOr<NetlinkSocket> NetlinkSocket::Open(uint32_t groups) {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) {
    return MapErrno(errno, "socket(AF_NETLINK, NETLINK_ROUTE)");
  }
  SetOptionalOption(fd.get(), NETLINK_EXT_ACK);
  SetOptionalOption(fd.get(), NETLINK_CAP_ACK);
  timeval timeout{.tv_sec = kReceiveTimeoutSeconds, .tv_usec = 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel picks a port.
  local.nl_groups = groups;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    return MapErrno(errno, "bind(AF_NETLINK)");
  }
  NetlinkSocket socket(std::move(fd));
  socket.buffer_.resize(kReceiveBufferBytes);
  return socket;
}

absl::Status NetlinkSocket::Send(absl::Span<const uint8_t> request,
                                 absl::string_view what) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd_.get(), request.data(), request.size(), 0,
                  reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return MapErrno(errno, absl::StrCat(what, ": sendto"));
  return absl::OkStatus();
}

absl::StatusOr<absl::Span<const uint8_t>> NetlinkSocket::Receive(
    absl::string_view what) {
  while (true) {
    sockaddr_nl from{};
    iovec iov{buffer_.data(), buffer_.size()};
    msghdr header{};
    header.msg_name = &from;
    header.msg_namelen = sizeof(from);
    header.msg_iov = &iov;
    header.msg_iovlen = 1;
    ssize_t received = recvmsg(fd_.get(), &header, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0 && errno == EAGAIN) {
      return absl::DeadlineExceededError(
          absl::StrCat(what, ": no answer from the kernel"));
    }
    if (received < 0) return MapErrno(errno, absl::StrCat(what, ": recvmsg"));
    if ((header.msg_flags & MSG_TRUNC) != 0) {
      return absl::InternalError(absl::StrCat(what, ": answer truncated"));
    }
    if (from.nl_pid != 0) continue;  // Not from the kernel.
    return absl::MakeConstSpan(buffer_.data(), static_cast<size_t>(received));
  }
}

absl::Status NetlinkSocket::Transact(absl::Span<const uint8_t> request,
                                     absl::string_view what) {
  uint32_t sequence = SequenceOf(request);
  NATFWT_RETURN_IF_ERROR(Send(request, what));
  while (true) {
    NATFWT_ASSIGN_OR_RETURN(absl::Span<const uint8_t> datagram, Receive(what));
    NATFWT_ASSIGN_OR_RETURN(std::vector<netlink::Message> messages,
                            Split(datagram, what));
    for (const netlink::Message& message : messages) {
      if (message.seq == sequence && message.type == NLMSG_ERROR) {
        return AckStatus(message, what);
      }
    }
  }
}

absl::Status NetlinkSocket::Query(
    absl::Span<const uint8_t> request, absl::string_view what,
    absl::FunctionRef<absl::Status(const netlink::Message&)> answer) {
  uint32_t sequence = SequenceOf(request);
  NATFWT_RETURN_IF_ERROR(Send(request, what));
  while (true) {
    NATFWT_ASSIGN_OR_RETURN(absl::Span<const uint8_t> datagram, Receive(what));
    NATFWT_ASSIGN_OR_RETURN(std::vector<netlink::Message> messages,
                            Split(datagram, what));
    for (const netlink::Message& message : messages) {
      if (message.seq != sequence) continue;
      if (message.type == NLMSG_ERROR) return AckStatus(message, what);
      return answer(message);
    }
  }
}

absl::Status NetlinkSocket::Dump(
    absl::Span<const uint8_t> request, absl::string_view what,
    absl::FunctionRef<absl::Status(const netlink::Message&)> each) {
  uint32_t sequence = SequenceOf(request);
  NATFWT_RETURN_IF_ERROR(Send(request, what));
  bool interrupted = false;
  while (true) {
    NATFWT_ASSIGN_OR_RETURN(absl::Span<const uint8_t> datagram, Receive(what));
    NATFWT_ASSIGN_OR_RETURN(std::vector<netlink::Message> messages,
                            Split(datagram, what));
    for (const netlink::Message& message : messages) {
      if (message.seq != sequence) continue;
      interrupted |= (message.flags & NLM_F_DUMP_INTR) != 0;
      if (message.type == NLMSG_DONE) {
        return DoneStatus(message, interrupted, what);
      }
      if (message.type == NLMSG_ERROR) return AckStatus(message, what);
      NATFWT_RETURN_IF_ERROR(each(message));
    }
  }
}

absl::Status NetlinkSocket::Watch(
    absl::Time deadline, absl::string_view what,
    absl::FunctionRef<absl::StatusOr<bool>(const netlink::Message&)> each) {
  while (true) {
    NATFWT_RETURN_IF_ERROR(AwaitReadable(fd_.get(), deadline, what));
    NATFWT_ASSIGN_OR_RETURN(absl::Span<const uint8_t> datagram, Receive(what));
    NATFWT_ASSIGN_OR_RETURN(std::vector<netlink::Message> messages,
                            Split(datagram, what));
    for (const netlink::Message& message : messages) {
      NATFWT_ASSIGN_OR_RETURN(bool done, each(message));
      if (done) return absl::OkStatus();
    }
  }
}

}  // namespace natfwt::tun
