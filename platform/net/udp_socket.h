// Copyright 2026 The natfwt Authors.
//
// UdpSocket: one UDP socket (an owned descriptor) with batched I/O for the
// packet hot path.
//
// Sends go out with sendmmsg(2), receives come in with recvmmsg(2). When the
// kernel has them (probed at run time, platform/net/udp_features.h), runs of
// equal-size datagrams to one destination are coalesced into one UDP GSO send
// (UDP_SEGMENT control message, Linux 4.18) and receives use UDP GRO (UDP_GRO
// socket option, Linux 5.0): one received message may then carry many
// datagrams of `segment_size` bytes each, which IncomingMessage::segment()
// splits without copying. Without them, plain sendmmsg/recvmmsg.
//
// The socket is either opened and bound here (Open) or adopted from a
// descriptor someone else created (Adopt): the engine takes over the socket
// of an ICE pair libnice selected by dup()ing it (see
// /work/shared/notes/hot-path.md).
//
// Error contract (quiche io/socket.h): EINTR is retried inside; EAGAIN is
// IoError::kWouldBlock on the batch calls and kUnavailable on the setup calls;
// errno values are mapped in exactly one place (udp_socket_linux.cc). The
// batch calls never allocate, log or build an absl::Status: they return
// counts and an IoError. Only setup returns absl::Status.
//
//   NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<UdpSocket> socket,
//                           UdpSocket::Open({loopback, 0}));
//   OutgoingDatagram out[] = {{data, size, peer}};
//   SendResult sent = socket->SendBatch(out);
//   ...
//   IncomingMessage in[64] = ...;  // Caller-owned buffers.
//   ReceiveResult got = socket->ReceiveBatch(absl::MakeSpan(in));
//   for (size_t m = 0; m < got.messages; ++m)
//     for (size_t s = 0; s < in[m].segment_count(); ++s)
//       Handle(in[m].segment(s), in[m].source);
//
// Thread-safety: SendBatch() may be called from several threads at once, and
// concurrently with ReceiveBatch(); ReceiveBatch() and WaitReadable() from
// one thread at a time. WaitWritable() from any thread. Wake() and all const
// accessors from any thread. Destruction must not race any other call.

#ifndef NATFWT_PLATFORM_NET_UDP_SOCKET_H_
#define NATFWT_PLATFORM_NET_UDP_SOCKET_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "platform/net/ip_address.h"

namespace natfwt::net {

// An IP address and a UDP port (host byte order). Plain value.
struct UdpEndpoint {
  IpAddress address;
  uint16_t port = 0;

  // "192.0.2.1:3478" or "[2001:db8::1]:3478".
  std::string ToString() const;
  bool operator==(const UdpEndpoint& other) const {
    return port == other.port && address == other.address;
  }
  bool operator!=(const UdpEndpoint& other) const { return !(*this == other); }
};

// Outcome of one batch call, errno-style (no absl::Status on the hot path).
enum class IoError : uint8_t {
  kOk = 0,
  kWouldBlock,       // EAGAIN/EWOULDBLOCK: nothing to read, or no room to send.
  kMessageTooBig,    // EMSGSIZE: larger than the socket or path allows.
  kUnreachable,      // ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ENETDOWN.
  kNoBuffers,        // ENOBUFS, ENOMEM: the kernel is short of memory.
  kPermission,       // EPERM, EACCES: refused by a firewall rule.
  kInvalidArgument,  // EINVAL, EAFNOSUPPORT, EDESTADDRREQ, EFAULT: bad input.
  kClosed,           // EBADF, ENOTSOCK: the socket is gone.
  kOther,            // Anything else (EIO after the GSO fallback, ...).
};

// "ok", "would-block", ... for counters and logs. Never empty.
absl::string_view IoErrorName(IoError error);

// One datagram to send. The caller keeps `data` alive for the call.
struct OutgoingDatagram {
  const uint8_t* data = nullptr;
  size_t size = 0;
  UdpEndpoint destination;
};

// What SendBatch() did.
struct SendResult {
  // Datagrams the kernel accepted: always a prefix of the input.
  size_t sent = 0;
  // Kernel messages those went in: fewer than `sent` when GSO coalesced runs
  // of them (sent - messages datagrams rode along as extra segments).
  size_t messages = 0;
  // Of those messages, the ones sent with GSO (more than one datagram each).
  size_t segmented = 0;
  // sendmmsg(2) calls made (EINTR retries not counted).
  size_t calls = 0;
  // kOk when every datagram was sent. Otherwise why the datagram at index
  // `sent` (and, with GSO, possibly the ones coalesced after it) was not.
  IoError error = IoError::kOk;
};

// One receive slot: caller-owned storage in, one kernel message out.
//
// With GRO one message may hold several datagrams: bytes [0, size) are
// segments of `segment_size` bytes each, the last one possibly shorter
// (Linux udp_gro_receive). Without GRO, segment_size == size.
struct IncomingMessage {
  // In: where to write and how much room there is (not changed by the call).
  uint8_t* buffer = nullptr;
  size_t capacity = 0;
  // Out: what arrived.
  size_t size = 0;
  size_t segment_size = 0;
  UdpEndpoint source;
  // The datagram (or coalesced run) was longer than `capacity` and cut
  // (MSG_TRUNC): its bytes must not be used.
  bool truncated = false;

  // Number of datagrams in the message: size / segment_size rounded up; an
  // empty datagram counts as one. Pure arithmetic.
  size_t segment_count() const {
    if (size == 0 || segment_size == 0) return 1;
    return (size + segment_size - 1) / segment_size;
  }
  // The i-th datagram (i < segment_count()), a view into `buffer`.
  absl::Span<uint8_t> segment(size_t i) const {
    if (size == 0 || segment_size == 0) return absl::Span<uint8_t>(buffer, 0);
    size_t offset = i * segment_size;
    size_t length = size - offset < segment_size ? size - offset : segment_size;
    return absl::Span<uint8_t>(buffer + offset, length);
  }
};

// What ReceiveBatch() did: `messages` slots were filled (a prefix).
struct ReceiveResult {
  size_t messages = 0;
  // kOk when messages > 0. kWouldBlock when nothing was waiting. Any other
  // value: the socket reported an error and nothing was received.
  IoError error = IoError::kOk;
};

// What WaitReadable()/WaitWritable() saw.
enum class WaitResult : uint8_t {
  kReady,     // The socket is readable (writable).
  kWoken,     // Wake() was called (before or during the wait).
  kTimedOut,  // The timeout passed first.
  kError,     // poll(2) failed or the socket reported an error condition.
};

struct UdpSocketOptions {
  // Use UDP GSO on send when the kernel has it.
  bool gso = true;
  // Turn UDP GRO on for receives when the kernel has it. Receive buffers
  // must then hold kMaxUdpPayload bytes, or coalesced runs are truncated.
  bool gro = true;
  // SO_RCVBUF/SO_SNDBUF to ask for; the FORCE variants are tried first (they
  // need CAP_NET_ADMIN and pass net.core.{r,w}mem_max). 0 leaves the kernel
  // defaults.
  int buffer_bytes = 8 << 20;
};

class UdpSocket {
 public:
  // The largest UDP payload over IPv4 (65535 - 8 - 20); also the largest
  // GRO-coalesced message (Linux caps a GRO packet at 64 KiB).
  static constexpr size_t kMaxUdpPayload = 65507;
  // Datagrams one GSO send may carry: Linux UDP_MAX_SEGMENTS (64 until 6.3,
  // 128 since); the older value, an implementation choice.
  static constexpr size_t kMaxGsoSegments = 64;
  // Datagrams (or receive slots) handled per sendmmsg/recvmmsg call; larger
  // spans are sent in several calls, and receives fill at most this many.
  static constexpr size_t kMaxBatch = 128;

  // Creates a UDP socket of `bind`'s family, bound to it (port 0: the kernel
  // picks). An IPv6 wildcard bind is dual-stack. The socket is non-blocking
  // and close-on-exec. Errors: kInvalidArgument when the address is not
  // local (EADDRNOTAVAIL) or invalid; kAlreadyExists when the port is taken
  // (EADDRINUSE); kPermissionDenied for a privileged port; kFailedPrecondition
  // when the family is not supported; kResourceExhausted when out of
  // descriptors; kUnimplemented on an OS without an implementation; kInternal
  // otherwise. Messages name the failing call and the errno text.
  static absl::StatusOr<std::unique_ptr<UdpSocket>> Open(
      const UdpEndpoint& bind, const UdpSocketOptions& options = {});

  // Takes ownership of `fd`, an IPv4 or IPv6 UDP (or UDP-Lite) socket
  // created elsewhere (typically a dup() of libnice's selected socket),
  // bound or not, and makes it
  // non-blocking. Ownership passes in every case: on error `fd` is closed.
  // Because a dup()ed descriptor shares the socket with its original, the
  // GRO option this object turns on is turned off again on destruction, so
  // the original holder never receives coalesced buffers; buffer sizes stay
  // raised. Errors: kInvalidArgument when `fd` is negative, not open, not a
  // socket, or not a UDP socket; kInternal for other failures.
  static absl::StatusOr<std::unique_ptr<UdpSocket>> Adopt(
      int fd, const UdpSocketOptions& options = {});

  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  // Closes the descriptor and the wake-up event (see Adopt() for GRO).
  ~UdpSocket();

  // The bound address, read once at Open()/Adopt().
  const UdpEndpoint& local_address() const { return local_; }
  // The descriptor, still owned by this object (for diagnostics and polls).
  int fd() const { return fd_; }
  // True while GSO is used on send (false when off in the options, missing
  // from the kernel, or switched off after an EIO; see SendBatch()).
  bool gso_enabled() const { return gso_.load(std::memory_order_relaxed); }
  // True when GRO is on for this socket.
  bool gro_enabled() const { return gro_; }
  // Effective kernel buffer sizes (as getsockopt reports them: the kernel
  // doubles the request for bookkeeping).
  int receive_buffer_bytes() const { return receive_buffer_bytes_; }
  int send_buffer_bytes() const { return send_buffer_bytes_; }

  // Sends `datagrams` in order, in as few system calls as the kernel allows
  // (kMaxBatch datagrams per call). Never blocks. With GSO, a run of
  // consecutive datagrams to one destination whose sizes equal the first's
  // (the last may be shorter) goes as one message, up to kMaxGsoSegments
  // datagrams and kMaxUdpPayload bytes. If a GSO send fails with EIO (a
  // device that cannot segment, wireguard-go conn/errors_linux.go), GSO is
  // switched off for this socket for good and the run is sent again as
  // single datagrams; after EINVAL (a segment above the route's MTU, or a
  // socket without checksums) only that run is resent unsegmented. Stops at the
  // first datagram the kernel refuses: see SendResult. kWouldBlock means the
  // send buffer is full: wait with WaitWritable() and send the rest.
  SendResult SendBatch(absl::Span<const OutgoingDatagram> datagrams);

  // Receives what is waiting, up to min(messages.size(), kMaxBatch)
  // messages, without blocking. Each slot's buffer/capacity is read; the
  // other fields are written for the filled slots. A slot with a null buffer
  // or zero capacity is an error (kInvalidArgument, nothing received).
  ReceiveResult ReceiveBatch(absl::Span<IncomingMessage> messages);

  // Blocks until the socket is readable (writable), Wake() was called, or
  // `timeout` passed. A negative or infinite timeout waits forever.
  WaitResult WaitReadable(absl::Duration timeout = absl::InfiniteDuration());
  WaitResult WaitWritable(absl::Duration timeout = absl::InfiniteDuration());

  // Latches the wake-up event: every current and later Wait*() returns kWoken
  // until ResetWake(). Used to stop a thread blocked in a wait. Thread-safe,
  // async-signal-safe (one write(2) to an eventfd).
  void Wake();
  // Clears the latch set by Wake(). Thread-safe.
  void ResetWake();

 private:
  UdpSocket(int fd, int wake_fd, bool adopted);
  absl::Status Configure(const UdpSocketOptions& options);
  WaitResult Wait(short events, absl::Duration timeout);

  const int fd_;
  const int wake_fd_;
  const bool adopted_;
  int family_ = 0;  // AF_INET or AF_INET6.
  UdpEndpoint local_;
  std::atomic<bool> gso_{false};
  bool gro_ = false;
  int receive_buffer_bytes_ = 0;
  int send_buffer_bytes_ = 0;
};

}  // namespace natfwt::net

#endif  // NATFWT_PLATFORM_NET_UDP_SOCKET_H_
