// Copyright 2026 The natfwt Authors.

#include "platform/tun/address_linux.h"

#include <linux/rtnetlink.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "platform/base/status_macros.h"
#include "platform/tun/netlink_linux.h"

namespace natfwt::tun {
namespace {

// Implementation choice: the work item runs at once; the bound only guards
// against a stalled kernel workqueue.
constexpr absl::Duration kUsableWithin = absl::Seconds(5);

// Whether the kernel routes `address` locally now (RTN_LOCAL).
absl::StatusOr<bool> IsLocal(NetlinkSocket& socket,
                             const net::IpAddress& address,
                             absl::string_view what) {
  bool local = false;
  absl::Status status = socket.Query(
      netlink::BuildRouteQuery(address, socket.NextSequence()), what,
      [&local](const netlink::Message& answer) -> absl::Status {
        NATFWT_ASSIGN_OR_RETURN(netlink::RouteInfo route,
                                netlink::ParseRoute(answer));
        local = route.type == RTN_LOCAL;
        return absl::OkStatus();
      });
  // ENETUNREACH and the like: no route at all yet, so not local either.
  if (status.code() == absl::StatusCode::kUnavailable) return false;
  NATFWT_RETURN_IF_ERROR(status);
  return local;
}

bool AnnouncesLocalRoute(const netlink::Message& message,
                         const net::IpAddress& address) {
  if (message.type != RTM_NEWROUTE) return false;
  absl::StatusOr<netlink::RouteInfo> route = netlink::ParseRoute(message);
  return route.ok() && route->type == RTN_LOCAL &&
         route->destination ==
             net::IpPrefix{address, static_cast<int>(address.size() * 8)};
}

// Waits for the local route of `address`. `watcher` subscribed to route
// notifications before the address was added, so none is missed between
// the check and the wait.
absl::Status AwaitLocalRoute(NetlinkSocket& socket, NetlinkSocket& watcher,
                             const net::IpAddress& address,
                             absl::string_view what) {
  absl::Time deadline = absl::Now() + kUsableWithin;
  NATFWT_ASSIGN_OR_RETURN(bool local, IsLocal(socket, address, what));
  while (!local) {
    absl::Status watched = watcher.Watch(
        deadline, what, [&address](const netlink::Message& message) {
          return AnnouncesLocalRoute(message, address);
        });
    if (watched.code() != absl::StatusCode::kResourceExhausted) {
      return watched;
    }
    // Notifications were lost (ENOBUFS): look again.
    NATFWT_ASSIGN_OR_RETURN(local, IsLocal(socket, address, what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AddLinkAddress(NetlinkSocket& socket, uint32_t index,
                            const std::string& name,
                            const net::IpPrefix& address) {
  std::string what =
      absl::StrCat("RTM_NEWADDR ", address.ToString(), " on ", name);
  std::vector<uint8_t> request = netlink::BuildAddress(
      netlink::AddressOp::kAdd, index, address, socket.NextSequence());
  if (address.address.is_v4()) return socket.Transact(request, what);
  NATFWT_ASSIGN_OR_RETURN(NetlinkSocket watcher,
                          NetlinkSocket::Open(RTMGRP_IPV6_ROUTE));
  NATFWT_RETURN_IF_ERROR(socket.Transact(request, what));
  return AwaitLocalRoute(socket, watcher, address.address,
                         absl::StrCat(what, ": waiting for its local route"));
}

absl::Status RemoveLinkAddress(NetlinkSocket& socket, uint32_t index,
                               const std::string& name,
                               const net::IpPrefix& address) {
  return socket.Transact(
      netlink::BuildAddress(netlink::AddressOp::kRemove, index, address,
                            socket.NextSequence()),
      absl::StrCat("RTM_DELADDR ", address.ToString(), " on ", name));
}

}  // namespace natfwt::tun
