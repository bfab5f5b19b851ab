// Copyright 2026 The natfwt Authors.
//
// NameResolution: one asynchronous host-name lookup with GLib's resolver
// (g_resolver_lookup_by_name_async), so a slow DNS server delays only the
// server it names. Internal to engine/ice.
//
// Thread-safety: create, use and destroy on one thread whose thread-default
// GMainContext is iterated (the network thread); `done` runs there.

#ifndef NATFWT_ENGINE_ICE_NAME_RESOLUTION_H_
#define NATFWT_ENGINE_ICE_NAME_RESOLUTION_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "platform/net/ip_address.h"

namespace natfwt::ice {

class NameResolution {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<net::IpAddress>) &&>;

  // Starts resolving `host`; `done` later receives the first address of an
  // enabled family, or kNotFound (no such name, or no address of an enabled
  // family) / kUnavailable (resolver error). Destroying the object cancels
  // the lookup and `done` is then never called.
  static std::unique_ptr<NameResolution> Start(const std::string& host,
                                               bool ipv4, bool ipv6, Done done);

  NameResolution(const NameResolution&) = delete;
  NameResolution& operator=(const NameResolution&) = delete;
  ~NameResolution();

 private:
  struct Pending;
  explicit NameResolution(Pending* pending) : pending_(pending) {}
  Pending* pending_;  // Freed by the lookup's callback.
};

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_NAME_RESOLUTION_H_
