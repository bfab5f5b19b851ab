// Copyright 2026 The natfwt Authors.

#include "engine/probe/stun_transport.h"

#include <gio/gio.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/probe/stun_codec.h"
#include "platform/base/status_macros.h"

namespace natfwt::probe {
namespace {

// RFC 8489 section 5: the fixed header; the largest message a stream may
// carry here (implementation choice: answers are a few hundred bytes).
constexpr size_t kHeaderSize = 20;
constexpr size_t kMaxStreamMessage = 4096;

struct GObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

absl::Status FromGError(absl::string_view what, GError* error,
                        absl::Time deadline) {
  const bool timed_out =
      g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  const std::string message = absl::StrCat(what, ": ", error->message);
  g_error_free(error);
  if (timed_out || absl::Now() >= deadline) {
    return absl::DeadlineExceededError(message);
  }
  return absl::UnavailableError(message);
}

// Whole seconds (at least 1) left until `deadline`: GIO's timeout unit.
guint SecondsLeft(absl::Time deadline) {
  const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
  return static_cast<guint>(std::max<int64_t>(1, (ms + 999) / 1000));
}

class UdpTransport : public StunTransport {
 public:
  UdpTransport(std::unique_ptr<net::UdpSocket> socket,
               const net::UdpEndpoint& server)
      : socket_(std::move(socket)), server_(server) {}

  absl::StatusOr<Answer> Exchange(absl::Span<const uint8_t> request,
                                  absl::Time deadline,
                                  AnswerFilter accept) override {
    RetransmitPolicy policy;
    policy.timeout = deadline - absl::Now();
    return ExchangeUdp(
        *socket_, *socket_, server_, request, policy,
        [&](absl::Span<const uint8_t> datagram, const net::UdpEndpoint& from) {
          return from == server_ && accept(datagram, from);
        });
  }
  absl::string_view name() const override { return "UDP"; }

 private:
  std::unique_ptr<net::UdpSocket> socket_;
  const net::UdpEndpoint server_;
};

class StreamTransport : public StunTransport {
 public:
  StreamTransport(GPtr<GSocketConnection> tcp, GPtr<GIOStream> stream,
                  const net::UdpEndpoint& server, bool tls)
      : tcp_(std::move(tcp)),
        stream_(std::move(stream)),
        server_(server),
        tls_(tls) {}
  ~StreamTransport() override {
    g_io_stream_close(stream_.get(), nullptr, nullptr);
  }

  absl::StatusOr<Answer> Exchange(absl::Span<const uint8_t> request,
                                  absl::Time deadline,
                                  AnswerFilter accept) override;
  absl::string_view name() const override { return tls_ ? "TLS" : "TCP"; }

 private:
  absl::Status Read(uint8_t* out, size_t size, absl::Time deadline);
  absl::StatusOr<std::vector<uint8_t>> ReadMessage(absl::Time deadline);

  GPtr<GSocketConnection> tcp_;
  GPtr<GIOStream> stream_;  // The TCP connection itself, or TLS over it.
  const net::UdpEndpoint server_;
  const bool tls_;
};

// Reads exactly `size` bytes: non-blocking reads (a TLS stream may hold
// decrypted bytes already) and waits for the socket until `deadline`.
absl::Status StreamTransport::Read(uint8_t* out, size_t size,
                                   absl::Time deadline) {
  GPollableInputStream* in =
      G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(stream_.get()));
  GSocket* socket = g_socket_connection_get_socket(tcp_.get());
  size_t done = 0;
  while (done < size) {
    GError* error = nullptr;
    const gssize got = g_pollable_input_stream_read_nonblocking(
        in, out + done, size - done, nullptr, &error);
    if (got > 0) {
      done += static_cast<size_t>(got);
      continue;
    }
    if (got == 0) {
      return absl::UnavailableError(absl::StrCat(name(), " connection to ",
                                                 server_.ToString(),
                                                 " closed by the server"));
    }
    if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
      return FromGError(absl::StrCat(name(), " read"), error, deadline);
    }
    g_error_free(error);
    const int64_t wait_us = absl::ToInt64Microseconds(deadline - absl::Now());
    if (wait_us <= 0 || !g_socket_condition_timed_wait(socket, G_IO_IN, wait_us,
                                                       nullptr, &error)) {
      if (error != nullptr) g_error_free(error);
      return absl::DeadlineExceededError(absl::StrCat(
          "no answer from ", server_.ToString(), " over ", name()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> StreamTransport::ReadMessage(
    absl::Time deadline) {
  std::vector<uint8_t> message(kHeaderSize);
  NATFWT_RETURN_IF_ERROR(Read(message.data(), kHeaderSize, deadline));
  absl::StatusOr<size_t> size = StunMessageSize(message);
  if (!size.ok() || *size > kMaxStreamMessage) {
    return absl::UnavailableError(absl::StrCat(
        "the server sent something other than STUN over ", name()));
  }
  message.resize(*size);
  NATFWT_RETURN_IF_ERROR(
      Read(message.data() + kHeaderSize, *size - kHeaderSize, deadline));
  return message;
}

absl::StatusOr<Answer> StreamTransport::Exchange(
    absl::Span<const uint8_t> request, absl::Time deadline,
    AnswerFilter accept) {
  GError* error = nullptr;
  const absl::Time sent = absl::Now();
  if (!g_output_stream_write_all(g_io_stream_get_output_stream(stream_.get()),
                                 request.data(), request.size(), nullptr,
                                 nullptr, &error)) {
    return FromGError(absl::StrCat(name(), " write"), error, deadline);
  }
  for (;;) {
    NATFWT_ASSIGN_OR_RETURN(std::vector<uint8_t> message,
                            ReadMessage(deadline));
    if (accept(message, server_)) {
      return Answer{std::move(message), server_, 1, absl::Now() - sent};
    }
  }
}

absl::StatusOr<GPtr<GSocketConnection>> ConnectTcp(
    const net::UdpEndpoint& server, absl::Time deadline) {
  GPtr<GSocketClient> client(g_socket_client_new());
  g_socket_client_set_timeout(client.get(), SecondsLeft(deadline));
  GPtr<GInetAddress> inet(
      g_inet_address_new_from_string(server.address.ToString().c_str()));
  GPtr<GSocketAddress> address(
      g_inet_socket_address_new(inet.get(), server.port));
  GError* error = nullptr;
  GSocketConnection* connection = g_socket_client_connect(
      client.get(), G_SOCKET_CONNECTABLE(address.get()), nullptr, &error);
  if (connection == nullptr) {
    return FromGError(absl::StrCat("TCP connect to ", server.ToString()), error,
                      deadline);
  }
  return GPtr<GSocketConnection>(connection);
}

absl::StatusOr<GPtr<GIOStream>> StartTls(GSocketConnection* tcp,
                                         const StunTransportConfig& config,
                                         absl::Time deadline) {
  if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
    return absl::UnimplementedError(
        "turns: needs a GIO TLS backend (install glib-networking)");
  }
  GError* error = nullptr;
  GPtr<GTlsDatabase> database;
  if (!config.tls_ca_file.empty()) {
    database.reset(g_tls_file_database_new(config.tls_ca_file.c_str(), &error));
    if (!database) {
      absl::Status status = absl::InvalidArgumentError(
          absl::StrCat("CA file ", config.tls_ca_file, ": ", error->message));
      g_error_free(error);
      return status;
    }
  }
  GPtr<GSocketConnectable> identity(
      g_network_address_new(config.tls_host.c_str(), config.server.port));
  GPtr<GIOStream> tls(
      g_tls_client_connection_new(G_IO_STREAM(tcp), identity.get(), &error));
  if (!tls) return FromGError("TLS setup", error, deadline);
  if (database) {
    g_tls_connection_set_database(G_TLS_CONNECTION(tls.get()), database.get());
  }
  g_socket_set_timeout(g_socket_connection_get_socket(tcp),
                       SecondsLeft(deadline));
  if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls.get()), nullptr,
                                  &error)) {
    return FromGError(
        absl::StrCat("TLS handshake with ", config.server.ToString(), " (",
                     config.tls_host, ")"),
        error, deadline);
  }
  return tls;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StunTransport>> StunTransport::Connect(
    const StunTransportConfig& config, absl::Time deadline) {
  if (config.transport == ice::TurnTransport::kUdp) {
    NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<net::UdpSocket> socket,
                            OpenStunSocket({config.local, 0}));
    return std::make_unique<UdpTransport>(std::move(socket), config.server);
  }
  NATFWT_ASSIGN_OR_RETURN(GPtr<GSocketConnection> tcp,
                          ConnectTcp(config.server, deadline));
  // A backstop for blocking writes; reads wait on their own deadline.
  g_socket_set_timeout(g_socket_connection_get_socket(tcp.get()),
                       SecondsLeft(deadline));
  if (config.transport == ice::TurnTransport::kTcp) {
    GPtr<GIOStream> stream(G_IO_STREAM(g_object_ref(tcp.get())));
    return std::make_unique<StreamTransport>(std::move(tcp), std::move(stream),
                                             config.server, false);
  }
  NATFWT_ASSIGN_OR_RETURN(GPtr<GIOStream> tls,
                          StartTls(tcp.get(), config, deadline));
  return std::make_unique<StreamTransport>(std::move(tcp), std::move(tls),
                                           config.server, true);
}

}  // namespace natfwt::probe
