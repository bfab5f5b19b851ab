// Copyright 2026 The natfwt Authors.
//
// Systems without a UdpSocket implementation yet: Open() and Adopt() return
// kUnimplemented, so no object is ever created and the other members are
// never reached.

#include "absl/status/status.h"
#include "platform/net/udp_socket.h"

namespace natfwt::net {

absl::StatusOr<std::unique_ptr<UdpSocket>> UdpSocket::Open(
    const UdpEndpoint& /*bind*/, const UdpSocketOptions& /*options*/) {
  return absl::UnimplementedError("UdpSocket is not implemented on this OS");
}

absl::StatusOr<std::unique_ptr<UdpSocket>> UdpSocket::Adopt(
    int /*fd*/, const UdpSocketOptions& /*options*/) {
  return absl::UnimplementedError("UdpSocket is not implemented on this OS");
}

UdpSocket::UdpSocket(int fd, int wake_fd, bool adopted)
    : fd_(fd), wake_fd_(wake_fd), adopted_(adopted) {}
UdpSocket::~UdpSocket() = default;

SendResult UdpSocket::SendBatch(absl::Span<const OutgoingDatagram> datagrams) {
  SendResult result;
  if (!datagrams.empty()) result.error = IoError::kClosed;
  return result;
}

ReceiveResult UdpSocket::ReceiveBatch(absl::Span<IncomingMessage> /*m*/) {
  return {0, IoError::kClosed};
}

WaitResult UdpSocket::WaitReadable(absl::Duration /*timeout*/) {
  return WaitResult::kError;
}
WaitResult UdpSocket::WaitWritable(absl::Duration /*timeout*/) {
  return WaitResult::kError;
}
void UdpSocket::Wake() {}
void UdpSocket::ResetWake() {}

}  // namespace natfwt::net
