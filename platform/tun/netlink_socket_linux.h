// Copyright 2026 The natfwt Authors.
//
// NetlinkSocket: a NETLINK_ROUTE socket that sends one request at a time
// and waits for its answer (the request/acknowledge half of rtnetlink; no
// multicast subscriptions). Messages come from netlink_linux.h.
//
//   NATFWT_ASSIGN_OR_RETURN(NetlinkSocket socket, NetlinkSocket::Open());
//   NATFWT_RETURN_IF_ERROR(socket.Transact(
//       netlink::BuildSetUp(index, socket.NextSequence()), "set cpnat0 up"));
//
// Thread-safety: one thread at a time per object.

#ifndef NATFWT_PLATFORM_TUN_NETLINK_SOCKET_LINUX_H_
#define NATFWT_PLATFORM_TUN_NETLINK_SOCKET_LINUX_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "platform/tun/netlink_linux.h"
#include "platform/tun/unique_fd.h"

namespace natfwt::tun {

class NetlinkSocket {
 public:
  // Opens the socket in this process's network namespace and asks for
  // extended ACKs (the kernel's own error text). `groups` (RTMGRP_* bits)
  // subscribes to change notifications, received with Watch(). Errors: as
  // MapErrno() maps socket() and bind() failures.
  static absl::StatusOr<NetlinkSocket> Open(uint32_t groups = 0);

  // A sequence number for the next request built on this socket.
  uint32_t NextSequence() { return ++sequence_; }

  // Sends `request` (whose nlmsg_seq came from NextSequence() and which asks
  // for an ACK) and waits for the kernel's answer. Errors: the request's
  // errno mapped by MapErrno() with message "<what>: <errno text>" plus
  // the kernel's extended ACK text; kInternal for a malformed answer;
  // kDeadlineExceeded when the kernel does not answer within 10 seconds.
  absl::Status Transact(absl::Span<const uint8_t> request,
                        absl::string_view what);

  // Sends a dump `request` (NLM_F_DUMP) and calls `each` for every message
  // of the answer until NLMSG_DONE; an error from `each` stops and is
  // returned. Errors: as Transact(); kAborted when the kernel flags the dump
  // as interrupted by a concurrent change (NLM_F_DUMP_INTR): retry.
  absl::Status Dump(
      absl::Span<const uint8_t> request, absl::string_view what,
      absl::FunctionRef<absl::Status(const netlink::Message&)> each);

  // Sends a query `request` (no NLM_F_ACK, no NLM_F_DUMP) and passes the
  // kernel's one answer to `answer`. Errors: the request's errno as in
  // Transact(); errors from `answer`.
  absl::Status Query(
      absl::Span<const uint8_t> request, absl::string_view what,
      absl::FunctionRef<absl::Status(const netlink::Message&)> answer);

  // Receives notifications (of the groups given to Open()) and passes each
  // message to `each` until it returns true. Errors: kDeadlineExceeded at
  // `deadline`; kResourceExhausted when the kernel dropped notifications
  // because the socket's queue was full (ENOBUFS: look at the current state
  // again); errors from `each`; as Transact() otherwise.
  absl::Status Watch(
      absl::Time deadline, absl::string_view what,
      absl::FunctionRef<absl::StatusOr<bool>(const netlink::Message&)> each);

 private:
  explicit NetlinkSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  absl::Status Send(absl::Span<const uint8_t> request, absl::string_view what);
  // Receives one datagram from the kernel into buffer_.
  absl::StatusOr<absl::Span<const uint8_t>> Receive(absl::string_view what);

  UniqueFd fd_;
  uint32_t sequence_ = 0;
  std::vector<uint8_t> buffer_;
};

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_NETLINK_SOCKET_LINUX_H_
