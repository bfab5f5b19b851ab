// Copyright 2026 The natfwt Authors.
//
// The few TCP socket operations the rendezvous server and client need, as
// one interface with one implementation per OS (tcp_socket_posix.cc; a
// stub returning kUnimplemented elsewhere). Every socket is non-blocking
// and close-on-exec; connections have TCP_NODELAY (signalling is small
// request/response traffic where Nagle only adds delay).
//
// Error contract (as quiche's io/socket.h): kUnavailable means "would
// block, try again after poll"; EINTR is retried inside; a connection
// that failed or was reset is kAborted; other errors keep their errno text.
//
// Thread-safety: a Socket is owned by one thread at a time; Waker::Wake()
// may be called from any thread.

#ifndef NATFWT_ENGINE_RENDEZVOUS_TCP_SOCKET_H_
#define NATFWT_ENGINE_RENDEZVOUS_TCP_SOCKET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace natfwt::rendezvous {

// An owned descriptor, closed on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { Close(); }

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Close();

 private:
  int fd_ = -1;
};

// A socket address as the OS represents it (opaque bytes).
struct SocketAddress {
  std::string raw;
  std::string ToString() const;  // "1.2.3.4:80", "[::1]:80".
};

// Resolves HOST for TCP (getaddrinfo, so it may block on DNS). With
// `numeric_only` a name is refused instead of looked up. Errors:
// kInvalidArgument (not a literal with numeric_only), kNotFound (no such
// name), kUnavailable (temporary resolver failure).
absl::StatusOr<std::vector<SocketAddress>> ResolveTcp(absl::string_view host,
                                                      uint16_t port,
                                                      bool numeric_only);

// A listening socket with SO_REUSEADDR (a restarted server can bind again
// while old connections sit in TIME_WAIT). Errors: kAlreadyExists (address
// in use), kPermissionDenied, kFailedPrecondition (address not local), or
// kInternal with the failing call and errno.
absl::StatusOr<Socket> ListenTcp(const SocketAddress& address, int backlog);

// The socket's local address. Errors: kInternal.
absl::StatusOr<SocketAddress> LocalAddress(const Socket& socket);

// Takes one pending connection; `peer_ip` receives the peer's address
// without port. Errors: kUnavailable (none pending, or one that vanished),
// kResourceExhausted (out of descriptors or memory; pause accepting),
// kInternal.
absl::StatusOr<Socket> AcceptTcp(const Socket& listener, std::string* peer_ip);

// Starts a non-blocking connect; the socket becomes writable when it
// completes, then FinishConnect() tells how. Errors: kAborted (refused at
// once), kInternal.
absl::StatusOr<Socket> StartConnect(const SocketAddress& address);
// Errors: kAborted naming the reason (refused, unreachable, timed out).
absl::Status FinishConnect(const Socket& socket);

// Reads up to `buffer.size()` bytes; 0 means the peer closed. Errors:
// kUnavailable (nothing to read), kAborted (reset, other failure).
absl::StatusOr<size_t> ReadSome(const Socket& socket, absl::Span<char> buffer);
// Writes what the socket takes now, without SIGPIPE. Errors: kUnavailable
// (buffer full), kAborted (peer gone, other failure).
absl::StatusOr<size_t> WriteSome(const Socket& socket, absl::string_view data);

// poll(2) over sockets.
enum PollFlag : uint8_t { kPollIn = 1, kPollOut = 2, kPollError = 4 };
struct PollItem {
  int fd = -1;
  uint8_t want = 0;  // kPollIn | kPollOut.
  uint8_t got = 0;   // Filled in: any of the three.
};
// Waits until an item is ready or `timeout` passes (negative: zero). EINTR
// returns OK with nothing ready. Errors: kInternal.
absl::Status PollSockets(absl::Span<PollItem> items, absl::Duration timeout);

// A self-pipe that wakes a poll loop from another thread.
class Waker {
 public:
  // Errors: kResourceExhausted / kInternal from pipe(2).
  static absl::StatusOr<Waker> Create();
  Waker(Waker&&) = default;
  Waker& operator=(Waker&&) = default;

  // Makes read_fd() readable until Drain(). Never blocks; any thread.
  void Wake() const;
  void Drain() const;
  int read_fd() const { return read_.fd(); }

 private:
  Waker(Socket read, Socket write)
      : read_(std::move(read)), write_(std::move(write)) {}
  Socket read_;
  Socket write_;
};

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_TCP_SOCKET_H_
