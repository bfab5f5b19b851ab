// Copyright 2026 The natfwt Authors.
//
// The checked TCP transfer: a receiving thread (accept, read to the end,
// hash) and the sending caller (connect, write random chunks, hash, shut
// down), both with non-blocking sockets and poll() against one deadline.

#include "tools/lab/tcp_transfer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "platform/base/status_macros.h"
#include "tools/lab/netns.h"

namespace natfwt::lab {
namespace {

// Bytes per write and per read (implementation choice: big enough that
// system calls cost nothing next to the network, small enough to pace).
constexpr size_t kChunk = 256 * 1024;
// How often a waiting side looks at the other side's abort flag.
constexpr absl::Duration kPollSlice = absl::Milliseconds(100);

class OwnedFd {
 public:
  explicit OwnedFd(int fd = -1) : fd_(fd) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
  }
  void Update(const uint8_t* data, size_t size) {
    EVP_DigestUpdate(context_.get(), data, size);
  }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_.get(), digest, &size);
    return absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(digest), size));
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> context_;
};

absl::Status SystemError(absl::string_view call, int error) {
  return absl::InternalError(absl::StrCat(call, ": ", std::strerror(error)));
}

// A socket address for `text` and `port`, and its length.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNSPEC;
};

absl::StatusOr<SocketAddress> ParseAddress(const std::string& text) {
  SocketAddress address;
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = address.family = AF_INET6;
    address.length = sizeof(sockaddr_in6);
  } else if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = address.family = AF_INET;
    address.length = sizeof(sockaddr_in);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("transfer: '", text, "' is not an IP address"));
  }
  return address;
}

void SetPort(SocketAddress& address, uint16_t port) {
  if (address.family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
  }
}

// Waits until `fd` has one of `events`, `deadline` passes (kDeadlineExceeded
// saying `what`) or `abort` is set (kAborted).
absl::Status WaitFor(int fd, short events, absl::Time deadline,
                     const std::atomic<bool>& abort, absl::string_view what) {
  while (true) {
    if (abort.load()) return absl::AbortedError("the other side failed");
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat("timed out ", what));
    }
    pollfd p{fd, events, 0};
    int timeout_ms =
        static_cast<int>(absl::ToInt64Milliseconds(std::min(left, kPollSlice)));
    int n = poll(&p, 1, std::max(timeout_ms, 1));
    if (n > 0) return absl::OkStatus();
    if (n < 0 && errno != EINTR) return SystemError("poll", errno);
  }
}

// A listening socket in `ns` on an ephemeral port.
absl::StatusOr<int> Listen(const std::string& ns, SocketAddress any,
                           uint16_t* port) {
  NATFWT_ASSIGN_OR_RETURN(
      int fd, OpenSocketInNamespace(
                  ns, any.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC));
  OwnedFd owned(fd);
  if (any.family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&any.storage)->sin6_addr = in6addr_any;
  } else {
    reinterpret_cast<sockaddr_in*>(&any.storage)->sin_addr.s_addr = INADDR_ANY;
  }
  SetPort(any, 0);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&any.storage), any.length) !=
      0) {
    return SystemError("bind", errno);
  }
  if (listen(fd, 1) != 0) return SystemError("listen", errno);
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return SystemError("getsockname", errno);
  }
  *port = ntohs(any.family == AF_INET6
                    ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return owned.release();
}

struct ReceiverResult {
  absl::Status status;
  uint64_t received = 0;
  std::string sha256;
  absl::Duration longest_stall;
  absl::Time end;
};

// Accepts one connection on `listener` and reads it to the end.
void Receive(int listener, const TcpTransferOptions& options,
             absl::Time deadline, std::atomic<bool>& abort,
             ReceiverResult& result) {
  result.status = WaitFor(listener, POLLIN, deadline, abort,
                          "waiting for the sender's connection");
  if (!result.status.ok()) return;
  OwnedFd connection(accept4(listener, nullptr, nullptr, SOCK_NONBLOCK));
  if (connection.get() < 0) {
    result.status = SystemError("accept", errno);
    return;
  }
  Sha256 hash;
  std::vector<uint8_t> buffer(kChunk);
  absl::Time last_read = absl::Now();
  while (true) {
    ssize_t n = read(connection.get(), buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      result.status = absl::UnavailableError(
          absl::StrCat("receiving: ", std::strerror(errno), " after ",
                       result.received, " bytes"));
      return;
    }
    if (n < 0) {
      result.status = WaitFor(
          connection.get(), POLLIN, deadline, abort,
          absl::StrCat("receiving (", result.received, " bytes arrived)"));
      if (!result.status.ok()) return;
      continue;
    }
    absl::Time now = absl::Now();
    result.longest_stall = std::max(result.longest_stall, now - last_read);
    last_read = now;
    hash.Update(buffer.data(), static_cast<size_t>(n));
    result.received += static_cast<uint64_t>(n);
    if (options.on_progress) options.on_progress(result.received);
  }
  result.end = absl::Now();
  result.sha256 = hash.HexDigest();
}

absl::Status Connect(int fd, const SocketAddress& to, absl::Time deadline,
                     const std::atomic<bool>& abort) {
  if (connect(fd, reinterpret_cast<const sockaddr*>(&to.storage), to.length) ==
      0) {
    return absl::OkStatus();
  }
  if (errno != EINPROGRESS) {
    return absl::UnavailableError(
        absl::StrCat("connect: ", std::strerror(errno)));
  }
  NATFWT_RETURN_IF_ERROR(WaitFor(fd, POLLOUT, deadline, abort, "connecting"));
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
    return SystemError("getsockopt(SO_ERROR)", errno);
  }
  if (error != 0) {
    return absl::UnavailableError(
        absl::StrCat("connect: ", std::strerror(error)));
  }
  return absl::OkStatus();
}

// Writes `size` bytes of `data` fully.
absl::Status WriteAll(int fd, const uint8_t* data, size_t size,
                      absl::Time deadline, const std::atomic<bool>& abort,
                      uint64_t sent_before) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      return absl::UnavailableError(absl::StrCat(
          "sending: ", std::strerror(errno), " after ", sent_before, " bytes"));
    }
    NATFWT_RETURN_IF_ERROR(
        WaitFor(fd, POLLOUT, deadline, abort,
                absl::StrCat("sending (", sent_before, " bytes sent)")));
  }
  return absl::OkStatus();
}

// Sends `options.bytes` random bytes on the connected `fd`, then shuts the
// sending direction down. Sets `*sha256` and `*first_byte`.
absl::Status SendData(int fd, const TcpTransferOptions& options,
                      absl::Time deadline, const std::atomic<bool>& abort,
                      uint64_t* sent, std::string* sha256,
                      absl::Time* first_byte) {
  Sha256 hash;
  std::vector<uint8_t> chunk(kChunk);
  *first_byte = absl::Now();
  while (*sent < options.bytes) {
    size_t size =
        static_cast<size_t>(std::min<uint64_t>(kChunk, options.bytes - *sent));
    if (RAND_bytes(chunk.data(), static_cast<int>(size)) != 1) {
      return absl::InternalError("RAND_bytes failed");
    }
    hash.Update(chunk.data(), size);
    NATFWT_RETURN_IF_ERROR(
        WriteAll(fd, chunk.data(), size, deadline, abort, *sent));
    *sent += size;
    if (options.rate_bytes_per_second > 0) {
      // Pacing, not synchronisation: the next chunk is due when the rate
      // allows it.
      absl::Time due =
          *first_byte + absl::Seconds(static_cast<double>(*sent) /
                                      options.rate_bytes_per_second);
      absl::SleepFor(due - absl::Now());
    }
  }
  if (shutdown(fd, SHUT_WR) != 0) return SystemError("shutdown", errno);
  *sha256 = hash.HexDigest();
  return absl::OkStatus();
}

}  // namespace

double TcpTransferResult::bits_per_second() const {
  double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(received) * 8 / seconds : 0;
}

absl::StatusOr<TcpTransferResult> RunTcpTransfer(
    const TcpTransferOptions& options) {
  if (options.bytes == 0) {
    return absl::InvalidArgumentError("transfer: zero bytes");
  }
  NATFWT_ASSIGN_OR_RETURN(SocketAddress to, ParseAddress(options.address));
  TcpTransferResult result;
  NATFWT_ASSIGN_OR_RETURN(int listener_fd,
                          Listen(options.receiver_ns, to, &result.port));
  OwnedFd listener(listener_fd);
  SetPort(to, result.port);
  NATFWT_ASSIGN_OR_RETURN(
      int client_fd,
      OpenSocketInNamespace(options.sender_ns, to.family,
                            SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC));
  OwnedFd client(client_fd);

  absl::Time start = absl::Now();
  absl::Time deadline = start + options.timeout;
  std::atomic<bool> sender_failed{false};
  std::atomic<bool> receiver_failed{false};
  ReceiverResult received;
  std::thread receiver([&] {
    Receive(listener.get(), options, deadline, sender_failed, received);
    if (!received.status.ok()) receiver_failed = true;
  });

  absl::Time first_byte;
  absl::Status sent = Connect(
      client.get(), to, std::min(deadline, start + options.connect_timeout),
      receiver_failed);
  result.connect_time = absl::Now() - start;
  if (sent.ok()) {
    sent = SendData(client.get(), options, deadline, receiver_failed,
                    &result.sent, &result.sent_sha256, &first_byte);
  }
  if (!sent.ok()) sender_failed = true;
  receiver.join();
  if (!sent.ok() && !absl::IsAborted(sent)) return sent;
  if (!received.status.ok()) return received.status;
  if (!sent.ok()) return sent;
  result.received = received.received;
  result.received_sha256 = received.sha256;
  result.longest_stall = received.longest_stall;
  result.elapsed = received.end - first_byte;
  return result;
}

}  // namespace natfwt::lab
