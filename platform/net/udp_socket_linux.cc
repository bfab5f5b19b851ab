// Copyright 2026 The natfwt Authors.
//
// UdpSocket on Linux: sendmmsg/recvmmsg, UDP GSO (UDP_SEGMENT) and GRO
// (UDP_GRO), an eventfd as the wake-up. The batch paths keep their scratch
// arrays on the stack (kMaxBatch entries, about 17 KiB), so they allocate
// nothing and concurrent senders share no state.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"
#include "platform/net/udp_features.h"
#include "platform/net/udp_socket.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // include/uapi/linux/udp.h, Linux 4.18.
#endif
#ifndef UDP_GRO
#define UDP_GRO 104  // include/uapi/linux/udp.h, Linux 5.0.
#endif

namespace natfwt::net {
namespace {

// ---- errno, mapped in one place ----

IoError IoErrorFromErrno(int error) {
  switch (error) {
    case EAGAIN:
      return IoError::kWouldBlock;
    case EMSGSIZE:
      return IoError::kMessageTooBig;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
      return IoError::kUnreachable;
    case ENOBUFS:
    case ENOMEM:
      return IoError::kNoBuffers;
    case EPERM:
    case EACCES:
      return IoError::kPermission;
    case EINVAL:
    case EAFNOSUPPORT:
    case EDESTADDRREQ:
    case EFAULT:
      return IoError::kInvalidArgument;
    case EBADF:
    case ENOTSOCK:
      return IoError::kClosed;
    default:
      return IoError::kOther;
  }
}

absl::StatusCode StatusCodeFromErrno(int error) {
  switch (error) {
    case EAGAIN:
      return absl::StatusCode::kUnavailable;
    case EADDRNOTAVAIL:
    case EINVAL:
    case EBADF:
    case ENOTSOCK:
    case EPROTOTYPE:
    case ENOPROTOOPT:
      return absl::StatusCode::kInvalidArgument;
    case EADDRINUSE:
      return absl::StatusCode::kAlreadyExists;
    case EACCES:
    case EPERM:
      return absl::StatusCode::kPermissionDenied;
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
      return absl::StatusCode::kFailedPrecondition;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return absl::StatusCode::kResourceExhausted;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status StatusFromErrno(int error, absl::string_view call) {
  return absl::Status(StatusCodeFromErrno(error),
                      absl::StrCat(call, ": ", std::strerror(error)));
}

// ---- addresses ----

// Fills `storage` for `endpoint` as a socket of `family` needs it: an IPv4
// destination on an IPv6 socket becomes ::ffff:a.b.c.d (RFC 4291 2.5.5.2).
socklen_t ToSockaddr(const UdpEndpoint& endpoint, int family,
                     sockaddr_in6* storage) {
  std::memset(storage, 0, sizeof(*storage));
  if (family == AF_INET && endpoint.address.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(endpoint.port);
    std::memcpy(&v4->sin_addr, endpoint.address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  storage->sin6_family = AF_INET6;
  storage->sin6_port = htons(endpoint.port);
  uint8_t* out = storage->sin6_addr.s6_addr;
  if (endpoint.address.is_v4()) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out + 12, endpoint.address.bytes().data(), 4);
  } else {
    std::memcpy(out, endpoint.address.bytes().data(), 16);
  }
  // An IPv6 destination on an IPv4 socket keeps AF_INET6: the kernel refuses
  // it (EAFNOSUPPORT -> kInvalidArgument).
  return sizeof(sockaddr_in6);
}

// The inverse; a v4-mapped IPv6 source comes back as IPv4.
UdpEndpoint FromSockaddr(const sockaddr_in6& storage) {
  UdpEndpoint endpoint;
  if (storage.sin6_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(storage);
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &v4.sin_addr, 4);
    endpoint.address = IpAddress::V4(bytes);
    endpoint.port = ntohs(v4.sin_port);
    return endpoint;
  }
  const uint8_t* in = storage.sin6_addr.s6_addr;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0,    0,
                                          0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(in, kMapped, 12) == 0) {
    endpoint.address = IpAddress::V4({in[12], in[13], in[14], in[15]});
  } else {
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), in, 16);
    endpoint.address = IpAddress::V6(bytes);
  }
  endpoint.port = ntohs(storage.sin6_port);
  return endpoint;
}

absl::StatusOr<UdpEndpoint> LocalAddress(int fd, int* family) {
  sockaddr_in6 storage{};
  socklen_t length = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return StatusFromErrno(errno, "getsockname");
  }
  if (storage.sin6_family != AF_INET && storage.sin6_family != AF_INET6) {
    return absl::InvalidArgumentError("not an IPv4 or IPv6 socket");
  }
  *family = storage.sin6_family;
  return FromSockaddr(storage);
}

// ---- socket set-up ----

const UdpFeatures& KernelFeatures() {
  static const UdpFeatures features = [] {
    absl::StatusOr<UdpFeatures> probed = ProbeUdpFeatures();
    return probed.ok() ? *probed : UdpFeatures{};
  }();
  return features;
}

int GetIntOption(int fd, int level, int name) {
  int value = 0;
  socklen_t length = sizeof(value);
  if (getsockopt(fd, level, name, &value, &length) != 0) return -1;
  return value;
}

// Asks for `bytes` with the FORCE option first (CAP_NET_ADMIN: passes the
// net.core.*mem_max cap), then the plain one (silently capped).
void SetBufferSize(int fd, int force_name, int name, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, force_name, &bytes, sizeof(bytes)) == 0) {
    return;
  }
  (void)setsockopt(fd, SOL_SOCKET, name, &bytes, sizeof(bytes));
}

absl::Status CheckUdpSocket(int fd) {
  if (fd < 0) return absl::InvalidArgumentError("negative descriptor");
  int type = GetIntOption(fd, SOL_SOCKET, SO_TYPE);
  if (type < 0) return StatusFromErrno(errno, "getsockopt(SO_TYPE)");
  int protocol = GetIntOption(fd, SOL_SOCKET, SO_PROTOCOL);
  // UDP-Lite (RFC 3828) is UDP for everything done here.
  if (type != SOCK_DGRAM ||
      (protocol != IPPROTO_UDP && protocol != IPPROTO_UDPLITE)) {
    return absl::InvalidArgumentError(
        absl::StrCat("descriptor ", fd, " is not a UDP socket"));
  }
  return absl::OkStatus();
}

absl::Status MakeNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return StatusFromErrno(errno, "fcntl(O_NONBLOCK)");
  }
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    return StatusFromErrno(errno, "fcntl(FD_CLOEXEC)");
  }
  return absl::OkStatus();
}

// ---- send helpers ----

// Room for one UDP_SEGMENT control message (a uint16_t segment size).
constexpr size_t kSendControlBytes = CMSG_SPACE(sizeof(uint16_t));
// Room for one UDP_GRO control message (an int segment size).
constexpr size_t kReceiveControlBytes = CMSG_SPACE(sizeof(int));

// How many datagrams from `first` on can go as one GSO message: same
// destination, same size as the first (the last may be shorter), within the
// segment and byte limits.
size_t GsoRunLength(absl::Span<const OutgoingDatagram> datagrams,
                    size_t first) {
  const OutgoingDatagram& head = datagrams[first];
  const size_t segment = head.size;
  if (segment == 0) return 1;
  size_t total = segment;
  size_t next = first + 1;
  while (next < datagrams.size() && next - first < UdpSocket::kMaxGsoSegments) {
    const OutgoingDatagram& candidate = datagrams[next];
    if (candidate.size == 0 || candidate.size > segment ||
        total + candidate.size > UdpSocket::kMaxUdpPayload ||
        candidate.destination != head.destination) {
      break;
    }
    total += candidate.size;
    ++next;
    if (candidate.size < segment) break;  // A short segment ends the run.
  }
  return next - first;
}

void AttachSegmentSize(msghdr* header, uint8_t* control, size_t segment) {
  std::memset(control, 0, kSendControlBytes);  // Alignment padding too.
  header->msg_control = control;
  header->msg_controllen = kSendControlBytes;
  cmsghdr* cmsg = CMSG_FIRSTHDR(header);
  cmsg->cmsg_level = SOL_UDP;
  cmsg->cmsg_type = UDP_SEGMENT;
  cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  uint16_t value = static_cast<uint16_t>(segment);
  std::memcpy(CMSG_DATA(cmsg), &value, sizeof(value));
}

// sendmmsg with EINTR retried; returns messages sent or -1 with errno set.
int SendMessages(int fd, mmsghdr* messages, size_t count) {
  int sent;
  do {
    sent = sendmmsg(fd, messages, static_cast<unsigned>(count), 0);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

// Internal outcome of one chunk: SendResult plus what the kernel said about
// the failing message, so SendBatch can apply the GSO fallbacks.
struct ChunkOutcome {
  SendResult result;
  int error = 0;
  bool failed_coalesced = false;
};

// The kernel messages for one chunk of datagrams, on the caller's stack.
struct SendScratch {
  std::array<mmsghdr, UdpSocket::kMaxBatch> messages;
  std::array<iovec, UdpSocket::kMaxBatch> iovecs;
  std::array<sockaddr_in6, UdpSocket::kMaxBatch> addresses;
  alignas(cmsghdr) uint8_t control[UdpSocket::kMaxBatch][kSendControlBytes];
  std::array<uint8_t, UdpSocket::kMaxBatch> run_lengths;  // Datagrams each.
  size_t count = 0;
};

// One message per datagram, or per GSO run when `use_gso`; each datagram
// keeps its own iovec (the kernel concatenates a message's iovecs and cuts
// them at the segment size).
void BuildMessages(absl::Span<const OutgoingDatagram> datagrams, int family,
                   bool use_gso, SendScratch& scratch) {
  scratch.count = 0;
  for (size_t d = 0; d < datagrams.size();) {
    const size_t run = use_gso ? GsoRunLength(datagrams, d) : 1;
    const size_t m = scratch.count++;
    msghdr& header = scratch.messages[m].msg_hdr;
    header = msghdr{};
    header.msg_name = &scratch.addresses[m];
    header.msg_namelen =
        ToSockaddr(datagrams[d].destination, family, &scratch.addresses[m]);
    for (size_t k = d; k < d + run; ++k) {
      scratch.iovecs[k].iov_base = const_cast<uint8_t*>(datagrams[k].data);
      scratch.iovecs[k].iov_len = datagrams[k].size;
    }
    header.msg_iov = &scratch.iovecs[d];
    header.msg_iovlen = run;
    if (run > 1)
      AttachSegmentSize(&header, scratch.control[m], datagrams[d].size);
    scratch.run_lengths[m] = static_cast<uint8_t>(run);
    d += run;
  }
}

// Sends the built messages until all went or the kernel refused one.
ChunkOutcome Transmit(int fd, SendScratch& scratch) {
  ChunkOutcome outcome;
  size_t done = 0;
  while (done < scratch.count) {
    int sent = SendMessages(fd, &scratch.messages[done], scratch.count - done);
    ++outcome.result.calls;
    if (sent < 0) {
      outcome.error = errno;
      outcome.result.error = IoErrorFromErrno(outcome.error);
      outcome.failed_coalesced = scratch.run_lengths[done] > 1;
      break;
    }
    for (size_t m = done; m < done + static_cast<size_t>(sent); ++m) {
      outcome.result.sent += scratch.run_lengths[m];
      if (scratch.run_lengths[m] > 1) ++outcome.result.segmented;
    }
    outcome.result.messages += static_cast<size_t>(sent);
    done += static_cast<size_t>(sent);
  }
  return outcome;
}

// ---- receive helpers ----

size_t GroSegmentSize(msghdr& header, size_t size) {
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&header); cmsg != nullptr;
       cmsg = CMSG_NXTHDR(&header, cmsg)) {
    if (cmsg->cmsg_level == SOL_UDP && cmsg->cmsg_type == UDP_GRO) {
      int segment = 0;
      std::memcpy(&segment, CMSG_DATA(cmsg), sizeof(segment));
      if (segment > 0) return static_cast<size_t>(segment);
    }
  }
  return size;
}

// Copies what recvmmsg reported for one message into its slot.
void FillSlot(mmsghdr& message, const sockaddr_in6& source,
              IncomingMessage& slot) {
  slot.size = message.msg_len;
  slot.truncated = (message.msg_hdr.msg_flags & MSG_TRUNC) != 0;
  slot.segment_size = GroSegmentSize(message.msg_hdr, slot.size);
  slot.source = FromSockaddr(source);
}

}  // namespace

// ---- lifetime ----

UdpSocket::UdpSocket(int fd, int wake_fd, bool adopted)
    : fd_(fd), wake_fd_(wake_fd), adopted_(adopted) {}

UdpSocket::~UdpSocket() {
  if (adopted_ && gro_) {
    // The original holder of this socket (libnice) must not get coalesced
    // buffers it cannot split.
    int off = 0;
    (void)setsockopt(fd_, SOL_UDP, UDP_GRO, &off, sizeof(off));
  }
  close(fd_);
  close(wake_fd_);
}

absl::StatusOr<std::unique_ptr<UdpSocket>> UdpSocket::Open(
    const UdpEndpoint& bind, const UdpSocketOptions& options) {
  int family = bind.address.is_v4() ? AF_INET : AF_INET6;
  int fd =
      socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return StatusFromErrno(errno, "socket(SOCK_DGRAM)");
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    int error = errno;
    close(fd);
    return StatusFromErrno(error, "eventfd");
  }
  std::unique_ptr<UdpSocket> socket(new UdpSocket(fd, wake_fd, false));
  sockaddr_in6 address;
  socklen_t length = ToSockaddr(bind, family, &address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    return StatusFromErrno(errno, absl::StrCat("bind(", bind.ToString(), ")"));
  }
  NATFWT_RETURN_IF_ERROR(socket->Configure(options));
  return socket;
}

absl::StatusOr<std::unique_ptr<UdpSocket>> UdpSocket::Adopt(
    int fd, const UdpSocketOptions& options) {
  absl::Status valid = CheckUdpSocket(fd);
  if (!valid.ok()) {
    if (fd >= 0) close(fd);
    return valid;
  }
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    int error = errno;
    close(fd);
    return StatusFromErrno(error, "eventfd");
  }
  std::unique_ptr<UdpSocket> socket(new UdpSocket(fd, wake_fd, true));
  NATFWT_RETURN_IF_ERROR(MakeNonBlocking(fd));
  NATFWT_RETURN_IF_ERROR(socket->Configure(options));
  return socket;
}

absl::Status UdpSocket::Configure(const UdpSocketOptions& options) {
  NATFWT_ASSIGN_OR_RETURN(local_, LocalAddress(fd_, &family_));
  if (options.buffer_bytes > 0) {
    SetBufferSize(fd_, SO_RCVBUFFORCE, SO_RCVBUF, options.buffer_bytes);
    SetBufferSize(fd_, SO_SNDBUFFORCE, SO_SNDBUF, options.buffer_bytes);
  }
  receive_buffer_bytes_ = GetIntOption(fd_, SOL_SOCKET, SO_RCVBUF);
  send_buffer_bytes_ = GetIntOption(fd_, SOL_SOCKET, SO_SNDBUF);
  const UdpFeatures& features = KernelFeatures();
  gso_.store(options.gso && features.gso, std::memory_order_relaxed);
  if (options.gro && features.gro) {
    int on = 1;
    gro_ = setsockopt(fd_, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
  }
  return absl::OkStatus();
}

// ---- send ----

SendResult UdpSocket::SendBatch(absl::Span<const OutgoingDatagram> datagrams) {
  SendResult total;
  size_t next = 0;
  bool gso_once_off = false;  // Resend one run without GSO (see EINVAL).
  while (next < datagrams.size()) {
    bool use_gso = gso_.load(std::memory_order_relaxed) && !gso_once_off;
    size_t count = std::min(datagrams.size() - next, kMaxBatch);
    SendScratch scratch;
    BuildMessages(datagrams.subspan(next, count), family_, use_gso, scratch);
    ChunkOutcome chunk = Transmit(fd_, scratch);
    total.sent += chunk.result.sent;
    total.messages += chunk.result.messages;
    total.segmented += chunk.result.segmented;
    total.calls += chunk.result.calls;
    next += chunk.result.sent;
    gso_once_off = false;
    if (chunk.result.error == IoError::kOk) continue;
    if (chunk.failed_coalesced && chunk.error == EIO) {
      // wireguard-go conn/errors_linux.go: EIO from a GSO send means the
      // route's device cannot segment (e.g. no checksum offload, or an
      // IPsec policy); it will not get better, so stop trying.
      gso_.store(false, std::memory_order_relaxed);
      NATFWT_LOG(kWarning) << "UDP GSO send failed with EIO on "
                           << local_.ToString() << "; GSO now off";
      continue;
    }
    if (chunk.failed_coalesced && chunk.error == EINVAL) {
      // A segment larger than the route's MTU cannot be segmented (Linux
      // udp_send_skb); sent alone it may still be fragmented.
      gso_once_off = true;
      continue;
    }
    total.error = chunk.result.error;
    break;
  }
  return total;
}

// ---- receive ----

ReceiveResult UdpSocket::ReceiveBatch(absl::Span<IncomingMessage> slots) {
  const size_t count = std::min(slots.size(), kMaxBatch);
  std::array<mmsghdr, kMaxBatch> messages;
  std::array<iovec, kMaxBatch> iovecs;
  std::array<sockaddr_in6, kMaxBatch> addresses;
  alignas(cmsghdr) uint8_t control[kMaxBatch][kReceiveControlBytes];
  for (size_t i = 0; i < count; ++i) {
    if (slots[i].buffer == nullptr || slots[i].capacity == 0) {
      return {0, IoError::kInvalidArgument};
    }
    iovecs[i] = {slots[i].buffer, slots[i].capacity};
    msghdr& header = messages[i].msg_hdr;
    header = msghdr{};
    header.msg_name = &addresses[i];
    header.msg_namelen = sizeof(addresses[i]);
    header.msg_iov = &iovecs[i];
    header.msg_iovlen = 1;
    header.msg_control = control[i];
    header.msg_controllen = kReceiveControlBytes;
  }
  if (count == 0) return {0, IoError::kInvalidArgument};
  int received;
  do {
    received = recvmmsg(fd_, messages.data(), static_cast<unsigned>(count), 0,
                        nullptr);
  } while (received < 0 && errno == EINTR);
  if (received < 0) return {0, IoErrorFromErrno(errno)};
  for (int i = 0; i < received; ++i) {
    FillSlot(messages[i], addresses[i], slots[i]);
  }
  return {static_cast<size_t>(received), IoError::kOk};
}

// ---- waiting ----

WaitResult UdpSocket::WaitReadable(absl::Duration timeout) {
  return Wait(POLLIN, timeout);
}

WaitResult UdpSocket::WaitWritable(absl::Duration timeout) {
  return Wait(POLLOUT, timeout);
}

WaitResult UdpSocket::Wait(short events, absl::Duration timeout) {
  const bool forever =
      timeout < absl::ZeroDuration() || timeout == absl::InfiniteDuration();
  const absl::Time deadline =
      forever ? absl::InfiniteFuture() : absl::Now() + timeout;
  while (true) {
    pollfd fds[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
    int wait_ms = -1;
    if (!forever) {
      absl::Duration left =
          std::max(deadline - absl::Now(), absl::ZeroDuration());
      wait_ms = static_cast<int>(std::min<int64_t>(
          absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))),
          INT32_MAX));
    }
    int ready = poll(fds, 2, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return WaitResult::kError;
    if (fds[1].revents & POLLIN) return WaitResult::kWoken;
    if (fds[0].revents & events) return WaitResult::kReady;
    if (fds[0].revents != 0) return WaitResult::kError;
    if (ready == 0) return WaitResult::kTimedOut;
  }
}

void UdpSocket::Wake() {
  uint64_t one = 1;
  // Only EAGAIN (counter at its maximum: already latched) can fail here.
  (void)!write(wake_fd_, &one, sizeof(one));
}

void UdpSocket::ResetWake() {
  uint64_t value;
  (void)!read(wake_fd_, &value, sizeof(value));
}

}  // namespace natfwt::net
