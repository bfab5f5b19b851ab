// Copyright 2026 The natfwt Authors.
//
// tcp_socket.h where no implementation exists yet (Windows needs a Winsock
// one): every operation is kUnimplemented, so the rendezvous server and
// client fail cleanly at Start().

#include "engine/rendezvous/host_port.h"
#include "engine/rendezvous/tcp_socket.h"

namespace natfwt::rendezvous {
namespace {
absl::Status Unimplemented() {
  return absl::UnimplementedError("TCP sockets are not implemented here");
}
}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  fd_ = other.fd_;
  other.fd_ = -1;
  return *this;
}
void Socket::Close() { fd_ = -1; }
std::string SocketAddress::ToString() const { return "?"; }

absl::StatusOr<std::vector<SocketAddress>> ResolveTcp(absl::string_view,
                                                      uint16_t, bool) {
  return Unimplemented();
}
absl::StatusOr<Socket> ListenTcp(const SocketAddress&, int) {
  return Unimplemented();
}
absl::StatusOr<SocketAddress> LocalAddress(const Socket&) {
  return Unimplemented();
}
absl::StatusOr<Socket> AcceptTcp(const Socket&, std::string*) {
  return Unimplemented();
}
absl::StatusOr<Socket> StartConnect(const SocketAddress&) {
  return Unimplemented();
}
absl::Status FinishConnect(const Socket&) { return Unimplemented(); }
absl::StatusOr<size_t> ReadSome(const Socket&, absl::Span<char>) {
  return Unimplemented();
}
absl::StatusOr<size_t> WriteSome(const Socket&, absl::string_view) {
  return Unimplemented();
}
absl::Status PollSockets(absl::Span<PollItem>, absl::Duration) {
  return Unimplemented();
}
absl::StatusOr<Waker> Waker::Create() { return Unimplemented(); }
void Waker::Wake() const {}
void Waker::Drain() const {}

}  // namespace natfwt::rendezvous
