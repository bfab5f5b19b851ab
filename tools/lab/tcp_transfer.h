// Copyright 2026 The natfwt Authors.
//
// A checked TCP transfer between two hosts of a NAT lab: random bytes from
// one namespace to a listener in another, SHA-256 compared at both ends.
// The demo and the lab tests use it to move data over natfwt's interface
// (to a peer's transport ID) exactly as any program would: the sockets are
// ordinary kernel TCP sockets created inside the hosts' namespaces
// (netns.h), so the kernel routes them through the TUN like everything
// else there.
//
//   TcpTransferOptions options{.sender_ns = a.ns, .receiver_ns = b.ns,
//                              .address = b_transport_id,
//                              .bytes = 50 << 20};
//   NATFWT_ASSIGN_OR_RETURN(TcpTransferResult result,
//                           RunTcpTransfer(options));
//   if (!result.ok()) ...  // Short or corrupted.
//
// The data is fresh random bytes (OpenSSL's RAND_bytes, per 256 KiB chunk),
// so a misplaced, duplicated or lost chunk changes the hash. The receiver
// also reports the longest gap between two reads: how long TCP stalled,
// e.g. while a peer restarted or a NAT lost its mapping.
//
// Linux only (the lab is). Thread-safety: RunTcpTransfer may be called from
// any thread, several at once; `on_progress` runs on the receiving thread.

#ifndef NATFWT_TOOLS_LAB_TCP_TRANSFER_H_
#define NATFWT_TOOLS_LAB_TCP_TRANSFER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace natfwt::lab {

struct TcpTransferOptions {
  std::string sender_ns;    // Namespace the data leaves from.
  std::string receiver_ns;  // Namespace that listens.
  std::string address;      // What the sender connects to (IPv4 or IPv6).
  uint64_t bytes = uint64_t{50} << 20;
  // Sender pacing in bytes per second; 0: as fast as TCP goes. Lets a test
  // keep a transfer running while it breaks the path.
  uint64_t rate_bytes_per_second = 0;
  // Connecting (the first SYN may wait for natfwt to set up a session).
  absl::Duration connect_timeout = absl::Seconds(15);
  // The whole transfer, connecting included.
  absl::Duration timeout = absl::Seconds(60);
  // Called with the bytes received so far, after every read.
  std::function<void(uint64_t received)> on_progress;
};

struct TcpTransferResult {
  uint16_t port = 0;  // The receiver's.
  uint64_t sent = 0;
  uint64_t received = 0;
  std::string sent_sha256;  // Lowercase hex.
  std::string received_sha256;
  absl::Duration connect_time;  // connect() until established.
  // From the first byte written until the receiver saw the end.
  absl::Duration elapsed;
  // The longest wait between two reads of the receiver.
  absl::Duration longest_stall;

  // Everything arrived, unchanged.
  bool ok() const {
    return sent > 0 && received == sent && sent_sha256 == received_sha256;
  }
  // Payload bits per second over `elapsed`.
  double bits_per_second() const;
};

// Listens on an ephemeral port in `receiver_ns` (any address), connects to
// `address` from `sender_ns`, sends `bytes` random bytes, closes, and waits
// until the receiver read the end. Errors: kInvalidArgument (bad address,
// zero bytes); those of OpenSocketInNamespace; kDeadlineExceeded when the
// connection or the transfer took too long (the message says how far it
// got); kUnavailable when connecting failed or the connection broke (with
// strerror); kInternal for a failing system call.
absl::StatusOr<TcpTransferResult> RunTcpTransfer(
    const TcpTransferOptions& options);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_TCP_TRANSFER_H_
