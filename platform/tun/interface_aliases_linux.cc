// Copyright 2026 The natfwt Authors.
//
// Why netlink and not /sys/class/net/*/ifalias: sysfs shows the network
// namespace of whoever mounted it, so a process that entered another
// namespace with unshare(CLONE_NEWNET) would list the wrong interfaces.

#include <linux/rtnetlink.h>

#include "platform/base/status_macros.h"
#include "platform/tun/interface_aliases.h"
#include "platform/tun/netlink_linux.h"
#include "platform/tun/netlink_socket_linux.h"

namespace natfwt::tun {
namespace {

// Implementation choice: an interface appearing or going away during the
// dump marks it interrupted; three tries make a persistent race unlikely.
constexpr int kDumpAttempts = 3;

absl::StatusOr<std::vector<std::string>> DumpAliases(NetlinkSocket& socket) {
  std::vector<std::string> aliases;
  NATFWT_RETURN_IF_ERROR(socket.Dump(
      netlink::BuildLinkDump(socket.NextSequence()), "RTM_GETLINK dump",
      [&aliases](const netlink::Message& message) -> absl::Status {
        if (message.type != RTM_NEWLINK) return absl::OkStatus();
        NATFWT_ASSIGN_OR_RETURN(netlink::LinkInfo link,
                                netlink::ParseLink(message));
        if (!link.alias.empty()) aliases.push_back(std::move(link.alias));
        return absl::OkStatus();
      }));
  return aliases;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListInterfaceAliases() {
  NATFWT_ASSIGN_OR_RETURN(NetlinkSocket socket, NetlinkSocket::Open());
  absl::StatusOr<std::vector<std::string>> aliases;
  for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
    aliases = DumpAliases(socket);
    if (aliases.status().code() != absl::StatusCode::kAborted) break;
  }
  return aliases;
}

}  // namespace natfwt::tun
