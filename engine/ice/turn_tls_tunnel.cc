// Copyright 2026 The natfwt Authors.

#include "engine/ice/turn_tls_tunnel.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "platform/base/logging.h"

namespace natfwt::ice {

// Held by the tunnel and by each of its connections (Link): released once
// the tunnel is destroyed and every connection has ended.
struct TurnTlsTunnel::Shared : std::enable_shared_from_this<Shared> {
  ServerAddress server;
  GTlsDatabase* database = nullptr;  // Null: the backend's default store.
  GCancellable* cancellable = g_cancellable_new();
  // Set by CloseAll; runs (on the network thread) when this is released.
  absl::AnyInvocable<void() &&> on_released;

  ~Shared() {
    if (database != nullptr) g_object_unref(database);
    g_object_unref(cancellable);
    if (on_released) std::move(on_released)();
  }
};

namespace {

// One connection from libnice and its TLS counterpart; frees itself when the
// splice ends or a step fails, closing both sockets.
struct Link {
  std::shared_ptr<const void> keep_alive;  // The tunnel's Shared state.
  const ServerAddress* server = nullptr;
  GTlsDatabase* database = nullptr;
  GCancellable* cancellable = nullptr;
  GSocketConnection* local = nullptr;
  GSocketConnection* tcp = nullptr;
  GIOStream* tls = nullptr;

  ~Link() {
    // Closed here rather than by the last unref: a TLS operation's GTask may
    // hold `tls` (and so `tcp`) a little longer and drop it on a GLib worker
    // thread. Every operation on them has completed when a Link is deleted.
    if (tcp != nullptr) g_io_stream_close(G_IO_STREAM(tcp), nullptr, nullptr);
    if (local != nullptr) {
      g_io_stream_close(G_IO_STREAM(local), nullptr, nullptr);
    }
    if (tls != nullptr) g_object_unref(tls);
    if (tcp != nullptr) g_object_unref(tcp);
    if (local != nullptr) g_object_unref(local);
  }
};

void Fail(Link* link, absl::string_view step, GError* error) {
  if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    NATFWT_LOG(kWarning) << "TURN TLS tunnel to " << link->server->host << ":"
                         << link->server->port << ": " << step
                         << " failed: " << error->message;
  }
  g_error_free(error);
  delete link;
}

void OnSpliced(GObject* /*source*/, GAsyncResult* result, gpointer data) {
  auto* link = static_cast<Link*>(data);
  g_io_stream_splice_finish(result, nullptr);  // Either side ended: done.
  delete link;
}

void OnHandshake(GObject* source, GAsyncResult* result, gpointer data) {
  auto* link = static_cast<Link*>(data);
  GError* error = nullptr;
  if (!g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result,
                                         &error)) {
    Fail(link, "TLS handshake", error);
    return;
  }
  g_io_stream_splice_async(
      G_IO_STREAM(link->local), link->tls,
      static_cast<GIOStreamSpliceFlags>(G_IO_STREAM_SPLICE_CLOSE_STREAM1 |
                                        G_IO_STREAM_SPLICE_CLOSE_STREAM2),
      G_PRIORITY_DEFAULT, link->cancellable, OnSpliced, link);
}

void StartTls(Link* link) {
  GSocketConnectable* identity =
      g_network_address_new(link->server->host.c_str(), link->server->port);
  GError* error = nullptr;
  link->tls =
      g_tls_client_connection_new(G_IO_STREAM(link->tcp), identity, &error);
  g_object_unref(identity);
  if (link->tls == nullptr) {
    Fail(link, "TLS setup", error);
    return;
  }
  if (link->database != nullptr) {
    g_tls_connection_set_database(G_TLS_CONNECTION(link->tls), link->database);
  }
  g_tls_connection_handshake_async(G_TLS_CONNECTION(link->tls),
                                   G_PRIORITY_DEFAULT, link->cancellable,
                                   OnHandshake, link);
}

void OnConnected(GObject* source, GAsyncResult* result, gpointer data) {
  auto* link = static_cast<Link*>(data);
  GError* error = nullptr;
  link->tcp =
      g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, &error);
  if (link->tcp == nullptr) {
    Fail(link, "TCP connect", error);
    return;
  }
  StartTls(link);
}

absl::StatusOr<GTlsDatabase*> LoadDatabase(const std::string& ca_file) {
  if (ca_file.empty()) return nullptr;
  GError* error = nullptr;
  GTlsDatabase* database = g_tls_file_database_new(ca_file.c_str(), &error);
  if (database == nullptr) {
    absl::Status status = absl::InvalidArgumentError(
        absl::StrCat("TURN CA file ", ca_file, ": ", error->message));
    g_error_free(error);
    return status;
  }
  return database;
}

absl::StatusOr<uint16_t> Listen(GSocketService* service,
                                const net::IpAddress& loopback) {
  GInetAddress* inet =
      g_inet_address_new_from_string(loopback.ToString().c_str());
  GSocketAddress* address = g_inet_socket_address_new(inet, 0);
  g_object_unref(inet);
  GSocketAddress* effective = nullptr;
  GError* error = nullptr;
  const gboolean ok = g_socket_listener_add_address(
      G_SOCKET_LISTENER(service), address, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, nullptr, &effective, &error);
  g_object_unref(address);
  if (!ok) {
    absl::Status status = absl::InternalError(
        absl::StrCat("TURN TLS tunnel cannot listen: ", error->message));
    g_error_free(error);
    return status;
  }
  const uint16_t port =
      g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
  g_object_unref(effective);
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TurnTlsTunnel>> TurnTlsTunnel::Create(
    const net::IpAddress& loopback, const ServerAddress& server,
    const std::string& ca_file) {
  if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
    return absl::UnimplementedError(
        "turns: needs a GIO TLS backend (glib-networking)");
  }
  absl::StatusOr<GTlsDatabase*> database = LoadDatabase(ca_file);
  if (!database.ok()) return database.status();
  auto shared = std::make_shared<Shared>();
  shared->server = server;
  shared->database = *database;
  GSocketService* service = g_socket_service_new();
  absl::StatusOr<uint16_t> port = Listen(service, loopback);
  if (!port.ok()) {
    g_object_unref(service);
    return port.status();
  }
  return std::unique_ptr<TurnTlsTunnel>(
      new TurnTlsTunnel(loopback, *port, service, std::move(shared)));
}

TurnTlsTunnel::TurnTlsTunnel(net::IpAddress loopback, uint16_t port,
                             GSocketService* service,
                             std::shared_ptr<Shared> shared)
    : loopback_(loopback), port_(port), service_(service), shared_(shared) {
  g_signal_connect(service_, "incoming", G_CALLBACK(OnIncoming), shared_.get());
  g_socket_service_start(service_);
}

TurnTlsTunnel::~TurnTlsTunnel() {
  g_signal_handlers_disconnect_by_data(service_, shared_.get());
  g_socket_service_stop(service_);
  g_socket_listener_close(G_SOCKET_LISTENER(service_));
  g_object_unref(service_);
  g_cancellable_cancel(shared_->cancellable);
}

void TurnTlsTunnel::CloseAll(
    std::vector<std::unique_ptr<TurnTlsTunnel>> tunnels,
    absl::AnyInvocable<void() &&> on_closed) {
  if (tunnels.empty() || !on_closed) {
    tunnels.clear();
    if (on_closed) std::move(on_closed)();
    return;
  }
  struct Pending {
    size_t tunnels;
    absl::AnyInvocable<void() &&> on_closed;
  };
  auto pending =
      std::make_shared<Pending>(Pending{tunnels.size(), std::move(on_closed)});
  for (const std::unique_ptr<TurnTlsTunnel>& tunnel : tunnels) {
    tunnel->shared_->on_released = [pending] {
      if (--pending->tunnels == 0) std::move(pending->on_closed)();
    };
  }
  tunnels.clear();  // Each Shared goes now, or with its last connection.
}

gboolean TurnTlsTunnel::OnIncoming(GSocketService* /*service*/,
                                   GSocketConnection* connection,
                                   GObject* /*source*/, gpointer data) {
  auto* shared = static_cast<Shared*>(data);
  auto* link = new Link;
  link->keep_alive = shared->shared_from_this();
  link->server = &shared->server;
  link->database = shared->database;
  link->cancellable = shared->cancellable;
  link->local = G_SOCKET_CONNECTION(g_object_ref(connection));
  GSocketClient* client = g_socket_client_new();
  GSocketConnectable* target =
      g_network_address_new(shared->server.host.c_str(), shared->server.port);
  g_socket_client_connect_async(client, target, shared->cancellable,
                                OnConnected, link);
  g_object_unref(target);
  g_object_unref(client);
  return TRUE;
}

}  // namespace natfwt::ice
