// Copyright 2026 The natfwt Authors.

#include "engine/ice/name_resolution.h"

#include <gio/gio.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace natfwt::ice {

struct NameResolution::Pending {
  std::string host;
  bool ipv4 = true;
  bool ipv6 = true;
  Done done;
  bool abandoned = false;  // The NameResolution was destroyed first.
  bool finished = false;   // The callback ran; the NameResolution frees.
  GCancellable* cancellable = g_cancellable_new();

  ~Pending() { g_object_unref(cancellable); }
};

namespace {

absl::StatusOr<net::IpAddress> PickAddress(GList* addresses, bool ipv4,
                                           bool ipv6, const std::string& host) {
  for (GList* item = addresses; item != nullptr; item = item->next) {
    GInetAddress* address = G_INET_ADDRESS(item->data);
    const bool v4 = g_inet_address_get_family(address) == G_SOCKET_FAMILY_IPV4;
    if ((v4 && !ipv4) || (!v4 && !ipv6)) continue;
    gchar* text = g_inet_address_to_string(address);
    absl::StatusOr<net::IpAddress> parsed = net::IpAddress::Parse(text);
    g_free(text);
    if (parsed.ok()) return parsed;
  }
  return absl::NotFoundError(
      absl::StrCat(host, " has no address of an enabled family"));
}

}  // namespace

std::unique_ptr<NameResolution> NameResolution::Start(const std::string& host,
                                                      bool ipv4, bool ipv6,
                                                      Done done) {
  auto* pending = new Pending{host, ipv4, ipv6, std::move(done)};
  GResolver* resolver = g_resolver_get_default();
  g_resolver_lookup_by_name_async(
      resolver, host.c_str(), pending->cancellable,
      [](GObject* source, GAsyncResult* result, gpointer data) {
        auto* state = static_cast<Pending*>(data);
        if (state->abandoned) {
          g_list_free_full(g_resolver_lookup_by_name_finish(G_RESOLVER(source),
                                                            result, nullptr),
                           g_object_unref);
          delete state;
          return;
        }
        GError* error = nullptr;
        GList* addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source),
                                                            result, &error);
        absl::StatusOr<net::IpAddress> picked =
            error == nullptr
                ? PickAddress(addresses, state->ipv4, state->ipv6, state->host)
                : absl::StatusOr<net::IpAddress>(absl::NotFoundError(
                      absl::StrCat(state->host, ": ", error->message)));
        g_clear_error(&error);
        g_resolver_free_addresses(addresses);
        // `done` may destroy the NameResolution (which then frees `state`):
        // take it out first and touch nothing afterwards.
        Done callback = std::move(state->done);
        state->finished = true;
        std::move(callback)(std::move(picked));
      },
      pending);
  g_object_unref(resolver);
  return std::unique_ptr<NameResolution>(new NameResolution(pending));
}

NameResolution::~NameResolution() {
  if (pending_->finished) {
    delete pending_;
    return;
  }
  pending_->abandoned = true;
  g_cancellable_cancel(pending_->cancellable);
}

}  // namespace natfwt::ice
