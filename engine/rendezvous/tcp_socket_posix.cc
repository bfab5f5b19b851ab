// Copyright 2026 The natfwt Authors.
//
// tcp_socket.h on POSIX systems (Linux, the BSDs, macOS).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/rendezvous/host_port.h"
#include "engine/rendezvous/tcp_socket.h"

namespace natfwt::rendezvous {
namespace {

// Linux and the BSDs suppress SIGPIPE per call; macOS only per socket
// (SO_NOSIGPIPE), which SetNoSigpipe() sets there.
#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;
#endif

absl::Status ErrnoStatus(absl::StatusCode code, absl::string_view call,
                         int error) {
  return absl::Status(code, absl::StrCat(call, ": ", std::strerror(error)));
}

absl::Status SetNonBlockingCloexec(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
      fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    return ErrnoStatus(absl::StatusCode::kInternal, "fcntl", errno);
  }
  return absl::OkStatus();
}

void SetConnectionOptions(int fd) {
  const int one = 1;
  // Best effort: a socket without them still works.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#ifdef SO_NOSIGPIPE
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
}

absl::StatusOr<Socket> NewSocket(int family) {
  Socket socket(::socket(family, SOCK_STREAM, 0));
  if (!socket.valid()) {
    return ErrnoStatus(errno == EMFILE || errno == ENFILE
                           ? absl::StatusCode::kResourceExhausted
                           : absl::StatusCode::kInternal,
                       "socket", errno);
  }
  absl::Status status = SetNonBlockingCloexec(socket.fd());
  if (!status.ok()) return status;
  return socket;
}

const sockaddr* AsSockaddr(const SocketAddress& address) {
  return reinterpret_cast<const sockaddr*>(address.raw.data());
}

int FamilyOf(const SocketAddress& address) {
  if (address.raw.size() < sizeof(sa_family_t)) return AF_UNSPEC;
  sockaddr_storage storage{};
  std::memcpy(&storage, address.raw.data(),
              std::min(address.raw.size(), sizeof(storage)));
  return storage.ss_family;
}

SocketAddress FromSockaddr(const sockaddr_storage& storage, socklen_t size) {
  return SocketAddress{
      std::string(reinterpret_cast<const char*>(&storage), size)};
}

std::string IpText(const sockaddr_storage& storage) {
  char text[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
  } else if (storage.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
  }
  return text;
}

uint16_t PortOf(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return 0;
}

absl::StatusCode ResolveErrorCode(int error) {
  switch (error) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
      return absl::StatusCode::kNotFound;
    case EAI_AGAIN:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kInternal;
  }
}

short PollEvents(uint8_t want) {  // NOLINT(runtime/int): poll's type.
  short events = 0;               // NOLINT(runtime/int)
  if (want & kPollIn) events |= POLLIN;
  if (want & kPollOut) events |= POLLOUT;
  return events;
}

uint8_t PollResult(short revents) {  // NOLINT(runtime/int)
  uint8_t got = 0;
  if (revents & (POLLIN | POLLHUP)) got |= kPollIn;
  if (revents & POLLOUT) got |= kPollOut;
  if (revents & (POLLERR | POLLNVAL)) got |= kPollError;
  return got;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void Socket::Close() {
  if (fd_ >= 0) {
    // close(2) may report EINTR with the descriptor already released on
    // Linux; retrying could close a descriptor another thread just got.
    ::close(fd_);
    fd_ = -1;
  }
}

std::string SocketAddress::ToString() const {
  sockaddr_storage storage{};
  std::memcpy(&storage, raw.data(), std::min(raw.size(), sizeof(storage)));
  return FormatHostPort(IpText(storage), PortOf(storage));
}

absl::StatusOr<std::vector<SocketAddress>> ResolveTcp(absl::string_view host,
                                                      uint16_t port,
                                                      bool numeric_only) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (numeric_only ? AI_NUMERICHOST : 0);
  addrinfo* list = nullptr;
  const std::string host_text(host);
  const std::string port_text = absl::StrCat(port);
  const int error =
      getaddrinfo(host_text.c_str(), port_text.c_str(), &hints, &list);
  if (error != 0) {
    const absl::StatusCode code = numeric_only && error == EAI_NONAME
                                      ? absl::StatusCode::kInvalidArgument
                                      : ResolveErrorCode(error);
    return absl::Status(code, absl::StrCat("cannot resolve '", host_text,
                                           "': ", gai_strerror(error)));
  }
  std::vector<SocketAddress> addresses;
  for (addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    addresses.push_back(SocketAddress{std::string(
        reinterpret_cast<const char*>(entry->ai_addr), entry->ai_addrlen)});
  }
  freeaddrinfo(list);
  if (addresses.empty()) {
    return absl::NotFoundError(
        absl::StrCat("'", host_text, "' has no IPv4 or IPv6 address"));
  }
  return addresses;
}

absl::StatusOr<Socket> ListenTcp(const SocketAddress& address, int backlog) {
  absl::StatusOr<Socket> socket = NewSocket(FamilyOf(address));
  if (!socket.ok()) return socket.status();
  const int one = 1;
  setsockopt(socket->fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(socket->fd(), AsSockaddr(address),
             static_cast<socklen_t>(address.raw.size())) != 0) {
    const int error = errno;
    const std::string what = absl::StrCat("bind ", address.ToString());
    switch (error) {
      case EADDRINUSE:
        return ErrnoStatus(absl::StatusCode::kAlreadyExists, what, error);
      case EACCES:
      case EPERM:
        return ErrnoStatus(absl::StatusCode::kPermissionDenied, what, error);
      case EADDRNOTAVAIL:
        return ErrnoStatus(absl::StatusCode::kFailedPrecondition, what, error);
      default:
        return ErrnoStatus(absl::StatusCode::kInternal, what, error);
    }
  }
  if (::listen(socket->fd(), backlog) != 0) {
    return ErrnoStatus(absl::StatusCode::kInternal, "listen", errno);
  }
  return socket;
}

absl::StatusOr<SocketAddress> LocalAddress(const Socket& socket) {
  sockaddr_storage storage{};
  socklen_t size = sizeof(storage);
  if (getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&storage), &size) !=
      0) {
    return ErrnoStatus(absl::StatusCode::kInternal, "getsockname", errno);
  }
  return FromSockaddr(storage, size);
}

absl::StatusOr<Socket> AcceptTcp(const Socket& listener, std::string* peer_ip) {
  sockaddr_storage storage{};
  socklen_t size = sizeof(storage);
  int fd;
  do {
    fd = ::accept(listener.fd(), reinterpret_cast<sockaddr*>(&storage), &size);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int error = errno;
    switch (error) {
      case EAGAIN:
#if EAGAIN != EWOULDBLOCK
      case EWOULDBLOCK:
#endif
      case ECONNABORTED:
      case EPROTO:
        return ErrnoStatus(absl::StatusCode::kUnavailable, "accept", error);
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        return ErrnoStatus(absl::StatusCode::kResourceExhausted, "accept",
                           error);
      default:
        return ErrnoStatus(absl::StatusCode::kInternal, "accept", error);
    }
  }
  Socket socket(fd);
  absl::Status status = SetNonBlockingCloexec(fd);
  if (!status.ok()) return status;
  SetConnectionOptions(fd);
  *peer_ip = IpText(storage);
  return socket;
}

absl::StatusOr<Socket> StartConnect(const SocketAddress& address) {
  absl::StatusOr<Socket> socket = NewSocket(FamilyOf(address));
  if (!socket.ok()) return socket.status();
  SetConnectionOptions(socket->fd());
  int result;
  do {
    result = ::connect(socket->fd(), AsSockaddr(address),
                       static_cast<socklen_t>(address.raw.size()));
  } while (result != 0 && errno == EINTR);
  if (result != 0 && errno != EINPROGRESS) {
    return ErrnoStatus(absl::StatusCode::kAborted,
                       absl::StrCat("connect ", address.ToString()), errno);
  }
  return socket;
}

absl::Status FinishConnect(const Socket& socket) {
  int error = 0;
  socklen_t size = sizeof(error);
  if (getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
    error = errno;
  }
  if (error != 0) {
    return ErrnoStatus(absl::StatusCode::kAborted, "connect", error);
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> ReadSome(const Socket& socket, absl::Span<char> buffer) {
  ssize_t n;
  do {
    n = ::recv(socket.fd(), buffer.data(), buffer.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return static_cast<size_t>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    return absl::UnavailableError("would block");
  }
  return ErrnoStatus(absl::StatusCode::kAborted, "recv", errno);
}

absl::StatusOr<size_t> WriteSome(const Socket& socket, absl::string_view data) {
  ssize_t n;
  do {
    n = ::send(socket.fd(), data.data(), data.size(), kSendFlags);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return static_cast<size_t>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    return absl::UnavailableError("would block");
  }
  return ErrnoStatus(absl::StatusCode::kAborted, "send", errno);
}

absl::Status PollSockets(absl::Span<PollItem> items, absl::Duration timeout) {
  std::vector<pollfd> fds(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    fds[i] = pollfd{items[i].fd, PollEvents(items[i].want), 0};
    items[i].got = 0;
  }
  // Round up so a deadline 0.4 ms away does not spin with timeout 0.
  int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(
      std::max(timeout, absl::ZeroDuration()), absl::Milliseconds(1)));
  if (ms > 3600 * 1000) ms = 3600 * 1000;
  const int result = ::poll(fds.data(), fds.size(), static_cast<int>(ms));
  if (result < 0) {
    if (errno == EINTR) return absl::OkStatus();
    return ErrnoStatus(absl::StatusCode::kInternal, "poll", errno);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].got = PollResult(fds[i].revents);
  }
  return absl::OkStatus();
}

absl::StatusOr<Waker> Waker::Create() {
  int fds[2];
  if (::pipe(fds) != 0) {
    return ErrnoStatus(errno == EMFILE || errno == ENFILE
                           ? absl::StatusCode::kResourceExhausted
                           : absl::StatusCode::kInternal,
                       "pipe", errno);
  }
  Socket read(fds[0]);
  Socket write(fds[1]);
  absl::Status status = SetNonBlockingCloexec(read.fd());
  if (status.ok()) status = SetNonBlockingCloexec(write.fd());
  if (!status.ok()) return status;
  return Waker(std::move(read), std::move(write));
}

void Waker::Wake() const {
  const char byte = 1;
  // EAGAIN means a wake-up is already pending: nothing to do.
  while (::write(write_.fd(), &byte, 1) < 0 && errno == EINTR) {
  }
}

void Waker::Drain() const {
  char buffer[64];
  while (::read(read_.fd(), buffer, sizeof(buffer)) > 0) {
  }
}

}  // namespace natfwt::rendezvous
